// Benchmark worker for this project's wasm module: worker_aer.js?build=mt|st loads
// ../wasm-mt/ or ../wasm-st/ (as web/worker.js does) and runs the tasks through the public
// JS API (FeatureExtractor, Classifier, Trainer) exactly as the app does.
/* global importScripts, create_aer, bench_common */
'use strict';
importScripts('common.js');
const { per_clip, repeat, random_examples, load_clips, read_wav, serve } = bench_common;

const build = new URL(self.location.href).searchParams.get('build') === 'st' ? 'st' : 'mt';
const dir = new URL(`../wasm-${build}/`, self.location.href).href;
importScripts(dir + 'aer_web.js');

let m = null, clips = [], threads = 1;

// Every binding call that can fail answers {ok: true, ...} or {ok: false, error}.
const check = (r) => {
    if (!r.ok) throw new Error(r.error);
    return r;
};

// A Trainer set up for params.arch (default the paper-lstm) on n random examples (no split: every
// example trains).
function make_trainer(params, epochs) {
    const t = new m.Trainer();
    const labels = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'].slice(0, params.classes);
    const cfg = { arch: params.arch || 'paper-lstm', epochs, batch: params.batch, lr: params.lr, seed: 1, split: 'none',
        normalize: false, labels };
    check(t.setup(JSON.stringify(cfg)));
    const size = params.steps * params.features;
    const { x, y } = random_examples(params.n_train, size, params.classes, 1);
    for (let i = 0; i < params.n_train; ++i) check(t.add_example(x.subarray(i * size, (i + 1) * size), labels[y[i]], -1, ''));
    check(t.start());
    return t;
}

/// The shipped default model (models/DEFAULT) loaded in a new Classifier: {c, name, bytes}.
async function default_classifier() {
    const base = new URL('../models/', self.location.href).href;
    const get = async (name) => {
        const r = await fetch(base + name);
        if (!r.ok) throw new Error(`${base + name}: HTTP ${r.status}`);
        return r;
    };
    const name = (await (await get('DEFAULT')).text()).trim();
    const json = await (await get(name + '.json')).text();
    const bin = new Uint8Array(await (await get(name + '.bin')).arrayBuffer());
    const c = new m.Classifier();
    check(c.load(json, bin));
    return { c, name, bytes: bin.length };
}

const engine = {
    async init(params) {
        m = await create_aer({ locateFile: (name) => dir + name, mainScriptUrlOrBlob: dir + 'aer_web.js' });
        threads = m.set_threads(build === 'mt' ? (params.threads || navigator.hardwareConcurrency || 1) : 1);
        if (params.clips) clips = await load_clips(new URL('./', self.location.href).href, params.clips);
        return { ...m.runtime_info(), threads, build };
    },

    async run(task, p) {
        task = task.replace(/^default_/, ''); // the same tasks on the default model's architecture (p.arch)
        if (task === 'mfcc_clip' || task === 'mfcc_only') {
            const ex = new m.FeatureExtractor();
            const r = await per_clip((c) => {
                const out = task === 'mfcc_clip' ? ex.compute(c.wav) : ex.compute_samples(c.y22, 22050);
                if (!out.ok) throw new Error(`${c.name}: ${out.error}`);
                if (out.n_mfcc !== 32 || out.mfcc.length !== 32 * 256) throw new Error('unexpected MFCC shape');
            }, clips, p.reps, p.warmup);
            if (task === 'mfcc_only') r.sample = ex.compute_samples(clips[0].y22, 22050).mfcc;
            ex.delete();
            return r;
        }
        if (task === 'live_update') {
            // The page's live mode (web/listen.js, web/worker.js live_push) with the shipped default
            // model: a Listener fed the clips' own audio (48 kHz, as an AudioContext gives it), one
            // after the other and looped, in blocks of 0.25 s (the page's update period). A figure is
            // one update as the page's worker times it: push(block) + latest() (resampling, MFCC
            // frames, voice gate, the newest window's MFCC and the model's prediction). The first
            // 6 s (a whole window) are pushed untimed.
            const { c, name, bytes } = await default_classifier();
            const audio = clips.map((clip) => read_wav(clip.wav));
            const rate = audio[0].rate;
            if (audio.some((a) => a.rate !== rate)) throw new Error('live_update: the clips have different rates');
            const stream = new Float32Array(audio.reduce((n, a) => n + a.samples.length, 0));
            audio.reduce((o, a) => (stream.set(a.samples, o), o + a.samples.length), 0);
            const block = Math.round(0.25 * rate);
            let at = 0;
            const next_block = () => {
                const out = new Float32Array(block);
                for (let k = 0; k < block; ) {
                    const n = Math.min(block - k, stream.length - at);
                    out.set(stream.subarray(at, at + n), k);
                    k += n;
                    at = (at + n) % stream.length;
                }
                return out;
            };
            const l = new m.Listener();
            check(l.start(c, rate, JSON.stringify({ hop_s: 60 })));
            for (let t = 0; t < 6; t += 0.25) check(l.push(c, next_block()));
            let voiced = 0, updates = 0;
            const r = await repeat(() => {
                const x = next_block();
                check(l.push(c, x));
                const out = check(l.latest(c));
                updates++;
                if (out.label !== null) voiced++;
            }, p.reps_b1, p.warmup);
            r.model = name;
            r.model_bytes = bytes;
            r.input_rate = rate;
            r.block_s = block / rate;
            r.voiced_share = voiced / updates;
            l.delete();
            c.delete();
            return r;
        }
        if (task === 'classify_clip' || task === 'classify_features') {
            // The page's path with the shipped default model (models/DEFAULT): classify_clip from the
            // WAV bytes (decode, resample, MFCC, prediction), classify_features from the clip's MFCC.
            const { c, name, bytes } = await default_classifier();
            const ex = new m.FeatureExtractor();
            check(ex.configure(JSON.stringify(c.feature_config())));
            const classes = c.labels().length;
            const features = new Map(clips.map((clip) => [clip, check(ex.compute(clip.wav)).mfcc]));
            const r = await per_clip((clip) => {
                const mfcc = task === 'classify_clip' ? check(ex.compute(clip.wav)).mfcc : features.get(clip);
                if (check(c.predict(mfcc, 1)).probs.length !== classes) throw new Error('unexpected output shape');
            }, clips, p.reps, p.warmup);
            r.model = name;
            r.model_bytes = bytes;
            c.delete();
            ex.delete();
            return r;
        }
        if (task === 'infer_b1' || task === 'infer_b405') {
            const n = task === 'infer_b1' ? 1 : 405;
            const t = make_trainer({ ...p, n_train: 2 }, 1); // random initial weights, saved as model files
            const c = new m.Classifier();
            const files = check(t.model());
            check(c.load(files.json, files.bin));
            t.delete();
            const { x } = random_examples(n, p.steps * p.features, p.classes, 2);
            const r = await repeat(() => {
                const out = c.predict(x, n);
                if (!out.ok) throw new Error(out.error);
                if (out.probs.length !== n * p.classes) throw new Error('unexpected output shape');
            }, n === 1 ? p.reps_b1 : p.reps, p.warmup);
            c.delete();
            return r;
        }
        if (task === 'train_epoch') {
            const per_epoch = Math.ceil(p.n_train / p.batch);
            const t = make_trainer(p, p.warmup + p.reps);
            let last = null;
            const r = await repeat(() => {
                last = check(t.step(per_epoch));
                if (!last.epoch_done || last.batches_per_epoch !== per_epoch) throw new Error('step did not end an epoch');
            }, p.reps, p.warmup);
            t.delete();
            r.loss = last.epoch_done.loss;
            return r;
        }
        throw new Error(`aer: unknown task ${task}`);
    },
};
serve(engine);

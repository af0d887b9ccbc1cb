// The page's worker: loads the wasm module and does all the heavy work (WAV decoding, resampling,
// MFCC, prediction, training) off the page's thread, so the page never freezes.
//
// A classic worker (importScripts), not a module worker: Emscripten 3.1.6's -sMODULARIZE output
// (aer_web.js) is a classic script that defines a global `create_aer`, not an ES module, so it can
// only be loaded with importScripts, which module workers do not have.
//
// It loads the threaded SIMD build when the page is cross-origin isolated (SharedArrayBuffer
// usable), else the single-threaded SIMD build.
//
// Messages from the page: {id, op, ...}. Answers: {id, ok: true, ...} or {id, ok: false, error}.
// Long operations also post events {id, event, ...} (progress, one per file, one per epoch) first.
// Features of each file stay here (item id -> Float32Array n_mfcc x frames) for prediction and
// training; the page only asks for one file's MFCC to draw it.
/* global importScripts, create_aer */
'use strict';

const threaded = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
const dir = new URL(threaded ? 'wasm-mt/' : 'wasm-st/', self.location.href).href;
importScripts(dir + 'aer_web.js');

let m = null;          // the module
let extractor = null;  // FeatureExtractor, configured with the active model's feature config
let classifier = null; // Classifier: the active model
let threads = 1;
const features = new Map(); // item id -> {mfcc: Float32Array, natural_frames}
const cancelled = new Set(); // ids of extract/train requests asked to stop
const ready = create_aer({
    locateFile: (name) => dir + name,
    mainScriptUrlOrBlob: dir + 'aer_web.js',
}).then((mod) => {
    m = mod;
    threads = m.set_threads(threaded ? (self.navigator.hardwareConcurrency || 1) : 1);
    extractor = new m.FeatureExtractor();
    classifier = new m.Classifier();
});

const post_event = (id, event, data = {}, transfer = []) => self.postMessage({ id, event, ...data }, transfer);
// Lets queued messages (a Stop) run between two chunks of work.
const yield_to_events = () => new Promise((resolve) => setTimeout(resolve, 0));

const ops = {
    runtime() {
        const info = m.runtime_info();
        return { threaded, threads, simd: info.simd, hardware_threads: self.navigator.hardwareConcurrency || 1 };
    },

    /// {json: string, bin: ArrayBuffer} -> makes it the active model. On failure the previous model
    /// stays. When its feature config differs from the current one, features are forgotten
    /// (config_changed: the page extracts them again).
    load_model({ json, bin }) {
        const error = classifier.load(json, new Uint8Array(bin));
        if (error) return { ok: false, error };
        const config = classifier.feature_config();
        let config_changed = false;
        if (config !== extractor.config_json()) {
            const e = extractor.configure(config);
            if (e) return { ok: false, error: `the model's feature configuration: ${e}` };
            features.clear();
            config_changed = true;
        }
        return { labels: JSON.parse(classifier.labels()), info: JSON.parse(classifier.info()), config_changed };
    },

    /// Checks model files without touching the active model: {json, bin} -> {info} or an error.
    check_model({ json, bin }) {
        const c = new m.Classifier();
        try {
            const error = c.load(json, new Uint8Array(bin));
            if (error) return { ok: false, error };
            return { info: JSON.parse(c.info()) };
        } finally {
            c.delete();
        }
    },

    /// {items: [{item_id, blob}]}: the MFCC of each file. Events: 'file' per file (ok or its error)
    /// with the WAV's facts. Stops early on a cancel.
    async extract({ id, items }) {
        let done = 0;
        for (const { item_id, blob } of items) {
            if (cancelled.has(id)) break;
            let r;
            try {
                const bytes = new Uint8Array(await blob.arrayBuffer());
                r = extractor.compute(bytes);
            } catch (err) {
                r = { ok: false, error: `could not be read (${err && err.message || err})` };
            }
            done++;
            if (!r.ok) {
                post_event(id, 'file', { item_id, ok: false, error: r.error, done });
                continue;
            }
            features.set(item_id, { mfcc: r.mfcc, natural_frames: r.natural_frames });
            post_event(id, 'file', {
                item_id, ok: true, done, sample_rate: r.sample_rate, channels: r.channels, format: r.format,
                duration_s: r.duration_s, truncated: r.truncated, natural_frames: r.natural_frames, frames: r.frames,
            });
        }
        cancelled.delete(id);
        return { done };
    },

    /// One file's MFCC for the heatmap: {item_id} -> {mfcc (a copy), n_mfcc, frames, natural_frames}.
    mfcc({ item_id }) {
        const f = features.get(item_id);
        if (!f) return { ok: false, error: 'no features for this file' };
        const cfg = JSON.parse(extractor.config_json());
        const mfcc = f.mfcc.slice();
        return { result: { mfcc, n_mfcc: cfg.n_mfcc, frames: mfcc.length / cfg.n_mfcc, natural_frames: f.natural_frames }, transfer: [mfcc.buffer] };
    },

    forget({ item_ids }) {
        for (const i of item_ids) features.delete(i);
        return {};
    },

    /// {item_ids} -> {item_ids (those with features), probs: Float32Array(n * classes)}, predicted in
    /// batches of 32 with a 'progress' event after each.
    async predict({ id, item_ids }) {
        if (!classifier.loaded()) return { ok: false, error: 'no model loaded' };
        const have = item_ids.filter((i) => features.has(i));
        const classes = JSON.parse(classifier.labels()).length;
        const probs = new Float32Array(have.length * classes);
        const chunk = 32;
        for (let a = 0; a < have.length; a += chunk) {
            const ids = have.slice(a, a + chunk);
            const size = features.get(ids[0]).mfcc.length;
            const x = new Float32Array(ids.length * size);
            ids.forEach((i, k) => x.set(features.get(i).mfcc, k * size));
            const r = classifier.predict(x, ids.length);
            if (!r.ok) return { ok: false, error: r.error };
            probs.set(r.probs, a * classes);
            post_event(id, 'progress', { done: a + ids.length, total: have.length });
            await yield_to_events();
        }
        return { result: { item_ids: have, probs, classes }, transfer: [probs.buffer] };
    },

    /// {config: Trainer config without labels/feature_config, labels, examples: [{item_id, label, actor}]}.
    /// Events: 'progress' {epoch, batch, batches_per_epoch, epochs, loss, acc}, 'epoch' {epoch, loss,
    /// acc, val_loss, val_acc, seconds}, 'checkpoint' {epoch, json, bin, state}. Answer: {stopped,
    /// epochs_done, evaluation, json, bin, state} (json, bin and state absent when no epoch
    /// finished). A 'stop' keeps the last finished epoch's weights (and its state).
    /// resume (optional): {json, bin, state} of a checkpoint; training goes on at its next epoch
    /// with its weights, normalisation and optimiser state.
    async train({ id, config, labels, examples, resume }) {
        const t = new m.Trainer();
        try {
            const full = { ...config, labels, feature_config: JSON.parse(extractor.config_json()) };
            let error = t.setup(JSON.stringify(full));
            if (!error && resume) error = t.resume(resume.json, new Uint8Array(resume.bin), new Uint8Array(resume.state));
            if (error) return { ok: false, error };
            let added = 0;
            for (const ex of examples) {
                const f = features.get(ex.item_id);
                if (!f) continue;
                error = t.add_example(f.mfcc, ex.label, ex.actor);
                if (error) return { ok: false, error };
                added++;
            }
            error = t.start();
            if (error) return { ok: false, error };
            let per_call = 1, epochs_done = 0, stopped = false, failure = '';
            let batch = 0, batches = 1;
            for (;;) {
                if (cancelled.has(id)) { stopped = true; break; }
                // Never past an epoch's end in one call: each finished epoch gets its own event.
                const n = Math.max(1, Math.min(per_call, batches - batch));
                const t0 = performance.now();
                const p = JSON.parse(t.step(n));
                const dt = performance.now() - t0;
                // Aim at ~150 ms per call: responsive to Stop, little overhead.
                per_call = Math.max(1, Math.min(256, Math.round(n * 150 / Math.max(dt, 1))));
                batch = p.batch;
                batches = p.batches_per_epoch || 1;
                if (p.epoch_done) {
                    epochs_done++;
                    post_event(id, 'epoch', p.epoch_done);
                    // Checkpoint: the page keeps this epoch's model, so a closed tab loses nothing.
                    const c = t.checkpoint();
                    post_event(id, 'checkpoint', { epoch: p.epoch_done.epoch, json: c.json, bin: c.bin.buffer,
                        state: c.state.buffer }, [c.bin.buffer, c.state.buffer]);
                }
                if (p.error) { failure = p.error; break; }
                post_event(id, 'progress', {
                    epoch: p.epoch, batch: p.batch, batches_per_epoch: p.batches_per_epoch, epochs: p.epochs,
                    loss: p.loss, acc: p.acc, finished: p.finished, examples: added,
                });
                if (p.finished) break;
                await yield_to_events();
            }
            if (stopped) t.stop();
            if (epochs_done === 0) {
                if (failure) return { ok: false, error: failure };
                return { result: { stopped, epochs_done } };
            }
            const evaluation = JSON.parse(t.evaluate());
            const c = t.checkpoint();
            return {
                result: { stopped, epochs_done, failure, evaluation, json: c.json, bin: c.bin.buffer, state: c.state.buffer },
                transfer: [c.bin.buffer, c.state.buffer],
            };
        } finally {
            cancelled.delete(id);
            t.delete();
        }
    },

    /// {target}: asks the running extract/train request `target` to stop at its next chunk.
    cancel({ target }) {
        cancelled.add(target);
        return {};
    },
};

self.onmessage = async (e) => {
    const msg = e.data;
    const { id, op } = msg;
    try {
        await ready;
        if (!ops[op]) throw new Error(`unknown op ${op}`);
        const r = (await ops[op](msg)) || {};
        if (r.ok === false) {
            self.postMessage({ id, ok: false, error: r.error });
        } else if (r.result) {
            self.postMessage({ id, ok: true, ...r.result }, r.transfer || []);
        } else {
            self.postMessage({ id, ok: true, ...r });
        }
    } catch (err) {
        self.postMessage({ id, ok: false, error: String(err && err.message || err) });
    }
};

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
// Messages from the page: {id, op, ...}. Answers: {id, ok: true, ...} or {id, ok: false, error}
// (one error style, the bindings' own: web/README.md). Long operations also post events
// {id, event, ...} (progress, one per file, one per epoch) first. Features of each file stay here
// (item id -> Float32Array n_mfcc x frames) for prediction and training; the page only asks for
// one file's MFCC to draw it.
//
// Requests that read or change the active model or the feature configuration across an await
// (load_model, extract, predict) run one at a time, in the order they arrived: a model loaded while
// a prediction waits between two batches would otherwise mix two models, and a feature
// configuration changed during an extraction would mix two kinds of features. The others finish
// without yielding, so they cannot interleave with anything (mfcc draws a file during a long
// extraction; cancel must never wait). Live listening (live_start, live_push, live_stop) is of
// those: a Listener keeps the microphone's stream state apart from the model, so an update may run
// between two batches of a prediction, or two timelines, and changes neither (web/README.md,
// "Streams").
/* global importScripts, create_aer */
'use strict';

const threaded = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
const dir = new URL(threaded ? 'wasm-mt/' : 'wasm-st/', self.location.href).href;

/// A readable message for anything thrown: an Error, a wasm abort, a C++ exception pointer, a string.
function describe(err) {
    if (err instanceof Error) return err.message || err.name;
    if (typeof err === 'number') return `an uncaught C++ exception (${err}) in the WebAssembly module`;
    if (err === undefined || err === null) return 'an unknown error (nothing was thrown with it)';
    return String(err);
}

let m = null;          // the module
let extractor = null;  // FeatureExtractor, configured with the active model's feature config
let classifier = null; // Classifier: the active model
let threads = 1;
let listener = null;   // live listening: {l: Listener, rate} while the page listens
let live_failure = ''; // why listening stopped on its own (a new model that could not listen)
// item id -> {mfcc: Float32Array, natural_frames, long (longer than the model's window: it gets a
// timeline), samples: Float32Array at the features' rate, kept for every long file and, within
// SAMPLES_BUDGET, for the others (training computes features and audio copies from them)}
const features = new Map();
const SAMPLES_BUDGET = 512 * 1024 * 1024; // bytes of kept samples; files past it train without copies
let samples_bytes = 0;
function forget(item_id) {
    const f = features.get(item_id);
    if (f && f.samples) samples_bytes -= f.samples.byteLength;
    features.delete(item_id);
}
const running = new Set();   // ids of requests received and not yet answered
const cancelled = new Set(); // ids of running extract/train requests asked to stop
const ready = (async () => {
    try {
        importScripts(dir + 'aer_web.js');
    } catch (err) {
        throw new Error(`${dir}aer_web.js could not be loaded: ${describe(err)}`);
    }
    m = await create_aer({ locateFile: (name) => dir + name, mainScriptUrlOrBlob: dir + 'aer_web.js' });
    threads = m.set_threads(threaded ? (self.navigator.hardwareConcurrency || 1) : 1);
    extractor = new m.FeatureExtractor();
    classifier = new m.Classifier();
})();

const post_event = (id, event, data = {}, transfer = []) => self.postMessage({ id, event, ...data }, transfer);
// Lets queued messages (a Stop, a Cancel) run between two chunks of work.
const yield_to_events = () => new Promise((resolve) => setTimeout(resolve, 0));

/// A typed array this thread owns outright, safe to transfer (never a view of the wasm memory).
function own(a) {
    const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
    return whole && !(typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer) ? a : a.slice();
}

/// Key order does not matter: two configurations are the same when their fields are.
function same_config(a, b) {
    const canonical = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
    return canonical(a) === canonical(b);
}

// One request at a time for the ops in SERIAL (see the top of this file).
let tail = Promise.resolve();
function serial(fn) {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
}
const SERIAL = new Set(['load_model', 'extract', 'predict']);

// The page draws a bar, a row and a column per label and lists them: a model file with thousands
// of labels is refused (the core refuses the rest: a label of more than 256 characters, duplicates).
const MAX_LABELS = 256;

/// '' when the page can show `labels` (a model's), else what is wrong with them.
function labels_problem(labels) {
    return labels.length > MAX_LABELS ? `the model has ${labels.length} labels; this page takes at most ${MAX_LABELS}` : '';
}

// Live listening wants the newest window only (latest()); timeline windows (one every hop_s, each
// a prediction) are not used there, so they come as rarely as the options allow.
const LIVE_OPTIONS = JSON.stringify({ hop_s: 60 });

/// Calls step(n) (a Trainer's or a Personaliser's) until it answers finished, request `id` is
/// cancelled or it fails: n batches a call, aimed at ~150 ms (responsive to Stop, little overhead),
/// never past an epoch's end (each finished epoch gets its own answer), yielding to queued
/// messages between calls. on_step(answer) after each call; a message it returns ends the loop as
/// a failure. -> {stopped, failure ('' when none)}.
async function step_loop(id, step, on_step) {
    let per_call = 1, batch = 0, batches = 1;
    for (;;) {
        if (cancelled.has(id)) return { stopped: true, failure: '' };
        const n = Math.max(1, Math.min(per_call, batches - batch));
        const t0 = performance.now();
        const p = step(n);
        const dt = performance.now() - t0;
        if (!p.ok) return { stopped: false, failure: p.error };
        per_call = Math.max(1, Math.min(256, Math.round(n * 150 / Math.max(dt, 1))));
        batch = p.batch;
        batches = p.batches_per_epoch || 1;
        const failure = on_step(p);
        if (failure) return { stopped: false, failure };
        if (p.finished) return { stopped: false, failure: '' };
        await yield_to_events();
    }
}

const ops = {
    runtime() {
        const info = m.runtime_info();
        return {
            threaded, threads, simd: info.simd, backend: info.backend,
            hardware_threads: self.navigator.hardwareConcurrency || 1,
        };
    },

    /// {json: string, bin: ArrayBuffer} -> makes it the active model: {labels, info, config_changed}.
    /// All or nothing: the model and its feature configuration are checked on new objects first,
    /// and on any failure the previous model and features stay. When the feature configuration
    /// differs from the current one, features are forgotten (config_changed: the page extracts
    /// them again).
    load_model({ json, bin }) {
        const c = new m.Classifier();
        let x = null, taken = false;
        try {
            const r = c.load(json, new Uint8Array(bin));
            if (!r.ok) return r;
            const info = c.info();
            if (!info.ok) return info;
            const bad_labels = labels_problem(c.labels());
            if (bad_labels) return { ok: false, error: bad_labels };
            const config = c.feature_config();
            const config_changed = !same_config(config, extractor.config());
            if (config_changed) {
                x = new m.FeatureExtractor();
                const e = x.configure(JSON.stringify(config));
                if (!e.ok) return { ok: false, error: `the model's feature configuration: ${e.error}` };
            }
            // Checked: swap them in.
            classifier.delete();
            classifier = c;
            taken = true;
            if (config_changed) {
                extractor.delete();
                extractor = x;
                x = null;
                features.clear();
                samples_bytes = 0;
            }
            // Live listening goes on with the new model (a new stream: its features may differ).
            let live_error = '';
            if (listener) {
                const l = listener.l.start(classifier, listener.rate, LIVE_OPTIONS);
                if (!l.ok) {
                    live_error = l.error;
                    live_failure = `live listening stopped: the new model cannot listen (${l.error})`;
                    listener.l.delete();
                    listener = null;
                }
            }
            return { labels: classifier.labels(), info, config_changed, live_error };
        } finally {
            if (!taken) c.delete();
            if (x) x.delete();
        }
    },

    /// Checks model files without touching the active model: {json, bin} -> {info} or an error.
    check_model({ json, bin }) {
        const c = new m.Classifier();
        try {
            const r = c.load(json, new Uint8Array(bin));
            if (!r.ok) return r;
            const info = c.info();
            if (!info.ok) return info;
            const bad_labels = labels_problem(c.labels());
            return bad_labels ? { ok: false, error: bad_labels } : { info };
        } finally {
            c.delete();
        }
    },

    /// {items: [{item_id, blob}]}: the MFCC of each file. Events: 'file' per file (ok or its error)
    /// with the WAV's facts (long: longer than the model's window, so it gets a timeline). Stops
    /// early on a cancel. Each file is decoded once (decode_wav at the features' rate), its MFCC
    /// computed from those samples (the same features as FeatureExtractor.compute), and the
    /// samples of a long file kept for its timeline.
    async extract({ id, items }) {
        let done = 0;
        const rate = extractor.config().sample_rate;
        for (const { item_id, blob } of items) {
            if (cancelled.has(id)) break;
            let d, r;
            try {
                const bytes = new Uint8Array(await blob.arrayBuffer());
                d = m.decode_wav(bytes, rate);
                r = d.ok ? extractor.compute_samples(d.samples, rate) : d;
            } catch (err) {
                r = { ok: false, error: `could not be read (${describe(err)})` };
            }
            done++;
            if (!r.ok) {
                post_event(id, 'file', { item_id, ok: false, error: r.error, done });
                continue;
            }
            const long = r.natural_frames > r.frames;
            forget(item_id);
            const keep = long || samples_bytes + d.samples.byteLength <= SAMPLES_BUDGET;
            if (keep) samples_bytes += d.samples.byteLength;
            features.set(item_id, { mfcc: r.mfcc, natural_frames: r.natural_frames, long, samples: keep ? d.samples : null });
            post_event(id, 'file', {
                item_id, ok: true, done, sample_rate: d.sample_rate, channels: d.channels, format: d.format,
                duration_s: d.duration_s, truncated: d.truncated, natural_frames: r.natural_frames, frames: r.frames, long,
            });
        }
        return { done };
    },

    /// One file's MFCC for the heatmap: {item_id} -> {mfcc (a copy), n_mfcc, frames, natural_frames}.
    mfcc({ item_id }) {
        const f = features.get(item_id);
        if (!f) return { ok: false, error: 'no features for this file' };
        const n_mfcc = extractor.config().n_mfcc;
        const mfcc = f.mfcc.slice();
        return { result: { mfcc, n_mfcc, frames: mfcc.length / n_mfcc, natural_frames: f.natural_frames }, transfer: [mfcc.buffer] };
    },

    forget({ item_ids }) {
        for (const i of item_ids) forget(i);
        return {};
    },

    /// {item_ids} -> {item_ids (those with features), labels (of the model that predicted),
    /// probs: Float32Array(n * classes), classes}, in batches of 32 with a 'progress' event after each;
    /// then, for each file longer than the model's window, a 'timeline' event {item_id, timeline}
    /// (Classifier.timeline's answer: the windows and the overall label, or {ok: false, error}).
    async predict({ id, item_ids }) {
        if (!classifier.loaded()) return { ok: false, error: 'no model loaded' };
        const have = item_ids.filter((i) => features.has(i));
        const labels = classifier.labels();
        const classes = labels.length;
        const probs = new Float32Array(have.length * classes);
        const chunk = 32;
        for (let a = 0; a < have.length; a += chunk) {
            const ids = have.slice(a, a + chunk).filter((i) => features.has(i));
            if (!ids.length) continue;
            const size = features.get(ids[0]).mfcc.length;
            const x = new Float32Array(ids.length * size);
            ids.forEach((i, k) => x.set(features.get(i).mfcc, k * size));
            const r = classifier.predict(x, ids.length);
            if (!r.ok) return { ok: false, error: r.error };
            probs.set(r.probs, a * classes);
            post_event(id, 'progress', { done: a + ids.length, total: have.length });
            await yield_to_events();
        }
        // Timelines, one file at a time (the model cannot change in between: predict is serial).
        for (const i of have) {
            const f = features.get(i);
            if (!f || !f.long || !f.samples) continue; // a timeline for files longer than the window only
            const t = classifier.timeline(f.samples, extractor.config().sample_rate, '');
            post_event(id, 'timeline', { item_id: i, timeline: t });
            await yield_to_events();
        }
        return { result: { item_ids: have, labels, probs, classes }, transfer: [probs.buffer] };
    },

    /// {config: Trainer config without feature_config (channels: 'both' | 'speech' | 'song'),
    /// examples: [{item_id, label: name, actor (-1 unknown), channel: 'speech' | 'song' | ''}]}.
    /// The core decides the label list from the examples (an event 'started' {labels, train_n,
    /// test_n, skipped, split} says what it chose). Events: 'progress' {epoch, batch,
    /// batches_per_epoch, epochs, loss, acc}, 'epoch' {epoch, loss, acc, val_loss, val_acc, seconds},
    /// 'checkpoint' {epoch, json, bin, state}. Answer: {stopped, epochs_done, failure, evaluation,
    /// json, bin, state} (json, bin and state absent when no epoch finished). A 'cancel' keeps the
    /// last finished epoch's weights (and its state).
    /// resume (optional): {json, bin, state} of a checkpoint; training goes on at its next epoch
    /// with its weights, normalisation and optimiser state. (Personalising the active model is
    /// the op personalise.)
    async train({ id, config, examples, resume }) {
        const t = new m.Trainer();
        try {
            // The active model's features, changed by the recipe's (e.g. ref=max, fmax 8000):
            // then each clip's features come from its audio, computed by the core.
            const { features: changes, ...request } = config;
            const active = extractor.config();
            const feature_config = { ...active, ...(changes || {}) };
            const own_features = Object.keys(feature_config).some((k) => feature_config[k] !== active[k]);
            const full = { ...request, feature_config };
            let r = t.setup(JSON.stringify(full));
            if (r.ok && resume) r = t.resume(resume.json, new Uint8Array(resume.bin), new Uint8Array(resume.state));
            if (!r.ok) return r;
            let missing = 0, without_copies = 0, prepared = 0;
            const copies = !!request.wave_augment && request.wave_augment !== 'none';
            for (const ex of examples) {
                const f = features.get(ex.item_id);
                if (!f || (own_features && !f.samples)) { missing++; continue; }
                // From the audio, the core computes the run's features and each clip's copies.
                if ((copies || own_features) && f.samples) r = t.add_clip(f.samples, ex.label, ex.actor, ex.channel || '');
                else r = t.add_example(f.mfcc, ex.label, ex.actor, ex.channel || '');
                if (copies && !f.samples) without_copies++;
                if ((copies || own_features) && ++prepared % 16 === 0) { // the copies take a while: say so, allow a cancel
                    post_event(id, 'preparing', { done: prepared, total: examples.length });
                    await yield_to_events();
                    if (cancelled.has(id)) return { result: { stopped: true, epochs_done: 0 } };
                }
                if (!r.ok) return { ok: false, error: `${ex.name || `file ${ex.item_id}`}: ${r.error}` };
            }
            const s = t.start();
            if (!s.ok) return s;
            const skipped = [...(s.skipped || [])];
            if (missing) skipped.push(`${missing} file(s) had no features (removed or being recomputed)`);
            if (without_copies) skipped.push(`${without_copies} file(s) trained without augmented copies (over the page's memory budget for audio)`);
            post_event(id, 'started', { labels: s.labels, train_n: s.train_n, test_n: s.test_n, skipped, split: s.split });
            const post_progress = (p) => post_event(id, 'progress', {
                epoch: p.epoch, batch: p.batch, batches_per_epoch: p.batches_per_epoch, epochs: p.epochs,
                loss: p.loss, acc: p.acc, finished: p.finished, examples: s.train_n,
            });
            let epochs_done = 0;
            const { stopped, failure } = await step_loop(id, (n) => t.step(n), (p) => {
                if (p.epoch_done) {
                    epochs_done++;
                    post_event(id, 'epoch', p.epoch_done);
                    // Checkpoint: the page keeps this epoch's model, so a closed tab loses nothing.
                    const c = t.checkpoint();
                    if (!c.ok) return `the checkpoint of epoch ${p.epoch_done.epoch} failed: ${c.error}`;
                    const bin = own(c.bin), state = own(c.state);
                    post_event(id, 'checkpoint', { epoch: p.epoch_done.epoch, json: c.json, bin: bin.buffer,
                        state: state.buffer }, [bin.buffer, state.buffer]);
                }
                post_progress(p);
                return '';
            });
            if (stopped) {
                // Back to the last finished epoch's weights (a failed step has restored them itself).
                const st = t.stop();
                if (!st.ok) return { ok: false, error: `stopping failed: ${st.error}` };
            }
            if (epochs_done === 0) {
                if (failure) return { ok: false, error: failure };
                return { result: { stopped, epochs_done } };
            }
            const evaluation = t.evaluate();
            if (!evaluation.ok) return { ok: false, error: `the evaluation failed: ${evaluation.error}` };
            const c = t.checkpoint();
            if (!c.ok) return { ok: false, error: `the trained model could not be serialised: ${c.error}` };
            const bin = own(c.bin), state = own(c.state);
            return {
                result: { stopped, epochs_done, failure, evaluation, json: c.json, bin: bin.buffer, state: state.buffer },
                transfer: [bin.buffer, state.buffer],
            };
        } finally {
            t.delete();
        }
    },

    /// {config: an adaptation request (adapt {train, penalty}, epochs, lr, seed...: core/train/session.h),
    /// examples: [{item_id, name, label, actor, channel}]}: personalises the active model through
    /// the core's cross-validated adaptation (Personaliser, core/train/personalise.h: the adapted
    /// model is kept only when it classifies more of the held-back clips right than the original).
    /// Events: 'started' {labels, clips, folds, notes, missing}, 'progress' {run, runs, fold, folds,
    /// epoch, epochs, loss, acc}. Answer: {stopped, decision: {kept: 'adapted' | 'original', reason,
    /// folds, held_back_n, adapted_right, original_right, adapted_accuracy, original_accuracy...},
    /// json, bin (the kept model: the original's weights when the original was kept)}. A 'cancel'
    /// keeps the original.
    async personalise({ id, config, examples }) {
        if (!classifier.loaded()) return { ok: false, error: 'no model loaded to personalise' };
        const p = new m.Personaliser();
        try {
            let r = p.setup(classifier, JSON.stringify(config));
            if (!r.ok) return r;
            let missing = 0;
            for (const ex of examples) {
                const f = features.get(ex.item_id);
                if (!f) { missing++; continue; }
                r = p.add_example(f.mfcc, ex.label, ex.actor, ex.channel || '');
                if (!r.ok) return { ok: false, error: `${ex.name || `file ${ex.item_id}`}: ${r.error}` };
            }
            const s = p.start();
            if (!s.ok) return s;
            post_event(id, 'started', { labels: s.labels, clips: s.clips, folds: s.folds, notes: s.notes, missing });
            const { stopped, failure } = s.finished ? { stopped: false, failure: '' }
                : await step_loop(id, (n) => p.step(n), (q) => {
                    post_event(id, 'progress', { run: q.run, runs: q.runs, fold: q.fold, folds: q.folds, epoch: q.epoch,
                        epochs: q.epochs, loss: q.loss, acc: q.acc });
                    return '';
                });
            if (failure) return { ok: false, error: failure };
            if (stopped) {
                const st = p.stop();
                if (!st.ok) return { ok: false, error: `stopping failed: ${st.error}` };
            }
            const { ok, ...decision } = p.result();
            const c = p.model();
            if (!ok || !c.ok) return { ok: false, error: `the kept model could not be serialised: ${c.error || ''}` };
            const bin = own(c.bin);
            return { result: { stopped, decision, json: c.json, bin: bin.buffer }, transfer: [bin.buffer] };
        } finally {
            p.delete();
        }
    },

    /// {rate}: starts live listening to audio at `rate` Hz (the page's AudioContext) with the active
    /// model: {window_s, labels}. A second start begins a new stream.
    live_start({ rate }) {
        if (!classifier.loaded()) return { ok: false, error: 'no model loaded' };
        const l = new m.Listener();
        const r = l.start(classifier, rate, LIVE_OPTIONS);
        if (!r.ok) { l.delete(); return r; }
        if (listener) listener.l.delete();
        listener = { l, rate };
        live_failure = '';
        return { window_s: r.window_s, labels: classifier.labels() };
    },

    /// {samples: Float32Array}: the microphone's audio since the last update; the newest window
    /// predicted -> {label (null: no voice), probabilities ({label: p} or null), voiced_s, seconds,
    /// ms: the compute time of this update (features and inference: push and latest), labels}.
    live_push({ samples }) {
        if (!listener) return { ok: false, error: live_failure || 'live listening is not running (start it first)' };
        const t0 = performance.now();
        const p = listener.l.push(classifier, samples);
        const r = p.ok ? listener.l.latest(classifier) : p;
        const ms = performance.now() - t0;
        if (!r.ok) return r;
        return { label: r.label, probabilities: r.probabilities, voiced_s: r.voiced_s, seconds: r.seconds, ms,
            labels: classifier.labels() };
    },

    /// Ends live listening (its audio is dropped).
    live_stop() {
        if (listener) { listener.l.delete(); listener = null; }
        return {};
    },

    /// {target}: asks the running extract/train request `target` to stop at its next chunk. A
    /// request that has already answered is not marked (it would stay marked for ever).
    cancel({ target }) {
        if (running.has(target)) cancelled.add(target);
        return { cancelled: running.has(target) };
    },
};

/// The answer to one request, as posted: every failure becomes {ok: false, error} with a message
/// that names the operation when the failure came from a throw rather than a checked status.
async function handle(msg) {
    const { id, op } = msg;
    try {
        await ready;
    } catch (err) {
        return { id, ok: false, error: `the WebAssembly module did not start: ${describe(err)}` };
    }
    if (!Object.prototype.hasOwnProperty.call(ops, op)) return { id, ok: false, error: `unknown request ${op}` };
    try {
        const run = () => ops[op](msg);
        const r = (await (SERIAL.has(op) ? serial(run) : run())) || {};
        if (r.ok === false) return { id, ok: false, error: r.error || `${op} failed without a message` };
        if (r.result) return { answer: { id, ok: true, ...r.result }, transfer: r.transfer || [] };
        const { ok, ...rest } = r;
        return { id, ok: true, ...rest };
    } catch (err) {
        return { id, ok: false, error: `${op}: ${describe(err)}` };
    }
}

self.onmessage = async (e) => {
    const msg = e.data;
    running.add(msg.id);
    let a;
    try {
        a = await handle(msg);
    } finally {
        running.delete(msg.id);
        cancelled.delete(msg.id);
    }
    if (a.answer) self.postMessage(a.answer, a.transfer);
    else self.postMessage(a);
};

// Anything that escapes a request (a rejected promise nobody awaited) still reaches the page.
self.addEventListener('unhandledrejection', (e) => {
    e.preventDefault();
    self.postMessage({ id: 0, event: 'worker-error', error: describe(e.reason) });
});

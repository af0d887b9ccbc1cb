// The benchmark page: runs one job at a time, each in a fresh Web Worker that is terminated
// afterwards. scripts/bench (bench/run.mjs) calls window.aer_bench.run_job(job) for every job.
//   job = {engine, task, params: {reps, warmup, reps_b1, clips, threads, n_train, batch, lr,
//          steps, features, classes}}
// -> {info: what the engine reports about itself, result: {median, min, max, n, times, ...}}.
/* global bench_common */
'use strict';

const workers = {
    'aer-wasm-mt': 'worker_aer.js?build=mt',
    'aer-wasm-st': 'worker_aer.js?build=st',
    'tfjs-wasm': 'worker_tfjs.js?backend=wasm',
    'tfjs-wasm-allcores': 'worker_tfjs.js?backend=wasm&threads=all',
    'tfjs-cpu': 'worker_tfjs.js?backend=cpu',
    'tfjs-webgl': 'worker_tfjs.js?backend=webgl',
    'essentia.js': 'worker_essentia.js',
    'meyda': 'worker_meyda.js',
    // Decode + resample with Web Audio on this page, then the peer's MFCC in its worker.
    'webaudio+essentia.js': 'worker_essentia.js',
    'webaudio+meyda': 'worker_meyda.js',
};

/// A worker with a promise-returning call(op, params, transfer).
function open_worker(url) {
    const w = new Worker(url);
    let next = 1;
    const pending = new Map();
    w.onmessage = (e) => {
        const p = pending.get(e.data.id);
        if (!p) return; // already failed (an error event came first)
        pending.delete(e.data.id);
        if (e.data.ok) p.resolve(e.data);
        else p.reject(new Error(e.data.error));
    };
    const fail = (why) => {
        for (const p of pending.values()) p.reject(new Error(`worker ${url}: ${why}`));
        pending.clear();
    };
    // An uncaught exception arrives as an ErrorEvent with its message and place; a worker whose
    // script did not load, or that could not be started, gets a plain Event with neither.
    w.onerror = (e) => {
        e.preventDefault();
        fail(e.message ? `${e.message}${e.filename ? ` (${e.filename}:${e.lineno})` : ''}`
            : `'${e.type}' event with no message: the worker script did not load or the worker could not start`);
    };
    w.onmessageerror = () => fail('a message from the worker could not be deserialised');
    return {
        call(op, params, transfer = []) {
            const id = next++;
            return new Promise((resolve, reject) => {
                pending.set(id, { resolve, reject });
                w.postMessage({ id, op, params }, transfer);
            });
        },
        close() { w.terminate(); },
    };
}

/// Web Audio's decode + resample: decodeAudioData on a 22050 Hz OfflineAudioContext resamples
/// to the context's rate (Chromium's decoder and sinc resampler); channels averaged to mono.
async function webaudio_decode(ctx, wav) {
    const buf = await ctx.decodeAudioData(wav.slice().buffer); // decodeAudioData detaches its input
    if (buf.numberOfChannels === 1) return buf.getChannelData(0);
    const out = new Float32Array(buf.length);
    for (let c = 0; c < buf.numberOfChannels; ++c) {
        const ch = buf.getChannelData(c);
        for (let i = 0; i < out.length; ++i) out[i] += ch[i] / buf.numberOfChannels;
    }
    return out;
}

async function run_job(job) {
    const url = workers[job.engine];
    if (!url) throw new Error(`unknown engine ${job.engine}`);
    const p = job.params;
    const webaudio = job.engine.startsWith('webaudio+');
    const w = open_worker(url);
    try {
        const init = await w.call('init', { clips: webaudio ? 0 : p.clips, threads: p.threads });
        if (!webaudio) {
            const r = await w.call('run', { ...p, task: job.task });
            return { info: init.info, result: r.result };
        }
        if (job.task !== 'mfcc_clip') throw new Error(`${job.engine} only runs mfcc_clip`);
        if (p.min_time_ms != null) bench_common.config.min_time = p.min_time_ms;
        const clips = await bench_common.load_clips(new URL('./', location.href).href, p.clips);
        const ctx = new OfflineAudioContext(1, 1, 22050);
        const result = await bench_common.per_clip(async (c) => {
            const y = await webaudio_decode(ctx, c.wav);
            const copy = new Float32Array(y); // the AudioBuffer keeps its own; this one is transferred
            await w.call('run', { task: 'mfcc_samples', samples: copy }, [copy.buffer]);
        }, clips, p.reps, p.warmup);
        return { info: { ...init.info, decoder: 'Web Audio decodeAudioData @ 22050 Hz (page main thread)' }, result };
    } finally {
        w.close();
    }
}

window.aer_bench = { run_job, open_worker, engines: Object.keys(workers) };
const status = document.getElementById('status');
if (status.dataset.state !== 'error') { // a script did not load: page_status.js said so
    status.textContent = `ready (crossOriginIsolated: ${self.crossOriginIsolated})`;
    status.dataset.state = 'ready';
}

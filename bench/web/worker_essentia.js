// Benchmark worker for Essentia.js (its standard-mode JS API, as its documentation uses it):
// per frame Windowing -> Spectrum -> MFCC, configured as close to librosa's
// MFCC (n_fft 2048, hop 512, 128 Slaney mel bands with Slaney area normalisation, power
// spectrum, 10*log10, DCT-II orthonormal, 32 coefficients) as its parameters allow.
// What it cannot match (bench/README.md): librosa's periodic Hann window (Essentia's is
// symmetric), power_to_db's top_db=80 floor, and the float64 FFT.
// mfcc_clip in this worker: the WAV read in JS (Essentia.js has no decoder of its own), Essentia's
// ResampleFFT (its only working resampler in the npm build), MFCC.
/* global importScripts, Essentia, bench_common */
'use strict';
// essentia-wasm.web.js assumes a window (document); the UMD build (wasm embedded) detects a
// worker, and ends with `exports.EssentiaWASM = Module`, hence the shim. onRuntimeInitialized
// tells when its wasm is instantiated.
var exports = {}; // eslint-disable-line no-var
let essentia_loaded = null;
var Module = { onRuntimeInitialized: () => essentia_loaded() }; // eslint-disable-line no-var
const essentia_ready = new Promise((resolve) => { essentia_loaded = resolve; });
importScripts('common.js', 'vendor/essentia-wasm.umd.js', 'vendor/essentia.js-core.js');
const { per_clip, read_wav, load_clips, fix_length, serve } = bench_common;

let es = null, clips = [];
const N_FFT = 2048, HOP = 512, N_MELS = 128, N_MFCC = 32, SR = 22050, MAX_LEN = 256;

function del(v) { if (v && typeof v.delete === 'function') v.delete(); }

/// Mono samples at 22050 Hz -> [32][256] MFCC block. The framing is librosa's (centred frames,
/// zero padding, 1 + len / 512 frames): Essentia.js's FrameGenerator does not honour hopSize 512
/// (93439 samples give it 123 frames instead of 183), so frames are cut here and handed over with
/// arrayToVector, as its documentation's examples do with their own frames.
function mfcc(y) {
    const padded = new Float32Array(y.length + N_FFT);
    padded.set(y, N_FFT / 2);
    const n = 1 + Math.floor(y.length / HOP);
    const rows = [];
    for (let t = 0; t < n; ++t) {
        const frame = es.arrayToVector(padded.subarray(t * HOP, t * HOP + N_FFT));
        const w = es.Windowing(frame, false, N_FFT, 'hann', 0, false);
        const s = es.Spectrum(w.frame, N_FFT);
        const m = es.MFCC(s.spectrum, 2, SR / 2, N_FFT / 2 + 1, 0, 'dbpow', 0, 'unit_tri', N_MELS, N_MFCC, SR,
            1e-10, 'power', 'slaneyMel', 'linear');
        rows.push(es.vectorToArray(m.mfcc));
        del(frame); del(w.frame); del(s.spectrum); del(m.mfcc); del(m.bands);
    }
    return fix_length(rows, N_MFCC, MAX_LEN);
}

/// WAV bytes -> read (JS) -> Essentia's ResampleFFT to 22050 Hz -> MFCC. Its Resample (the
/// libsamplerate one) throws in the npm build at every quality; ResampleFFT is
/// scipy.signal.resample's method (librosa's res_type='fft'). It needs even sizes, and its FFTs are
/// fast only for smooth sizes: the clip is zero-padded to 640 k samples (k 7-smooth), which maps
/// 48 kHz to exactly 294 k samples at 22050 Hz, and the output cut to the clip's length.
function smooth(k) {
    for (const p of [2, 3, 5, 7]) while (k % p === 0) k /= p;
    return k === 1;
}
function mfcc_clip(bytes) {
    const { rate, samples } = read_wav(bytes);
    let y = samples;
    if (rate !== SR) {
        let n_in = samples.length + (samples.length & 1), n_out = Math.round((n_in * SR) / rate) & ~1;
        if (rate === 48000) {
            let k = Math.ceil(samples.length / 640);
            while (!smooth(k)) ++k;
            n_in = 640 * k;
            n_out = 294 * k;
        }
        const padded = new Float32Array(n_in);
        padded.set(samples);
        const v = es.arrayToVector(padded);
        const r = es.ResampleFFT(v, n_in, n_out);
        y = es.vectorToArray(r.output).subarray(0, Math.round((samples.length * SR) / rate));
        del(v); del(r.output);
    }
    return mfcc(y);
}

const engine = {
    async init(params) {
        await essentia_ready;
        es = new Essentia(exports.EssentiaWASM);
        if (params.clips) clips = await load_clips(new URL('./', self.location.href).href, params.clips);
        return { version: es.version, threads: 1 };
    },

    async run(task, p) {
        if (task === 'mfcc_clip') return per_clip((c) => mfcc_clip(c.wav), clips, p.reps, p.warmup);
        if (task === 'mfcc_only') {
            const r = await per_clip((c) => mfcc(c.y22), clips, p.reps, p.warmup);
            r.sample = mfcc(clips[0].y22);
            return r;
        }
        if (task === 'mfcc_samples') return mfcc(p.samples).length; // one clip's samples from the page (Web Audio path)
        throw new Error(`essentia: unknown task ${task}`);
    },
};
serve(engine);

// Benchmark worker for Meyda (its offline API, Meyda.extract on one buffer at a time), set as
// close to librosa's MFCC as it allows: bufferSize 2048, hop 512 (the framing is ours: Meyda
// has none for a whole signal; frames centred with zero padding as librosa's center=True),
// 128 mel bands, 32 coefficients, sample rate 22050.
// What it cannot match (bench/README.md): its mel filters are HTK-formula triangles on integer
// FFT bins without Slaney normalisation (so several of 128 bands are empty), it drops the
// Nyquist bin, takes ln(1 + x) instead of 10*log10(x) with top_db, an unnormalised DCT-II, a
// symmetric Hann window and float32 FFT (fftjs). It has no decoder or resampler: mfcc_clip gets
// its samples from Web Audio on the page (decodeAudioData into a 22050 Hz OfflineAudioContext).
/* global importScripts, Meyda, bench_common */
'use strict';
importScripts('common.js', 'vendor/meyda.min.js');
const { per_clip, load_clips, fix_length, serve } = bench_common;

let clips = [];
const N_FFT = 2048, HOP = 512, N_MFCC = 32, MAX_LEN = 256;

/// Mono samples at 22050 Hz -> [32][256] MFCC block.
function mfcc(y) {
    const padded = new Float32Array(y.length + N_FFT);
    padded.set(y, N_FFT / 2);
    const frames = 1 + Math.floor(y.length / HOP);
    const rows = [];
    for (let t = 0; t < frames; ++t) rows.push(Meyda.extract('mfcc', padded.subarray(t * HOP, t * HOP + N_FFT)));
    return fix_length(rows, N_MFCC, MAX_LEN);
}

const engine = {
    async init(params) {
        Meyda.bufferSize = N_FFT;
        Meyda.sampleRate = 22050;
        Meyda.melBands = 128;
        Meyda.numberOfMFCCCoefficients = N_MFCC;
        Meyda.windowingFunction = 'hanning';
        if (params.clips) clips = await load_clips(new URL('./', self.location.href).href, params.clips);
        return { threads: 1 };
    },

    async run(task, p) {
        if (task === 'mfcc_only') {
            const r = await per_clip((c) => mfcc(c.y22), clips, p.reps, p.warmup);
            r.sample = mfcc(clips[0].y22);
            return r;
        }
        if (task === 'mfcc_samples') return mfcc(p.samples).length; // one clip's samples from the page (Web Audio path)
        throw new Error(`meyda: unknown task ${task}`);
    },
};
serve(engine);

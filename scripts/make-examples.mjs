#!/usr/bin/env node
// Makes web/examples/: the page's "Try examples" clips, one per emotion spoken (8) and sung (6),
// cut from ../shared/data (RAVDESS, CC BY-NC-SA 4.0). Each clip keeps its RAVDESS name, so its true
// label, channel and actor are the original's. The audio is made smaller: the silence after the
// voice is cut (0.15 s kept), the silence before it shortened to LEAD seconds, and it is resampled
// 48 kHz -> RATE (windowed sinc; 22050 Hz by default, the rate the models read), 16-bit mono.
//
// Cutting and resampling must not change what a model says: per emotion, the takes are tried from
// the shortest voiced one up, and a take is kept only when the default model (models/DEFAULT, run
// by the CLI's wasm build) predicts the same label for the clip as for the original take; among
// those, the first that the model gets right is preferred.
// Usage: scripts/build wasm && node scripts/make-examples.mjs   (needs `flac`; rewrites web/examples/)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repo, '..', 'shared', 'data');
const out_dir = process.env.AER_EXAMPLES_OUT || path.join(repo, 'web', 'examples');
const cli = path.join(repo, 'build', 'wasm-st', 'aer.js');
const model = path.join(repo, 'models', `${fs.readFileSync(path.join(repo, 'models', 'DEFAULT'), 'utf8').trim()}.json`);
const EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
const RATE_IN = 48000, RATE = Number(process.env.AER_EXAMPLES_RATE || 22050);
const LEAD = Number(process.env.AER_EXAMPLES_LEAD || 0.3), TAIL = 0.15;
const TRIES = 16; // takes tried per emotion, shortest first
// Known oddities of the release (stereo or duplicated takes): never chosen.
const AVOID = new Set(['03-01-02-01-01-02-01', '03-01-08-01-02-02-01', '03-01-02-01-02-02-05', '03-01-03-01-02-01-20',
    '03-01-06-01-01-02-20', '03-01-03-01-02-01-07', '03-01-03-01-02-02-07']);

/// Decodes a FLAC file to mono floats at 48 kHz (the channels averaged).
function decode(file) {
    const b = execFileSync('flac', ['-d', '-s', '-c', file], { maxBuffer: 1 << 28 });
    let o = 12, rate = 0, channels = 0, bits = 0;
    while (o + 8 <= b.length) {
        const id = b.toString('ascii', o, o + 4), size = b.readUInt32LE(o + 4);
        if (id === 'fmt ') { channels = b.readUInt16LE(o + 10); rate = b.readUInt32LE(o + 12); bits = b.readUInt16LE(o + 22); }
        if (id === 'data') {
            if (bits !== 16 || rate !== RATE_IN) throw new Error(`${file}: ${bits}-bit at ${rate} Hz`);
            const n = Math.floor(Math.min(size, b.length - o - 8) / (2 * channels));
            const y = new Float64Array(n);
            for (let i = 0; i < n; i++) {
                let s = 0;
                for (let c = 0; c < channels; c++) s += b.readInt16LE(o + 8 + 2 * (i * channels + c));
                y[i] = s / channels / 32768;
            }
            return y;
        }
        o += 8 + size + (size & 1);
    }
    throw new Error(`${file}: no data chunk`);
}

/// [first, last) sample to keep: 10 ms frames within 35 dB of the loudest are voice.
function keep(y) {
    const hop = RATE_IN / 100;
    const rms = [];
    for (let a = 0; a + hop <= y.length; a += hop) {
        let s = 0;
        for (let i = a; i < a + hop; i++) s += y[i] * y[i];
        rms.push(Math.sqrt(s / hop));
    }
    const floor = Math.max(...rms) * 10 ** (-35 / 20);
    const first = rms.findIndex((v) => v >= floor);
    const last = rms.length - 1 - [...rms].reverse().findIndex((v) => v >= floor);
    return [Math.max(0, first * hop - Math.round(LEAD * RATE_IN)), Math.min(y.length, (last + 1) * hop + Math.round(TAIL * RATE_IN))];
}

/// 48 kHz -> RATE: a windowed-sinc interpolator (Kaiser window, beta 8.6, 32 zero crossings each
/// side), cut-off at 0.47 of the output rate, evaluated at every output instant.
function resample(y) {
    const ratio = RATE_IN / RATE, fc = 0.47 / ratio, half = Math.ceil(16 / fc);
    const bessel0 = (x) => { let s = 1, t = 1; for (let k = 1; k < 40; k++) { t *= (x / (2 * k)) ** 2; s += t; } return s; };
    const beta = 8.6, norm = bessel0(beta);
    const out = new Float64Array(Math.floor(y.length / ratio));
    for (let j = 0; j < out.length; j++) {
        const t = j * ratio, c = Math.floor(t);
        let s = 0;
        for (let k = Math.max(0, c - half); k <= Math.min(y.length - 1, c + half); k++) {
            const d = t - k, r = d / (half + 1);
            const sinc = d === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * d) / (Math.PI * d);
            s += y[k] * sinc * bessel0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
        }
        out[j] = s;
    }
    return out;
}

/// 16-bit mono PCM WAV bytes.
function wav16(samples, rate) {
    const b = Buffer.alloc(44 + 2 * samples.length);
    b.write('RIFF', 0, 'ascii'); b.writeUInt32LE(36 + 2 * samples.length, 4); b.write('WAVE', 8, 'ascii');
    b.write('fmt ', 12, 'ascii'); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
    b.writeUInt32LE(rate, 24); b.writeUInt32LE(2 * rate, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
    b.write('data', 36, 'ascii'); b.writeUInt32LE(2 * samples.length, 40);
    samples.forEach((v, i) => b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), 44 + 2 * i));
    return b;
}

/// The default model's predicted label of each WAV file, by the CLI.
function predict(files) {
    const out = execFileSync(process.execPath, ['--no-experimental-fetch', cli, 'predict', '--model', model, ...files],
        { encoding: 'utf8', maxBuffer: 1 << 26 });
    return out.trim().split('\n').map((l) => JSON.parse(l).label);
}

const labels = JSON.parse(fs.readFileSync(model, 'utf8')).labels;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-examples-'));
const chosen = [];
for (const [channel, set, emotions] of [['01', 'ravdess-speech', 8], ['02', 'ravdess-song', 6]]) {
    for (let e = 1; e <= emotions; e++) {
        const takes = [];
        for (let actor = 1; actor <= 20; actor++) {
            const dir = path.join(shared, set, `Actor_${String(actor).padStart(2, '0')}`);
            if (!fs.existsSync(dir)) continue;
            for (const name of fs.readdirSync(dir).sort()) {
                const f = name.split('.')[0].split('-');
                if (f[1] !== channel || Number(f[2]) !== e || AVOID.has(name.split('.')[0])) continue;
                const y = decode(path.join(dir, name));
                const [a, b] = keep(y);
                takes.push({ name: name.replace(/\.flac$/, '.wav'), y, a, b });
            }
        }
        takes.sort((p, q) => (p.b - p.a) - (q.b - q.a) || p.name.localeCompare(q.name));
        // Four takes at a time (one run of the CLI each), until one keeps its label.
        const truth = EMOTIONS[e - 1];
        let pick = null, fallback = null;
        for (let at = 0; at < TRIES && !pick; at += 4) {
            const tried = takes.slice(at, at + 4);
            const files = [];
            for (const t of tried) {
                t.bytes = wav16(resample(t.y.subarray(t.a, t.b)), RATE);
                t.cut = path.join(tmp, `cut-${t.name}`);
                t.orig = path.join(tmp, t.name);
                fs.writeFileSync(t.cut, t.bytes);
                fs.writeFileSync(t.orig, wav16(t.y, RATE_IN));
                files.push(t.cut, t.orig);
            }
            const said = predict(files);
            tried.forEach((t, k) => { t.label = said[2 * k]; t.same = said[2 * k] === said[2 * k + 1]; });
            pick = tried.find((t) => t.same && t.label === truth) || null;
            fallback = fallback || tried.find((t) => t.same) || null;
        }
        pick = pick || fallback;
        if (!pick) throw new Error(`${set} ${truth}: none of the ${TRIES} shortest takes keeps the model's label`);
        chosen.push(pick);
    }
}
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(out_dir, { recursive: true });
for (const f of fs.readdirSync(out_dir)) if (f.endsWith('.wav')) fs.rmSync(path.join(out_dir, f));
let total = 0;
for (const c of chosen) {
    fs.writeFileSync(path.join(out_dir, c.name), c.bytes);
    total += c.bytes.length;
    const f = c.name.split('-');
    console.log(`${c.name}: ${f[1] === '01' ? 'speech' : 'song'} ${EMOTIONS[Number(f[2]) - 1]}, actor ${Number(f[6].slice(0, 2))}, ` +
        `${((c.b - c.a) / RATE_IN).toFixed(2)} s, ${c.bytes.length} bytes; ${path.basename(model)} says ${c.label} for it and the original`);
}
fs.writeFileSync(path.join(out_dir, 'examples.json'), JSON.stringify({
    source: 'RAVDESS (Livingstone & Russo 2018, https://doi.org/10.1371/journal.pone.0196391), CC BY-NC-SA 4.0; ' +
        `cut and resampled to ${RATE} Hz by scripts/make-examples.mjs`,
    checked_with: path.basename(model, '.json'),
    files: chosen.map((c) => c.name),
}, null, 1) + '\n');
console.log(`${chosen.length} clips, ${total} bytes`);

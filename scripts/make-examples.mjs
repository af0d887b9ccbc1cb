#!/usr/bin/env node
// Makes web/examples/: the page's "Try examples" clips, one per emotion spoken (8) and sung (6),
// cut from ../shared/data (RAVDESS, CC BY-NC-SA 4.0). Each clip keeps its RAVDESS name, so its label,
// channel and actor are the original's; the audio is the voiced part of the take (the silence before
// and after cut, 0.15 s kept on each side), low-pass filtered and downsampled 48 kHz -> 16 kHz,
// 16-bit mono. Per emotion the shortest voiced take of the actors below is chosen (a small download).
// Usage: node scripts/make-examples.mjs   (needs `flac`; rewrites web/examples/*.wav and examples.json)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repo, '..', 'shared', 'data');
const out_dir = path.join(repo, 'web', 'examples');
const EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
// Two actors per clip to choose from, women (even numbers) and men (odd) alternating over the emotions.
const ACTORS = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14], [15, 16]];
// Known oddities of the release (stereo or duplicated takes): never chosen.
const AVOID = new Set(['03-01-02-01-01-02-01', '03-01-08-01-02-02-01', '03-01-02-01-02-02-05', '03-01-03-01-02-01-20',
    '03-01-06-01-01-02-20', '03-01-03-01-02-01-07', '03-01-03-01-02-02-07']);
const RATE_IN = 48000, FACTOR = 3, RATE_OUT = RATE_IN / FACTOR;

/// Decodes a FLAC file to {rate, samples: Float64Array} (mono: the channels averaged).
function decode(file) {
    const b = execFileSync('flac', ['-d', '-s', '-c', file], { maxBuffer: 1 << 28 });
    let o = 12, rate = 0, channels = 0, bits = 0;
    while (o + 8 <= b.length) {
        const id = b.toString('ascii', o, o + 4), size = b.readUInt32LE(o + 4);
        if (id === 'fmt ') { channels = b.readUInt16LE(o + 10); rate = b.readUInt32LE(o + 12); bits = b.readUInt16LE(o + 22); }
        if (id === 'data') {
            if (bits !== 16) throw new Error(`${file}: ${bits}-bit`);
            const n = Math.floor(Math.min(size, b.length - o - 8) / (2 * channels));
            const y = new Float64Array(n);
            for (let i = 0; i < n; i++) {
                let s = 0;
                for (let c = 0; c < channels; c++) s += b.readInt16LE(o + 8 + 2 * (i * channels + c));
                y[i] = s / channels / 32768;
            }
            return { rate, samples: y };
        }
        o += 8 + size + (size & 1);
    }
    throw new Error(`${file}: no data chunk`);
}

/// [first, last) sample of the voiced part: 10 ms frames within 35 dB of the loudest, 0.15 s margins.
function voiced(y, rate) {
    const hop = rate / 100;
    const rms = [];
    for (let a = 0; a + hop <= y.length; a += hop) {
        let s = 0;
        for (let i = a; i < a + hop; i++) s += y[i] * y[i];
        rms.push(Math.sqrt(s / hop));
    }
    const floor = Math.max(...rms) * 10 ** (-35 / 20);
    const first = rms.findIndex((v) => v >= floor);
    const last = rms.length - 1 - [...rms].reverse().findIndex((v) => v >= floor);
    const margin = Math.round(0.15 * rate);
    return [Math.max(0, first * hop - margin), Math.min(y.length, (last + 1) * hop + margin)];
}

/// A windowed-sinc low-pass (cut-off 7.2 kHz, Kaiser window, beta 8.6) then every 3rd sample.
function downsample(y) {
    const taps = 193, half = (taps - 1) / 2, fc = 7200 / RATE_IN;
    const bessel0 = (x) => { let s = 1, t = 1; for (let k = 1; k < 30; k++) { t *= (x / (2 * k)) ** 2; s += t; } return s; };
    const beta = 8.6, h = new Float64Array(taps);
    let sum = 0;
    for (let i = 0; i < taps; i++) {
        const n = i - half, r = n / half;
        const sinc = n === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
        h[i] = sinc * bessel0(beta * Math.sqrt(1 - r * r)) / bessel0(beta);
        sum += h[i];
    }
    const out = new Float64Array(Math.floor(y.length / FACTOR));
    for (let j = 0; j < out.length; j++) {
        let s = 0;
        for (let i = 0; i < taps; i++) {
            const k = j * FACTOR + i - half;
            if (k >= 0 && k < y.length) s += h[i] * y[k];
        }
        out[j] = s / sum;
    }
    return out;
}

function wav16(samples, rate) {
    const b = Buffer.alloc(44 + 2 * samples.length);
    b.write('RIFF', 0, 'ascii'); b.writeUInt32LE(36 + 2 * samples.length, 4); b.write('WAVE', 8, 'ascii');
    b.write('fmt ', 12, 'ascii'); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
    b.writeUInt32LE(rate, 24); b.writeUInt32LE(2 * rate, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
    b.write('data', 36, 'ascii'); b.writeUInt32LE(2 * samples.length, 40);
    samples.forEach((v, i) => b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), 44 + 2 * i));
    return b;
}

const chosen = [];
for (const [channel, set, emotions] of [['01', 'ravdess-speech', 8], ['02', 'ravdess-song', 6]]) {
    for (let e = 1; e <= emotions; e++) {
        let best = null;
        for (const actor of ACTORS[e - 1]) {
            const dir = path.join(shared, set, `Actor_${String(actor).padStart(2, '0')}`);
            if (!fs.existsSync(dir)) continue;
            for (const name of fs.readdirSync(dir).sort()) {
                const f = name.split('.')[0].split('-');
                if (f[1] !== channel || Number(f[2]) !== e || AVOID.has(name.split('.')[0])) continue;
                const { samples } = decode(path.join(dir, name));
                const [a, b] = voiced(samples, RATE_IN);
                if (!best || b - a < best.b - best.a) best = { name: name.replace(/\.flac$/, '.wav'), samples, a, b };
            }
        }
        if (!best) throw new Error(`no clip of emotion ${e} in ${set}`);
        chosen.push(best);
    }
}
fs.mkdirSync(out_dir, { recursive: true });
for (const f of fs.readdirSync(out_dir)) if (f.endsWith('.wav')) fs.rmSync(path.join(out_dir, f));
let total = 0;
for (const c of chosen) {
    const bytes = wav16(downsample(c.samples.subarray(c.a, c.b)), RATE_OUT);
    fs.writeFileSync(path.join(out_dir, c.name), bytes);
    total += bytes.length;
    const f = c.name.split('-');
    console.log(`${c.name}: ${f[1] === '01' ? 'speech' : 'song'} ${EMOTIONS[Number(f[2]) - 1]}, actor ${Number(f[6].slice(0, 2))}, ` +
        `${((c.b - c.a) / RATE_IN).toFixed(2)} s, ${bytes.length} bytes`);
}
fs.writeFileSync(path.join(out_dir, 'examples.json'), JSON.stringify({
    source: 'RAVDESS (Livingstone & Russo 2018, https://doi.org/10.1371/journal.pone.0196391), CC BY-NC-SA 4.0; ' +
        'the voiced part of each take, downsampled to 16 kHz by scripts/make-examples.mjs',
    files: chosen.map((c) => c.name),
}, null, 1) + '\n');
console.log(`${chosen.length} clips, ${total} bytes`);

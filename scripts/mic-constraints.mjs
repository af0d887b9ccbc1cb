// Measures what the browser's voice processing (getUserMedia's echoCancellation, noiseSuppression,
// autoGainControl) does to a voice, for web/mic.js's choice of constraints. Headless Chromium
// with a fake microphone plays a RAVDESS clip (as is, with a steady room noise, and quiet); for
// each of the 8 combinations the page's own recorder (Record) takes SECONDS of it, and the page
// predicts the recording. Each recording is compared with the file played:
//   settings  what the track reports it applied (getSettings(): E N A, 1 on, 0 off)
//   gain dB   the recording's active level minus the file's (20 ms frames 12 dB over the floor)
//   floor dB  the same for the noise floor (10th percentile of the 20 ms frame levels)
//   mel dB    the log-mel distance, time-aligned (cross-correlation): 40 mel bands of 21 ms frames,
//             each signal in dB below its own peak floored at -80 dB (as the models' features:
//             the level does not count), RMS over bands, mean over the file's voiced frames
//   track     the track's sampleRate and channelCount (getSettings())
//   label p   the page's prediction for the recording (its top label and probability)
//   transparent  the page's prediction for what a transparent chain would have recorded: the
//             file from the point the recording started (found by the alignment), as long
//   TV        total variation distance between those two predictions' probabilities (0..1)
// Usage: node scripts/mic-constraints.mjs [--seconds 6] [--clip FILE.wav] (needs build/web).
//        node scripts/mic-constraints.mjs --levels (no browser: the table behind level.js's -45 dBFS)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start_server, launch, wait_ready, wait_predictions, result_rows, ravdess_files, read_wav16, make_wav }
    from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const SECONDS = Number(opt('--seconds', '6'));
const clip_file = opt('--clip', ravdess_files(1, 1, 'speech')[4]); // an angry take of actor 1
const COMBOS = [...Array(8).keys()].map((k) => ({ echoCancellation: !!(k & 4), noiseSuppression: !!(k & 2), autoGainControl: !!(k & 1) }));

// ---- signal measures ------------------------------------------------------------------------------
const db = (p) => 10 * Math.log10(Math.max(p, 1e-12));
function frame_levels(x, rate) {
    const n = Math.round(rate * 0.02), out = [];
    for (let i = 0; i + n <= x.length; i += n) {
        let s = 0;
        for (let j = i; j < i + n; j++) s += x[j] * x[j];
        out.push(db(s / n));
    }
    return out;
}
/// {active, floor} in dBFS, as web/level.js judges them (over the whole signal).
function levels(x, rate) {
    const l = frame_levels(x, rate), sorted = [...l].sort((a, b) => a - b);
    const floor = sorted[Math.floor(0.1 * (sorted.length - 1))];
    const loud = l.filter((v) => v >= Math.max(-70, floor + 12));
    return { active: db(loud.reduce((s, v) => s + 10 ** (v / 10), 0) / Math.max(1, loud.length)), floor };
}

function fft(re, im) { // in place, radix 2
    const n = re.length;
    for (let i = 1, j = 0; i < n; i++) {
        let bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) { [re[i], re[j]] = [re[j], re[i]]; [im[i], im[j]] = [im[j], im[i]]; }
    }
    for (let len = 2; len <= n; len <<= 1) {
        const a = -2 * Math.PI / len, wr = Math.cos(a), wi = Math.sin(a);
        for (let i = 0; i < n; i += len) {
            let cr = 1, ci = 0;
            for (let k = 0; k < len / 2; k++) {
                const p = i + k, q = p + len / 2;
                const tr = re[q] * cr - im[q] * ci, ti = re[q] * ci + im[q] * cr;
                re[q] = re[p] - tr; im[q] = im[p] - ti; re[p] += tr; im[p] += ti;
                [cr, ci] = [cr * wr - ci * wi, cr * wi + ci * wr];
            }
        }
    }
}

/// The lag L (samples) at which rec[n] best matches src[(n + L) mod src.length] (src loops).
function align(rec, src) {
    const P = src.length;
    let N = 1;
    while (N < rec.length + P) N <<= 1;
    const ar = new Float64Array(N), ai = new Float64Array(N), br = new Float64Array(N), bi = new Float64Array(N);
    ar.set(rec);
    for (let i = 0; i < rec.length + P; i++) br[i] = src[i % P];
    fft(ar, ai); fft(br, bi);
    for (let k = 0; k < N; k++) { // conj(A) B
        const r = ar[k] * br[k] + ai[k] * bi[k], i = ar[k] * bi[k] - ai[k] * br[k];
        ar[k] = r; ai[k] = -i; // conjugated again for the inverse by a forward FFT
    }
    fft(ar, ai);
    let best = 0;
    for (let L = 1; L < P; L++) if (ar[L] > ar[best]) best = L;
    return best;
}

/// Log-mel frames (dB below the signal's own peak, floored at -80): [frames][40].
function log_mel(x, rate) {
    const n = 1024, hop = 480, bands = 40, mel = (f) => 2595 * Math.log10(1 + f / 700), hz = (m) => 700 * (10 ** (m / 2595) - 1);
    const edges = [...Array(bands + 2).keys()].map((k) => hz(mel(50) + (k * (mel(8000) - mel(50))) / (bands + 1)) * n / rate);
    const win = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n));
    const frames = [];
    for (let s = 0; s + n <= x.length; s += hop) {
        const re = new Float64Array(n), im = new Float64Array(n);
        for (let i = 0; i < n; i++) re[i] = x[s + i] * win[i];
        fft(re, im);
        const out = new Float64Array(bands);
        for (let b = 0; b < bands; b++) {
            for (let k = Math.ceil(edges[b]); k <= Math.floor(edges[b + 2]); k++) {
                const w = k <= edges[b + 1] ? (k - edges[b]) / (edges[b + 1] - edges[b]) : (edges[b + 2] - k) / (edges[b + 2] - edges[b + 1]);
                out[b] += Math.max(0, w) * (re[k] * re[k] + im[k] * im[k]);
            }
        }
        frames.push(Array.from(out, db));
    }
    const peak = Math.max(...frames.map((f) => Math.max(...f)));
    return frames.map((f) => f.map((v) => Math.max(v - peak, -80)));
}

/// Mean log-mel distance (dB) of rec against src (aligned: rec[n] ~ src[(n + lag) mod P]) over
/// the frames where src is voiced (within 40 dB of its peak frame).
function mel_distance(rec, src, lag, rate) {
    const looped = Float64Array.from(rec, (_, n) => src[(n + lag) % src.length]);
    const a = log_mel(rec, rate), b = log_mel(looped, rate);
    let sum = 0, count = 0;
    for (let t = 0; t < a.length; t++) {
        if (Math.max(...b[t]) < -40) continue;
        sum += Math.sqrt(a[t].reduce((s, v, k) => s + (v - b[t][k]) ** 2, 0) / a[t].length);
        count++;
    }
    return count ? sum / count : NaN;
}

// ---- sources ----------------------------------------------------------------------------------------
function noise(n, rms, seed) { // steady low-passed noise (a room, a fan), deterministic
    let s = seed >>> 0, y = 0;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
        s = (s * 1664525 + 1013904223) >>> 0;
        y = 0.95 * y + 0.05 * (s / 2 ** 31 - 1);
        out[i] = y;
    }
    const r = Math.sqrt(out.reduce((a, v) => a + v * v, 0) / n);
    return out.map((v) => (v * rms) / r);
}
/// x at rate `from` -> rate `to` (windowed sinc, 64 zero crossings a side, Blackman window).
function resample(x, from, to) {
    if (from === to) return x;
    const ratio = to / from, cut = Math.min(1, ratio), half = 64 / cut, out = new Float32Array(Math.floor(x.length * ratio));
    for (let n = 0; n < out.length; n++) {
        const t = n / ratio;
        let s = 0;
        for (let k = Math.ceil(t - half); k <= Math.floor(t + half); k++) {
            if (k < 0 || k >= x.length) continue;
            const d = k - t, w = 0.42 + 0.5 * Math.cos(Math.PI * d / half) + 0.08 * Math.cos(2 * Math.PI * d / half);
            s += x[k] * w * (d === 0 ? cut : Math.sin(Math.PI * cut * d) / (Math.PI * d));
        }
        out[n] = s;
    }
    return out;
}
/// The page's AudioContext rate (the output device's): the fake microphone's file is written at it,
/// so that no resampling stands between the file and the recording but the browser's own, if any.
async function context_rate() {
    const b = await launch();
    try {
        return await b.page.evaluate(() => { const c = new AudioContext(); const r = c.sampleRate; c.close(); return r; });
    } finally {
        await b.close();
    }
}
if (args.includes('--levels')) { level_table(); process.exit(0); }
const wav = read_wav16(clip_file);
const rate = await context_rate();
const clip = resample(Float32Array.from(wav.samples, (v) => v / 32768), wav.rate, rate);
const clip_level = levels(clip, rate).active;
/// The clip at `active_db` with noise at `noise_db` (or none), then 2 s of that noise: one loop.
function source(active_db, noise_db) {
    const x = new Float32Array(clip.length + 2 * rate);
    const g = 10 ** ((active_db - clip_level) / 20);
    for (let i = 0; i < clip.length; i++) x[i] = clip[i] * g;
    if (noise_db !== null) { const nz = noise(x.length, 10 ** (noise_db / 20), 7); for (let i = 0; i < x.length; i++) x[i] += nz[i]; }
    return x;
}
const SOURCES = [
    { name: 'clean', x: Float32Array.from([...clip, ...new Float32Array(2 * rate)]) },
    { name: 'room (noise -55 dBFS)', x: source(clip_level, -55) },
    { name: 'quiet (voice -60 dBFS, noise -80)', x: source(-60, -80) },
];

// ---- the browser ------------------------------------------------------------------------------------
const override = `(() => {
    const md = navigator.mediaDevices;
    if (!md) return;
    const open = md.getUserMedia.bind(md);
    md.getUserMedia = async (c) => {
        const s = await open(window.__mic_override ? { audio: { ...c.audio, ...window.__mic_override } } : c);
        window.__mic_settings = s.getAudioTracks()[0].getSettings();
        return s;
    };
})()`;

const top = (probs) => { const [l, p] = Object.entries(probs).sort((a, b) => b[1] - a[1])[0]; return `${l} ${p.toFixed(2)}`; };

async function measure(src, dir) {
    const file = path.join(dir, 'mic.wav');
    // The file as the fake device will play it: 16-bit (what the comparison must use too).
    fs.writeFileSync(file, make_wav([src.x], rate, 16));
    const played = Float32Array.from(read_wav16(file).samples, (v) => v / 32768);
    const server = await start_server();
    const b = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${file}`]);
    const page = b.page;
    const rows = [];
    try {
        await b.context.addInitScript(override);
        await page.goto(server.url);
        await wait_ready(page);
        await page.setInputFiles('#file-input', { name: 'played.wav', mimeType: 'audio/wav', buffer: fs.readFileSync(file) });
        await wait_predictions(page, 1);
        const base = (await result_rows(page))[0].probs;
        const src_levels = levels(played, rate);
        for (const [k, c] of COMBOS.entries()) {
            await page.evaluate((o) => { window.__mic_override = o; }, c);
            await page.click('[data-testid="record-button"]');
            await page.waitForSelector('[data-testid="record-button"][aria-pressed="true"]');
            await page.waitForFunction((s) => Number(document.querySelector('#rec-level').dataset.seconds) >= s, SECONDS, { timeout: 60000 });
            await page.click('[data-testid="record-button"]');
            await wait_predictions(page, 2 * k + 2);
            const name = `recording-${k + 1}.wav`;
            const got = await page.evaluate(async (n) => {
                const { state } = await import('./state.js');
                const item = state.items.find((i) => i.name === n);
                const bytes = new Uint8Array(await item.blob.arrayBuffer());
                let s = '';
                for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
                return { b64: btoa(s), settings: window.__mic_settings };
            }, name);
            const tmp = path.join(dir, name);
            fs.writeFileSync(tmp, Buffer.from(got.b64, 'base64'));
            const rec = read_wav16(tmp);
            if (rec.rate !== rate) throw new Error(`recorded at ${rec.rate} Hz, the file is ${rate} Hz: resample first`);
            const x = Float32Array.from(rec.samples, (v) => v / 32768);
            const lv = levels(x, rate), lag = align(x, played);
            // What a transparent chain would have recorded (the file from the same point, as long):
            // the page predicts it too, so that only the processing differs between the two.
            const ideal = Float32Array.from(x, (_, n) => played[(n + lag) % played.length]);
            await page.setInputFiles('#file-input', { name: `ideal-${k + 1}.wav`, mimeType: 'audio/wav', buffer: make_wav([ideal], rate, 16) });
            await wait_predictions(page, 2 * k + 3);
            const rows_now = await result_rows(page);
            const row = rows_now.find((r) => r.file === name), want = rows_now.find((r) => r.file === `ideal-${k + 1}.wav`).probs;
            const tv = Object.keys(want).reduce((s, l) => s + Math.abs(want[l] - (row.probs[l] ?? 0)), 0) / 2;
            const st = got.settings;
            rows.push({
                source: src.name, E: +c.echoCancellation, N: +c.noiseSuppression, A: +c.autoGainControl,
                applied: `${+!!st.echoCancellation}${+!!st.noiseSuppression}${+!!st.autoGainControl}`,
                track: `${st.sampleRate / 1000} kHz ${st.channelCount} ch`, ideal: top(want),
                gain: lv.active - src_levels.active, floor: lv.floor - src_levels.floor,
                mel: mel_distance(x, played, lag, rate), label: row.pred, p: row.probs[row.pred], tv,
                base: top(base),
            });
            const r = rows.at(-1);
            console.error(`${src.name} E${r.E} N${r.N} A${r.A}: applied ${r.applied}, gain ${r.gain.toFixed(1)}, floor ${r.floor.toFixed(1)}, ` +
                `mel ${r.mel.toFixed(2)}, ${r.label} ${r.p.toFixed(2)} (transparent: ${r.ideal}), TV ${tv.toFixed(3)} (lag ${lag}, track ${r.track})`);
        }
        if (b.errors.length) throw new Error(b.errors.join('\n'));
    } finally {
        await b.close();
        server.stop();
    }
    return rows;
}

// ---- --levels: why web/level.js says "too quiet" below -45 dBFS -----------------------------------
/// Every 3rd RAVDESS speech file set to active levels from -20 to -60 dBFS (web/level.js's active
/// level over the whole clip): how much of the voice the worker's gate (core/dsp/voice.h: frames of
/// 2048 samples at 22050 Hz, Hann, every 512, never under -95 dBFS, 12 dB over the 10th percentile)
/// still takes, against the clip at -20, and how many clips keep under 0.25 s (no label).
function level_table() {
    const root = path.join(path.dirname(clip_file), '..');
    const N = Math.round(2048 * 48000 / 22050), H = Math.round(512 * 48000 / 22050);
    const hann = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos(2 * Math.PI * i / N));
    const wsum = hann.reduce((a, v) => a + v, 0);
    const targets = [-20, -30, -35, -40, -45, -50, -55, -60], kept = targets.map(() => []), mute = targets.map(() => 0);
    const actives = [];
    for (const actor of fs.readdirSync(root).sort()) {
        for (const name of fs.readdirSync(path.join(root, actor)).sort().filter((_, i) => i % 3 === 0)) {
            const w = read_wav16(path.join(root, actor, name));
            if (w.rate !== 48000) continue;
            const x = Float32Array.from(w.samples, (v) => v / 32768);
            const l = frame_levels(x, w.rate), sorted = [...l].sort((a, b) => a - b);
            const bar = Math.max(-70, sorted[Math.floor(0.1 * (sorted.length - 1))] + 12, sorted.at(-1) - 20);
            const loud = l.filter((v) => v >= bar), active = db(loud.reduce((a, v) => a + 10 ** (v / 10), 0) / loud.length);
            actives.push(active);
            const g = [];
            for (let i = 0; i + N <= x.length; i += H) {
                let e = 0;
                for (let j = 0; j < N; j++) e += hann[j] * x[i + j] * x[i + j];
                g.push(db(e / wsum));
            }
            const rel = [...g].sort((a, b) => a - b)[Math.floor(0.1 * (g.length - 1))] + 12;
            const voiced = (t) => g.filter((v) => v + t - active >= Math.max(rel + t - active, -95)).length;
            const ref = voiced(-20);
            targets.forEach((t, k) => { kept[k].push(voiced(t) / ref); if (voiced(t) * H / 48000 < 0.25) mute[k]++; });
        }
    }
    const q = (a, p) => [...a].sort((u, v) => u - v)[Math.floor(p * (a.length - 1))];
    console.log(`${actives.length} RAVDESS speech clips; their own active levels: median ${q(actives, 0.5).toFixed(1)}, ` +
        `5th percentile ${q(actives, 0.05).toFixed(1)} dBFS; ${actives.filter((a) => a < -45).length} under -45`);
    console.log('| active level dBFS | voice kept by the gate, median | 10th percentile | clips with no label |');
    console.log('|---|---|---|---|');
    targets.forEach((t, k) => console.log(`| ${t} | ${(100 * q(kept[k], 0.5)).toFixed(0)} % | ${(100 * q(kept[k], 0.1)).toFixed(0)} % | ${mute[k]} |`));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-mic-constraints-'));
try {
    const all = [];
    for (const s of SOURCES) all.push(...await measure(s, dir));
    console.log(`clip ${path.basename(clip_file)} at ${rate} Hz, ${SECONDS} s recorded per combination; E N A: echoCancellation, noiseSuppression, autoGainControl`);
    console.log('| source | E N A | applied | track | gain dB | floor dB | mel dB | label p | transparent | TV |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    let last = '';
    for (const r of all) {
        const head = r.source === last ? '' : `${r.source} (file: ${r.base})`;
        last = r.source;
        console.log(`| ${head} | ${r.E} ${r.N} ${r.A} | ${r.applied.split('').join(' ')} | ${r.track} | ${r.gain.toFixed(1)} | ` +
            `${r.floor.toFixed(1)} | ${r.mel.toFixed(2)} | ${r.label} ${r.p.toFixed(2)} | ${r.ideal} | ${r.tv.toFixed(3)} |`);
    }
} finally {
    fs.rmSync(dir, { recursive: true, force: true });
}

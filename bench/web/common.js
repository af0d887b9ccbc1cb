// Shared pieces of the benchmark workers (classic scripts, loaded with importScripts):
// timing with statistics, the task inputs (clips, random examples), a small WAV reader for the
// peers that have none, and the message loop every worker runs.
/* exported bench_common */
'use strict';

const bench_common = (() => {
    const config = { min_time: 2000 }; // set from each job's params.min_time_ms (serve, bench.js)

    /// Median (mean of the two middle values for an even count), min and max of ms timings.
    function stats(times) {
        const v = times.slice().sort((a, b) => a - b);
        const n = v.length;
        const median = n ? (v[(n - 1) >> 1] + v[n >> 1]) / 2 : NaN;
        return { median, min: v[0], max: v[n - 1], n, times };
    }

    /// Runs fn() warmup times untimed, then reps times timed (ms each, performance.now), and on
    /// until min_time ms are spent timing (at most 20 x reps), so that millisecond-long figures
    /// get enough repetitions for a median that a burst of load on a shared machine does not
    /// move. With a budget (ms), stops early once the next repetition would pass it, after at
    /// least one: only for peers so slow that full repetitions do not fit a run (n is reported).
    async function repeat(fn, reps, warmup = 1, budget = Infinity, min_time = config.min_time) {
        for (let i = 0; i < warmup; ++i) await fn(true);
        const times = [];
        let spent = 0;
        while (times.length < reps || (spent < min_time && times.length < 20 * reps)) {
            const t0 = performance.now();
            await fn(false);
            const t = performance.now() - t0;
            times.push(t);
            spent += t;
            if (spent + t > budget) break;
        }
        return stats(times);
    }

    /// Per-clip figures: every rep runs fn over all clips; a rep's figure is its total / clip count.
    async function per_clip(fn, clips, reps, warmup = 1, budget = Infinity) {
        const r = await repeat(async () => { for (const c of clips) await fn(c); }, reps, warmup, budget);
        const k = clips.length;
        return stats(r.times.map((t) => t / k));
    }

    /// A deterministic uniform generator (mulberry32), so every engine sees the same numbers.
    function rng(seed) {
        let a = seed >>> 0;
        return () => {
            a = (a + 0x6D2B79F5) >>> 0;
            let t = a;
            t = Math.imul(t ^ (t >>> 15), t | 1);
            t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        };
    }

    /// n random examples of size floats each (standard-normal-ish, Box-Muller) and labels i % classes.
    function random_examples(n, size, classes, seed = 1) {
        const next = rng(seed);
        const x = new Float32Array(n * size);
        for (let i = 0; i < x.length; i += 2) {
            const u = Math.max(next(), 1e-12), v = next();
            const r = Math.sqrt(-2 * Math.log(u));
            x[i] = r * Math.cos(2 * Math.PI * v);
            if (i + 1 < x.length) x[i + 1] = r * Math.sin(2 * Math.PI * v);
        }
        const y = new Int32Array(n);
        for (let i = 0; i < n; ++i) y[i] = i % classes;
        return { x, y };
    }

    /// Minimal WAV reader for the peers (which have none): PCM 16/24/32-bit and float32,
    /// channels averaged to mono. Returns {rate, samples: Float32Array}.
    function read_wav(bytes) {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const tag = (o) => String.fromCharCode(dv.getUint8(o), dv.getUint8(o + 1), dv.getUint8(o + 2), dv.getUint8(o + 3));
        if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
        let o = 12, fmt = null;
        while (o + 8 <= dv.byteLength) {
            const id = tag(o), size = dv.getUint32(o + 4, true), body = o + 8;
            if (id === 'fmt ') {
                fmt = { format: dv.getUint16(body, true), channels: dv.getUint16(body + 2, true),
                    rate: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
                if (fmt.format === 0xFFFE) fmt.format = dv.getUint16(body + 24, true);
            } else if (id === 'data') {
                if (!fmt) throw new Error('data before fmt');
                const bytes_per = fmt.bits / 8, ch = fmt.channels;
                const frames = Math.floor(Math.min(size, dv.byteLength - body) / (bytes_per * ch));
                const out = new Float32Array(frames);
                for (let i = 0; i < frames; ++i) {
                    let acc = 0;
                    for (let c = 0; c < ch; ++c) {
                        const p = body + (i * ch + c) * bytes_per;
                        if (fmt.format === 3 && fmt.bits === 32) acc += dv.getFloat32(p, true);
                        else if (fmt.bits === 16) acc += dv.getInt16(p, true) / 32768;
                        else if (fmt.bits === 24) acc += ((dv.getInt8(p + 2) << 16) | (dv.getUint8(p + 1) << 8) | dv.getUint8(p)) / 8388608;
                        else if (fmt.bits === 32) acc += dv.getInt32(p, true) / 2147483648;
                        else throw new Error(`unsupported WAV: format ${fmt.format}, ${fmt.bits} bits`);
                    }
                    out[i] = acc / ch;
                }
                return { rate: fmt.rate, samples: out };
            }
            o = body + size + (size & 1);
        }
        throw new Error('no data chunk');
    }

    /// Fetches the clip list prepared by scripts/bench: [{name, wav: Uint8Array, y22: Float32Array}].
    async function load_clips(base, limit) {
        const list = await (await fetch(base + 'clips/clips.json')).json();
        const out = [];
        for (const name of list.slice(0, limit || list.length)) {
            const wav = new Uint8Array(await (await fetch(`${base}clips/${name}.wav`)).arrayBuffer());
            const y22 = new Float32Array(await (await fetch(`${base}clips/${name}.f32`)).arrayBuffer());
            out.push({ name, wav, y22 });
        }
        return out;
    }

    /// Copies a [coef][frame] row-major block of `frames` natural frames into a fixed
    /// [n_mfcc][max_len] block (zero padding or cutting), as the model input expects.
    function fix_length(rows, n_mfcc, max_len) {
        const out = new Float32Array(n_mfcc * max_len);
        const frames = Math.min(rows.length, max_len);
        for (let t = 0; t < frames; ++t) {
            const r = rows[t];
            for (let c = 0; c < n_mfcc; ++c) out[c * max_len + t] = r[c];
        }
        return out;
    }

    /// The worker's message loop. engine = {init(params) -> info, run(task, params) -> stats}.
    function serve(engine) {
        let ready = null;
        let current = null; // the id of the call being answered
        // A failure outside the call's own promise chain (a rejected promise nobody awaits, an
        // exception in a callback, e.g. from a pthread worker of the wasm module) answers the call
        // with its message instead of leaving it unanswered or losing the message.
        const fail_current = (what) => {
            if (current !== null) self.postMessage({ id: current, ok: false, error: what });
            current = null;
        };
        self.addEventListener('unhandledrejection', (e) => {
            e.preventDefault();
            fail_current(`unhandled rejection: ${(e.reason && e.reason.stack) || e.reason}`);
        });
        self.addEventListener('error', (e) => {
            fail_current(`uncaught error: ${e.message || e.type}${e.filename ? ` (${e.filename}:${e.lineno})` : ''}`);
        });
        self.onmessage = async (e) => {
            const { id, op, params } = e.data;
            current = id;
            try {
                if (op === 'init') {
                    ready = engine.init(params);
                    const info = await ready;
                    if (current === id) self.postMessage({ id, ok: true, info });
                } else if (op === 'run') {
                    await ready;
                    if (params.min_time_ms != null) config.min_time = params.min_time_ms;
                    const result = await engine.run(params.task, params);
                    if (current === id) self.postMessage({ id, ok: true, result });
                } else {
                    throw new Error(`unknown op ${op}`);
                }
            } catch (err) {
                if (current === id) self.postMessage({ id, ok: false, error: String((err && err.stack) || err) });
            }
            if (current === id) current = null;
        };
    }

    return { config, stats, repeat, per_clip, rng, random_examples, read_wav, load_clips, fix_length, serve };
})();

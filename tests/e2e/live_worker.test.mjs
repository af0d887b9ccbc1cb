// worker.js's streams, driven directly from the page (its own Worker): live updates interleaved
// with a file's prediction and timeline give exactly what each gives alone (each stream has its
// own state; they share the one model), and bad live requests are answered with a message.
import test from 'node:test';
import assert from 'node:assert/strict';
import { with_app, ravdess_files, read_wav16, make_wav } from './harness.mjs';

test('worker: live listening and a file\'s timeline at once, each as if alone', async () => {
    const [a, b2] = [ravdess_files(3, 1, 'speech')[4], ravdess_files(3, 1, 'speech')[2]]; // angry, happy
    const x = read_wav16(a), y = read_wav16(b2);
    const to_float = (s) => Array.from(s, (v) => v / 32768);
    // A long file: the two clips with 2 s of silence between them.
    const long = [...to_float(x.samples), ...new Array(2 * x.rate).fill(0), ...to_float(y.samples)];
    const wav = make_wav([long], x.rate, 16).toString('base64');
    const mic = to_float(x.samples); // the "microphone": the angry clip, in blocks of 0.25 s
    await with_app(async ({ page, b }) => {
        const r = await page.evaluate(async ({ wav, mic, rate }) => {
            const w = new Worker('worker.js');
            let next = 0;
            const pending = new Map();
            w.onmessage = (e) => { if (!e.data.event && pending.has(e.data.id)) pending.get(e.data.id)(e.data); };
            const send = (op, payload = {}) => {
                const id = ++next;
                const done = new Promise((resolve) => pending.set(id, resolve));
                w.postMessage({ id, op, ...payload });
                return done;
            };
            const name = (await (await fetch('models/DEFAULT')).text()).trim();
            const model = { json: await (await fetch(`models/${name}.json`)).text(),
                bin: await (await fetch(`models/${name}.bin`)).arrayBuffer() };
            const out = {};
            out.push_first = await send('live_push', { samples: new Float32Array(10) });
            out.load = await send('load_model', model);
            out.bad_rate = await send('live_start', { rate: 0 });
            const bytes = Uint8Array.from(atob(wav), (c) => c.charCodeAt(0));
            out.extract = await send('extract', { items: [{ item_id: 1, blob: new Blob([bytes], { type: 'audio/wav' }) }] });
            const block = Math.round(0.25 * rate);
            const blocks = [];
            for (let at = 0; at < mic.length; at += block) blocks.push(Float32Array.from(mic.slice(at, at + block)));
            const listen = async (during) => {
                const started = await send('live_start', { rate });
                const updates = [];
                for (const [k, samples] of blocks.entries()) {
                    // A prediction (with the long file's timeline) sent in the middle of the stream.
                    if (during && k === 4) during.p = send('predict', { item_ids: [1] });
                    const u = await send('live_push', { samples });
                    updates.push({ ok: u.ok, label: u.label, probabilities: u.probabilities, seconds: u.seconds, error: u.error });
                }
                await send('live_stop');
                return { started, updates };
            };
            const timelines = [];
            const predict_alone = () => new Promise((resolve) => {
                const id = ++next;
                w.addEventListener('message', function on(e) {
                    if (e.data.id === id && e.data.event === 'timeline') timelines.push(e.data.timeline);
                    if (e.data.id === id && !e.data.event) { w.removeEventListener('message', on); resolve(e.data); }
                });
                w.postMessage({ id, op: 'predict', item_ids: [1] });
            });
            out.alone = await listen(null);
            const plain = (p) => ({ ok: p.ok, error: p.error, probs: p.probs ? Array.from(p.probs) : null });
            out.predicted_alone = plain(await predict_alone());
            // Again with the prediction inside the stream; its timeline through a listener too.
            const during = {};
            const seen = [];
            w.addEventListener('message', (e) => { if (e.data.event === 'timeline') seen.push(e.data.timeline); });
            out.together = await listen(during);
            out.predicted_together = plain(await during.p);
            out.timeline_alone = timelines[0];
            out.timeline_together = seen.at(-1);
            out.push_after_stop = await send('live_push', { samples: new Float32Array(10) });
            w.terminate();
            return out;
        }, { wav, mic, rate: x.rate });
        assert.equal(r.push_first.ok, false);
        assert.match(r.push_first.error, /live listening is not running/);
        assert.equal(r.load.ok, true, r.load.error);
        assert.equal(r.bad_rate.ok, false);
        assert.match(r.bad_rate.error, /input rate must be a positive number/);
        assert.equal(r.extract.ok, true);
        assert.ok(r.alone.started.ok && Math.abs(r.alone.started.window_s - (256 * 512) / 22050) < 1e-9, JSON.stringify(r.alone.started));
        assert.ok(r.alone.updates.every((u) => u.ok), JSON.stringify(r.alone.updates.find((u) => !u.ok)));
        assert.ok(r.alone.updates.some((u) => u.label), 'the clip gets a label');
        // The same updates, bit for bit, with a prediction and a timeline run in the middle.
        assert.deepEqual(r.together.updates, r.alone.updates);
        assert.equal(r.predicted_alone.ok, true);
        assert.equal(r.predicted_together.ok, true);
        assert.deepEqual(r.predicted_together.probs, r.predicted_alone.probs);
        assert.equal(r.predicted_alone.probs.length, 8);
        assert.ok(r.timeline_alone && r.timeline_alone.ok && r.timeline_alone.timeline.length >= 3, JSON.stringify(r.timeline_alone));
        assert.deepEqual(r.timeline_together, r.timeline_alone);
        assert.equal(r.push_after_stop.ok, false);
        assert.deepEqual(b.errors, []);
    });
});

// worker.js under concurrent requests, driven directly from the page (its own Worker): a model
// load sent while a prediction is under way waits for it (the prediction is the old model's,
// every batch of it); a cancel reaches a running request only; failures come back as
// {ok: false, error} with a message.
import test from 'node:test';
import assert from 'node:assert/strict';
import { example_files, with_app } from './harness.mjs';

test('worker: model loads are serialised against predictions; cancel marks running requests only', async () => {
    await with_app(async ({ page, b, server }) => {
        const r = await page.evaluate(async (examples) => {
            const w = new Worker('worker.js');
            let next = 0;
            const pending = new Map();
            w.onmessage = (e) => { if (!e.data.event && pending.has(e.data.id)) pending.get(e.data.id)(e.data); };
            const send = (op, payload = {}) => {
                const id = ++next;
                const done = new Promise((resolve) => pending.set(id, resolve));
                w.postMessage({ id, op, ...payload });
                return { id, done };
            };
            const call = (op, payload) => send(op, payload).done;
            const model = async (name) => ({ json: await (await fetch(`models/${name}.json`)).text(),
                bin: await (await fetch(`models/${name}.bin`)).arrayBuffer() });
            const a_name = (await (await fetch('models/DEFAULT')).text()).trim();
            const a = await model(a_name), other = await model('paper-lstm');
            const out = { a_name };
            out.load_a = await call('load_model', a);
            // 3 copies of each example: 42 files, two batches of 32 in the worker.
            const blobs = await Promise.all(examples.map(async (f) => (await fetch(`examples/${f}`)).blob()));
            const items = [];
            for (let k = 0; k < 3; k++) blobs.forEach((blob) => items.push({ item_id: items.length + 1, blob }));
            out.extract = await call('extract', { items });
            const ids = items.map((i) => i.item_id);
            const alone = await call('predict', { item_ids: ids });
            // The race: a load sent right behind a prediction.
            const p = send('predict', { item_ids: ids });
            const l = send('load_model', other);
            const raced = await p.done;
            out.load_other = await l.done;
            // The default model's features are peak-relative (ref=max) and paper-lstm's are not: a
            // load with other features drops the old ones, so the files are read again.
            await call('extract', { items });
            const after = await call('predict', { item_ids: ids });
            const diff = (x, y) => Math.max(...x.probs.map((v, i) => Math.abs(v - y.probs[i])));
            out.alone_labels = alone.labels;
            out.raced_labels = raced.labels;
            out.after_labels = after.labels;
            out.n = [alone.item_ids.length, raced.item_ids.length, after.item_ids.length];
            out.raced_vs_alone = diff(raced, alone);
            out.after_vs_alone = after.probs.length === alone.probs.length ? diff(after, alone) : Infinity;
            // Cancel: of a finished request, nothing to mark; of a running extraction, it stops early.
            out.cancel_finished = await call('cancel', { target: p.id });
            const e = send('extract', { items });
            out.cancel_running = await call('cancel', { target: e.id });
            out.cancelled_extract = await e.done;
            // Failures are answers with a message, and a bad model leaves the active one in place.
            out.unknown = await call('no_such_op');
            out.bad_model = await call('load_model', { json: '{"format": "aer-model"', bin: new ArrayBuffer(8) });
            out.still = (await call('predict', { item_ids: [1] })).labels;
            w.terminate();
            return out;
        }, example_files());
        assert.equal(r.load_a.ok, true, JSON.stringify(r.load_a));
        assert.equal(r.extract.ok, true);
        assert.deepEqual(r.n, [42, 42, 42]);
        assert.equal(r.load_other.ok, true, JSON.stringify(r.load_other));
        // Every probability of the raced prediction is the first model's, to the bit.
        assert.deepEqual(r.raced_labels, r.alone_labels);
        assert.equal(r.raced_vs_alone, 0);
        // ... and the load did happen after it: the next prediction is the other model's.
        assert.ok(r.after_vs_alone > 1e-3, `paper-lstm predicts like ${r.a_name}? ${r.after_vs_alone}`);
        assert.deepEqual(r.cancel_finished, { id: r.cancel_finished.id, ok: true, cancelled: false });
        assert.equal(r.cancel_running.cancelled, true);
        assert.equal(r.cancelled_extract.ok, true);
        assert.ok(r.cancelled_extract.done < 42, `the cancelled extraction did ${r.cancelled_extract.done} of 42`);
        assert.deepEqual(r.unknown, { id: r.unknown.id, ok: false, error: 'unknown request no_such_op' });
        assert.equal(r.bad_model.ok, false);
        assert.ok(typeof r.bad_model.error === 'string' && r.bad_model.error.length > 5, JSON.stringify(r.bad_model));
        assert.deepEqual(r.still, r.after_labels);
        assert.deepEqual(b.errors, []);
    });
});

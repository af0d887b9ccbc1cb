// Full or missing storage: when IndexedDB's quota runs out during a save, or IndexedDB cannot be
// opened at all (a private window), the user is told, the model stays usable in memory, and the
// models saved before are unchanged.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start_server, launch, wait_ready, wait_predictions, result_rows, ravdess_files, tiny_model, import_model } from './harness.mjs';

/// The model list: [[name, saved column]].
const model_rows = (page) => page.$$eval('#model-list tbody tr', (rows) => rows.map((r) => [r.dataset.model, r.cells[3].textContent]));

/// The stored record `name` straight from IndexedDB: {json, bin: hex of the bytes} or null.
const stored = (page, name) => page.evaluate((n) => new Promise((resolve, reject) => {
    const open = indexedDB.open('aer');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const get = open.result.transaction('models').objectStore('models').get(n);
        get.onerror = () => reject(get.error);
        get.onsuccess = () => {
            open.result.close();
            const r = get.result;
            resolve(r ? { json: r.json, bin: [...new Uint8Array(r.bin)].map((x) => x.toString(16).padStart(2, '0')).join('') } : null);
        };
    };
}), name);

/// Makes `name` the active model from its Use button and predicts two files with it.
async function use_and_predict(page, name) {
    await page.getByRole('button', { name: `use model ${name}`, exact: true }).click();
    await page.waitForFunction((n) => document.querySelector('#model-name').textContent === n, name);
    const files = ravdess_files(4).slice(0, 2);
    await page.click('#clear-button');
    await page.setInputFiles('[data-testid="file-input"]', files);
    await wait_predictions(page, files.length);
    const rows = await result_rows(page);
    assert.equal(rows.length, 2);
    for (const r of rows) assert.deepEqual(Object.keys(r.probs), ['one', 'two', 'three']);
}

test('a save that runs out of quota: a clear message, the model usable in memory, the saved one intact', async () => {
    const server = await start_server();
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-profile-'));
    const origin = new URL(server.url).origin;
    let b = await launch([], { profile });
    try {
        // A first visit saves a model.
        await b.page.goto(server.url);
        await wait_ready(b.page);
        const first = tiny_model(['a', 'b', 'c']);
        assert.match(await import_model(b.page, 'first', first), /^Imported “first”/);
        const saved_before = await stored(b.page, 'first');
        assert.ok(saved_before && saved_before.json === first.json.toString());
        await b.close();

        // The next visit has a quota of 1 byte: every write fails with QuotaExceededError. (Chromium
        // takes an override into account only before the origin's first write of a session: the
        // browser is opened again on the same profile.)
        b = await launch([], { profile });
        const page = b.page;
        const cdp = await b.context.newCDPSession(page);
        await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
        await page.goto(server.url);
        await wait_ready(page);
        assert.equal((await cdp.send('Storage.getUsageAndQuota', { origin })).quota, 1);
        const message = await import_model(page, 'second', tiny_model(['one', 'two', 'three']));
        assert.match(message, /^Imported “second” .*, but it could not be saved in this browser: the browser's storage for this site is full \(QuotaExceededError\)/, message);
        assert.match(message, /usable from the list below until this page closes; the saved models are unchanged\.$/);
        const rows = await model_rows(page);
        assert.deepEqual(rows.find(([n]) => n === 'second'), ['second', 'not saved (this page only)']);
        assert.notEqual(rows.find(([n]) => n === 'first')[1], 'not saved (this page only)');
        await use_and_predict(page, 'second');
        assert.deepEqual(await stored(page, 'first'), saved_before);
        assert.equal(await stored(page, 'second'), null);

        // A second try under the same name keeps the first unsaved copy too.
        await import_model(page, 'second', tiny_model(['one', 'two', 'three']));
        assert.deepEqual((await model_rows(page)).filter(([n]) => /^second/.test(n)).map(([n]) => n), ['second', 'second (2)']);

        // After a reload the saved model is there, unchanged; the unsaved ones are gone.
        await page.reload();
        await wait_ready(page);
        const after = (await model_rows(page)).map(([n]) => n);
        assert.ok(after.includes('first') && !after.some((n) => /^second/.test(n)), after.join(', '));
        assert.deepEqual(await stored(page, 'first'), saved_before);
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
        fs.rmSync(profile, { recursive: true, force: true });
    }
});

test('no IndexedDB (it cannot be opened): the page says so, and imported models still work', async () => {
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    try {
        // As in a private window of some browsers: every open fails.
        await b.context.addInitScript(() => {
            IDBFactory.prototype.open = function () {
                const req = {};
                setTimeout(() => {
                    req.error = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
                    if (req.onerror) req.onerror({ target: req });
                }, 0);
                return req;
            };
        });
        await page.goto(server.url);
        await wait_ready(page);
        assert.match(await page.textContent('#import-message'),
            /^Models cannot be saved in this browser: IndexedDB is unavailable in this browser window \(a private window\?\): A mutation operation/);
        assert.match(await page.textContent('#model-name'), /\S/); // the bundled model loaded all the same

        const message = await import_model(page, 'mine', tiny_model(['one', 'two', 'three']));
        assert.match(message, /^Imported “mine” .*, but it could not be saved in this browser: IndexedDB is unavailable in this browser window/, message);
        assert.deepEqual((await model_rows(page)).find(([n]) => n === 'mine'), ['mine', 'not saved (this page only)']);
        await use_and_predict(page, 'mine');
        const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="model-download"]')]);
        assert.equal(json.suggestedFilename(), 'mine.json');
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

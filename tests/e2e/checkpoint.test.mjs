// Training never loses work: every finished epoch is checkpointed in IndexedDB, so closing the
// tab (here: a reload, which ends the worker mid-run) keeps the last good epoch as a usable model.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start_server, launch, wait_ready, wait_predictions, ravdess_files, screenshot } from './harness.mjs';

const model_names = (page) => page.$$eval('#model-list tbody tr[data-model]', (rows) => rows.map((r) => r.dataset.model));

// A served page with `files` added and predicted, set to train a Conv1D for `epochs` epochs.
async function open_with(files, epochs) {
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    await page.goto(server.url);
    await wait_ready(page);
    await page.setInputFiles('[data-testid="file-input"]', files);
    await wait_predictions(page, files.length);
    await page.selectOption('#recipe', 'paper');
    await page.selectOption('#arch', 'conv1d');
    await page.fill('[data-testid="epochs-input"]', String(epochs));
    return { server, b, page };
}

test('a run cut off by a reload leaves its last finished epoch as a checkpoint model', async () => {
    const { server, b, page } = await open_with(ravdess_files(1), 500);
    try {
        await page.fill('#model-name-input', 'long');
        await page.click('[data-testid="train-button"]');
        await page.waitForSelector('[data-testid="epoch-row"][data-epoch="2"]', { timeout: 120000 });
        await page.waitForFunction(() => !!document.querySelector('#model-list tr[data-model="long (checkpoint)"]'),
            null, { timeout: 30000 });
        await page.reload(); // the tab goes away mid-training
        await wait_ready(page);
        const names = await model_names(page);
        assert.ok(names.includes('long (checkpoint)'), names.join(', '));
        assert.ok(!names.includes('long'), 'the unfinished run was not saved as finished');
        // The checkpoint is a whole model: its files download and say how far training got.
        const got = [];
        const done = new Promise((resolve) => {
            page.on('download', async (d) => {
                got.push({ name: d.suggestedFilename(), bytes: fs.readFileSync(await d.path()) });
                if (got.length === 2) resolve();
            });
        });
        await page.click('#model-list tr[data-model="long (checkpoint)"] button:has-text("Download")');
        await done;
        const json = JSON.parse(got.find((g) => g.name.endsWith('.json')).bytes.toString('utf8'));
        assert.equal(json.format, 'aer-model');
        assert.ok(json.training.epochs_done >= 2 && json.training.epochs_done < 500, JSON.stringify(json.training));
        await screenshot(page, 'checkpoint-after-reload');
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

// The weights of a saved model, as a SHA-256 of its .bin in IndexedDB.
const weights_hash = (page, name) => page.evaluate(async (name) => {
    const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open('aer', 1);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
    });
    const rec = await new Promise((resolve, reject) => {
        const r = db.transaction('models').objectStore('models').get(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
    });
    db.close();
    if (!rec) return null;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', rec.bin));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}, name);

const finished = (page, pattern) => page.waitForFunction((p) => new RegExp(p).test(document.querySelector('#train-text').textContent),
    pattern, { timeout: 180000 });

test('a checkpoint resumed after a reload ends with the weights of the run that never stopped', async () => {
    const files = ravdess_files(1, 2);
    const { server, b, page } = await open_with(files, 150);
    const augment = 'shift:24,time:2x20,coef:2x4'; // drawn per batch from the seed: resumes exactly too
    try {
        await page.fill('#seed', '4');
        await page.selectOption('#augment', augment);
        // The unbroken run.
        await page.fill('#model-name-input', 'whole');
        await page.click('[data-testid="train-button"]');
        await finished(page, 'Saved as “whole”');
        const whole = await weights_hash(page, 'whole');
        assert.ok(whole);
        // The same run, cut off by a reload once a few epochs are checkpointed.
        await page.fill('#model-name-input', 'cut');
        await page.click('[data-testid="train-button"]');
        await page.waitForSelector('[data-testid="epoch-row"][data-epoch="3"]', { timeout: 120000 });
        await page.waitForFunction(() => !!document.querySelector('#model-list tr[data-model="cut (checkpoint)"]'),
            null, { timeout: 30000 });
        await page.reload();
        await wait_ready(page);
        const cut = await page.evaluate(() => document.querySelector('#train-text').textContent);
        // The files again, in another order: the split does not depend on it.
        await page.setInputFiles('[data-testid="file-input"]', files.slice().reverse());
        await wait_predictions(page, files.length);
        await page.selectOption('#recipe', 'paper');
        await page.fill('[data-testid="epochs-input"]', '7'); // the resume uses the checkpoint's own settings
        assert.equal(await page.inputValue('#augment'), 'none');
        const resume = page.locator('#model-list tr[data-model="cut (checkpoint)"] [data-testid="resume-button"]');
        await resume.click();
        await finished(page, 'Saved as “cut”');
        const text = await page.evaluate(() => document.querySelector('#train-text').textContent);
        assert.match(text, /resumed at epoch \d+/, `${cut} / ${text}`);
        assert.equal(await page.inputValue('[data-testid="epochs-input"]'), '150');
        assert.equal(await page.inputValue('#augment'), augment);
        const first = Number(await page.getAttribute('[data-testid="epoch-row"]', 'data-epoch'));
        assert.ok(first > 1, `the resumed run started at epoch ${first}`);
        assert.equal(await weights_hash(page, 'cut'), whole, 'resumed weights differ from the unbroken run');
        const names = await model_names(page);
        assert.ok(!names.includes('cut (checkpoint)'), names.join(', '));
        await screenshot(page, 'resumed-run');
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

// Training never loses work: every finished epoch is checkpointed in IndexedDB, so closing the
// tab (here: a reload, which ends the worker mid-run) keeps the last good epoch as a usable model.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start_server, launch, wait_ready, wait_predictions, ravdess_files, screenshot } from './harness.mjs';

const model_names = (page) => page.$$eval('#model-list tbody tr[data-model]', (rows) => rows.map((r) => r.dataset.model));

test('a run cut off by a reload leaves its last finished epoch as a checkpoint model', async () => {
    const files = ravdess_files(1);
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    try {
        await page.goto(server.url);
        await wait_ready(page);
        await page.setInputFiles('[data-testid="file-input"]', files);
        await wait_predictions(page, files.length);
        await page.selectOption('#arch', 'conv1d');
        await page.fill('[data-testid="epochs-input"]', '500');
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

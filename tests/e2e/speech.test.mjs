// Labels from the data, not the page: RAVDESS speech files carry 8 emotions. Their true labels
// show (disgust and surprised too) and count in the accuracy of a model that knows them; training
// on them gives an 8-class model and an 8 x 8 confusion matrix; the Channels select reaches the
// core. A user's own sub-folder names train a model with exactly those classes.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    start_server, launch, wait_ready, wait_predictions, result_rows, ravdess_files, ravdess_label, default_labels,
    screenshot, EMOTIONS,
} from './harness.mjs';

test('speech: 8 true labels, an 8-class model trained on them, its 8 x 8 matrix, counted accuracy', async () => {
    // One take of each of the 8 emotions from actors 1 and 2: 16 files.
    const files = [...ravdess_files(1, 1, 'speech'), ...ravdess_files(2, 1, 'speech')];
    assert.deepEqual(files.map(ravdess_label), [...EMOTIONS, ...EMOTIONS]);
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    try {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(server.url);
        await wait_ready(page);
        await page.setInputFiles('[data-testid="file-input"]', files);
        await wait_predictions(page, files.length);
        let rows = await result_rows(page);
        assert.deepEqual(rows.map((r) => [r.file, r.true]), files.map((f) => [path.basename(f), ravdess_label(f)]));
        // The default model's accuracy counts exactly the files whose label it knows.
        const known = rows.filter((r) => default_labels().includes(r.true));
        const right = known.filter((r) => r.pred === r.true).length;
        assert.match(await page.textContent('#accuracy'), new RegExp(`^Accuracy: ${right} / ${known.length} = `));
        assert.match(await page.textContent('#train-data'),
            /^Labelled files: 16 \(neutral 2, calm 2, happy 2, sad 2, angry 2, fearful 2, disgust 2, surprised 2\); actors 1, 2; speech 16\.$/);

        // Channels "song" on speech files: the core has nothing to train on, and the page says so.
        await page.selectOption('#arch', 'conv1d');
        await page.fill('[data-testid="epochs-input"]', '2');
        await page.selectOption('#channels', 'song');
        await page.click('[data-testid="train-button"]');
        await page.waitForFunction(() => /^Training failed: .+/.test(document.querySelector('#train-text').textContent), null, { timeout: 60000 });
        await wait_ready(page);

        // Speech and song: 8 labels in RAVDESS's order, 1 file of each emotion tests (paper split).
        await page.selectOption('#channels', 'both');
        await page.fill('#model-name-input', 'speech-8');
        await page.click('[data-testid="train-button"]');
        await page.waitForFunction(() => /Saved as “speech-8”/.test(document.querySelector('#train-text').textContent), null, { timeout: 300000 });
        await wait_ready(page);
        assert.match(await page.textContent('#train-labels'),
            /^Labels \(from the data\): neutral, calm, happy, sad, angry, fearful, disgust, surprised\. 8 file\(s\) train, 8 test\./);
        const cm = '[data-testid="confusion-matrix"]';
        assert.equal(await page.getAttribute(cm, 'data-source'), 'training');
        assert.deepEqual(JSON.parse(await page.getAttribute(cm, 'data-labels')), EMOTIONS);
        const m = JSON.parse(await page.getAttribute(cm, 'data-matrix'));
        assert.equal(m.length, 8);
        for (const row of m) assert.equal(row.length, 8);
        assert.deepEqual(m.map((row) => row.reduce((a, v) => a + v, 0)), [1, 1, 1, 1, 1, 1, 1, 1]);
        const epochs = await page.$$eval('[data-testid="epoch-row"]', (r) => r.map((e) => ({ ...e.dataset })));
        assert.deepEqual(epochs.map((e) => e.epoch), ['1', '2']);
        const diagonal = m.reduce((a, row, i) => a + row[i], 0);
        assert.ok(Math.abs(diagonal / 8 - Number(epochs[1].valAcc)) < 1e-9, `${diagonal}/8 vs ${epochs[1].valAcc}`);
        assert.match(await page.textContent('#cm-caption'), /by channel: speech [\d.]+ % \(8\)\./);
        assert.deepEqual(await page.$$eval('#per-class tbody th', (t) => t.map((e) => e.textContent)), EMOTIONS);
        await screenshot(page, 'speech-trained');

        // The trained model knows all 8: every file counts, disgust and surprised included.
        await page.click('#model-list tr[data-model="speech-8"] button:has-text("Use")');
        await page.waitForFunction(() => document.querySelector('#active-model').textContent === 'speech-8');
        await page.waitForFunction(() => /\(model speech-8\)/.test(document.querySelector('#accuracy').textContent));
        await wait_predictions(page, files.length);
        rows = await result_rows(page);
        for (const r of rows) assert.deepEqual(Object.keys(r.probs), EMOTIONS, r.file);
        const now_right = rows.filter((r) => r.pred === r.true).length;
        assert.match(await page.textContent('#accuracy'), new RegExp(`^Accuracy: ${now_right} / 16 = .*\\(model speech-8\\)\\.$`));
        assert.deepEqual(JSON.parse(await page.getAttribute(cm, 'data-labels')), EMOTIONS);
        // The recording label select offers the active model's 8 labels.
        assert.deepEqual(await page.$$eval('#rec-label option', (o) => o.map((e) => e.value)), ['', ...EMOTIONS]);
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

test('a user\'s own labels: sub-folder names train a model with those classes, shown everywhere', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-own-'));
    const song = ravdess_files(6, 2); // 12 takes of actor 6, 2 per emotion
    // Two made-up labels, 3 files each (the first three emotions are "soft", the others "loud").
    for (const [k, f] of song.slice(0, 6).entries()) {
        const label = k % 2 ? 'soft' : 'Loud!';
        fs.mkdirSync(path.join(tmp, 'mine', label), { recursive: true });
        fs.copyFileSync(f, path.join(tmp, 'mine', label, `take${k}.wav`));
    }
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    try {
        await page.goto(server.url);
        await wait_ready(page);
        await page.setInputFiles('#folder-input', path.join(tmp, 'mine'));
        await wait_predictions(page, 6);
        assert.match(await page.textContent('#train-data'), /, Loud! 3, soft 3\)\.$/);
        await page.selectOption('#arch', 'conv1d');
        await page.fill('[data-testid="epochs-input"]', '2');
        await page.fill('#model-name-input', 'own');
        await page.click('[data-testid="train-button"]');
        await page.waitForFunction(() => /Saved as “own”/.test(document.querySelector('#train-text').textContent), null, { timeout: 300000 });
        await wait_ready(page);
        // Trained with the default model's recipe: its features and audio copies, made in the page.
        const own_json = await page.evaluate(async () => {
            const db = await new Promise((resolve, reject) => {
                const r = indexedDB.open('aer', 1);
                r.onsuccess = () => resolve(r.result);
                r.onerror = () => reject(r.error);
            });
            const rec = await new Promise((resolve, reject) => {
                const r = db.transaction('models').objectStore('models').get('own');
                r.onsuccess = () => resolve(r.result);
                r.onerror = () => reject(r.error);
            });
            db.close();
            return JSON.parse(rec.json);
        });
        assert.equal(own_json.features.ref, 'max');
        assert.equal(own_json.features.fmax, 8000);
        assert.match(own_json.training.wave_augment, /^copies:2,/);
        assert.equal(own_json.training.train_copies, 2 * own_json.training.train_n);
        const own = ['Loud!', 'soft'];
        assert.match(await page.textContent('#train-labels'), /^Labels \(from the data\): Loud!, soft\. /);
        const cm = '[data-testid="confusion-matrix"]';
        assert.deepEqual(JSON.parse(await page.getAttribute(cm, 'data-labels')), own);
        const m = JSON.parse(await page.getAttribute(cm, 'data-matrix'));
        assert.deepEqual(m.map((row) => row.length), [2, 2]);
        // With the model active: two bars per row, the recording select offers the two labels,
        // and every file counts in the accuracy.
        await page.click('#model-list tr[data-model="own"] button:has-text("Use")');
        await page.waitForFunction(() => /\(model own\)/.test(document.querySelector('#accuracy').textContent));
        await wait_predictions(page, 6);
        for (const r of await result_rows(page)) assert.deepEqual(Object.keys(r.probs), own, r.file);
        assert.match(await page.textContent('#accuracy'), /^Accuracy: \d \/ 6 = /);
        assert.deepEqual(await page.$$eval('#rec-label option', (o) => o.map((e) => e.value)), ['', ...own]);
        assert.equal(await page.$$eval('[data-testid="result-row"]:first-child .bar', (bars) => bars.length), 2);
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});

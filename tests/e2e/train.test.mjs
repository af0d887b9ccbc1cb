// Training in the browser: epoch rows, the test split's confusion matrix, the model saved in
// IndexedDB (still listed after a reload), Stop, download (the CLI's two files), import, and a
// corrupt import that changes nothing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    start_server, launch, wait_ready, wait_predictions, ravdess_files, default_model, native_cli, screenshot,
    repo, artifacts, SONG_EMOTIONS,
} from './harness.mjs';

const model_names = (page) => page.$$eval('#model-list tbody tr[data-model]', (rows) => rows.map((r) => r.dataset.model));

/// Clicks `selector` and resolves to the downloads it starts ({name, bytes}), expecting `n`.
async function downloads_of(page, selector, n) {
    const got = [];
    const done = new Promise((resolve) => {
        page.on('download', async function on(d) {
            got.push({ name: d.suggestedFilename(), bytes: fs.readFileSync(await d.path()) });
            if (got.length === n) { page.off('download', on); resolve(); }
        });
    });
    await page.click(selector);
    await done;
    return got.sort((a, b) => a.name.localeCompare(b.name));
}

test('train 2 epochs on a small subset, stop a run, keep the models across a reload, download and import', async (t) => {
    const files = [...ravdess_files(1), ...ravdess_files(2)]; // 2 files of each emotion
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-train-'));
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    try {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(server.url);
        await wait_ready(page);
        // The form opens on the default model's recipe; the paper's is one choice away.
        assert.equal(await page.inputValue('#recipe'), 'robust');
        assert.equal(await page.inputValue('#arch'), 'conv1d');
        assert.ok(await page.isChecked('#normalize'));
        assert.match(await page.inputValue('#wave-augment'), /^copies:2,/);
        await page.selectOption('#recipe', 'paper');
        assert.equal(await page.inputValue('#wave-augment'), 'none');
        assert.equal(await page.inputValue('#augment'), 'none');
        assert.ok(!(await page.isChecked('#normalize')));
        assert.equal(await page.inputValue('[data-testid="epochs-input"]'), '50');
        assert.equal(await page.inputValue('#batch'), '32');
        assert.equal(await page.inputValue('#lr'), '0.001');
        assert.equal(await page.inputValue('#dropout'), '0.25');
        assert.equal(await page.inputValue('#split'), 'paper');
        assert.equal(await page.inputValue('#arch'), 'paper-lstm');
        assert.ok(await page.isDisabled('[data-testid="train-button"]'));

        await page.setInputFiles('[data-testid="file-input"]', files);
        await wait_predictions(page, files.length);
        assert.match(await page.textContent('#train-data'),
            /^Labelled files: 12 \(neutral 2, calm 2, happy 2, sad 2, angry 2, fearful 2(, disgust 0, surprised 0)?\); actors 1, 2; song 12\.$/);

        await page.fill('[data-testid="epochs-input"]', '2');
        await page.fill('#model-name-input', 'two-epochs');
        await page.click('[data-testid="train-button"]');
        await page.waitForFunction(() => /Saved as/.test(document.querySelector('#train-text').textContent), null, { timeout: 300000 });
        await wait_ready(page);
        const epochs = await page.$$eval('[data-testid="epoch-row"]', (rows) => rows.map((r) => ({ ...r.dataset })));
        assert.deepEqual(epochs.map((e) => e.epoch), ['1', '2']);
        for (const e of epochs) {
            for (const k of ['loss', 'valLoss']) assert.ok(Number(e[k]) > 0 && Number.isFinite(Number(e[k])), `${k} ${e[k]}`);
            for (const k of ['acc', 'valAcc']) assert.ok(Number(e[k]) >= 0 && Number(e[k]) <= 1, `${k} ${e[k]}`);
        }
        assert.equal(await page.$eval('[data-testid="train-progress"]', (p) => p.value / p.max), 1);
        assert.match(await page.textContent('#train-text'), /Finished after 2 epoch\(s\); test accuracy [\d.]+ % on 6 file\(s\)\. Saved as “two-epochs”\./);

        // The labels are the core's choice: song files of song's six emotions make a 6-class model.
        assert.match(await page.textContent('#train-labels'), /^Labels \(from the data\): neutral, calm, happy, sad, angry, fearful\. 6 file\(s\) train, 6 test\./);
        // The test split of `paper`: round(0.6 * 2) = 1 file of each emotion trains, 1 tests.
        const cm = '[data-testid="confusion-matrix"]';
        const m = JSON.parse(await page.getAttribute(cm, 'data-matrix'));
        assert.deepEqual(JSON.parse(await page.getAttribute(cm, 'data-labels')), SONG_EMOTIONS);
        assert.deepEqual(m.map((row) => row.reduce((a, v) => a + v, 0)), [1, 1, 1, 1, 1, 1]);
        // The last epoch's validation accuracy is the test split's accuracy (same weights, same files).
        const diagonal = m.reduce((a, row, i) => a + row[i], 0);
        assert.ok(Math.abs(diagonal / 6 - Number(epochs[1].valAcc)) < 1e-9, `${diagonal}/6 vs ${epochs[1].valAcc}`);
        assert.match(await page.textContent('#cm-caption'), /Test split of the training run/);
        const per_class = await page.$$eval('#per-class tbody tr', (rows) => rows.map((r) => r.textContent));
        assert.equal(per_class.length, 6);
        await screenshot(page, 'train');

        // Normalised view and the exports.
        await page.check('#cm-normalised');
        await page.locator('#cm-box').screenshot({ path: path.join(artifacts, 'confusion-normalised.png') });
        const [png] = await downloads_of(page, '#cm-png', 1);
        assert.equal(png.name, 'confusion-matrix.png');
        assert.deepEqual([...png.bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
        await page.uncheck('#cm-normalised');
        const [csv] = await downloads_of(page, '#cm-csv', 1);
        const lines = csv.bytes.toString('utf8').trim().split('\n').map((l) => l.split(','));
        assert.deepEqual(lines[0].slice(1), SONG_EMOTIONS);
        assert.deepEqual(lines.slice(1).map((l) => l.slice(1).map(Number)), m);
        assert.deepEqual(lines.slice(1).map((l) => l[0]), SONG_EMOTIONS);

        // Stop: a long run stopped after its first epoch keeps the finished epochs and is saved.
        await page.fill('[data-testid="epochs-input"]', '500');
        await page.fill('#model-name-input', 'stopped');
        await page.click('[data-testid="train-button"]');
        await page.waitForSelector('[data-testid="epoch-row"][data-epoch="1"]', { timeout: 120000 });
        assert.equal(await page.getAttribute('[data-testid="status"]', 'data-state'), 'busy');
        await page.click('[data-testid="stop-button"]');
        await page.waitForFunction(() => /Saved as “stopped”/.test(document.querySelector('#train-text').textContent), null, { timeout: 60000 });
        await wait_ready(page);
        const kept = await page.$$eval('[data-testid="epoch-row"]', (rows) => rows.length);
        assert.ok(kept >= 1 && kept < 500, `${kept} epochs`);
        assert.match(await page.textContent('#train-text'), new RegExp(`Stopped after ${kept} epoch\\(s\\)`));
        assert.deepEqual(await model_names(page), [default_model(), 'two-epochs', 'stopped']);

        // Reload: the saved models are still listed.
        await page.reload();
        await wait_ready(page);
        assert.deepEqual(await model_names(page), [default_model(), 'two-epochs', 'stopped']);
        await screenshot(page, 'models-after-reload');

        // Download: the same two files as the CLI writes; the bundled model comes back byte for byte.
        const bundled = await downloads_of(page, '[data-testid="model-download"]', 2);
        const name = default_model();
        assert.deepEqual(bundled.map((d) => d.name), [`${name}.bin`, `${name}.json`]);
        assert.ok(bundled[0].bytes.equals(fs.readFileSync(path.join(repo, 'build', 'web', 'models', `${name}.bin`))));
        assert.ok(bundled[1].bytes.equals(fs.readFileSync(path.join(repo, 'build', 'web', 'models', `${name}.json`))));
        const trained = await downloads_of(page, '#model-list tr[data-model="two-epochs"] button:has-text("Download")', 2);
        assert.deepEqual(trained.map((d) => d.name), ['two-epochs.bin', 'two-epochs.json']);
        const json = JSON.parse(trained[1].bytes.toString('utf8'));
        assert.equal(json.format, 'aer-model');
        assert.deepEqual(json.labels, SONG_EMOTIONS);
        const end = Math.max(...json.weights.map((w) => w.offset + 4 * w.shape.reduce((a, v) => a * v, 1)));
        assert.equal(trained[0].bytes.length, end);
        const bin_path = path.join(tmp, 'two-epochs.bin'), json_path = path.join(tmp, 'two-epochs.json');
        fs.writeFileSync(bin_path, trained[0].bytes);
        fs.writeFileSync(json_path, trained[1].bytes);
        await t.test('the native CLI loads the downloaded model', { skip: !fs.existsSync(native_cli) && 'build/native/aer not built' }, () => {
            const out = execFileSync(native_cli, ['predict', '--model', json_path, files[0]], { encoding: 'utf8' });
            assert.ok(SONG_EMOTIONS.includes(JSON.parse(out).label), out);
        });

        // Import: the pair under a new name is listed, usable, and predicts.
        fs.copyFileSync(json_path, path.join(tmp, 'imported.json'));
        fs.copyFileSync(bin_path, path.join(tmp, 'imported.bin'));
        await page.setInputFiles('[data-testid="model-import"]', [path.join(tmp, 'imported.json'), path.join(tmp, 'imported.bin')]);
        await page.waitForFunction(() => /Imported “imported”/.test(document.querySelector('#import-message').textContent));
        assert.deepEqual(await model_names(page), [default_model(), 'two-epochs', 'stopped', 'imported']);

        // Corrupt imports: a clear error, nothing changes.
        const cut = path.join(tmp, 'cut.bin');
        fs.writeFileSync(cut, trained[0].bytes.subarray(0, trained[0].bytes.length - 100));
        fs.copyFileSync(json_path, path.join(tmp, 'cut.json'));
        await page.setInputFiles('[data-testid="model-import"]', [path.join(tmp, 'cut.json'), cut]);
        await page.waitForFunction(() => /Import failed/.test(document.querySelector('#import-message').textContent));
        const message = await page.textContent('#import-message');
        t.diagnostic(message);
        assert.match(message, /cut\.json \+ cut\.bin: .+\. Nothing was changed\./);
        const garbage = path.join(tmp, 'garbage.json');
        fs.writeFileSync(garbage, '{"format": "aer-model", "version": 1, "architecture": ');
        await page.setInputFiles('[data-testid="model-import"]', [garbage, cut]);
        await page.waitForFunction((old) => document.querySelector('#import-message').textContent !== old, message);
        t.diagnostic(await page.textContent('#import-message'));
        assert.match(await page.textContent('#import-message'), /Import failed: garbage\.json \+ cut\.bin: .+ Nothing was changed\./);
        await page.setInputFiles('[data-testid="model-import"]', [garbage]);
        await page.waitForFunction(() => /NAME\.json and NAME\.bin/.test(document.querySelector('#import-message').textContent));
        assert.deepEqual(await model_names(page), [default_model(), 'two-epochs', 'stopped', 'imported']);
        assert.equal(await page.textContent('#active-model'), default_model());
        await screenshot(page, 'import-error');

        // Use the imported model: it becomes active and the files are predicted again with it.
        await page.setInputFiles('[data-testid="file-input"]', files);
        await wait_predictions(page, files.length);
        assert.match(await page.textContent('#accuracy'), new RegExp(`\\(model ${default_model()}\\)`));
        await page.click('#model-list tr[data-model="imported"] button:has-text("Use")');
        await page.waitForFunction(() => document.querySelector('#active-model').textContent === 'imported');
        await wait_predictions(page, files.length);
        assert.match(await page.textContent('#accuracy'), /\(model imported\)/);

        // Delete.
        await page.click('#model-list tr[data-model="stopped"] button:has-text("Delete")');
        await page.waitForFunction(() => !document.querySelector('#model-list tr[data-model="stopped"]'));
        await page.reload();
        await wait_ready(page);
        assert.deepEqual(await model_names(page), [default_model(), 'two-epochs', 'imported']);
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});

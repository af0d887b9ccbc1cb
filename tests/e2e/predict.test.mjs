// Predictions: RAVDESS files get a row each with the bundled model's prediction (checked against the
// native CLI when it is built), the accuracy and the MFCC heatmap; bad files get an error naming them
// while the others go on.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    start_server, launch, wait_ready, wait_predictions, result_rows, ravdess_files, ravdess_label, read_wav16,
    make_wav, default_model, default_labels, native_cli, screenshot, repo,
} from './harness.mjs';

test('RAVDESS files: a prediction per file, the accuracy, the heatmap of the natural frames', async (t) => {
    const files = [...ravdess_files(1), ...ravdess_files(15)];
    const model = default_model();
    const labels = default_labels();
    const server = await start_server();
    const b = await launch();
    try {
        await b.page.setViewportSize({ width: 1280, height: 900 });
        await b.page.goto(server.url);
        await wait_ready(b.page);
        assert.equal(await b.page.textContent('#model-name'), model);
        await b.page.setInputFiles('[data-testid="file-input"]', files);
        await wait_predictions(b.page, files.length);
        const rows = await result_rows(b.page);
        assert.deepEqual(rows.map((r) => r.file).sort(), files.map((f) => path.basename(f)).sort());
        for (const r of rows) {
            assert.ok(labels.includes(r.pred), `${r.file}: prediction ${r.pred}`);
            assert.deepEqual(Object.keys(r.probs), labels, `${r.file}: a probability per class of the model`);
            assert.equal(r.true, ravdess_label(r.file), r.file);
            const sum = Object.values(r.probs).reduce((a, b) => a + b, 0);
            assert.ok(Math.abs(sum - 1) < 1e-3, `${r.file}: probabilities sum to ${sum}`);
            assert.equal(r.pred, Object.entries(r.probs).sort((a, b) => b[1] - a[1])[0][0]);
        }
        // The accuracy shown is the share of rows whose prediction is the name's label.
        const right = rows.filter((r) => r.pred === r.true).length;
        const accuracy = await b.page.textContent('#accuracy');
        assert.match(accuracy, new RegExp(`Accuracy: ${right} / ${files.length} = `));
        // The confusion matrix of these predictions counts the same.
        const m = JSON.parse(await b.page.getAttribute('[data-testid="confusion-matrix"]', 'data-matrix'));
        assert.deepEqual(JSON.parse(await b.page.getAttribute('[data-testid="confusion-matrix"]', 'data-labels')), labels);
        assert.equal(m.length, labels.length);
        for (let i = 0; i < labels.length; i++) {
            for (let j = 0; j < labels.length; j++) {
                const want = rows.filter((r) => r.true === labels[i] && r.pred === labels[j]).length;
                assert.equal(m[i][j], want, `cell ${labels[i]} -> ${labels[j]}`);
            }
        }
        // Each row has a bar per class of the model, ticked with the label's first letters.
        const ticks = await b.page.$$eval('[data-testid="result-row"]:first-child .bar .tick', (t) => t.map((e) => e.textContent));
        assert.deepEqual(ticks, labels.map((l) => l.slice(0, 2)));

        // The first file is selected; its heatmap shows the natural frames only: 203404 samples at
        // 48 kHz -> 93439 at 22050 Hz -> 1 + 93439 // 512 = 183 frames (librosa's count), not 256.
        const first = path.basename(files[0]);
        assert.equal(first, '03-02-01-01-01-01-01.wav');
        assert.equal(read_wav16(files[0]).samples.length, 203404);
        assert.match(await b.page.textContent('#heatmap-caption'), /03-02-01-01-01-01-01\.wav: \d+ coefficients × 183 frames/);
        // Keyboard: the rows take focus, the arrow keys move the selection and the heatmap follows.
        await b.page.focus(`[data-testid="result-row"][data-file="${first}"]`);
        await b.page.keyboard.press('ArrowDown');
        const second = rows[1].file;
        await b.page.waitForFunction((n) => document.querySelector('#heatmap-caption').textContent.includes(n), second);
        assert.equal(await b.page.getAttribute('tr.selected[data-testid="result-row"]', 'data-file'), second);
        await screenshot(b.page, 'predict');

        // A phone's width: no sideways scrolling of the page.
        await b.page.setViewportSize({ width: 390, height: 844 });
        await b.page.waitForFunction(() => window.innerWidth === 390);
        const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page is ${overflow} px wider than a phone`);
        await screenshot(b.page, 'predict-phone');

        // Only same-origin requests.
        const origin = new URL(server.url).origin;
        const foreign = b.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
        assert.deepEqual(foreign, []);
        assert.deepEqual(b.errors, []);

        // The same predictions as the native CLI with the same model files (independent decoder,
        // MFCC and network code paths: native build vs. wasm in the browser).
        await t.test('agrees with the native CLI', { skip: !fs.existsSync(native_cli) && 'build/native/aer not built' }, () => {
            const out = execFileSync(native_cli, ['predict', '--model', path.join(repo, 'build', 'web', 'models', `${model}.json`), ...files],
                { encoding: 'utf8' });
            const native = out.trim().split('\n').map((l) => JSON.parse(l));
            for (const n of native) {
                const r = rows.find((x) => x.file === path.basename(n.file));
                assert.equal(r.pred, n.label, r.file);
                for (const l of labels) assert.ok(Math.abs(r.probs[l] - n.probabilities[l]) < 2e-3, `${r.file} ${l}: ${r.probs[l]} vs ${n.probabilities[l]}`);
            }
        });
    } finally {
        await b.close();
        server.stop();
    }
});

test('bad files: an error naming each bad one, predictions for the rest, no console error', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-bad-'));
    const good = ravdess_files(2)[4]; // an angry file of actor 2
    const bytes = fs.readFileSync(good);
    const wav = read_wav16(good);
    const put = (name, data) => { const p = path.join(tmp, name); fs.writeFileSync(p, data); return p; };
    // 8 kHz stereo 24-bit, valid: every 6th sample of the 48 kHz file, the right channel at half level.
    const left = Array.from({ length: Math.floor(wav.samples.length / 6) }, (_, i) => wav.samples[6 * i] / 32768);
    const files = [
        put('empty.wav', Buffer.alloc(0)),
        put('notes.wav', 'just some text renamed to .wav\n'),
        put('header-cut.wav', bytes.subarray(0, 30)),
        put('data-cut.wav', bytes.subarray(0, Math.floor(bytes.length / 2))),
        put('8k-stereo-24bit.wav', make_wav([left, left.map((v) => v / 2)], 8000, 24)),
        good,
    ];
    const server = await start_server();
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        await b.page.setInputFiles('[data-testid="file-input"]', files);
        await wait_predictions(b.page, 3);
        const errors = await b.page.$$eval('[data-testid="file-error"]', (li) => li.map((e) => ({ file: e.dataset.file, text: e.textContent })));
        assert.deepEqual(errors.map((e) => e.file).sort(), ['empty.wav', 'header-cut.wav', 'notes.wav']);
        for (const e of errors) assert.ok(e.text.startsWith(`${e.file}: `) && e.text.length > e.file.length + 6, e.text);
        assert.match(errors.find((e) => e.file === 'notes.wav').text, /not a WAV file/);
        const rows = await result_rows(b.page);
        assert.deepEqual(rows.map((r) => r.file).sort(), ['03-02-05-01-01-01-02.wav', '8k-stereo-24bit.wav', 'data-cut.wav'].sort());
        for (const r of rows) assert.ok(default_labels().includes(r.pred), `${r.file}: ${r.pred}`);
        const low = rows.find((r) => r.file === '8k-stereo-24bit.wav');
        assert.match(low.text, /8 kHz · 2 ch · pcm_s24/);
        assert.equal(low.true, '');
        assert.match(rows.find((r) => r.file === 'data-cut.wav').text, /truncated/);
        assert.equal(await b.page.getAttribute('[data-testid="status"]', 'data-state'), 'ready');
        await screenshot(b.page, 'bad-files');
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});

test('a dropped file and a picked folder: labels from the sub-folder names (a user\'s own too), other files skipped', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-folder-'));
    fs.mkdirSync(path.join(tmp, 'mine', 'happy'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'mine', 'Laughing'), { recursive: true });
    fs.copyFileSync(ravdess_files(3)[2], path.join(tmp, 'mine', 'happy', 'take1.wav'));
    fs.copyFileSync(ravdess_files(3)[4], path.join(tmp, 'mine', 'Laughing', 'take2.wav'));
    fs.copyFileSync(ravdess_files(3)[5], path.join(tmp, 'mine', 'loose.wav'));
    fs.writeFileSync(path.join(tmp, 'mine', 'readme.txt'), 'not audio');
    const server = await start_server();
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        await b.page.setInputFiles('#folder-input', path.join(tmp, 'mine'));
        await wait_predictions(b.page, 3);
        let rows = await result_rows(b.page);
        // A file directly in the picked folder has no label ("mine" is not an emotion).
        assert.deepEqual(rows.map((r) => [r.file, r.true]), [['take1.wav', 'happy'], ['take2.wav', 'Laughing'], ['loose.wav', '']]);
        assert.match(await b.page.textContent('#errors'), /1 file\(s\) in the folder\(s\) are not \.wav files/);
        assert.match(await b.page.textContent('#train-data'), /^Labelled files: 2 \(neutral 0, calm 0, happy 1, .*, Laughing 1\)\.$/);
        // A label the model does not know is shown, and left out of the accuracy with a note.
        const known = default_labels().includes('happy') ? 1 : 0;
        assert.match(await b.page.textContent('#accuracy'), new RegExp(`Accuracy: \\d / ${known} = .*1 file\\(s\\) carry a label this model does not know \\(Laughing\\): not counted\\.`));

        // Drag and drop of a file onto the page.
        const bytes = fs.readFileSync(ravdess_files(3)[3]).toString('base64');
        await b.page.evaluate((b64) => {
            const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([data], '03-02-04-01-01-01-03.wav', { type: 'audio/wav' }));
            const zone = document.getElementById('dropzone');
            zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        }, bytes);
        await wait_predictions(b.page, 4);
        rows = await result_rows(b.page);
        assert.deepEqual(rows.map((r) => [r.file, r.true]).slice(3), [['03-02-04-01-01-01-03.wav', 'sad']]);
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});

test('cancel a long feature extraction: the files done stay, the rest are dropped', async () => {
    const files = [4, 5, 6, 7, 8].flatMap((a) => ravdess_files(a, 2)); // 60 files
    const server = await start_server();
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        await b.page.setInputFiles('[data-testid="file-input"]', files);
        await b.page.waitForSelector('[data-testid="result-row"]');
        await b.page.click('#extract-cancel');
        await b.page.waitForFunction(() => /cancelled/.test(document.querySelector('#extract-text').textContent));
        await wait_ready(b.page);
        const text = await b.page.textContent('#extract-text');
        const m = /^(\d+) of 60 file\(s\) ready in [\d.]+ s; (\d+) cancelled$/.exec(text);
        assert.ok(m, text);
        const rows = await result_rows(b.page);
        assert.equal(rows.length, Number(m[1]));
        assert.equal(rows.length + Number(m[2]), 60);
        assert.ok(rows.length >= 1 && rows.length < 60, text);
        for (const r of rows) assert.ok(default_labels().includes(r.pred), r.file);
        assert.ok(await b.page.isHidden('#extract-cancel'));
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

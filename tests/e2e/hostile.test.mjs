// Hostile input: file and folder names and model labels made of HTML, quotes and script stay text
// everywhere (rows, the confusion matrix, the model list, exports, downloads) and nothing runs;
// model files with too many or too long labels are refused and the page stays usable.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start_server, launch, wait_ready, wait_predictions, result_rows, ravdess_files, tiny_model, import_model, with_app } from './harness.mjs';

// Each would run if it reached innerHTML; file and folder names hold no slash or backslash.
const EVIL_LABELS = [
    '"><img src=x onerror="window.__pwned=1">',
    "'><svg onload=window.__pwned=2>",
    '=HYPERLINK("https:x.invalid","click")',
    '+1+cmd|\' -C calc\'!A0',
    '-2+3',
    '@SUM(1,1)',
];
const SCRIPT_LABEL = '<script>window.__pwned=3</script>'; // model label only
const EVIL_FILES = ['"><img src=x onerror="window.__pwned=4">.wav', "<iframe srcdoc='<b onmouseover=parent.__pwned=5>'>.wav"];
const EVIL_MODEL = '"><img src=y onerror=window.__pwned=6> model';

/// The cells of a CSV text (RFC 4180 quotes), as rows of strings.
function parse_csv(text) {
    const rows = [];
    let row = [], cell = '', quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += c;
    }
    return rows;
}

/// What the page must not have grown: elements a hostile name would inject, and the marker.
async function injected(page) {
    return page.evaluate(() => ({
        pwned: window.__pwned ?? null,
        imgs: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
        scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
        other: document.querySelectorAll('svg, iframe, object, embed').length,
    }));
}

test('hostile file, folder and model names and labels stay text everywhere; nothing runs', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-hostile-'));
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    try {
        // A folder of one sub-folder per hostile label, each holding hostile file names.
        const wavs = ravdess_files(3);
        const added = [];
        EVIL_LABELS.forEach((label, i) => {
            fs.mkdirSync(path.join(tmp, 'evil', label), { recursive: true });
            for (const [k, name] of EVIL_FILES.entries()) {
                fs.copyFileSync(wavs[(i + k) % wavs.length], path.join(tmp, 'evil', label, name));
                added.push({ name, label });
            }
        });
        const labels = [...EVIL_LABELS.slice(0, 3), SCRIPT_LABEL, ...EVIL_LABELS.slice(3)];
        const model = tiny_model(labels);

        await page.goto(server.url);
        await wait_ready(page);
        const before = await injected(page);
        const message = await import_model(page, EVIL_MODEL, model);
        assert.match(message, /^Imported “/, message);
        assert.ok(message.includes(EVIL_MODEL) && message.includes(SCRIPT_LABEL), message);
        // The model list: the name as text, and its Use button makes it active.
        const listed = await page.$$eval('#model-list tbody tr', (rows) => rows.map((r) => [r.dataset.model, r.querySelector('th').textContent]));
        assert.ok(listed.some(([name, text]) => name === EVIL_MODEL && text === EVIL_MODEL), JSON.stringify(listed));
        await page.getByRole('button', { name: `use model ${EVIL_MODEL}`, exact: true }).click();
        await page.waitForFunction((n) => document.querySelector('#model-name').textContent === n, EVIL_MODEL);
        assert.equal(await page.textContent('#active-model'), EVIL_MODEL);
        assert.ok((await page.textContent('#model-info')).includes(labels.join(', ')));

        await page.setInputFiles('#folder-input', path.join(tmp, 'evil'));
        await wait_predictions(page, added.length);
        const rows = await result_rows(page);
        assert.deepEqual(rows.map((r) => [r.file, r.true]).sort(), added.map((a) => [a.name, a.label]).sort());
        const cells = await page.$$eval('[data-testid="result-row"]', (trs) => trs.map((tr) => [tr.querySelector('th').textContent, tr.cells[1].textContent]));
        assert.deepEqual(cells.sort(), added.map((a) => [a.name, a.label]).sort());
        for (const r of rows) assert.deepEqual(Object.keys(r.probs), labels);
        await page.click('[data-testid="result-row"]');
        await page.waitForFunction(() => /^MFCC of /.test(document.querySelector('#heatmap-caption').textContent));
        const caption = await page.textContent('#heatmap-caption');
        assert.ok(EVIL_FILES.some((f) => caption.startsWith(`MFCC of ${f}:`)), caption);

        // The predictions' confusion matrix: the model's labels, in the data, the table and the export.
        await page.waitForSelector('[data-testid="confusion-matrix"][data-source="predictions"]');
        assert.deepEqual(JSON.parse(await page.getAttribute('[data-testid="confusion-matrix"]', 'data-labels')), labels);
        assert.deepEqual(await page.$$eval('#per-class tbody th', (th) => th.map((t) => t.textContent)), labels);
        const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#cm-csv')]);
        assert.equal(csv.suggestedFilename(), 'confusion-matrix.csv');
        const table = parse_csv(fs.readFileSync(await csv.path(), 'utf8'));
        const formula = /^[=+\-@]/;
        assert.deepEqual(table[0].slice(1), labels.map((l) => (formula.test(l) ? `'${l}` : l)));
        assert.deepEqual(table.slice(1).map((r) => r[0]), labels.map((l) => (formula.test(l) ? `'${l}` : l)));
        for (const row of table) for (const cell of row) assert.ok(!formula.test(cell), `a CSV cell starts a formula: ${cell}`);
        assert.equal(table.length, labels.length + 1);

        // Downloads: safe file names, the bytes imported.
        const downloads = [];
        page.on('download', (d) => downloads.push(d));
        await page.click('[data-testid="model-download"]');
        const deadline = Date.now() + 10000;
        while (downloads.length < 2 && Date.now() < deadline) await page.waitForTimeout(100);
        assert.equal(downloads.length, 2);
        for (const d of downloads) assert.match(d.suggestedFilename(), /^[A-Za-z0-9._ ()-]+\.(json|bin)$/);
        const by_ext = Object.fromEntries(await Promise.all(downloads.map(async (d) => [path.extname(d.suggestedFilename()), fs.readFileSync(await d.path())])));
        assert.ok(by_ext['.json'].equals(model.json) && by_ext['.bin'].equals(model.bin));

        // Nothing ran and nothing was injected.
        assert.deepEqual(dialogs, []);
        assert.deepEqual(await injected(page), before);
        assert.equal(before.pwned, null);
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});

test('model files with too many or too long labels are refused with a clear message; the page stays usable', async () => {
    await with_app(async ({ page, b, server }) => {
        const models_before = await page.$$eval('#model-list tbody tr', (rows) => rows.map((r) => r.dataset.model));

        const many = tiny_model(Array.from({ length: 10000 }, (_, i) => `label ${i}`));
        let message = await import_model(page, 'many', many);
        assert.match(message, /^Import failed: many\.json \+ many\.bin: the model has 10000 labels; this page takes at most 256\. Nothing was changed\.$/);

        const long = tiny_model(['short', 'x'.repeat(1 << 20), 'other']);
        message = await import_model(page, 'long', long);
        assert.match(message, /^Import failed: long\.json \+ long\.bin: .*labels\[1\].*256 characters.*Nothing was changed\.$/, message);
        assert.ok(message.length < 400, `the message repeats the label: ${message.length} characters`);
        assert.deepEqual(await page.$$eval('#model-list tbody tr', (rows) => rows.map((r) => r.dataset.model)), models_before);

        // At the limits: 256 labels of 256 characters load, and predict.
        const widest = tiny_model(Array.from({ length: 256 }, (_, i) => `${String(i).padStart(3, '0')}${'w'.repeat(253)}`));
        message = await import_model(page, 'widest', widest);
        assert.match(message, /^Imported “widest”/);
        await page.getByRole('button', { name: 'use model widest', exact: true }).click();
        await page.waitForFunction(() => document.querySelector('#model-name').textContent === 'widest');
        const files = ravdess_files(2).slice(0, 2);
        await page.setInputFiles('[data-testid="file-input"]', files);
        await wait_predictions(page, files.length);
        for (const r of await result_rows(page)) assert.equal(Object.keys(r.probs).length, 256);
        assert.deepEqual(b.errors, []);
    });
});

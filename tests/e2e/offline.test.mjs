// Offline: after a first visit the service worker has cached the page, both wasm builds and the
// models; with the server gone and the browser offline, a reload still runs and predicts.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
    repo, start_server, launch, wait_ready, wait_predictions, result_rows, ravdess_files, ravdess_label, default_model,
    default_labels, example_files, screenshot,
} from './harness.mjs';

test('the service worker\'s list holds every bundled example', () => {
    const list = JSON.parse(fs.readFileSync(path.join(repo, 'build', 'web', 'precache.json'), 'utf8')).files;
    const examples = example_files();
    assert.equal(examples.length, 14);
    for (const f of [...examples.map((e) => `examples/${e}`), 'examples/examples.json', 'manifest.webmanifest', 'icons/icon-192.png']) {
        assert.ok(list.includes(f), `${f} is not precached`);
    }
});

test('installable: the manifest\'s icons exist, PNGs of the sizes it states, all precached', () => {
    const web = path.join(repo, 'build', 'web');
    const manifest = JSON.parse(fs.readFileSync(path.join(web, 'manifest.webmanifest'), 'utf8'));
    const list = JSON.parse(fs.readFileSync(path.join(web, 'precache.json'), 'utf8')).files;
    assert.equal(manifest.start_url, './');
    assert.equal(manifest.display, 'standalone');
    const sizes = manifest.icons.filter((i) => i.type === 'image/png').map((i) => i.sizes);
    assert.ok(sizes.includes('192x192') && sizes.includes('512x512'), sizes.join(' '));
    for (const icon of manifest.icons) {
        assert.ok(list.includes(icon.src), `${icon.src} is not precached`);
        const bytes = fs.readFileSync(path.join(web, icon.src));
        if (icon.type !== 'image/png') continue;
        assert.equal(bytes.toString('latin1', 1, 4), 'PNG', icon.src);
        assert.equal(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`, icon.sizes, icon.src); // IHDR width, height
    }
});

test('offline: after a first load, the app works with the network off', async () => {
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    try {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(server.url);
        await wait_ready(page);
        await page.waitForFunction(() => /works offline/.test(document.querySelector('#offline').textContent));

        server.stop();
        await b.context.setOffline(true);
        await page.reload();
        await wait_ready(page);
        assert.match(await page.textContent('#offline'), /offline: running from the cache/);
        assert.match(await page.textContent('[data-testid="runtime"]'), /wasm threaded, threads \d+, simd/);
        assert.equal(await page.textContent('#model-name'), default_model());
        const files = ravdess_files(5).slice(0, 3);
        await page.setInputFiles('[data-testid="file-input"]', files);
        await wait_predictions(page, files.length);
        const rows = await result_rows(page);
        assert.deepEqual(rows.map((r) => r.file), files.map((f) => path.basename(f)));
        for (const r of rows) assert.ok(default_labels().includes(r.pred));

        // The bundled examples come from the cache too, and get their rows and predictions.
        await page.click('[data-testid="examples-button"]');
        const examples = example_files();
        await wait_predictions(page, files.length + examples.length);
        const all = await result_rows(page);
        assert.deepEqual(all.slice(files.length).map((r) => [r.file, r.true]), examples.map((f) => [f, ravdess_label(f)]));
        for (const r of all) assert.ok(default_labels().includes(r.pred), `${r.file}: ${r.pred}`);
        assert.deepEqual(await page.$$eval('[data-testid="file-error"]', (e) => e.map((x) => x.textContent)), []);
        await screenshot(page, 'offline');
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

// A new version of the site replacing a cached one: tests/e2e/update.test.mjs.

// The runtime: the threaded build when the page is cross-origin isolated (by the server, or by the
// service worker on a host that cannot send the headers), else the single-threaded build; both
// compute the MFCC of real RAVDESS files in the worker.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { start_server, launch, wait_ready, wait_predictions, shared, screenshot } from './harness.mjs';

const sample = path.join(shared, 'samples', '03-02-01-01-01-01-01.wav');
const threads_of = (runtime) => Number(/threads (\d+)/.exec(runtime)[1]);

/// Uploads the sample and a text file named .wav; checks the MFCC frame count and the error.
async function check_features(page) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-'));
    const bad = path.join(tmp, 'notes.wav');
    fs.writeFileSync(bad, 'just some text renamed to .wav');
    try {
        await page.setInputFiles('[data-testid="file-input"]', [sample, bad]);
        await wait_predictions(page, 1);
        const row = await page.$('[data-testid="result-row"]');
        assert.equal(await row.getAttribute('data-file'), '03-02-01-01-01-01-01.wav');
        // 93439 samples at 22050 Hz -> 1 + 93439 // 512 = 183 frames (librosa's count).
        await page.waitForFunction(() => /× 183 frames/.test(document.querySelector('#heatmap-caption').textContent));
        const err = await page.$('[data-testid="file-error"]');
        assert.equal(await err.getAttribute('data-file'), 'notes.wav');
        assert.match(await err.textContent(), /not a WAV file/);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

test('isolated by the server: threaded build, MFCC of a real RAVDESS file, a broken file named', async () => {
    const server = await start_server();
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        const runtime = await b.page.textContent('[data-testid="runtime"]');
        assert.match(runtime, /threaded/);
        assert.match(runtime, /simd/);
        assert.match(runtime, /backend simd$/);
        assert.ok(threads_of(runtime) > 1, runtime);
        assert.equal(await b.page.evaluate(() => self.crossOriginIsolated), true);
        await check_features(b.page);
        await screenshot(b.page, 'features');
        // Under the service worker (which sets the same headers again): still isolated and working.
        await b.page.waitForFunction(() => /works offline/.test(document.querySelector('#offline').textContent));
        assert.ok(!(await b.page.isVisible('#reload-threads')));
        await b.page.reload();
        await wait_ready(b.page);
        assert.equal(await b.page.evaluate(() => navigator.serviceWorker.controller !== null), true);
        assert.ok(threads_of(await b.page.textContent('[data-testid="runtime"]')) > 1);
        await check_features(b.page);
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

test('no COOP/COEP from the server: single-threaded and says so; the service worker makes the reload threaded', async () => {
    const server = await start_server(['--no-isolation']);
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        assert.equal(await b.page.evaluate(() => self.crossOriginIsolated), false);
        const runtime = await b.page.textContent('[data-testid="runtime"]');
        assert.match(runtime, /single-threaded, threads 1, simd/);
        assert.match(runtime, /backend simd$/); // the kernel backend models run on (no XNNPACK in wasm)
        await check_features(b.page);
        // The page offers the reload that the service worker's headers make isolated.
        await b.page.waitForSelector('#reload-threads', { state: 'visible' });
        await screenshot(b.page, 'single-threaded');
        await b.page.click('#reload-threads');
        await b.page.waitForLoadState('load');
        await wait_ready(b.page);
        assert.equal(await b.page.evaluate(() => self.crossOriginIsolated), true);
        const after = await b.page.textContent('[data-testid="runtime"]');
        assert.match(after, /wasm threaded/);
        assert.ok(threads_of(after) > 1, after);
        assert.ok(!(await b.page.isVisible('#reload-threads')));
        await check_features(b.page);
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

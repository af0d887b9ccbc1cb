// The page computes MFCCs of uploaded WAV files in a worker, threaded when isolated.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { start_server, launch, wait_ready, shared, artifacts } from './harness.mjs';

test('isolated: threaded build, MFCC of real RAVDESS files, a broken file named', async () => {
    const server = await start_server();
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        const runtime = await b.page.textContent('[data-testid="runtime"]');
        assert.match(runtime, /threaded/);
        assert.match(runtime, /simd/);
        const n = Number(/threads (\d+)/.exec(runtime)[1]);
        assert.ok(n > 1, runtime);

        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-'));
        const bad = path.join(tmp, 'notes.wav');
        fs.writeFileSync(bad, 'just some text renamed to .wav');
        const good = path.join(shared, 'samples', '03-02-01-01-01-01-01.wav');
        await b.page.setInputFiles('[data-testid="file-input"]', [good, bad]);
        await b.page.waitForSelector('[data-testid="result-row"]');
        await wait_ready(b.page);
        const row = await b.page.$('[data-testid="result-row"]');
        assert.equal(await row.getAttribute('data-file'), '03-02-01-01-01-01-01.wav');
        // 93439 samples at 22050 Hz -> 1 + 93439 // 512 = 183 frames (librosa's count).
        assert.match(await row.textContent(), /183/);
        const err = await b.page.$('[data-testid="file-error"]');
        assert.equal(await err.getAttribute('data-file'), 'notes.wav');
        assert.match(await err.textContent(), /not a WAV file/);
        await b.page.screenshot({ path: path.join(artifacts, 'features.png'), fullPage: true });
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

test('not isolated: the single-threaded build runs and says so', async () => {
    const server = await start_server(['--no-isolation']);
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        const runtime = await b.page.textContent('[data-testid="runtime"]');
        assert.match(runtime, /single-threaded, threads 1/);
    } finally {
        await b.close();
        server.stop();
    }
});

// The microphone through Chromium's fake capture device (a RAVDESS file played as the input):
// record, see the waveform, get a prediction; a labelled recording joins the training set.
import test from 'node:test';
import assert from 'node:assert/strict';
import { start_server, launch, wait_ready, wait_predictions, result_rows, ravdess_files, screenshot, EMOTIONS } from './harness.mjs';

test('record from the (fake) microphone: a WAV row with a prediction, labelled for training', async () => {
    const source = ravdess_files(4)[4]; // an angry take of actor 4
    const server = await start_server();
    const b = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${source}`]);
    const page = b.page;
    try {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(server.url);
        await wait_ready(page);
        await page.selectOption('#rec-label', 'angry');
        await page.click('[data-testid="record-button"]');
        await page.waitForFunction(() => document.querySelector('[data-testid="record-button"]').getAttribute('aria-pressed') === 'true');
        // Record until the page's own clock says 4 s (shown rounded: at least 3.5 s have passed),
        // however long the machine takes to get there.
        await page.waitForFunction(() => {
            const m = /recording… (\d+) s/.exec(document.querySelector('#rec-status').textContent);
            return m && Number(m[1]) >= 4;
        }, null, { timeout: 60000 });
        await screenshot(page, 'recording');
        await page.click('[data-testid="record-button"]');
        await wait_predictions(page, 1);
        const [row] = await result_rows(page);
        assert.equal(row.file, 'recording-1.wav');
        assert.ok(EMOTIONS.includes(row.pred), row.pred);
        assert.equal(row.true, 'angry');
        // About the 3.5 s recorded, 16-bit PCM at the audio context's rate, and not silence.
        const status = await page.textContent('#rec-status');
        const m = /recording-1\.wav: ([\d.]+) s at (\d+) Hz, peak (-?[\d.]+) dBFS/.exec(status);
        assert.ok(m, status);
        assert.ok(Number(m[1]) > 2.5 && Number(m[1]) < 6, status);
        assert.ok(Number(m[3]) > -30, `peak ${m[3]} dBFS: the fake device's audio did not arrive`);
        assert.match(row.text, new RegExp(`${Number(m[2]) / 1000} kHz · 1 ch · pcm_s16`));
        assert.match(await page.textContent('#train-data'), /Labelled files: 1 \(.*angry 1/);
        // The true label of a recording can be changed in its row.
        await page.selectOption('[data-testid="result-row"] select', 'sad');
        assert.equal(await page.getAttribute('[data-testid="result-row"]', 'data-true'), 'sad');
        assert.match(await page.textContent('#train-data'), /sad 1, angry 0/);
        assert.ok(await page.isVisible('#waveform'));
        await screenshot(page, 'recorded');
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

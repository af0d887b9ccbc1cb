// Live listening through Chromium's fake capture device: a RAVDESS clip played (looped) as the
// microphone gives labels of the default model several times a second, with their probabilities
// and the compute time; silence as the microphone gives updates without a label.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    start_server, launch, wait_ready, ravdess_files, default_labels, make_wav, screenshot, axe_violations, import_model, repo,
} from './harness.mjs';

const fake_mic = (file) => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${file}`];

/// Opens the page with `file` as the microphone, presses Live and collects every update of the
/// live label (its data attributes) until `until(updates)` holds, runs `during(page)` (if given)
/// while it listens, and presses Live again to stop.
async function listen(file, until, { shot = '', during = null } = {}) {
    const server = await start_server();
    const b = await launch(fake_mic(file));
    const page = b.page;
    try {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(server.url);
        await wait_ready(page);
        await page.evaluate(() => {
            window.live_updates = [];
            const out = document.querySelector('[data-testid="live-label"]');
            new MutationObserver(() => {
                const d = out.dataset;
                const n = Number(d.updates);
                if (n > 0 && (!window.live_updates.length || window.live_updates.at(-1).n !== n))
                    window.live_updates.push({ n, label: d.label, probs: d.probs, ms: Number(d.ms), seconds: Number(d.seconds) });
            }).observe(out, { attributes: true });
        });
        const button = '[data-testid="live-button"]';
        assert.equal(await page.getAttribute(button, 'aria-pressed'), 'false');
        await page.click(button);
        await page.waitForFunction((b) => document.querySelector(b).getAttribute('aria-pressed') === 'true', button);
        await page.waitForFunction(until, null, { timeout: 90000, polling: 200 });
        const updates = await page.evaluate(() => window.live_updates);
        const compute = await page.textContent('#live-compute');
        if (during) await during(page);
        if (shot) await screenshot(page, shot);
        // The live view, while it updates: accessible in both themes (no serious or critical axe violation), and at a phone's width.
        for (const [scheme, width] of [['light', 1280], ['dark', 1280], ['light', 360]]) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.setViewportSize({ width, height: 900 });
            const v = await axe_violations(page);
            assert.deepEqual(v.map((x) => `${x.impact} ${x.id}: ${x.help}\n  ${x.nodes.join('\n  ')}`), [], `axe, live view, ${scheme} ${width} px`);
        }
        await page.emulateMedia({ colorScheme: 'light' });
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.click(button);
        await page.waitForFunction((b) => document.querySelector(b).getAttribute('aria-pressed') === 'false', button);
        assert.match(await page.textContent('#live-status'), /stopped after \d+ update/);
        assert.deepEqual(b.errors, []);
        // Nothing but the site's own files was requested: the audio stayed in the page.
        const origin = new URL(server.url).origin;
        assert.deepEqual(b.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')), []);
        return { updates, compute };
    } finally {
        await b.close();
        server.stop();
    }
}

test('live: a RAVDESS clip as the microphone gives labels of the model, twice a second or more', async () => {
    const source = ravdess_files(1, 1, 'speech')[4]; // an angry take of actor 1, looped by the fake device
    const labels = default_labels();
    const { updates, compute } = await listen(source, () => {
        const u = window.live_updates;
        return u.length >= 8 && u.some((x) => x.label !== '');
    }, { shot: 'live', during: async (page) => {
        // Another model while it listens: the updates go on with that model's labels.
        const song = ['json', 'bin'].map((ext) => fs.readFileSync(path.join(repo, 'models', `paper-lstm.${ext}`)));
        assert.match(await import_model(page, 'song-model', { json: song[0], bin: song[1] }), /Imported/);
        await page.click('#model-list tr[data-model="song-model"] button:text("Use")');
        await page.waitForFunction(() => {
            const d = document.querySelector('[data-testid="live-label"]').dataset;
            return d.label !== '' && Object.keys(JSON.parse(d.probs)).join() === 'neutral,calm,happy,sad,angry,fearful';
        }, null, { timeout: 60000, polling: 200 });
        assert.equal(await page.getAttribute('[data-testid="live-button"]', 'aria-pressed'), 'true');
    } });
    assert.ok(updates.length >= 2, `${updates.length} updates`);
    const voiced = updates.filter((u) => u.label !== '');
    assert.ok(voiced.length >= 1, 'a label at least once');
    for (const u of voiced) {
        const probs = JSON.parse(u.probs);
        assert.deepEqual(Object.keys(probs), labels, 'a probability per label of the model, in its order');
        const sum = Object.values(probs).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
        assert.equal(u.label, Object.entries(probs).sort((a, b) => b[1] - a[1])[0][0], 'the label is the most probable');
    }
    for (const u of updates.filter((x) => x.label === '')) assert.equal(u.probs, '{}', 'no voice: no probabilities');
    // Each update covers the audio heard since the one before: at least two updates per second of audio.
    const gaps = updates.slice(1).map((u, k) => u.seconds - updates[k].seconds).sort((a, b) => a - b);
    const median_gap = gaps[(gaps.length - 1) >> 1];
    assert.ok(median_gap > 0 && median_gap <= 0.5, `median ${median_gap} s of audio between updates`);
    assert.ok(updates.every((u) => u.ms > 0), 'a compute time per update');
    assert.match(compute, /Compute per update \(features \+ inference, in the worker\): [\d.]+ ms/);
});

test('live: silence as the microphone gives updates without a label', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-live-'));
    const silence = path.join(dir, 'silence.wav');
    fs.writeFileSync(silence, make_wav([new Float32Array(48000 * 3)], 48000, 16));
    try {
        const { updates } = await listen(silence, () => window.live_updates.length >= 4);
        assert.ok(updates.length >= 4);
        for (const u of updates) {
            assert.equal(u.label, '', `no label at ${u.seconds} s`);
            assert.equal(u.probs, '{}');
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

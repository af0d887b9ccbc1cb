// The microphone's input level (web/level.js) on Record and Live, through Chromium's fake capture
// device: a RAVDESS clip at about -60 dBFS is "too quiet", the clip as recorded is ok, the clip
// driven into full scale is "clipping", digital silence is "silent".
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start_server, launch, wait_ready, ravdess_files, read_wav16, make_wav, screenshot, axe_violations } from './harness.mjs';

const fake_mic = (file) => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${file}`];
const TEXT = { quiet: /too quiet — move closer or raise the input volume/, clipping: /clipping — move back or lower the input volume/,
    ok: /level ok/, silent: /silent/ };

/// The clip's active level in dBFS: the power mean of its 20 ms frames within the loud part
/// (12 dB above its 10th-percentile frame and above -70 dBFS), as level.js judges a second.
function active_db(x, rate) {
    const n = Math.round(rate * 0.02), levels = [];
    for (let i = 0; i + n <= x.length; i += n) {
        let s = 0;
        for (let j = i; j < i + n; j++) s += x[j] * x[j];
        levels.push(10 * Math.log10(Math.max(s / n, 1e-12)));
    }
    const sorted = [...levels].sort((a, b) => a - b);
    const bar = Math.max(-70, sorted[Math.floor(0.1 * (sorted.length - 1))] + 12);
    const loud = levels.filter((l) => l >= bar);
    return 10 * Math.log10(loud.reduce((s, l) => s + 10 ** (l / 10), 0) / loud.length);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-mic-level-'));
const source = read_wav16(ravdess_files(1, 1, 'speech')[4]); // an angry take of actor 1
const clip = Float32Array.from(source.samples, (v) => v / 32768);
/// A fake-microphone file of the clip times `gain` (hard-clipped at full scale): its path.
function mic_file(name, gain) {
    const file = path.join(dir, `${name}.wav`);
    fs.writeFileSync(file, make_wav([clip.map((v) => Math.max(-1, Math.min(1, v * gain)))], source.rate, 16));
    return file;
}
const level = active_db(clip, source.rate);
const files = {
    quiet: mic_file('quiet', 10 ** ((-60 - level) / 20)),
    ok: mic_file('ok', 1),
    clipping: mic_file('clipping', 10 ** (30 / 20)),
    silent: (() => { const f = path.join(dir, 'silence.wav'); fs.writeFileSync(f, make_wav([new Float32Array(48000 * 2)], 48000, 16)); return f; })(),
};
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/// Opens the page with `file` as the microphone; for each panel ('rec': Record, 'live': Live),
/// presses its button, waits for the level element to reach `want`, then for the clip to play
/// once more (4 s of audio, the meter's data-seconds) while every state the element takes is
/// noted, and stops; with `axe`, checks the page's accessibility meanwhile. Resolves to
/// {panel: {states (all seen from the first `want` on), rms, peak, text}}.
async function watch_level(file, want, panels, { axe = false } = {}) {
    const server = await start_server();
    const b = await launch(fake_mic(file));
    const page = b.page;
    const out = {};
    try {
        await page.goto(server.url);
        await wait_ready(page);
        for (const panel of panels) {
            const button = panel === 'rec' ? '[data-testid="record-button"]' : '[data-testid="live-button"]';
            const level = `[data-testid="${panel}-level"]`;
            await page.evaluate((sel) => {
                window.level_states = [];
                const e = document.querySelector(sel);
                new MutationObserver(() => {
                    if (e.dataset.state && e.dataset.state !== window.level_states.at(-1)) window.level_states.push(e.dataset.state);
                }).observe(e, { attributes: true });
            }, level);
            await page.click(button);
            await page.waitForFunction((b) => document.querySelector(b).getAttribute('aria-pressed') === 'true', button);
            assert.ok(await page.isVisible(`#${panel}-level-box`), 'the meter shows while the microphone is open');
            await page.waitForSelector(`${level}[data-state="${want}"]`, { timeout: 30000 });
            const seen = await page.evaluate(() => window.level_states.length);
            const rms = Number(await page.getAttribute(level, 'data-rms-db'));
            const peak = Number(await page.getAttribute(level, 'data-peak-db'));
            const text = await page.textContent(level);
            // A whole loop of the clip more (3.9 s of audio, as the meter counts it).
            const t0 = Number(await page.getAttribute(level, 'data-seconds'));
            await page.waitForFunction(([sel, t]) => Number(document.querySelector(sel).dataset.seconds) >= t + 4,
                [level, t0], { timeout: 30000, polling: 250 });
            const states = (await page.evaluate(() => window.level_states)).slice(seen - 1);
            if (want !== 'ok') await screenshot(page, `mic-level-${panel}-${want}`);
            // The meter and its words: accessible in both themes (no serious or critical axe violation).
            for (const scheme of axe ? ['light', 'dark'] : []) {
                await page.emulateMedia({ colorScheme: scheme });
                const v = await axe_violations(page);
                assert.deepEqual(v.map((x) => `${x.impact} ${x.id}: ${x.help}\n  ${x.nodes.join('\n  ')}`), [], `axe, ${panel} level, ${scheme}`);
            }
            await page.click(button);
            await page.waitForFunction((b) => document.querySelector(b).getAttribute('aria-pressed') === 'false', button);
            assert.ok(!(await page.isVisible(`#${panel}-level-box`)), 'the meter hides when the microphone closes');
            out[panel] = { states, rms, peak, text };
        }
        assert.deepEqual(b.errors, []);
        return out;
    } finally {
        await b.close();
        server.stop();
    }
}

test('level: a RAVDESS clip at about -60 dBFS is "too quiet", on Record and on Live', async () => {
    const r = await watch_level(files.quiet, 'quiet', ['rec', 'live'], { axe: true });
    for (const [panel, m] of Object.entries(r)) {
        assert.match(m.text, TEXT.quiet, panel);
        assert.ok(m.peak < -30 && m.peak > -70, `${panel}: peak ${m.peak} dBFS`);
        // Between takes the loop is silent; never ok or clipping.
        assert.deepEqual(m.states.filter((s) => s !== 'quiet' && s !== 'silent'), [], `${panel}: ${m.states}`);
    }
});

test('level: the clip as recorded is ok', async () => {
    const { rec } = await watch_level(files.ok, 'ok', ['rec']);
    assert.match(rec.text, TEXT.ok);
    assert.deepEqual(rec.states.filter((s) => s !== 'ok' && s !== 'silent'), [], `${rec.states}`);
});

test('level: the clip driven into full scale is "clipping"', async () => {
    const { live } = await watch_level(files.clipping, 'clipping', ['live']);
    assert.match(live.text, TEXT.clipping);
    assert.ok(live.peak > -0.1, `peak ${live.peak} dBFS`);
    assert.ok(!live.states.includes('quiet'), `${live.states}`);
});

test('level: digital silence is "silent"', async () => {
    const { rec } = await watch_level(files.silent, 'silent', ['rec']);
    assert.match(rec.text, TEXT.silent);
    assert.equal(rec.rms, -120);
    assert.deepEqual(rec.states, ['silent']);
});

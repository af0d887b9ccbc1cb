// Timelines: a file longer than the model's window (two RAVDESS clips with 2 s of silence between
// them, made here) gets one timeline with a window every 0.5 s and an overall label, which its row
// shows; a clip shorter than the window gets none. Checked against the native CLI's
// `aer predict --timeline` when it is built.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    with_app, wait_predictions, result_rows, ravdess_files, read_wav16, make_wav, default_labels, default_model,
    native_cli, screenshot, repo, axe_violations,
} from './harness.mjs';

/// Two clips of one actor with `gap_s` of silence between them, as one 16-bit WAV: {bytes, samples, rate}.
function long_wav(a, b, gap_s) {
    const x = read_wav16(a), y = read_wav16(b);
    assert.equal(x.rate, y.rate);
    assert.equal(x.channels, 1);
    const gap = Math.round(gap_s * x.rate);
    const out = new Float32Array(x.samples.length + gap + y.samples.length);
    for (let i = 0; i < x.samples.length; i++) out[i] = x.samples[i] / 32768;
    for (let i = 0; i < y.samples.length; i++) out[x.samples.length + gap + i] = y.samples[i] / 32768;
    return { bytes: make_wav([out], x.rate, 16), samples: out.length, rate: x.rate };
}

/// The windows the core's contract gives for n samples at `rate` Hz (core/infer/stream_session.h):
/// at the model's 22050 Hz, hop 512, window 256 frames, one every floor(0.5 s) of frames while it
/// fits, and one more ending at the end when the last falls short of it.
function expected_windows(n, rate) {
    const n22 = Math.ceil((n * 22050) / rate);
    const frames = 1 + Math.floor(n22 / 512);
    const window = 256, hop = Math.floor((0.5 * 22050) / 512);
    if (frames <= window) return 1;
    const k = Math.floor((frames - window) / hop) + 1;
    return k + ((k - 1) * hop + window < frames ? 1 : 0);
}

test('a long file gets a timeline (windows, overall label); a short one does not', async () => {
    const speech = ravdess_files(1, 2, 'speech');
    const angry = speech.find((f) => path.basename(f).split('-')[2] === '05');
    const happy = speech.find((f) => path.basename(f).split('-')[2] === '03');
    const short = speech.find((f) => path.basename(f).split('-')[2] === '04');
    const long = long_wav(angry, happy, 2);
    const name = 'two-clips-with-silence.wav';
    const labels = default_labels();
    const windows = expected_windows(long.samples, long.rate);
    assert.ok(windows >= 3, `${windows} windows`);
    await with_app(async ({ page, b }) => {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.setInputFiles('[data-testid="file-input"]', [
            { name, mimeType: 'audio/wav', buffer: long.bytes },
            { name: path.basename(short), mimeType: 'audio/wav', buffer: fs.readFileSync(short) },
        ]);
        await wait_predictions(page, 2);
        const timelines = await page.$$eval('[data-testid="file-timeline"]', (els) => els.map((e) => ({
            file: e.dataset.file, windows: Number(e.dataset.windows), label: e.dataset.label, probs: e.dataset.probs,
            error: e.dataset.error || '', rows: [...e.querySelectorAll('tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent)),
            caption: e.querySelector('figcaption').textContent,
        })));
        assert.equal(timelines.length, 1, 'one timeline: the long file only');
        const [t] = timelines;
        assert.equal(t.file, name);
        assert.equal(t.error, '');
        assert.equal(t.windows, windows, 'data-windows: the number of windows');
        assert.equal(t.rows.length, windows, 'a table row per window');
        // Windows start every 0.5 s (21 frames of 512 samples at 22050 Hz), the last ends with the file.
        const hop = (21 * 512) / 22050;
        const starts = t.rows.map((r) => Number(r[0].split('–')[0]));
        for (let k = 0; k < windows - 1; k++) assert.ok(Math.abs(starts[k] - k * hop) < 0.06, `window ${k} starts at ${starts[k]}`);
        const duration = long.samples / long.rate;
        assert.ok(Math.abs(Number(t.rows.at(-1)[0].split('–')[1]) - duration) < 0.06, t.rows.at(-1)[0]);
        // The overall label: one of the model's, the most probable of the overall probabilities.
        assert.ok(labels.includes(t.label), `overall ${t.label}`);
        const probs = JSON.parse(t.probs);
        assert.deepEqual(Object.keys(probs), labels);
        assert.equal(t.label, Object.entries(probs).sort((a, b) => b[1] - a[1])[0][0]);
        assert.match(t.caption, new RegExp(`overall ${t.label} \\(`));
        // Every window holds some of the voice (2 s of silence is shorter than a window): each has a label.
        for (const r of t.rows) assert.ok(labels.includes(r[1]), `window ${r[0]}: ${r[1]}`);
        // The file's row shows the timeline's overall label.
        const rows = await result_rows(page);
        const row = rows.find((r) => r.file === name);
        assert.equal(row.pred, t.label);
        assert.deepEqual(Object.keys(row.probs), labels);
        for (const l of labels) assert.ok(Math.abs(row.probs[l] - probs[l]) < 1e-6, l);
        assert.match(row.text, new RegExp(`overall of ${windows} windows`));
        await screenshot(page, 'timeline');
        await page.click('[data-testid="file-timeline"] summary');
        // Accessible in both themes (no serious or critical axe violation), and at a phone's width.
        for (const [scheme, width] of [['light', 1280], ['dark', 1280], ['light', 360]]) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.setViewportSize({ width, height: 900 });
            const v = await axe_violations(page);
            assert.deepEqual(v.map((x) => `${x.impact} ${x.id}: ${x.help}\n  ${x.nodes.join('\n  ')}`), [], `axe, a timeline open, ${scheme} ${width} px`);
        }
        await page.emulateMedia({ colorScheme: 'light' });
        await page.setViewportSize({ width: 1280, height: 900 });
        // The native CLI agrees (same core): the windows' labels and the overall label.
        if (fs.existsSync(native_cli)) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-timeline-'));
            try {
                const file = path.join(dir, name);
                fs.writeFileSync(file, long.bytes);
                const model = path.join(repo, 'build', 'web', 'models', `${default_model()}.json`);
                const out = JSON.parse(execFileSync(native_cli, ['predict', '--model', model, '--timeline', file], { encoding: 'utf8' }));
                assert.equal(out.timeline.length, windows);
                assert.equal(out.label, t.label);
                assert.deepEqual(out.timeline.map((w) => w.label || 'no voice'), t.rows.map((r) => r[1]));
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
        assert.deepEqual(b.errors, []);
    });
});

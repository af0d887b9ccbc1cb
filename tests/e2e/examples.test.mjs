// The bundled examples: one click adds 14 RAVDESS clips (8 emotions spoken, 6 sung) with their
// true labels from their names, and the clips were cut and resampled without changing what the
// model says: the page predicts the same label for each clip as for the original take.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
    wait_predictions, result_rows, ravdess, ravdess_speech, ravdess_label,
    example_files, default_model, repo, EMOTIONS, SONG_EMOTIONS, with_app } from './harness.mjs';

test('examples: 14 labelled clips in one click, predicted as their original takes are', async () => {
    const examples = example_files();
    const channel = (f) => (f.split('-')[1] === '01' ? 'speech' : 'song');
    assert.deepEqual(examples.filter((f) => channel(f) === 'speech').map(ravdess_label), EMOTIONS);
    assert.deepEqual(examples.filter((f) => channel(f) === 'song').map(ravdess_label), SONG_EMOTIONS);
    const checked = JSON.parse(fs.readFileSync(path.join(repo, 'web', 'examples', 'examples.json'), 'utf8')).checked_with;
    assert.equal(checked, default_model(), 'the examples were checked with another model: run scripts/make-examples.mjs');
    const size = examples.reduce((a, f) => a + fs.statSync(path.join(repo, 'web', 'examples', f)).size, 0);
    assert.ok(size < 1.5 * 1024 * 1024, `${size} bytes of examples`);
    const originals = examples.map((f) => path.join(channel(f) === 'speech' ? ravdess_speech : ravdess,
        `Actor_${f.slice(18, 20)}`, f));
    await with_app(async ({ page, b, server }) => {
        await page.click('[data-testid="examples-button"]');
        await wait_predictions(page, examples.length);
        const clips = await result_rows(page);
        assert.deepEqual(clips.map((r) => [r.file, r.true]), examples.map((f) => [f, ravdess_label(f)]));
        assert.match(await page.textContent('#train-data'), /; speech 8, song 6\.$/);
        // The originals (48 kHz, whole takes) in a fresh list.
        await page.click('#clear-button');
        await page.setInputFiles('[data-testid="file-input"]', originals);
        await wait_predictions(page, originals.length);
        const whole = await result_rows(page);
        assert.deepEqual(whole.map((r) => r.file), examples);
        assert.deepEqual(clips.map((r) => `${r.file} ${r.pred}`), whole.map((r) => `${r.file} ${r.pred}`));
        assert.match(whole[0].text, /48 kHz/);
        assert.match(clips[0].text, /22\.05 kHz/);
        assert.deepEqual(b.errors, []);
    });
});

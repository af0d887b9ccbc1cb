// Personalisation in the page: labelled RAVDESS clips of one actor fine-tune a copy of the active
// model, which is saved, listed and made active. With few clips all of them adapt it (no
// comparison); with 4 of every label half are held back and both accuracies are shown.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    with_app, wait_ready, wait_predictions, result_rows, ravdess_files, ravdess_label, default_model, screenshot, axe_violations,
} from './harness.mjs';

const LABELS = ['calm', 'sad', 'angry'];

/// Presses personalise and waits for its outcome: {model, accuracy, original, held_back, text, status}.
async function personalise(page) {
    await page.evaluate(() => { document.querySelector('[data-testid="personalise-result"]').removeAttribute('data-model'); });
    await page.waitForSelector('[data-testid="personalise-button"]:not([disabled])');
    await page.click('[data-testid="personalise-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="personalise-result"]').hasAttribute('data-model') ||
        /failed/.test(document.querySelector('#personalise-text').textContent), null, { timeout: 240000 });
    await wait_ready(page, 120000);
    return page.$eval('[data-testid="personalise-result"]', (e) => ({
        model: e.dataset.model, accuracy: e.dataset.accuracy, original: e.dataset.originalAccuracy, held_back: e.dataset.heldBack,
        text: e.textContent, status: document.querySelector('#personalise-text').textContent,
    }));
}

test('personalise the active model on labelled clips; with enough clips, both accuracies', async () => {
    const original = default_model();
    // 4 clips of each of three emotions of actor 2 (sorted by name).
    const clips = ravdess_files(2, 4, 'speech').filter((f) => LABELS.includes(ravdess_label(f)));
    assert.equal(clips.length, 12);
    const few = [clips[0], clips[4]]; // one calm, one sad
    await with_app(async ({ page, b }) => {
        await page.setViewportSize({ width: 1280, height: 900 });
        assert.ok(await page.isDisabled('[data-testid="personalise-button"]'), 'no clips: nothing to personalise on');
        // Few clips: all of them adapt the model, no comparison.
        await page.setInputFiles('[data-testid="file-input"]', few);
        await wait_predictions(page, 2);
        const before = await result_rows(page);
        const r1 = await personalise(page);
        assert.doesNotMatch(r1.status, /failed/, r1.status);
        assert.equal(r1.model, `${original} (personalised)`);
        assert.equal(r1.accuracy, undefined);
        assert.match(r1.text, /no comparison/);
        assert.match(r1.status, new RegExp(`Saved as “${original} \\(personalised\\)”.*now the active model`));
        assert.equal(await page.textContent('#active-model'), r1.model);
        assert.ok(await page.isVisible(`#model-list tr[data-model="${r1.model}"].selected`), 'listed and selected');
        // The new model predicts the files again, with other weights than the original's.
        await page.waitForFunction((m) => document.querySelector('#model-name').textContent === m, r1.model);
        await wait_predictions(page, 2);
        const after = await result_rows(page);
        assert.notDeepEqual(after.map((r) => r.probs), before.map((r) => r.probs), 'the adapted model differs');

        // The original again, and 4 clips of every label: half held back, both accuracies.
        await page.click(`#model-list tr[data-model="${original}"] button:text("Use")`);
        await page.waitForFunction((m) => document.querySelector('#active-model').textContent === m, original);
        await page.setInputFiles('[data-testid="file-input"]', clips.filter((f) => !few.includes(f)));
        await wait_predictions(page, 12);
        assert.match(await page.textContent('#personalise-data'), /12 clip\(s\) to personalise .*\(calm 4, sad 4, angry 4\)\. Half of each label/);
        const r2 = await personalise(page);
        assert.doesNotMatch(r2.status, /failed/, r2.status);
        assert.equal(r2.model, `${original} (personalised) (2)`, 'a second model, under a free name');
        assert.equal(Number(r2.held_back), 6, 'half of each label held back');
        for (const a of [r2.accuracy, r2.original]) assert.ok(Number(a) >= 0 && Number(a) <= 1, a);
        // Accuracies on 6 clips are multiples of 1/6.
        for (const a of [r2.accuracy, r2.original]) assert.ok(Math.abs(Number(a) * 6 - Math.round(Number(a) * 6)) < 1e-6, a);
        const pct = (x) => `${(100 * Number(x)).toFixed(1)} %`;
        assert.equal(r2.text, `On 6 held-back clip(s): personalised ${pct(r2.accuracy)}, original (${original}) ${pct(r2.original)}.`);
        assert.equal(await page.textContent('#active-model'), r2.model);
        await screenshot(page, 'personalised');
        // Accessible in both themes (no serious or critical axe violation), and at a phone's width.
        for (const [scheme, width] of [['light', 1280], ['dark', 1280], ['light', 360]]) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.setViewportSize({ width, height: 900 });
            const v = await axe_violations(page);
            assert.deepEqual(v.map((x) => `${x.impact} ${x.id}: ${x.help}\n  ${x.nodes.join('\n  ')}`), [], `axe, personalised, ${scheme} ${width} px`);
        }
        await page.emulateMedia({ colorScheme: 'light' });
        await page.setViewportSize({ width: 1280, height: 900 });
        assert.deepEqual(b.errors, []);
        // Both files of the run are in the list of saved models (IndexedDB), not kept in memory only.
        const saved = await page.$$eval('#model-list tr[data-model]', (rows) => rows.map((r) => [r.dataset.model, r.querySelector('.saved').textContent]));
        for (const m of [r1.model, r2.model]) {
            const row = saved.find(([n]) => n === m);
            assert.ok(row && !/not saved/.test(row[1]), `${m}: ${row && row[1]}`);
        }
    });
});

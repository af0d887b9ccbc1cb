// Personalisation in the page: labelled RAVDESS clips of one actor adapt a copy of the active
// model through the core's cross-validated personalisation, which keeps the adapted model only
// when it gets more held-back clips right than the original, and says which it kept and why.
// With one clip per label nothing can be held back: the original stays, and the panel says so.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    with_app, wait_ready, wait_predictions, result_rows, ravdess_files, ravdess_label, default_model, screenshot, axe_violations,
    import_model, tiny_model,
} from './harness.mjs';

const LABELS = ['calm', 'sad', 'angry'];

/// Presses personalise and waits for its outcome: {kept, model, adapted, original, held_back, text, status}.
async function personalise(page) {
    await page.evaluate(() => { document.querySelector('[data-testid="personalise-result"]').removeAttribute('data-model'); });
    await page.waitForSelector('[data-testid="personalise-button"]:not([disabled])');
    await page.click('[data-testid="personalise-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="personalise-result"]').hasAttribute('data-model') ||
        /failed/.test(document.querySelector('#personalise-text').textContent), null, { timeout: 240000 });
    await wait_ready(page, 120000);
    return page.$eval('[data-testid="personalise-result"]', (e) => ({
        kept: e.dataset.kept, model: e.dataset.model, adapted: e.dataset.adaptedAccuracy, original: e.dataset.originalAccuracy,
        held_back: e.dataset.heldBack, text: e.textContent, status: document.querySelector('#personalise-text').textContent,
    }));
}

test('personalise the active model: kept only when it does better on held-back clips, with the reason', async () => {
    const original = default_model();
    // 4 clips of each of three emotions of actor 2 (sorted by name).
    const clips = ravdess_files(2, 4, 'speech').filter((f) => LABELS.includes(ravdess_label(f)));
    assert.equal(clips.length, 12);
    const few = [clips[0], clips[4]]; // one calm, one sad
    await with_app(async ({ page, b }) => {
        await page.setViewportSize({ width: 1280, height: 900 });
        assert.ok(await page.isDisabled('[data-testid="personalise-button"]'), 'no clips: nothing to personalise on');
        // One clip per label: nothing to hold back, so the original stays and nothing is saved.
        await page.setInputFiles('[data-testid="file-input"]', few);
        await wait_predictions(page, 2);
        const models_before = await page.$$eval('#model-list tr[data-model]', (rows) => rows.map((r) => r.dataset.model));
        const r1 = await personalise(page);
        assert.doesNotMatch(r1.status, /failed/, r1.status);
        assert.equal(r1.kept, 'original');
        assert.equal(r1.model, original);
        assert.equal(r1.held_back, '0');
        assert.equal(r1.adapted, undefined);
        assert.equal(r1.text, 'Kept the original: too few clips to hold any back (a comparison needs 2 or more clips of ' +
            'at least 2 labels; there are calm 1, sad 1).');
        assert.equal(r1.status, `${original} stays the active model; nothing was saved.`);
        assert.equal(await page.textContent('#active-model'), original);
        assert.deepEqual(await page.$$eval('#model-list tr[data-model]', (rows) => rows.map((r) => r.dataset.model)), models_before);

        // 4 clips of every label: 4 folds, each clip held back once; the decision follows the counts.
        await page.setInputFiles('[data-testid="file-input"]', clips.filter((f) => !few.includes(f)));
        await wait_predictions(page, 12);
        assert.match(await page.textContent('#personalise-data'), /12 clip\(s\) to personalise .*\(calm 4, sad 4, angry 4\)\. Each clip is held back once/);
        const r2 = await personalise(page);
        assert.doesNotMatch(r2.status, /failed/, r2.status);
        assert.equal(Number(r2.held_back), 12, 'every clip held back once');
        // Accuracies on 12 clips are multiples of 1/12, and the text gives the same counts.
        const right = [r2.adapted, r2.original].map((a) => Math.round(Number(a) * 12));
        for (const a of [r2.adapted, r2.original]) assert.ok(Math.abs(Number(a) * 12 - Math.round(Number(a) * 12)) < 1e-6, a);
        // Adapted only when it gets more right, or as many with a higher likelihood of the true labels.
        if (right[0] !== right[1]) assert.equal(r2.kept, right[0] > right[1] ? 'adapted' : 'original');
        const over = '(cross-validation over 4 folds)';
        const ll = '\\(mean log-likelihood -?\\d+\\.\\d{3} against -?\\d+\\.\\d{3}\\) \\(cross-validation over 4 folds\\)';
        if (r2.kept === 'adapted') {
            if (right[0] > right[1]) {
                assert.equal(r2.text, `Kept the adapted model: on held-back clips it classified ${right[0]}/12 right, the original ` +
                    `${right[1]}/12 ${over}; then adapted on all 12 clips.`);
            } else {
                assert.match(r2.text, new RegExp(`^Kept the adapted model: on held-back clips it classified ${right[0]}/12 right, ` +
                    `as many as the original, and gave the true labels a higher likelihood ${ll}; then adapted on all 12 clips\\.$`));
            }
            assert.equal(r2.model, `${original} (personalised)`);
            assert.match(r2.status, new RegExp(`Saved as “${original} \\(personalised\\)”.*now the active model`));
            assert.equal(await page.textContent('#active-model'), r2.model);
            // Back to the original for the rest.
            await page.click(`#model-list tr[data-model="${original}"] button:text("Use")`);
            await page.waitForFunction((m) => document.querySelector('#active-model').textContent === m, original);
        } else if (right[0] === right[1]) {
            assert.match(r2.text, new RegExp(`^Kept the original: on held-back clips the adapted model classified ${right[0]}/12 ` +
                `right, as many as the original, and gave the true labels no higher likelihood ${ll}: no evidence of a gain\\.$`));
            assert.equal(r2.model, original);
        } else {
            assert.equal(r2.text, `Kept the original: on held-back clips the adapted model classified ${right[0]}/12 right, ` +
                `the original ${right[1]}/12 ${over}.`);
            assert.equal(r2.model, original);
        }
        assert.equal(await page.textContent('#active-model'), original);

        // A model that cannot tell the three apart (the tiny LSTM with an all-zero output layer: always
        // 'calm', 4 of 12): adapting must help, and the adapted model is kept, saved and made active.
        assert.match(await import_model(page, 'tiny3', tiny_model(LABELS)), /Imported/);
        await page.click('#model-list tr[data-model="tiny3"] button:text("Use")');
        await page.waitForFunction(() => document.querySelector('#active-model').textContent === 'tiny3');
        await page.waitForFunction(() => document.querySelector('#model-name').textContent === 'tiny3');
        await wait_predictions(page, 12);
        const tiny_before = await result_rows(page);
        const r3 = await personalise(page);
        assert.doesNotMatch(r3.status, /failed/, r3.status);
        assert.equal(r3.kept, 'adapted', r3.text);
        assert.equal(Number(r3.original), 4 / 12, 'the original says calm every time');
        assert.ok(Number(r3.adapted) > Number(r3.original));
        assert.match(r3.text, /^Kept the adapted model: on held-back clips it classified \d+\/12 right, the original 4\/12 \(cross-validation over 4 folds\); then adapted on all 12 clips\.$/);
        assert.equal(r3.model, 'tiny3 (personalised)');
        assert.match(r3.status, /^Saved as “tiny3 \(personalised\)”, now the active model\.$/);
        assert.equal(await page.textContent('#active-model'), r3.model);
        assert.ok(await page.isVisible(`#model-list tr[data-model="${r3.model}"].selected`), 'listed and selected');
        await page.waitForFunction((m) => document.querySelector('#model-name').textContent === m, r3.model);
        await wait_predictions(page, 12);
        assert.notDeepEqual((await result_rows(page)).map((r) => r.probs), tiny_before.map((r) => r.probs), 'the adapted model differs');
        const saved = await page.$$eval('#model-list tr[data-model]', (rows) => rows.map((r) => [r.dataset.model, r.querySelector('.saved').textContent]));
        const row = saved.find(([n]) => n === r3.model);
        assert.ok(row && !/not saved/.test(row[1]), `${r3.model}: ${row && row[1]}`);
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
    });
});

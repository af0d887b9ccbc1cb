// Accessibility and look: no serious or critical axe-core violations in any state of the page
// (empty, with predictions, after training, with a model list), in the light and the dark theme
// and at a phone's 360 px; one whole flow by keyboard alone (add the examples, predict, train two
// epochs, read the confusion matrix) with a visible focus ring on every control it reaches.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
    start_server, launch, wait_ready, wait_predictions, result_rows, ravdess_label, example_files, axe_violations,
    artifacts, EMOTIONS,
} from './harness.mjs';

/// Fails with the violations' rules and elements when axe finds a serious or critical one.
async function assert_accessible(page, state) {
    const v = await axe_violations(page);
    assert.deepEqual(v.map((x) => `${x.impact} ${x.id}: ${x.help}\n  ${x.nodes.join('\n  ')}`), [], `axe, ${state}`);
}

/// Presses Tab until the focused element matches `selector` (at most `max` presses); checks that
/// the focus is visible there: an outline of at least 2 px on the element, or on the label that
/// stands for a hidden file input. Returns the number of presses.
async function tab_to(page, selector, max = 120) {
    for (let n = 1; n <= max; n++) {
        await page.keyboard.press('Tab');
        const here = await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector);
        if (here) {
            const ring = await page.evaluate(() => {
                const e = document.activeElement;
                const shown = e.classList.contains('visually-hidden') && e.labels && e.labels[0] ? e.labels[0] : e;
                const s = getComputedStyle(shown);
                return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
            });
            assert.ok(ring.style !== 'none' && ring.width >= 2, `${selector}: no visible focus (${JSON.stringify(ring)})`);
            return n;
        }
    }
    throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}

test('axe in every state and theme, and the keyboard-only flow: examples, predict, train 2 epochs, read the matrix', async () => {
    const server = await start_server();
    const b = await launch();
    const page = b.page;
    const shot = (name, options = {}) => page.screenshot({ path: path.join(artifacts, `${name}.png`), ...options });
    try {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(server.url);
        await wait_ready(page);
        await assert_accessible(page, 'empty, light');
        await shot('page-empty');
        await page.emulateMedia({ colorScheme: 'dark' });
        await assert_accessible(page, 'empty, dark');
        await page.emulateMedia({ colorScheme: 'light' });

        // Keyboard only from here to the matrix: no clicks, no fills.
        await tab_to(page, '[data-testid="examples-button"]');
        await page.keyboard.press('Enter');
        const examples = example_files();
        await wait_predictions(page, examples.length);
        const rows = await result_rows(page);
        assert.deepEqual(rows.map((r) => [r.file, r.true]), examples.map((f) => [f, ravdess_label(f)]));
        // Predictions: the rows take focus; Enter and the arrow keys select a file and its heatmap.
        await tab_to(page, '[data-testid="result-row"]');
        await page.keyboard.press('ArrowDown');
        await page.waitForFunction((n) => document.querySelector('#heatmap-caption').textContent.includes(n), rows[1].file);
        await assert_accessible(page, 'with predictions, light');
        await page.locator('#predict').screenshot({ path: path.join(artifacts, 'page-predictions.png') });
        await page.emulateMedia({ colorScheme: 'dark' });
        await assert_accessible(page, 'with predictions, dark');
        await page.locator('#predict').screenshot({ path: path.join(artifacts, 'page-predictions-dark.png') });
        await page.emulateMedia({ colorScheme: 'light' });

        // The training form: a small architecture (type-ahead in the select), 2 epochs, Train.
        await tab_to(page, '#arch');
        await page.keyboard.type('Conv');
        assert.equal(await page.inputValue('#arch'), 'conv1d');
        await tab_to(page, '[data-testid="epochs-input"]');
        await page.keyboard.press('Control+A');
        await page.keyboard.type('2');
        assert.equal(await page.inputValue('[data-testid="epochs-input"]'), '2');
        await tab_to(page, '[data-testid="train-button"]');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => /Saved as/.test(document.querySelector('#train-text').textContent), null, { timeout: 300000 });
        await wait_ready(page);
        assert.deepEqual(await page.$$eval('[data-testid="epoch-row"]', (r) => r.map((e) => e.dataset.epoch)), ['1', '2']);

        // Read the matrix: the training run's test split, a row and a column per label of the data.
        const cm = '[data-testid="confusion-matrix"]';
        const labels = JSON.parse(await page.getAttribute(cm, 'data-labels'));
        assert.deepEqual(labels, EMOTIONS); // speech among the examples: the 8 RAVDESS emotions
        const m = JSON.parse(await page.getAttribute(cm, 'data-matrix'));
        assert.equal(m.length, 8);
        const test_n = Number(/on (\d+) file\(s\)/.exec(await page.textContent('#train-text'))[1]);
        assert.equal(m.flat().reduce((a, v) => a + v, 0), test_n);
        const table = await page.$$eval('#per-class tbody tr', (r) => r.map((e) => [...e.children].map((c) => c.textContent)));
        assert.deepEqual(table.map((r) => [r[0], Number(r[1]), Number(r[2])]), labels.map((l, i) => [l, m[i].reduce((a, v) => a + v, 0), m[i][i]]));
        // Every enabled control on the page is in the tab order (from the skip link to the last
        // model's Delete): Tab once through the whole page and tick them off.
        const controls = await page.evaluate(() => {
            const all = [...document.querySelectorAll('a[href], button, input, select, [tabindex]')]
                .filter((e) => !e.disabled && e.tabIndex >= 0 && (e.offsetParent !== null || e.classList.contains('visually-hidden'))
                    && !e.closest('[hidden]'));
            all.forEach((e, k) => { e.dataset.k = k; });
            return all.map((e) => e.id || e.getAttribute('aria-label') || e.textContent.trim().slice(0, 30));
        });
        await page.focus('body');
        await page.evaluate(() => document.activeElement.blur());
        const reached = new Set();
        for (let n = 0; n < controls.length + 10; n++) {
            await page.keyboard.press('Tab');
            const k = await page.evaluate(() => document.activeElement && document.activeElement.dataset.k);
            if (k !== undefined) reached.add(Number(k));
        }
        assert.deepEqual(controls.filter((c, k) => !reached.has(k)), [], 'controls Tab never reaches');
        assert.ok(controls.length > 40, `${controls.length} controls`);

        // The normalised view by keyboard: Space on its checkbox.
        await tab_to(page, '#cm-normalised');
        await page.keyboard.press('Space');
        assert.equal(await page.isChecked('#cm-normalised'), true);
        await assert_accessible(page, 'after training, with a model list, light');
        await page.locator('#evaluate').screenshot({ path: path.join(artifacts, 'page-confusion.png') });
        await page.locator('#train').screenshot({ path: path.join(artifacts, 'page-training.png') });
        await page.emulateMedia({ colorScheme: 'dark' });
        await assert_accessible(page, 'after training, with a model list, dark');
        await page.locator('#models').screenshot({ path: path.join(artifacts, 'page-models-dark.png') });
        await page.emulateMedia({ colorScheme: 'light' });

        // A phone: 360 px wide, nothing wider than the screen; the 8 x 8 matrix is drawn again for
        // its box (its text at full size, not a shrunken picture of the wide one).
        await page.setViewportSize({ width: 360, height: 780 });
        await page.waitForFunction(() => parseFloat(document.querySelector('#cm-canvas').style.width) <=
            document.querySelector('#cm-figure').getBoundingClientRect().width);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page is ${overflow} px wider than 360 px`);
        const fit = await page.evaluate(() => ({
            drawn: parseFloat(document.querySelector('#cm-canvas').style.width),
            shown: document.querySelector('#cm-canvas').getBoundingClientRect().width,
        }));
        assert.ok(Math.abs(fit.drawn - fit.shown) < 1, `the matrix is scaled on a phone: ${JSON.stringify(fit)}`);
        await assert_accessible(page, 'phone, 360 px');
        await shot('page-phone', { fullPage: false });
        await page.locator('#evaluate').screenshot({ path: path.join(artifacts, 'page-phone-confusion.png') });
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
    }
});

// The predictions panel: a row per file (predicted label, a bar per class of the active model,
// the true label), the accuracy on the labelled files and the MFCC heatmap of the selected file.
import { $, el, pct, task } from './ui.js';
import { call } from './rpc.js';
import { state, on, emit, model_labels } from './state.js';
import { draw_heatmap } from './plots.js';
import { set_matrix, drop_matrix } from './confusion.js';
import { sort_labels } from './labels.js';

let selected = null; // the item whose heatmap is shown
const EMPTY_CAPTION = 'Select a file to see its MFCC (coefficients up, time right).';

/// Predicts `list` (items with features) with the active model and shows the results.
export async function predict(list) {
    if (!state.active || !list.length) { update_accuracy(); return; }
    const t = task(`predicting ${list.length} file(s)…`);
    try {
        await predict_with(state.active, list);
    } finally {
        t.end();
    }
}

async function predict_with(model, list) {
    const r = await call('predict', { item_ids: list.map((i) => i.id) });
    if (state.active !== model) return; // another model became active: it predicts every file itself
    if (!r.ok) {
        $('accuracy').textContent = `Prediction with model ${model.name} failed: ${r.error}`;
        return;
    }
    const by_id = new Map(state.items.map((i) => [i.id, i]));
    for (let k = 0; k < r.item_ids.length; k++) {
        const item = by_id.get(r.item_ids[k]);
        if (!item) continue;
        item.probs = r.probs.slice(k * r.classes, (k + 1) * r.classes);
        let best = 0;
        for (let c = 1; c < r.classes; c++) if (item.probs[c] > item.probs[best]) best = c;
        item.pred = r.labels[best];
        item.model_labels = r.labels;
        render_row(item);
        // Many rows: let the page breathe between slices (no long task).
        if (k % 64 === 63) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    update_accuracy();
}

/// Draws (or redraws) the table row of `item`.
export function render_row(item) {
    const tr = item.row || new_row(item);
    tr.setAttribute('data-file', item.name);
    tr.setAttribute('data-true', item.label);
    if (item.pred) {
        tr.setAttribute('data-pred', item.pred);
        tr.setAttribute('data-probs', JSON.stringify(Object.fromEntries(item.model_labels.map((l, c) => [l, item.probs[c]]))));
    } else {
        tr.removeAttribute('data-pred');
        tr.removeAttribute('data-probs');
    }
    tr.classList.toggle('selected', selected === item);
    tr.replaceChildren();
    tr.append(el('th', { scope: 'row', text: item.name, title: item.rel || item.name }));
    const truth = el('td');
    if (item.source === 'recording') truth.append(recording_label(item));
    else truth.textContent = item.label || '–';
    tr.append(truth);
    const pred = el('td', { class: 'pred' });
    if (item.pred) {
        const p = Math.max(...item.probs);
        pred.append(el('strong', { text: item.pred }), ` ${(100 * p).toFixed(0)} %`);
        if (item.label && item.model_labels.includes(item.label)) {
            const right = item.label === item.pred;
            // A sign and a word, not colour alone.
            pred.append(el('span', { class: right ? 'right' : 'wrong', text: right ? ' ✓' : ' ✗',
                title: right ? 'correct' : 'wrong' }), el('span', { class: 'visually-hidden', text: right ? ' correct' : ' wrong' }));
        }
    } else {
        pred.textContent = state.active ? '…' : 'no model';
    }
    tr.append(pred);
    const bars = el('td');
    if (item.probs) bars.append(prob_bars(item));
    tr.append(bars);
    const f = item.facts;
    const details = f ? `${f.duration_s.toFixed(2)} s · ${f.sample_rate / 1000} kHz · ${f.channels} ch · ${f.format}` +
        (f.truncated ? ' · truncated file, read what is there' : '') : '';
    tr.append(el('td', { class: 'details', text: details }));
}

function new_row(item) {
    const tr = el('tr', { tabIndex: 0, 'data-testid': 'result-row' });
    item.row = tr;
    tr.addEventListener('click', (e) => { if (!e.target.closest('select')) select(item); });
    tr.addEventListener('keydown', (e) => {
        if (e.target !== tr) return;
        const next = e.key === 'ArrowDown' ? tr.nextElementSibling : e.key === 'ArrowUp' ? tr.previousElementSibling : null;
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(item); }
        if (next) {
            e.preventDefault();
            next.focus();
            const other = state.items.find((i) => i.row === next);
            if (other) select(other);
        }
    });
    $('results').tBodies[0].append(tr);
    $('empty-list').hidden = true;
    return tr;
}

/// Takes `item`'s row out of the table.
export function remove_row(item) {
    if (item.row) { item.row.remove(); item.row = null; }
    if (selected === item) selected = null;
}

// A recording's true label is chosen in its row, from the active model's labels.
function recording_label(item) {
    const s = el('select', { 'aria-label': `true label of ${item.name}` });
    s.append(el('option', { value: '', text: 'unknown' }));
    for (const l of sort_labels([...model_labels(), ...(item.label ? [item.label] : [])])) s.append(el('option', { value: l, text: l }));
    s.value = item.label;
    s.addEventListener('change', () => {
        item.label = s.value;
        render_row(item);
        item.row.querySelector('select').focus();
        emit('items');
    });
    return s;
}

function prob_bars(item) {
    const box = el('div', { class: 'bars', role: 'img',
        'aria-label': item.model_labels.map((l, c) => `${l} ${(100 * item.probs[c]).toFixed(0)} %`).join(', ') });
    // Ticks: the shortest prefixes that tell the labels apart (2 letters for RAVDESS's eight).
    let n = 2;
    while (n < 6 && new Set(item.model_labels.map((l) => l.slice(0, n))).size < item.model_labels.length) n++;
    item.model_labels.forEach((l, c) => {
        const p = item.probs[c];
        const bar = el('span', { class: `bar${l === item.pred ? ' top' : ''}`, title: `${l}: ${(100 * p).toFixed(1)} %` });
        bar.append(el('span', { class: 'fill' }));
        bar.firstChild.style.height = `${Math.max(2, 100 * p)}%`;
        bar.append(el('span', { class: 'tick', text: l.slice(0, n) }));
        box.append(bar);
    });
    box.style.setProperty('--classes', item.model_labels.length);
    return box;
}

/// Selects `item`: highlights its row and draws its MFCC.
export async function select(item) {
    selected = item;
    for (const i of state.items) if (i.row) i.row.classList.toggle('selected', i === item);
    const r = await call('mfcc', { item_id: item.id });
    if (selected !== item) return;
    $('heatmap-figure').hidden = false;
    if (!r.ok) { $('heatmap-caption').textContent = `${item.name}: ${r.error}`; return; }
    draw_heatmap($('heatmap'), r.mfcc, r.n_mfcc, r.frames, r.natural_frames);
    const shown = Math.min(r.frames, r.natural_frames);
    $('heatmap-caption').textContent = `MFCC of ${item.name}: ${r.n_mfcc} coefficients × ${shown} frames` +
        (r.natural_frames === r.frames ? '' : r.natural_frames < r.frames
            ? ` (the model sees ${r.frames}: padded with silence)`
            : ` of ${r.natural_frames} (the model sees the first ${r.frames})`);
    $('heatmap').setAttribute('aria-label', $('heatmap-caption').textContent);
}

/// Selects `item` unless a file is selected already.
export function select_first(item) {
    if (!selected) select(item);
}

/// The accuracy on the files whose true label the model knows, and their confusion matrix.
export function update_accuracy() {
    const out = $('accuracy');
    const active = state.active;
    const judged = state.items.filter((i) => i.pred && i.label && i.model_labels.includes(i.label));
    const foreign = state.items.filter((i) => i.pred && i.label && !i.model_labels.includes(i.label));
    out.replaceChildren();
    if (!judged.length) {
        drop_matrix('predictions');
        if (foreign.length) out.textContent = unknown_note(foreign);
        return;
    }
    const right = judged.filter((i) => i.pred === i.label).length;
    out.textContent = `Accuracy: ${right} / ${judged.length} = ${pct(right / judged.length)} on the labelled files (model ${active.name}).`;
    if (foreign.length) out.append(' ', el('span', { class: 'hint', text: unknown_note(foreign) }));
    const training = (active.info && active.info.training) || {};
    if (/^none/.test(String(training.split || '')) && judged.some((i) => i.actor > 0)) {
        out.append(' ', el('span', { class: 'hint',
            text: 'This model was trained on all of its data (no test split): on RAVDESS files it was trained on, this is its training accuracy, not a test of it.' }));
    }
    const labels = active.labels;
    const matrix = labels.map(() => labels.map(() => 0));
    for (const i of judged) matrix[labels.indexOf(i.label)][labels.indexOf(i.pred)]++;
    set_matrix('predictions', { matrix, labels,
        caption: `Predictions of model ${active.name} on ${judged.length} labelled file(s) in the list.` });
}

function unknown_note(foreign) {
    const labels = sort_labels(foreign.map((i) => i.label));
    return `${foreign.length} file(s) carry a label this model does not know (${labels.join(', ')}): not counted.`;
}

// Another model without a new feature configuration: predict every file again.
on('model', ({ config_changed }) => {
    if (config_changed) return; // inputs.js computes the features again, then 'features' comes
    const ready = state.items.filter((i) => i.status === 'ok');
    for (const i of ready) { i.pred = null; i.probs = null; render_row(i); }
    predict(ready);
});
on('features', (list) => predict(list));
on('items', () => update_accuracy());
on('cleared', () => {
    selected = null;
    $('results').tBodies[0].replaceChildren();
    $('empty-list').hidden = false;
    $('accuracy').textContent = '';
    $('heatmap-figure').hidden = true;
    $('heatmap-caption').textContent = EMPTY_CAPTION;
    drop_matrix('predictions');
});

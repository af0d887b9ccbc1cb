// The predictions panel: a row per file (predicted label, a bar per class of the active model,
// the true label), the accuracy on the labelled files, the MFCC heatmap of the selected file, and
// a timeline (probabilities over time, overall label) for every file longer than the model's
// window, whose row then shows the timeline's overall label.
import { $, el, pct, task } from './ui.js';
import { call, start } from './rpc.js';
import { state, on, emit, model_labels } from './state.js';
import { draw_heatmap, draw_timeline } from './plots.js';
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
    const timelines = new Map(); // item id -> the worker's timeline answer (files longer than a window)
    const r = await start('predict', { item_ids: list.map((i) => i.id) }, {
        on_event: (ev) => { if (ev.event === 'timeline') timelines.set(ev.item_id, ev.timeline); },
    }).done;
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
        item.timeline = timelines.get(item.id) || null;
        // A long file's prediction is its timeline's overall label (the windows with voice), not
        // its first window's; without any voice the first window's stays.
        const t = item.timeline;
        if (t && t.ok && t.label) {
            item.probs = Float32Array.from(prob_array(t.probabilities, r.labels));
            item.pred = t.label;
        }
        render_row(item);
        render_timeline(item);
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
        (f.truncated ? ' · truncated file, read what is there' : '') +
        (item.timeline && item.timeline.ok ? ` · overall of ${item.timeline.timeline.length} windows (timeline below)` : '') : '';
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

/// Takes `item`'s row (and its timeline) out of the page.
export function remove_row(item) {
    if (item.row) { item.row.remove(); item.row = null; }
    item.timeline = null;
    render_timeline(item);
    if (selected === item) selected = null;
}

// ---- timelines of files longer than the model's window ------------------------------------------
/// Probabilities in `labels`' order from {label: p} (an array stays as it is).
function prob_array(p, labels) {
    if (!p) return null;
    return Array.isArray(p) ? p : labels.map((l) => Number(p[l] ?? 0));
}

const timeline_views = new Map(); // item -> {figure, draw()}

/// Shows (or removes, when it has none) the timeline of `item`: one element per file,
/// data-testid="file-timeline" with data-file, data-windows, data-label (overall; '' without
/// voice), data-probs (overall, JSON label -> probability) or data-error.
export function render_timeline(item) {
    const old = timeline_views.get(item);
    if (old) { old.figure.remove(); timeline_views.delete(item); }
    const t = item.timeline;
    $('timelines-box').hidden = timeline_views.size === 0 && !t;
    if (!t) return;
    const figure = el('figure', { class: 'timeline', 'data-testid': 'file-timeline', 'data-file': item.name });
    const caption = el('figcaption');
    figure.append(caption);
    if (!t.ok) {
        figure.setAttribute('data-error', t.error);
        caption.textContent = `${item.name}: no timeline (${t.error})`;
        $('timelines').append(figure);
        timeline_views.set(item, { figure, draw() {} });
        return;
    }
    const labels = item.model_labels;
    const windows = t.timeline;
    const overall = prob_array(t.probabilities, labels);
    figure.setAttribute('data-windows', windows.length);
    figure.setAttribute('data-label', t.label || '');
    figure.setAttribute('data-probs', JSON.stringify(overall ? Object.fromEntries(labels.map((l, c) => [l, overall[c]])) : {}));
    const voiced = windows.filter((w) => w.label).length;
    const hop = windows.length > 1 ? windows[1].start - windows[0].start : 0;
    caption.append(el('strong', { text: item.name }), ': ',
        t.label ? `overall ${t.label} (${pct(Math.max(...overall))})` : 'no voice in any window, no overall label',
        ` over ${t.duration_s.toFixed(1)} s; ${windows.length} windows of ${t.window_s.toFixed(1)} s` +
        (hop > 0 ? ` every ${hop.toFixed(1)} s` : '') + `, ${voiced} with voice.`);
    const canvas = el('canvas', { role: 'img',
        'aria-label': `timeline of ${item.name}: probabilities of ${labels.join(', ')} over time (numbers in the table below)` });
    figure.append(canvas);
    // Each window is drawn around its centre, up to half-way to its neighbours' centres.
    const centres = windows.map((w) => (w.start + w.end) / 2);
    const cells = windows.map((w, k) => ({
        t0: k === 0 ? w.start : (centres[k - 1] + centres[k]) / 2,
        t1: k === windows.length - 1 ? w.end : (centres[k] + centres[k + 1]) / 2,
        probs: prob_array(w.probabilities, labels),
    }));
    const draw = () => draw_timeline(canvas, cells, labels, { from: 0, to: t.duration_s });
    const table = el('table', {}, el('caption', { class: 'visually-hidden', text: `Windows of ${item.name}` }));
    const head = el('tr');
    for (const h of ['window (s)', 'label', 'probability', 'voice (s)']) head.append(el('th', { scope: 'col', text: h }));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    for (const w of windows) {
        const p = prob_array(w.probabilities, labels);
        body.append(el('tr', {}, el('td', { text: `${w.start.toFixed(1)}–${w.end.toFixed(1)}` }),
            el('td', { text: w.label || 'no voice' }), el('td', { text: p ? pct(Math.max(...p)) : '–' }),
            el('td', { text: w.voiced_s.toFixed(2) })));
    }
    table.append(body);
    const details = el('details', {}, el('summary', { text: `the ${windows.length} windows in numbers` }),
        el('div', { class: 'tablewrap', tabIndex: 0, role: 'region', 'aria-label': `windows of ${item.name} (scrolls)` }, table));
    figure.append(details);
    $('timelines').append(figure);
    timeline_views.set(item, { figure, draw });
    draw();
}
// The timelines follow the panel's width (drawn again, not scaled).
let timelines_width = 0;
new ResizeObserver(([entry]) => {
    const w = Math.round(entry.contentRect.width);
    if (w && w !== timelines_width) { timelines_width = w; for (const v of timeline_views.values()) v.draw(); }
}).observe($('timelines'));

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
    for (const i of ready) { i.pred = null; i.probs = null; i.timeline = null; render_row(i); render_timeline(i); }
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
    for (const item of [...timeline_views.keys()]) { item.timeline = null; render_timeline(item); }
    drop_matrix('predictions');
});

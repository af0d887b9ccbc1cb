// The confusion matrix panel: the training run's test split or the predictions of labelled files,
// counts or row-normalised, per-class accuracy, PNG and CSV export. Labels are the matrix's own
// (the model's classes: 6, 8 or a user's labels).
import { $, el, pct, download } from './ui.js';
import { draw_confusion } from './plots.js';

const matrices = {}; // 'training' | 'predictions' -> {matrix, labels, caption}
let shown = null;    // key into matrices

/// Keeps matrix `m` ({matrix, labels, caption}) under `key`; shows it when `show`, when it is the
/// one shown, or when none is.
export function set_matrix(key, m, show = false) {
    matrices[key] = m;
    if (show || shown === key || !shown) show_matrix(key);
}

/// Forgets the matrix under `key`; shows the other one if this was shown.
export function drop_matrix(key) {
    if (!matrices[key]) return;
    delete matrices[key];
    if (shown === key) show_matrix(Object.keys(matrices)[0] || null);
}

function show_matrix(key) {
    shown = key;
    const fig = $('cm-figure');
    const m = key && matrices[key];
    $('cm-box').hidden = !m;
    if (!m) {
        fig.removeAttribute('data-testid');
        $('cm-source').hidden = false;
        return;
    }
    $('cm-source').hidden = true;
    fig.setAttribute('data-testid', 'confusion-matrix');
    fig.setAttribute('data-matrix', JSON.stringify(m.matrix));
    fig.setAttribute('data-labels', JSON.stringify(m.labels));
    fig.setAttribute('data-source', key);
    draw_confusion($('cm-canvas'), m.matrix, m.labels, $('cm-normalised').checked);
    const other = key === 'training' ? 'predictions' : 'training';
    $('cm-caption').replaceChildren(m.caption);
    if (matrices[other]) {
        const b = el('button', { type: 'button', class: 'linklike',
            text: other === 'training' ? 'Show the training run’s matrix' : 'Show the predictions’ matrix' });
        b.addEventListener('click', () => show_matrix(other));
        $('cm-caption').append(' ', b);
    }
    const body = $('per-class').tBodies[0];
    body.replaceChildren();
    m.labels.forEach((l, i) => {
        const total = m.matrix[i].reduce((a, b) => a + b, 0);
        body.append(el('tr', {}, el('th', { scope: 'row', text: l }), el('td', { text: total }),
            el('td', { text: m.matrix[i][i] }), el('td', { text: total ? pct(m.matrix[i][i] / total) : '–' })));
    });
}

/// One CSV cell: quoted when it holds a comma, quote or line break; a leading = + - @ is escaped
/// with a quote mark, so that a spreadsheet does not run a label as a formula.
export function csv_cell(v) {
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

$('cm-normalised').addEventListener('change', () => show_matrix(shown));
// The cells follow the box's width (a phone turned, a window resized): drawn again, not scaled.
let drawn_width = 0;
new ResizeObserver(([entry]) => {
    const w = Math.round(entry.contentRect.width);
    if (w && w !== drawn_width && shown && matrices[shown]) {
        drawn_width = w;
        draw_confusion($('cm-canvas'), matrices[shown].matrix, matrices[shown].labels, $('cm-normalised').checked);
    }
}).observe($('cm-box'));
$('cm-png').addEventListener('click', () => $('cm-canvas').toBlob((b) => download(b, 'confusion-matrix.png'), 'image/png'));
$('cm-csv').addEventListener('click', () => {
    const m = matrices[shown];
    const norm = $('cm-normalised').checked;
    const lines = [['true \\ predicted', ...m.labels].map(csv_cell).join(',')];
    m.matrix.forEach((row, i) => {
        const total = row.reduce((a, b) => a + b, 0);
        lines.push([csv_cell(m.labels[i]), ...row.map((v) => (norm ? (total ? (v / total).toFixed(4) : '') : v))].join(','));
    });
    download(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }), norm ? 'confusion-matrix-normalised.csv' : 'confusion-matrix.csv');
});

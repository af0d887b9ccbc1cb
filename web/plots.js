// The page's plots, drawn on plain <canvas>: the MFCC heatmap, the waveform, the training curves
// and the confusion matrix.
//
// Why plain canvas and not a charting library: the five plots are simple (a raster, two line
// charts, a grid of cells, a waveform), about 250 lines here; a library would add a dependency to
// copy into the build, keep updated and cache for offline use, for little gain. Every plot also has
// its numbers in an HTML table or text next to it (epoch rows, per-class accuracy, probabilities),
// which is what screen readers and tests read.

/// Sizes `canvas` to its CSS width (and `css_height` px) at the device pixel ratio; returns the 2D
/// context scaled so drawing uses CSS pixels, and the CSS size.
function fit(canvas, css_height) {
    const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    const w = Math.max(100, Math.round(canvas.clientWidth || canvas.parentElement.clientWidth || 300));
    canvas.style.height = `${css_height}px`;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(css_height * dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { ctx, w, h: css_height };
}

const INK = '#1a1a1a', GRID = '#d0d0d0', MUTED = '#4a4a4a';
export const TRAIN_COLOUR = '#0b5cad', VAL_COLOUR = '#b34700';

/// Viridis ramp (5 stops, linear between them); t in [0, 1] -> [r, g, b].
export function viridis(t) {
    const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
    const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
    const i = Math.floor(x), f = x - i;
    return stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
}

/// Black or white, whichever contrasts more with the colour [r, g, b] (WCAG relative luminance).
export function text_on([r, g, b]) {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    const l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000' : '#fff';
}

/// MFCC heatmap: mfcc is [rows][cols] row-major (rows = coefficients); only the first `shown`
/// columns (the natural frames, without the padding to the model's length) are drawn. Each
/// coefficient row is scaled to its own range (c0 dwarfs the others); c0 is at the bottom.
export function draw_heatmap(canvas, mfcc, rows, cols, shown) {
    shown = Math.max(1, Math.min(cols, shown));
    const { ctx, w, h } = fit(canvas, 200);
    const raster = document.createElement('canvas');
    raster.width = shown;
    raster.height = rows;
    const rctx = raster.getContext('2d');
    const img = rctx.createImageData(shown, rows);
    for (let r = 0; r < rows; r++) {
        let lo = Infinity, hi = -Infinity;
        for (let c = 0; c < shown; c++) { const v = mfcc[r * cols + c]; if (v < lo) lo = v; if (v > hi) hi = v; }
        for (let c = 0; c < shown; c++) {
            const [R, G, B] = viridis((mfcc[r * cols + c] - lo) / (hi - lo || 1));
            const o = ((rows - 1 - r) * shown + c) * 4;
            img.data[o] = R; img.data[o + 1] = G; img.data[o + 2] = B; img.data[o + 3] = 255;
        }
    }
    rctx.putImageData(img, 0, 0);
    const left = 34, bottom = 22;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(raster, left, 0, w - left, h - bottom);
    ctx.fillStyle = MUTED;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText('c0', left - 4, h - bottom - 6);
    ctx.fillText(`c${rows - 1}`, left - 4, 8);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText('frame 0', left, h - 4);
    ctx.textAlign = 'right';
    ctx.fillText(`${shown}`, w, h - 4);
}

/// Waveform of `samples` (floats in [-1, 1]): min/max per pixel column.
export function draw_waveform(canvas, samples) {
    const { ctx, w, h } = fit(canvas, 80);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = GRID;
    ctx.beginPath();
    ctx.moveTo(0, h / 2);
    ctx.lineTo(w, h / 2);
    ctx.stroke();
    if (!samples || samples.length === 0) return;
    ctx.fillStyle = TRAIN_COLOUR;
    const per = samples.length / w;
    for (let x = 0; x < w; x++) {
        const a = Math.floor(x * per), b = Math.max(a + 1, Math.floor((x + 1) * per));
        let lo = 0, hi = 0;
        for (let i = a; i < b && i < samples.length; i++) { const v = samples[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
        const y0 = h / 2 - hi * (h / 2 - 2), y1 = h / 2 - lo * (h / 2 - 2);
        ctx.fillRect(x, y0, 1, Math.max(1, y1 - y0));
    }
}

/// A line chart of per-epoch values. series: [{name, colour, dashed, values: [number|null]}] (index
/// 0 = epoch 1); x runs to max(x_max, longest series); y from 0 to y_max (or the data's max).
export function draw_curves(canvas, series, { title, x_max = 1, y_max = null }) {
    const { ctx, w, h } = fit(canvas, 200);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    const n = Math.max(x_max, ...series.map((s) => s.values.length), 1);
    let top = y_max;
    if (top === null) {
        top = 0;
        for (const s of series) for (const v of s.values) if (Number.isFinite(v) && v > top) top = v;
        top = top > 0 ? top * 1.1 : 1;
    }
    const left = 40, right = 10, up = 24, bottom = 24;
    const X = (i) => left + (n === 1 ? 0 : (i / (n - 1)) * (w - left - right));
    const Y = (v) => up + (1 - v / top) * (h - up - bottom);
    ctx.font = '12px system-ui, sans-serif';
    ctx.strokeStyle = GRID;
    ctx.fillStyle = MUTED;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let k = 0; k <= 4; k++) {
        const v = (top * k) / 4;
        ctx.beginPath();
        ctx.moveTo(left, Y(v));
        ctx.lineTo(w - right, Y(v));
        ctx.stroke();
        ctx.fillText(top >= 10 ? v.toFixed(0) : v.toFixed(2), left - 4, Y(v));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const step = Math.max(1, Math.ceil(n / 10));
    for (let i = 0; i < n; i += step) ctx.fillText(String(i + 1), X(i), h - bottom + 4);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = INK;
    ctx.font = 'bold 13px system-ui, sans-serif';
    ctx.fillText(title, left, 4);
    // Legend, right-aligned on the title line.
    ctx.font = '12px system-ui, sans-serif';
    let lx = w - right;
    for (const s of [...series].reverse()) {
        const tw = ctx.measureText(s.name).width;
        lx -= tw;
        ctx.fillStyle = INK;
        ctx.fillText(s.name, lx, 5);
        lx -= 24;
        ctx.strokeStyle = s.colour;
        ctx.lineWidth = 2;
        ctx.setLineDash(s.dashed ? [5, 3] : []);
        ctx.beginPath();
        ctx.moveTo(lx, 11);
        ctx.lineTo(lx + 20, 11);
        ctx.stroke();
        lx -= 12;
    }
    for (const s of series) {
        ctx.strokeStyle = s.colour;
        ctx.fillStyle = s.colour;
        ctx.lineWidth = 2;
        ctx.setLineDash(s.dashed ? [5, 3] : []);
        ctx.beginPath();
        let pen = false;
        s.values.forEach((v, i) => {
            if (!Number.isFinite(v)) { pen = false; return; }
            if (pen) ctx.lineTo(X(i), Y(v)); else ctx.moveTo(X(i), Y(v));
            pen = true;
        });
        ctx.stroke();
        ctx.setLineDash([]);
        s.values.forEach((v, i) => {
            if (Number.isFinite(v)) { ctx.beginPath(); ctx.arc(X(i), Y(v), 2.5, 0, 2 * Math.PI); ctx.fill(); }
        });
    }
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
}

/// The confusion matrix: rows true labels, columns predicted. matrix: counts. normalised: each row
/// divided by its total (recall per class; in percent when the cells are small). Cell colour from
/// the row-normalised value either way.
export function draw_confusion(canvas, matrix, labels, normalised) {
    const k = labels.length;
    // Labels longer than 12 characters are cut (the table below the matrix has them whole). The
    // margins hold the longest label: on the left the rows', on the right the rotated last column's.
    const short = (l) => (l.length > 12 ? `${l.slice(0, 11)}…` : l);
    const probe = document.createElement('canvas').getContext('2d');
    probe.font = '12px system-ui, sans-serif';
    const longest = Math.ceil(Math.max(...labels.map((l) => probe.measureText(short(l)).width)));
    const left = longest + 26, up = Math.max(40, Math.ceil(longest * 0.71) + 22);
    // Cells fit the box, down to a phone's width (then in percent, in a smaller font).
    const room = (canvas.parentElement.clientWidth || 480) - left - Math.ceil(longest * 0.71);
    const cell = Math.max(24, Math.min(64, Math.floor(room / k)));
    const right = Math.max(8, Math.ceil(longest * 0.71) - Math.floor(cell / 2) + 4);
    const narrow = cell < 34;
    const css_w = left + k * cell + right, css_h = up + k * cell + 8;
    canvas.style.width = `${css_w}px`;
    const { ctx } = fit(canvas, css_h);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, css_w, css_h);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('predicted', left + (k * cell) / 2, 2);
    for (let j = 0; j < k; j++) {
        ctx.save();
        ctx.translate(left + j * cell + cell / 2, up - 4);
        ctx.rotate(-Math.PI / 4);
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        ctx.fillText(short(labels[j]), 0, 0);
        ctx.restore();
    }
    ctx.save();
    ctx.translate(10, up + (k * cell) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('true', 0, -6);
    ctx.restore();
    for (let i = 0; i < k; i++) {
        const total = matrix[i].reduce((a, b) => a + b, 0);
        ctx.fillStyle = INK;
        ctx.font = '12px system-ui, sans-serif';
        ctx.textAlign = 'right';
        ctx.textBaseline = 'middle';
        ctx.fillText(short(labels[i]), left - 6, up + i * cell + cell / 2);
        ctx.font = narrow ? '11px system-ui, sans-serif' : '12px system-ui, sans-serif';
        for (let j = 0; j < k; j++) {
            const frac = total ? matrix[i][j] / total : 0;
            const [R, G, B] = viridis(frac);
            ctx.fillStyle = total ? `rgb(${R},${G},${B})` : '#eee';
            ctx.fillRect(left + j * cell, up + i * cell, cell - 1, cell - 1);
            ctx.fillStyle = total ? text_on([R, G, B]) : MUTED;
            ctx.textAlign = 'center';
            const text = normalised ? (total ? (narrow ? String(Math.round(100 * frac)) : frac.toFixed(2)) : '–') : String(matrix[i][j]);
            ctx.fillText(text, left + j * cell + cell / 2, up + i * cell + cell / 2);
        }
    }
}

/// Probabilities over time (a file's timeline, the live view): one row per label, one column per
/// window; a cell's colour is the probability (viridis, 0 dark to 1 bright), the most probable
/// label of each window is marked with a white-ringed dot (not colour alone), a window without
/// voice is a grey hatched column. cells: [{t0, t1, probs: array in label order | null}] in
/// seconds; the x axis runs from `from` to `to` seconds.
export function draw_timeline(canvas, cells, labels, { from = 0, to = 1 } = {}) {
    const k = Math.max(1, labels.length);
    const row = 14;
    const probe = document.createElement('canvas').getContext('2d');
    probe.font = '12px system-ui, sans-serif';
    const short = (l) => (l.length > 12 ? `${l.slice(0, 11)}…` : l);
    const left = Math.ceil(Math.max(20, ...labels.map((l) => probe.measureText(short(l)).width))) + 8;
    const bottom = 20, right = 8;
    const { ctx, w, h } = fit(canvas, k * row + bottom + 4);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    const span = Math.max(1e-6, to - from);
    const X = (t) => left + ((t - from) / span) * (w - left - right);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = INK;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    labels.forEach((l, r) => ctx.fillText(short(l), left - 4, 2 + r * row + row / 2));
    for (const c of cells) {
        const x0 = Math.max(left, X(c.t0)), x1 = Math.min(w - right, X(c.t1));
        if (x1 <= x0) continue;
        const cw = Math.max(1, x1 - x0);
        if (!c.probs) {
            ctx.fillStyle = '#e4e4e4';
            ctx.fillRect(x0, 2, cw, k * row);
            ctx.strokeStyle = '#b0b0b0';
            ctx.beginPath();
            for (let y = 2; y < 2 + k * row; y += 6) { ctx.moveTo(x0, y); ctx.lineTo(x0 + Math.min(cw, 6), y + 6); }
            ctx.stroke();
            continue;
        }
        let best = 0;
        c.probs.forEach((p, r) => {
            const [R, G, B] = viridis(p);
            ctx.fillStyle = `rgb(${R},${G},${B})`;
            ctx.fillRect(x0, 2 + r * row, cw, row - 1);
            if (p > c.probs[best]) best = r;
        });
        if (cw >= 4) {
            ctx.fillStyle = '#000';
            ctx.strokeStyle = '#fff';
            ctx.beginPath();
            ctx.arc(x0 + cw / 2, 2 + best * row + row / 2 - 0.5, Math.min(3.5, cw / 2 - 0.5), 0, 2 * Math.PI);
            ctx.fill();
            ctx.stroke();
        }
    }
    ctx.fillStyle = MUTED;
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    ctx.fillText(`${from.toFixed(1)} s`, left, h - 2);
    ctx.textAlign = 'right';
    ctx.fillText(`${to.toFixed(1)} s`, w - right, h - 2);
}

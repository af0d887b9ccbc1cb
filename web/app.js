// The page: file input -> worker (decode, resample, MFCC) -> table and heatmap.
const $ = (id) => document.getElementById(id);
const worker = new Worker('worker.js');
let next_id = 1;
const pending = new Map();
worker.onmessage = (e) => {
    const p = pending.get(e.data.id);
    if (p) { pending.delete(e.data.id); p(e.data); }
};
worker.onerror = (e) => set_status('error', `worker failed: ${e.message}`);
const call = (msg, transfer = []) => new Promise((resolve) => {
    const id = next_id++;
    pending.set(id, resolve);
    worker.postMessage({ id, ...msg }, transfer);
});

function set_status(state, text) {
    const s = $('status');
    s.dataset.state = state;
    s.textContent = text;
}

// Viridis-like ramp, enough for a heatmap.
function colour(t) {
    const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
    const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
    const i = Math.floor(x), f = x - i;
    return stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
}

function draw_heatmap(name, mfcc, rows, cols) {
    const canvas = $('heatmap');
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(cols, rows);
    // Normalise each coefficient row: c0 dwarfs the others.
    for (let r = 0; r < rows; r++) {
        let lo = Infinity, hi = -Infinity;
        for (let c = 0; c < cols; c++) { const v = mfcc[r * cols + c]; lo = Math.min(lo, v); hi = Math.max(hi, v); }
        for (let c = 0; c < cols; c++) {
            const [R, G, B] = colour((mfcc[r * cols + c] - lo) / (hi - lo || 1));
            const o = ((rows - 1 - r) * cols + c) * 4;  // c0 at the bottom
            img.data[o] = R; img.data[o + 1] = G; img.data[o + 2] = B; img.data[o + 3] = 255;
        }
    }
    ctx.putImageData(img, 0, 0);
    $('mfcc-name').textContent = `of ${name} (${rows} × ${cols})`;
}

async function handle_files(files) {
    set_status('busy', `computing MFCC of ${files.length} file(s)…`);
    const body = document.querySelector('#results tbody');
    for (const file of files) {
        const bytes = await file.arrayBuffer();
        const r = await call({ op: 'features', bytes }, [bytes]);
        if (!r.ok) {
            const li = document.createElement('li');
            li.dataset.testid = 'file-error';
            li.setAttribute('data-testid', 'file-error');
            li.dataset.file = file.name;
            li.textContent = `${file.name}: ${r.error}`;
            $('errors').append(li);
            continue;
        }
        const tr = document.createElement('tr');
        tr.setAttribute('data-testid', 'result-row');
        tr.dataset.file = file.name;
        tr.tabIndex = 0;
        for (const v of [file.name, `${r.sample_rate} Hz`, r.channels, `${r.duration_s.toFixed(2)} s`, r.natural_frames]) {
            const td = document.createElement('td'); td.textContent = v; tr.append(td);
        }
        const show = () => {
            document.querySelectorAll('#results tr.selected').forEach((t) => t.classList.remove('selected'));
            tr.classList.add('selected');
            draw_heatmap(file.name, r.mfcc, r.n_mfcc, r.frames);
        };
        tr.onclick = show;
        tr.onkeydown = (e) => { if (e.key === 'Enter' || e.key === ' ') show(); };
        body.append(tr);
        show();
    }
    set_status('ready', 'ready');
}

$('file-input').addEventListener('change', (e) => handle_files([...e.target.files]));

const rt = await call({ op: 'runtime' });
if (rt.ok) {
    const threads = rt.threaded ? rt.hardware_threads : 1;
    $('runtime').textContent = `runtime: wasm ${rt.threaded ? 'threaded' : 'single-threaded'}, threads ${threads}` +
        (rt.simd ? ', simd' : '');
    set_status('ready', 'ready');
} else {
    set_status('error', `the wasm module failed to load: ${rt.error}`);
}

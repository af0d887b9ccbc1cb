// The page: inputs (files, folders, drag-and-drop, microphone), the prediction table, training,
// the confusion matrix and the model store. All heavy work happens in worker.js; this thread only
// reads files' handles, draws and updates the DOM, so the page never freezes.
import { EMOTIONS, label_of } from './labels.js';
import { encode_wav } from './wav.js';
import * as store from './store.js';
import { draw_heatmap, draw_waveform, draw_curves, draw_confusion, TRAIN_COLOUR, VAL_COLOUR } from './plots.js';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'scope') e.setAttribute(k, v);
        else e[k] = v;
    }
    e.append(...children);
    return e;
};
const pct = (x) => `${(100 * x).toFixed(1)} %`;
const seconds = (s) => (s < 60 ? `${Math.max(0, Math.round(s))} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

// ---- the worker ---------------------------------------------------------------------------------
const worker = new Worker('worker.js');
let next_id = 1;
const pending = new Map(); // request id -> {resolve, on_event}
worker.onmessage = (e) => {
    const d = e.data;
    const p = pending.get(d.id);
    if (!p) return;
    if (d.event) {
        if (p.on_event) p.on_event(d);
        return;
    }
    pending.delete(d.id);
    p.resolve(d);
};
worker.onerror = (e) => {
    e.preventDefault();
    fail(`the worker could not start (${e.message || 'script error'}): is this a current browser?`);
    for (const p of pending.values()) p.resolve({ ok: false, error: 'the worker stopped' });
    pending.clear();
};

/// Sends {op, ...payload}; returns {id, done: Promise<answer>}; on_event gets progress events.
function start(op, payload = {}, { on_event = null, transfer = [] } = {}) {
    const id = next_id++;
    const done = new Promise((resolve) => pending.set(id, { resolve, on_event }));
    worker.postMessage({ id, op, ...payload }, transfer);
    return { id, done };
}
const call = (op, payload, options) => start(op, payload, options).done;

// ---- status line --------------------------------------------------------------------------------
const tasks = new Map(); // token -> text
let next_task = 1, fatal = null, idle_text = 'loading…';
function refresh_status() {
    const s = $('status');
    if (fatal) {
        s.dataset.state = 'error';
        s.textContent = `error: ${fatal}`;
    } else if (tasks.size) {
        s.dataset.state = 'busy';
        s.textContent = [...tasks.values()].pop();
    } else {
        s.dataset.state = 'ready';
        s.textContent = idle_text;
    }
}
function task(text) {
    const token = next_task++;
    tasks.set(token, text);
    refresh_status();
    return {
        update: (t) => { tasks.set(token, t); refresh_status(); },
        end: () => { tasks.delete(token); refresh_status(); },
    };
}
function fail(message) {
    fatal = message;
    refresh_status();
}

function download(blob, name) {
    const a = el('a', { href: URL.createObjectURL(blob), download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// ---- state --------------------------------------------------------------------------------------
/// One input file or recording. status: 'queued' | 'ok' | 'error'.
const items = [];
let next_item = 1;
let selected = null;
let active = null;       // the active model: {name, source: 'bundled'|'saved', json, bin, labels, info}
let bundled = null;      // the bundled default model's record, if the build has one
let runtime = null;
let training = null;     // {id} while training runs
let matrices = {};       // 'training' | 'predictions' -> {matrix, labels, caption}
let shown_matrix = null; // key into matrices

// ---- files in -----------------------------------------------------------------------------------
const is_wav_name = (name) => /\.wav$/i.test(name);

/// entries: [{file: Blob with a name, rel: path inside a folder or ''}]. Folder entries that are not
/// .wav are skipped (a folder holds other files); files picked one by one are all tried.
/// At most this many files are in the list at once (each keeps its 32 KB of features in the worker;
/// RAVDESS song is 1012 files, song and speech together 2452).
const MAX_FILES = 5000;
function add_files(entries, source = 'file') {
    let skipped = 0, over = 0;
    const fresh = [];
    for (const { file, rel, from_folder } of entries) {
        if (from_folder && !is_wav_name(file.name)) { skipped++; continue; }
        if (items.length >= MAX_FILES) { over++; continue; }
        const { label, actor, known } = label_of(file.name, rel || '');
        const item = { id: next_item++, name: file.name, rel: rel || '', blob: file, label, actor, known, source,
            status: 'queued', facts: null, probs: null, pred: null, row: null };
        items.push(item);
        fresh.push(item);
    }
    if (skipped) note_error(null, `${skipped} file(s) in the folder(s) are not .wav files and were skipped`);
    if (over) note_error(null, `${over} file(s) not added: the list holds at most ${MAX_FILES} files (clear it first)`);
    if (fresh.length) enqueue(() => extract(fresh));
    return fresh;
}

// Extraction jobs run one after the other (one progress bar).
let queue = Promise.resolve();
const enqueue = (job) => { queue = queue.then(job, job); return queue; };
let extracting = null; // {id} of the running extraction

async function extract(list) {
    if (!runtime) await booted;
    if (fatal) return;
    list = list.filter((i) => items.includes(i));
    if (!list.length) return;
    const line = $('extract-line');
    const bar = $('extract-progress');
    const text = $('extract-text');
    line.hidden = false;
    bar.max = list.length;
    bar.value = 0;
    const t0 = performance.now();
    const t = task(`computing features of ${list.length} file(s)…`);
    const by_id = new Map(list.map((i) => [i.id, i]));
    let ok = 0;
    const job = start('extract', { items: list.map((i) => ({ item_id: i.id, blob: i.blob })) }, {
        on_event: (ev) => {
            const item = by_id.get(ev.item_id);
            bar.value = ev.done;
            const elapsed = (performance.now() - t0) / 1000;
            const left = ev.done < list.length ? `, about ${seconds((elapsed / ev.done) * (list.length - ev.done))} left` : '';
            text.textContent = `${ev.done} / ${list.length} files${left}`;
            t.update(`computing features: ${ev.done} / ${list.length}`);
            if (!item || !items.includes(item)) return;
            if (ev.ok) {
                ok++;
                item.status = 'ok';
                item.facts = ev;
                render_row(item);
                if (!selected) select(item);
            } else {
                item.status = 'error';
                item.error = ev.error;
                if (item.row) { item.row.remove(); item.row = null; }
                note_error(item, ev.error);
            }
        },
    });
    extracting = job;
    $('extract-cancel').hidden = false;
    const r = await job.done;
    extracting = null;
    $('extract-cancel').hidden = true;
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    text.textContent = r.ok ? `${ok} of ${list.length} file(s) ready in ${secs} s` : `failed: ${r.error}`;
    const cancelled = list.filter((i) => i.status === 'queued');
    if (cancelled.length) {
        for (const i of cancelled) items.splice(items.indexOf(i), 1);
        text.textContent += `; ${cancelled.length} cancelled`;
    }
    t.end();
    update_train_data();
    await predict(list.filter((i) => i.status === 'ok'));
}

function note_error(item, message) {
    const li = el('li', { text: item ? `${item.name}: ${message}` : message });
    if (item) {
        li.setAttribute('data-testid', 'file-error');
        li.setAttribute('data-file', item.name);
    }
    $('errors').append(li);
}

async function predict(list) {
    if (!active || !list.length || fatal) { update_accuracy(); return; }
    const t = task(`predicting ${list.length} file(s)…`);
    const model = active;
    const r = await call('predict', { item_ids: list.map((i) => i.id) });
    if (!r.ok || active !== model) {
        // (Another model became active meanwhile: it predicts every file itself.)
        if (!r.ok) note_error(null, `prediction failed: ${r.error}`);
        t.end();
        return;
    }
    const by_id = new Map(items.map((i) => [i.id, i]));
    const labels = model.labels;
    for (let k = 0; k < r.item_ids.length; k++) {
        const item = by_id.get(r.item_ids[k]);
        if (!item) continue;
        item.probs = r.probs.slice(k * r.classes, (k + 1) * r.classes);
        let best = 0;
        for (let c = 1; c < r.classes; c++) if (item.probs[c] > item.probs[best]) best = c;
        item.pred = labels[best];
        item.model_labels = labels;
        render_row(item);
        // Many rows: let the page breathe between slices (no long task).
        if (k % 64 === 63) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    update_accuracy();
    t.end();
}

// ---- the table ----------------------------------------------------------------------------------
function render_row(item) {
    const tr = item.row || el('tr', { tabIndex: 0, 'data-testid': 'result-row' });
    if (!item.row) {
        item.row = tr;
        tr.addEventListener('click', (e) => { if (!e.target.closest('select')) select(item); });
        tr.addEventListener('keydown', (e) => {
            if (e.target !== tr) return;
            if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(item); }
            if (e.key === 'ArrowDown' && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); select_row(tr.nextElementSibling); }
            if (e.key === 'ArrowUp' && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); select_row(tr.previousElementSibling); }
        });
        $('results').tBodies[0].append(tr);
        $('empty-list').hidden = true;
    }
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
    // True label: from the name/folder; a recording's can be chosen here.
    const truth = el('td');
    if (item.source === 'recording') {
        const s = label_select(item.label, `true label of ${item.name}`);
        s.addEventListener('change', () => {
            item.label = s.value;
            item.known = EMOTIONS.includes(s.value);
            render_row(item);
            tr.querySelector('select').focus();
            update_train_data();
            update_accuracy();
        });
        truth.append(s);
    } else {
        truth.textContent = item.label || '–';
    }
    tr.append(truth);
    const pred = el('td', { class: 'pred' });
    if (item.pred) {
        const p = Math.max(...item.probs);
        pred.append(el('strong', { text: item.pred }), ` ${(100 * p).toFixed(0)} %`);
        if (item.label && item.model_labels.includes(item.label)) {
            const right = item.label === item.pred;
            pred.append(el('span', { class: right ? 'right' : 'wrong', text: right ? ' ✓' : ' ✗',
                'aria-label': right ? 'correct' : 'wrong' }));
        }
    } else {
        pred.textContent = active ? '…' : 'no model';
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

function prob_bars(item) {
    const box = el('div', { class: 'bars', role: 'img',
        'aria-label': item.model_labels.map((l, c) => `${l} ${(100 * item.probs[c]).toFixed(0)} %`).join(', ') });
    item.model_labels.forEach((l, c) => {
        const p = item.probs[c];
        const bar = el('span', { class: `bar${l === item.pred ? ' top' : ''}`, title: `${l}: ${(100 * p).toFixed(1)} %` });
        bar.append(el('span', { class: 'fill' }));
        bar.firstChild.style.height = `${Math.max(2, 100 * p)}%`;
        bar.append(el('span', { class: 'tick', text: l.slice(0, 2) }));
        box.append(bar);
    });
    return box;
}

function label_select(value, aria_label) {
    const s = el('select', { 'aria-label': aria_label });
    s.append(el('option', { value: '', text: 'unknown' }));
    for (const l of EMOTIONS) s.append(el('option', { value: l, text: l }));
    s.value = value;
    return s;
}

function select_row(tr) {
    const item = items.find((i) => i.row === tr);
    if (item) select(item);
}

async function select(item) {
    selected = item;
    for (const i of items) if (i.row) i.row.classList.toggle('selected', i === item);
    const r = await call('mfcc', { item_id: item.id });
    if (selected !== item) return;
    if (!r.ok) { $('heatmap-caption').textContent = `${item.name}: ${r.error}`; return; }
    draw_heatmap($('heatmap'), r.mfcc, r.n_mfcc, r.frames, r.natural_frames);
    const shown = Math.min(r.frames, r.natural_frames);
    $('heatmap-caption').textContent = `MFCC of ${item.name}: ${r.n_mfcc} coefficients × ${shown} frames` +
        (r.natural_frames === r.frames ? '' : r.natural_frames < r.frames
            ? ` (the model sees ${r.frames}: padded with silence)`
            : ` of ${r.natural_frames} (the model sees the first ${r.frames})`);
    $('heatmap').setAttribute('aria-label', $('heatmap-caption').textContent);
}

function update_accuracy() {
    const judged = items.filter((i) => i.pred && i.label && i.model_labels.includes(i.label));
    if (!judged.length) {
        $('accuracy').textContent = '';
        return;
    }
    const right = judged.filter((i) => i.pred === i.label).length;
    const training = (active.info && active.info.training) || {};
    const seen_in_training = /^none/.test(String(training.split || '')) && judged.some((i) => i.actor > 0);
    $('accuracy').textContent = `Accuracy: ${right} / ${judged.length} = ${pct(right / judged.length)} on the labelled files (model ${active.name}).`;
    if (seen_in_training) {
        $('accuracy').append(' ', el('span', { class: 'hint',
            text: 'This model was trained on every RAVDESS song file: on RAVDESS files this is its training accuracy, not a test of it.' }));
    }
    const labels = active.labels;
    const matrix = labels.map(() => labels.map(() => 0));
    for (const i of judged) matrix[labels.indexOf(i.label)][labels.indexOf(i.pred)]++;
    set_matrix('predictions', { matrix, labels,
        caption: `Predictions of model ${active.name} on ${judged.length} labelled file(s) in the list.` }, shown_matrix !== 'training');
}

// ---- inputs: picker, folder, drag and drop ------------------------------------------------------
$('file-input').addEventListener('change', (e) => {
    add_files([...e.target.files].map((file) => ({ file, rel: '' })));
    e.target.value = '';
});
$('folder-input').addEventListener('change', (e) => {
    const files = [...e.target.files].sort((a, b) => a.webkitRelativePath.localeCompare(b.webkitRelativePath));
    add_files(files.map((file) => ({ file, rel: file.webkitRelativePath, from_folder: true })));
    e.target.value = '';
});
$('clear-button').addEventListener('click', () => {
    if (extracting) call('cancel', { target: extracting.id });
    call('forget', { item_ids: items.map((i) => i.id) });
    items.length = 0;
    selected = null;
    $('results').tBodies[0].replaceChildren();
    $('errors').replaceChildren();
    $('empty-list').hidden = false;
    $('heatmap-caption').textContent = 'Select a file to see its MFCC (coefficients up, time right).';
    $('heatmap').getContext('2d').clearRect(0, 0, $('heatmap').width, $('heatmap').height);
    delete matrices.predictions;
    if (shown_matrix === 'predictions') show_matrix(matrices.training ? 'training' : null);
    update_accuracy();
    update_train_data();
});
$('extract-cancel').addEventListener('click', () => { if (extracting) call('cancel', { target: extracting.id }); });

/// The files of a drop, walking dropped folders (webkitGetAsEntry must be read during the event).
async function dropped_files(dt) {
    const entries = [...dt.items].filter((i) => i.kind === 'file').map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry());
    if (!entries.length || entries.some((e) => !e)) return [...dt.files].map((file) => ({ file, rel: '' }));
    const out = [];
    async function walk(entry, path) {
        if (entry.isFile) {
            const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
            out.push({ file, rel: path + file.name, from_folder: path !== '' });
        } else if (entry.isDirectory) {
            const reader = entry.createReader();
            const children = [];
            for (;;) {
                const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
                if (!batch.length) break;
                children.push(...batch);
            }
            children.sort((a, b) => a.name.localeCompare(b.name));
            for (const c of children) await walk(c, `${path}${entry.name}/`);
        }
    }
    for (const e of entries) await walk(e, '');
    return out;
}
const zone = $('dropzone');
document.addEventListener('dragover', (e) => {
    if (![...e.dataTransfer.types].includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    zone.classList.add('over');
});
document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) zone.classList.remove('over'); });
document.addEventListener('drop', async (e) => {
    if (![...e.dataTransfer.types].includes('Files')) return;
    e.preventDefault();
    zone.classList.remove('over');
    try {
        add_files(await dropped_files(e.dataTransfer));
    } catch (err) {
        note_error(null, `the dropped files could not be read: ${err.message || err}`);
    }
});

// ---- microphone ---------------------------------------------------------------------------------
const rec_label = $('rec-label');
for (const l of EMOTIONS) rec_label.append(el('option', { value: l, text: l }));
let recording = null; // {stream, ctx, node, chunks, length, timer}
let recordings = 0;
const MAX_RECORD_S = 30;

async function start_recording() {
    const button = $('record-button');
    button.disabled = true;
    try {
        const stream = await navigator.mediaDevices.getUserMedia({
            audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
        });
        const ctx = new AudioContext();
        await ctx.audioWorklet.addModule('recorder-worklet.js');
        const source = ctx.createMediaStreamSource(stream);
        const node = new AudioWorkletNode(ctx, 'aer-recorder');
        const r = { stream, ctx, node, chunks: [], length: 0, stopped: null, started: performance.now() };
        r.stopped = new Promise((resolve) => {
            node.port.onmessage = (e) => {
                if (e.data === 'stopped') { resolve(); return; }
                r.chunks.push(e.data);
                r.length += e.data.length;
                if (r.length >= MAX_RECORD_S * ctx.sampleRate) stop_recording();
            };
        });
        source.connect(node);
        node.connect(ctx.destination); // the processor writes silence; the connection keeps it running
        recording = r;
        $('waveform').hidden = false;
        r.timer = setInterval(() => {
            draw_waveform($('waveform'), joined(r.chunks, r.length));
            $('rec-status').textContent = `recording… ${((performance.now() - r.started) / 1000).toFixed(0)} s`;
        }, 250);
        button.textContent = '■ Stop recording';
        button.setAttribute('aria-pressed', 'true');
        $('rec-status').textContent = 'recording…';
    } catch (err) {
        $('rec-status').textContent = `microphone unavailable: ${err.message || err.name || err}`;
    } finally {
        button.disabled = false;
    }
}

function joined(chunks, length) {
    const out = new Float32Array(length);
    let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.length; }
    return out;
}

async function stop_recording() {
    const r = recording;
    if (!r) return;
    recording = null;
    clearInterval(r.timer);
    r.node.port.postMessage('stop');
    await Promise.race([r.stopped, new Promise((resolve) => setTimeout(resolve, 1000))]);
    for (const track of r.stream.getTracks()) track.stop();
    const rate = r.ctx.sampleRate;
    r.ctx.close();
    const samples = joined(r.chunks, r.length);
    const button = $('record-button');
    button.textContent = '● Record';
    button.setAttribute('aria-pressed', 'false');
    draw_waveform($('waveform'), samples);
    if (!samples.length) {
        $('rec-status').textContent = 'nothing was recorded';
        return;
    }
    recordings++;
    const name = `recording-${recordings}.wav`;
    const file = new File([encode_wav(samples, rate)], name, { type: 'audio/wav' });
    let peak = 0;
    for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
    const dbfs = peak > 0 ? `${(20 * Math.log10(peak)).toFixed(1)} dBFS` : 'silence';
    $('rec-status').textContent = `${name}: ${(samples.length / rate).toFixed(1)} s at ${rate} Hz, peak ${dbfs}` +
        (peak < 0.01 ? ' (very quiet: is the right microphone on?)' : '');
    const [item] = add_files([{ file, rel: '' }], 'recording');
    item.label = rec_label.value;
    item.known = EMOTIONS.includes(item.label);
}
$('record-button').addEventListener('click', () => (recording ? stop_recording() : start_recording()));

// ---- training -----------------------------------------------------------------------------------
let history = [];
function labelled_items() {
    return items.filter((i) => i.status === 'ok' && i.known);
}

function update_train_data() {
    const l = labelled_items();
    const counts = EMOTIONS.map((e) => l.filter((i) => i.label === e).length);
    const actors = [...new Set(l.map((i) => i.actor).filter((a) => a > 0))].sort((a, b) => a - b);
    $('train-data').textContent = l.length
        ? `Labelled files: ${l.length} (${EMOTIONS.map((e, k) => `${e} ${counts[k]}`).join(', ')})` +
          (actors.length ? `; actors ${actors.join(', ')}.` : '.')
        : 'Labelled files: none yet. Add RAVDESS files, a folder per emotion, or labelled recordings.';
    $('train-button').disabled = !runtime || !!fatal || !!training || l.length < 2;
}
$('split').addEventListener('change', () => { $('actors').disabled = $('split').value !== 'actors'; });

function draw_history() {
    const at = (k) => history.map((h) => h[k]);
    const epochs = Number($('epochs').value) || 1;
    draw_curves($('loss-chart'), [
        { name: 'training loss', colour: TRAIN_COLOUR, values: at('loss') },
        { name: 'validation loss', colour: VAL_COLOUR, dashed: true, values: at('val_loss') },
    ], { title: 'Loss', x_max: epochs });
    draw_curves($('acc-chart'), [
        { name: 'training', colour: TRAIN_COLOUR, values: at('acc') },
        { name: 'validation', colour: VAL_COLOUR, dashed: true, values: at('val_acc') },
    ], { title: 'Accuracy', x_max: epochs, y_max: 1 });
}

function read_config() {
    const num = (id, lo, hi, integer) => {
        const v = Number($(id).value);
        if (!Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v)))
            throw new Error(`${$(id).labels[0].textContent}: a${integer ? 'n integer' : ' number'} from ${lo} to ${hi}, please`);
        return v;
    };
    let split = $('split').value;
    if (split === 'actors') {
        const list = $('actors').value.split(/[\s,]+/).filter(Boolean);
        if (!list.length || list.some((a) => !/^\d{1,2}$/.test(a))) throw new Error('Test actors: numbers separated by commas, please');
        split = `actors:${list.map(Number).join(',')}`;
    }
    return {
        arch: $('arch').value,
        epochs: num('epochs', 1, 1000, true),
        batch: num('batch', 1, 1024, true),
        lr: num('lr', 1e-6, 1, false),
        dropout: num('dropout', 0, 0.95, false),
        seed: num('seed', 0, 4294967295, true),
        split,
        normalize: $('normalize').checked,
        augment: $('augment').value,
    };
}

// Puts a run's settings (a checkpoint's training.config) back into the form.
function write_config(c) {
    if ([...$('arch').options].some((o) => o.value === c.arch)) $('arch').value = c.arch;
    for (const k of ['epochs', 'batch', 'lr', 'dropout', 'seed']) if (c[k] != null) $(k).value = c[k];
    $('normalize').checked = !!c.normalize;
    const aug = typeof c.augment === 'string' && c.augment ? c.augment : 'none';
    if (![...$('augment').options].some((o) => o.value === aug)) $('augment').append(el('option', { value: aug, text: aug }));
    $('augment').value = aug;
    if (/^actors:/.test(c.split || '')) {
        $('split').value = 'actors';
        $('actors').value = c.split.slice('actors:'.length);
    } else if (c.split) {
        $('split').value = c.split;
    }
    $('actors').disabled = $('split').value !== 'actors';
}

/// Trains a new model from the form, or (resume_rec: a saved record with a training state)
/// continues that model's run at its next epoch with its own settings, on the files now loaded.
async function train(resume_rec = null) {
    let config, resume = null;
    try {
        if (resume_rec) {
            const saved = JSON.parse(resume_rec.json).training || {};
            if (!saved.config || !resume_rec.state) throw new Error(`${resume_rec.name} has no training state to resume from.`);
            write_config(saved.config);
            resume = { json: resume_rec.json, bin: resume_rec.bin, state: resume_rec.state };
        }
        config = read_config();
    } catch (err) {
        $('train-text').textContent = err.message;
        return;
    }
    // In name order, so that a split (and a resumed run) does not depend on the order files were added.
    const key = (i) => `${i.rel}\u0000${i.name}`;
    const examples = labelled_items().slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id))
        .map((i) => ({ item_id: i.id, label: EMOTIONS.indexOf(i.label), actor: i.actor }));
    history = [];
    $('epochs-table').tBodies[0].replaceChildren();
    draw_history();
    const bar = $('train-progress');
    bar.value = 0;
    const t = task(`training on ${examples.length} files…`);
    const t0 = performance.now();
    let last_epoch_time = 0;
    // Every finished epoch is kept in IndexedDB under "<name> (checkpoint)", replaced in one
    // transaction each epoch: a closed tab or a crash keeps the last good epoch, which can be
    // used or downloaded like any model. The checkpoint goes once the final model is saved.
    const started = new Date();
    const wanted = resume_rec ? resume_rec.name.replace(/ \(checkpoint\)$/, '') : ($('model-name-input').value.trim() ||
        `${config.arch}-${started.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`);
    const checkpoint = `${wanted} (checkpoint)`;
    let checkpoints = Promise.resolve();
    const job = start('train', { config, labels: EMOTIONS, examples, resume }, {
        on_event: (ev) => {
            if (ev.event === 'checkpoint') {
                checkpoints = checkpoints.then(() => store.put_model({
                    name: checkpoint, json: ev.json, bin: ev.bin, state: ev.state, created: started.toISOString(), source: 'checkpoint',
                    summary: { architecture: `${config.arch}: ${describe_arch(JSON.parse(ev.json))}`, epochs_done: ev.epoch,
                        split: config.split, test_accuracy: null, test_n: 0, train_n: examples.length },
                })).then(refresh_models).catch((err) => {
                    $('train-text').textContent = `The checkpoint of epoch ${ev.epoch} could not be saved: ${err.message || err}`;
                });
            } else if (ev.event === 'epoch') {
                history.push(ev);
                last_epoch_time = ev.seconds;
                const fmt = (v, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '–');
                const tr = el('tr', { 'data-testid': 'epoch-row', 'data-epoch': ev.epoch, 'data-loss': ev.loss,
                    'data-acc': ev.acc, 'data-val-loss': ev.val_loss ?? '', 'data-val-acc': ev.val_acc ?? '' });
                tr.append(el('td', { text: ev.epoch }), el('td', { text: fmt(ev.loss) }), el('td', { text: fmt(ev.acc, 3) }),
                    el('td', { text: fmt(ev.val_loss) }), el('td', { text: fmt(ev.val_acc, 3) }),
                    el('td', { text: ev.seconds < 1 ? `${Math.round(ev.seconds * 1000)} ms` : `${ev.seconds.toFixed(1)} s` }));
                $('epochs-table').tBodies[0].append(tr);
                draw_history();
            } else if (ev.event === 'progress') {
                const done = Math.min(1, (ev.epoch - 1 + ev.batch / Math.max(1, ev.batches_per_epoch)) / ev.epochs);
                bar.value = done;
                const elapsed = (performance.now() - t0) / 1000;
                const eta = done > 0 && done < 1 ? `, about ${seconds((elapsed / done) * (1 - done))} left` : '';
                $('train-text').textContent = `epoch ${ev.epoch} / ${ev.epochs}, batch ${ev.batch} / ${ev.batches_per_epoch}, ` +
                    `loss ${ev.loss.toFixed(4)}, accuracy ${ev.acc.toFixed(3)}${eta}`;
                t.update(`training: epoch ${ev.epoch} / ${ev.epochs}`);
            }
        },
    });
    training = job;
    render_models();
    $('train-button').disabled = true;
    $('stop-button').disabled = false;
    $('train-text').textContent = `preparing ${examples.length} examples…`;
    const r = await job.done;
    training = null;
    render_models();
    $('stop-button').disabled = true;
    update_train_data();
    if (!r.ok) {
        $('train-text').textContent = `Training failed: ${r.error}`;
        t.end();
        return;
    }
    if (r.epochs_done === 0) {
        $('train-text').textContent = 'Stopped before the first epoch finished: nothing to save.';
        t.end();
        return;
    }
    const ev = r.evaluation;
    const when = new Date();
    const epochs_done = JSON.parse(r.json).training.epochs_done; // counting any epochs before a resume
    await checkpoints;
    let name;
    try {
        const record = {
            name: wanted, json: r.json, bin: r.bin, state: r.state, created: when.toISOString(), source: 'trained',
            summary: { architecture: `${config.arch}: ${describe_arch(JSON.parse(r.json))}`,
                epochs_done, split: config.split,
                test_accuracy: ev.n ? ev.accuracy : null, test_n: ev.n || 0, train_n: examples.length - (ev.n || 0) },
        };
        // A resumed run replaces the model it continued (one transaction); a new one gets a free name.
        name = resume_rec && resume_rec.source !== 'checkpoint' ? (await store.put_model(record), wanted)
            : await store.save_model(record);
    } catch (err) {
        name = null;
        $('train-text').textContent = `Trained, but the model could not be saved in this browser: ${err.message || err}`;
    }
    if (name) {
        await store.delete_model(checkpoint).catch(() => {});
        $('train-text').textContent = `${r.stopped ? 'Stopped' : 'Finished'} after ${r.epochs_done} epoch(s)` +
            (resume_rec ? ` more (resumed at epoch ${epochs_done - r.epochs_done + 1})` : '') +
            (r.failure ? ` (${r.failure})` : '') +
            (ev.n ? `; test accuracy ${pct(ev.accuracy)} on ${ev.n} file(s)` : '; no test split') +
            `. Saved as “${name}”.`;
        bar.value = r.stopped ? bar.value : 1;
    }
    if (ev.n) {
        set_matrix('training', { matrix: ev.confusion, labels: ev.labels,
            caption: `Test split of the training run (${config.split}, ${ev.n} file(s)), model “${name || 'unsaved'}”; ` +
                `accuracy ${pct(ev.accuracy)}, macro F1 ${ev.macro_f1.toFixed(3)}.` }, true);
    }
    await refresh_models();
    t.end();
}
$('train-button').addEventListener('click', () => train());
$('stop-button').addEventListener('click', () => {
    if (!training) return;
    call('cancel', { target: training.id });
    $('stop-button').disabled = true;
    $('train-text').textContent += ' — stopping…';
});

// ---- the confusion matrix -----------------------------------------------------------------------
function set_matrix(key, m, show) {
    matrices[key] = m;
    if (show || shown_matrix === key || !shown_matrix) show_matrix(key);
}

function show_matrix(key) {
    shown_matrix = key;
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
$('cm-normalised').addEventListener('change', () => show_matrix(shown_matrix));
$('cm-png').addEventListener('click', () => $('cm-canvas').toBlob((b) => download(b, 'confusion-matrix.png'), 'image/png'));
$('cm-csv').addEventListener('click', () => {
    const m = matrices[shown_matrix];
    const norm = $('cm-normalised').checked;
    const lines = [['true \\ predicted', ...m.labels].join(',')];
    m.matrix.forEach((row, i) => {
        const total = row.reduce((a, b) => a + b, 0);
        lines.push([m.labels[i], ...row.map((v) => (norm ? (total ? (v / total).toFixed(4) : '') : v))].join(','));
    });
    download(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }), norm ? 'confusion-matrix-normalised.csv' : 'confusion-matrix.csv');
});

// ---- models -------------------------------------------------------------------------------------
/// Makes `record` ({name, json, bin, source}) the active model; predictions follow.
async function activate(record) {
    const t = task(`loading model ${record.name}…`);
    const r = await call('load_model', { json: record.json, bin: record.bin });
    t.end();
    if (!r.ok) return r.error;
    record.info = r.info;
    active = { ...record, labels: r.labels, info: r.info };
    $('model-name').textContent = record.name;
    $('active-model').textContent = record.name;
    $('model-info').textContent = `(${describe_arch(r.info)}, ${r.info.parameters.toLocaleString('en')} parameters` +
        (r.info.normalized ? ', normalised features' : '') + ')';
    $('model-download').disabled = false;
    idle_text = 'ready';
    refresh_status();
    render_models();
    const ready = items.filter((i) => i.status === 'ok');
    if (r.config_changed && ready.length) {
        // Features depend on the model's feature config: compute them again, then predict.
        for (const i of ready) { i.status = 'queued'; i.pred = null; i.probs = null; }
        enqueue(() => extract(ready));
    } else {
        for (const i of ready) { i.pred = null; i.probs = null; render_row(i); }
        await predict(ready);
    }
    return '';
}

/// A short description of a model's architecture: its layers with units or filters, e.g.
/// "lstm 256 → dense 6".
function describe_arch(info) {
    const layers = (info.architecture && info.architecture.layers) || [];
    const main = layers.filter((l) => l.units || l.filters).map((l) => `${l.type} ${l.units || l.filters}`);
    return main.length ? main.join(' → ') : 'model';
}

async function load_bundled() {
    let name;
    try {
        const r = await fetch('models/DEFAULT');
        if (!r.ok) return 'this build ships no default model';
        name = (await r.text()).trim();
        const [j, b] = await Promise.all([fetch(`models/${name}.json`), fetch(`models/${name}.bin`)]);
        if (!j.ok || !b.ok) return `the default model ${name} is missing from this build`;
        bundled = { name, json: await j.text(), bin: await b.arrayBuffer(), source: 'bundled' };
    } catch (err) {
        return `the default model could not be fetched (${err.message || err})`;
    }
    const error = await activate(bundled);
    return error ? `the default model ${name} did not load: ${error}` : '';
}

let saved = [];
async function refresh_models() {
    try {
        saved = await store.list_models();
    } catch (err) {
        saved = [];
        $('import-message').textContent = `The model store (IndexedDB) is unavailable: ${err.message || err}`;
    }
    render_models();
}

function render_models() {
    const body = $('model-list').tBodies[0];
    body.replaceChildren();
    const rows = [...(bundled ? [{ ...bundled, summary: null }] : []), ...saved];
    for (const rec of rows) {
        const is_active = active && active.name === rec.name && active.source === rec.source;
        const tr = el('tr', { 'data-model': rec.name, class: is_active ? 'selected' : '' });
        const s = rec.summary || {};
        tr.append(
            el('th', { scope: 'row', text: rec.name + (rec.source === 'bundled' ? ' (bundled)' : '') }),
            el('td', { text: s.architecture || (rec.info ? describe_arch(rec.info) : '–') }),
            el('td', { text: s.test_accuracy != null ? `${pct(s.test_accuracy)} (${s.test_n})` : '–' }),
            el('td', { class: 'saved', text: rec.created ? new Date(rec.created).toLocaleString() : '–' }),
        );
        const actions = el('div', { class: 'actions' });
        const use = el('button', { type: 'button', text: is_active ? 'active' : 'Use', disabled: is_active || !!training,
            'aria-label': `use model ${rec.name}` });
        use.addEventListener('click', async () => {
            const error = await activate(rec);
            $('import-message').textContent = error ? `Model ${rec.name} did not load: ${error}` : '';
        });
        const dl = el('button', { type: 'button', text: 'Download', 'aria-label': `download model ${rec.name}` });
        dl.addEventListener('click', () => download_model(rec));
        actions.append(use, dl);
        if (resumable(rec)) {
            const go_on = el('button', { type: 'button', text: 'Resume', disabled: !!training || !runtime,
                'aria-label': `resume training model ${rec.name}`, 'data-testid': 'resume-button' });
            go_on.addEventListener('click', () => train(rec));
            actions.append(go_on);
        }
        if (rec.source !== 'bundled') {
            const del = el('button', { type: 'button', text: 'Delete', class: 'danger', 'aria-label': `delete model ${rec.name}` });
            del.addEventListener('click', async () => {
                try {
                    await store.delete_model(rec.name);
                } catch (err) {
                    $('import-message').textContent = `Could not delete ${rec.name}: ${err.message || err}`;
                }
                await refresh_models();
            });
            actions.append(del);
        }
        tr.append(el('td', {}, actions));
        body.append(tr);
    }
    if (!rows.length) body.append(el('tr', {}, el('td', { colSpan: 5, text: 'No models yet: train one or import one.' })));
}

/// A saved run that stopped before its last epoch and kept its training state.
function resumable(rec) {
    if (!rec.state || rec.source === 'bundled') return false;
    try {
        const t = JSON.parse(rec.json).training || {};
        return !!t.config && Number.isInteger(t.epochs_done) && t.epochs_done < t.config.epochs;
    } catch {
        return false;
    }
}

const file_stem = (name) => name.replace(/[^A-Za-z0-9._ ()-]+/g, '_');
function download_model(rec) {
    download(new Blob([rec.json], { type: 'application/json' }), `${file_stem(rec.name)}.json`);
    download(new Blob([rec.bin], { type: 'application/octet-stream' }), `${file_stem(rec.name)}.bin`);
}
$('model-download').addEventListener('click', () => { if (active) download_model(active); });

$('model-import').addEventListener('change', async (e) => {
    const files = [...e.target.files];
    e.target.value = '';
    const msg = $('import-message');
    msg.className = 'message';
    const bad = (text) => { msg.textContent = `Import failed: ${text} Nothing was changed.`; msg.classList.add('bad'); };
    const json = files.filter((f) => /\.json$/i.test(f.name));
    const bin = files.filter((f) => /\.bin$/i.test(f.name));
    if (json.length !== 1 || bin.length !== 1 || files.length !== 2) {
        bad('choose the two files of one model together: NAME.json and NAME.bin.');
        return;
    }
    if (json[0].size > 16 * 1024 * 1024) { bad(`${json[0].name} is larger than 16 MB: not a model description.`); return; }
    const t = task(`checking model ${json[0].name}…`);
    try {
        const record = { name: json[0].name.replace(/\.json$/i, ''), json: await json[0].text(), bin: await bin[0].arrayBuffer() };
        const r = await call('check_model', { json: record.json, bin: record.bin });
        if (!r.ok) { bad(`${json[0].name} + ${bin[0].name}: ${r.error}.`); return; }
        const info = r.info;
        const training_info = info.training || {};
        const name = await store.save_model({ ...record, created: new Date().toISOString(), source: 'imported',
            summary: { architecture: describe_arch(info), test_accuracy: training_info.test_accuracy ?? null,
                test_n: training_info.test_n ?? 0 } });
        await refresh_models();
        msg.textContent = `Imported “${name}” (${info.parameters.toLocaleString('en')} parameters). Use it from the list below.`;
    } catch (err) {
        bad(`${err.message || err}.`);
    } finally {
        t.end();
    }
});

// ---- service worker, runtime, start -------------------------------------------------------------
function show_offline_state(sw_ready) {
    const parts = [];
    if (!navigator.onLine) parts.push('offline: running from the cache');
    else if (sw_ready) parts.push('works offline (app, wasm and models cached)');
    $('offline').textContent = parts.join('');
}
let sw_ready = false;
window.addEventListener('online', () => show_offline_state(sw_ready));
window.addEventListener('offline', () => show_offline_state(sw_ready));

async function register_service_worker() {
    if (!('serviceWorker' in navigator)) {
        $('offline').textContent = 'no offline use (service workers unavailable here)';
        return;
    }
    try {
        await navigator.serviceWorker.register('sw.js');
        const registration = await navigator.serviceWorker.ready;
        // A new version of the site is cached again as a whole (see sw.js).
        if (navigator.onLine && registration.active) registration.active.postMessage('update');
        sw_ready = true;
        show_offline_state(true);
        // The worker adds the isolation headers; this page was loaded before it could.
        if (!self.crossOriginIsolated && (navigator.hardwareConcurrency || 1) > 1) $('reload-threads').hidden = false;
    } catch (err) {
        $('offline').textContent = `no offline use: ${err.message || err}`;
    }
}
$('reload-threads').addEventListener('click', () => location.reload());

let booted_resolve;
const booted = new Promise((resolve) => { booted_resolve = resolve; });

async function boot() {
    register_service_worker();
    const t = task('loading the WebAssembly module…');
    const listed = refresh_models();
    const rt = await call('runtime');
    if (!rt.ok) {
        t.end();
        fail(`the WebAssembly module did not load: ${rt.error}`);
        booted_resolve();
        return;
    }
    runtime = rt;
    $('runtime').textContent = `runtime: wasm ${rt.threaded ? 'threaded' : 'single-threaded'}, threads ${rt.threads}` +
        (rt.simd ? ', simd' : '');
    t.update('loading the default model…');
    const error = await load_bundled();
    if (error) idle_text = `ready (no model yet: ${error}; import or train one)`;
    await listed;
    t.end();
    booted_resolve();
    update_train_data();
}

draw_history();
update_train_data();
render_models();
boot();

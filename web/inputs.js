// The inputs panel: WAV files and whole folders (picked or dropped), the bundled examples, and
// the feature extraction of everything added (progress, an estimate of the time left, Cancel).
// A file that fails gets an error naming it and the reason; the others go on.
//
// An item (one input file or recording, in state.items): {id, name, rel (path inside a picked
// folder), blob, label ('' unknown), actor (-1 unknown), channel ('speech' | 'song' | ''),
// source ('file' | 'example' | 'recording'), status ('queued' | 'ok' | 'error'), facts (the WAV's
// sample rate, channels...; long: longer than the model's window), probs, pred, model_labels, row,
// timeline (the worker's timeline of a long file, or null)}.
import { $, el, seconds, task, failed, message_of } from './ui.js';
import { start, call } from './rpc.js';
import { state, on, emit, booted } from './state.js';
import { label_of } from './labels.js';
import { render_row, remove_row, select_first, render_timeline } from './predictions.js';

/// At most this many files are in the list at once (each keeps its 32 KB of features in the worker;
/// RAVDESS song is 1012 files, song and speech together 2452).
export const MAX_FILES = 5000;
let next_item = 1;
const is_wav_name = (name) => /\.wav$/i.test(name);

/// Adds files to the list and computes their features. entries: [{file: Blob with a name, rel:
/// path inside a folder or '', from_folder}]; folder entries that are not .wav are skipped (a
/// folder holds other files), files picked one by one are all tried. Returns the new items.
export function add_files(entries, source = 'file') {
    let skipped = 0, over = 0;
    const fresh = [];
    for (const { file, rel, from_folder } of entries) {
        if (from_folder && !is_wav_name(file.name)) { skipped++; continue; }
        if (state.items.length >= MAX_FILES) { over++; continue; }
        const { label, actor, channel } = label_of(file.name, rel || '');
        const item = { id: next_item++, name: file.name, rel: rel || '', blob: file, label, actor, channel, source,
            status: 'queued', facts: null, probs: null, pred: null, model_labels: [], row: null, timeline: null };
        state.items.push(item);
        fresh.push(item);
    }
    if (skipped) note_error(null, `${skipped} file(s) in the folder(s) are not .wav files and were skipped`);
    if (over) note_error(null, `${over} file(s) not added: the list holds at most ${MAX_FILES} files (clear it first)`);
    if (fresh.length) enqueue(() => extract(fresh));
    return fresh;
}

/// A line in the error list: about `item` (a file) or, with item null, about the inputs in general.
export function note_error(item, message) {
    const li = el('li', { text: item ? `${item.name}: ${message}` : message });
    if (item) {
        li.setAttribute('data-testid', 'file-error');
        li.setAttribute('data-file', item.name);
    }
    $('errors').append(li);
}

// Extraction jobs run one after the other (one progress bar).
let queue = Promise.resolve();
const enqueue = (job) => { queue = queue.then(job, job); return queue; };
let extracting = null; // the running extraction request {id, done}

async function extract(list) {
    if (!state.runtime) await booted;
    if (failed()) return;
    list = list.filter((i) => state.items.includes(i));
    if (!list.length) return;
    const bar = $('extract-progress');
    const text = $('extract-text');
    $('extract-line').hidden = false;
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
            if (!item || !state.items.includes(item)) return;
            if (ev.ok) {
                ok++;
                item.status = 'ok';
                item.facts = ev;
                render_row(item);
                select_first(item);
            } else {
                item.status = 'error';
                remove_row(item);
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
        for (const i of cancelled) state.items.splice(state.items.indexOf(i), 1);
        if (r.ok) text.textContent += `; ${cancelled.length} cancelled`;
    }
    t.end();
    emit('items');
    emit('features', list.filter((i) => i.status === 'ok'));
}

/// Asks the worker for `op` and notes a failure in the error list (for requests nobody waits on).
async function call_noted(op, payload, what) {
    const r = await call(op, payload);
    if (!r.ok) note_error(null, `${what}: ${r.error}`);
}

function clear_list() {
    if (extracting) call_noted('cancel', { target: extracting.id }, 'cancelling the extraction failed');
    call_noted('forget', { item_ids: state.items.map((i) => i.id) }, 'forgetting the files’ features failed');
    state.items.length = 0;
    $('errors').replaceChildren();
    emit('cleared');
}

// ---- the bundled examples -----------------------------------------------------------------------
/// Adds the bundled RAVDESS examples (web/examples/, listed in examples.json) to the list.
async function add_examples() {
    const button = $('examples-button');
    button.disabled = true;
    try {
        const r = await fetch('examples/examples.json');
        if (!r.ok) throw new Error(`examples/examples.json: HTTP ${r.status}`);
        const list = (await r.json()).files;
        const files = await Promise.all(list.map(async (name) => {
            const f = await fetch(`examples/${name}`);
            if (!f.ok) throw new Error(`examples/${name}: HTTP ${f.status}`);
            return new File([await f.blob()], name, { type: 'audio/wav' });
        }));
        add_files(files.map((file) => ({ file, rel: '' })), 'example');
    } catch (err) {
        note_error(null, `the examples could not be loaded: ${message_of(err)}`);
    } finally {
        button.disabled = false;
    }
}

// ---- pickers, drag and drop ---------------------------------------------------------------------
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

$('file-input').addEventListener('change', (e) => {
    add_files([...e.target.files].map((file) => ({ file, rel: '' })));
    e.target.value = '';
});
$('folder-input').addEventListener('change', (e) => {
    const files = [...e.target.files].sort((a, b) => a.webkitRelativePath.localeCompare(b.webkitRelativePath));
    add_files(files.map((file) => ({ file, rel: file.webkitRelativePath, from_folder: true })));
    e.target.value = '';
});
$('examples-button').addEventListener('click', add_examples);
$('clear-button').addEventListener('click', clear_list);
$('extract-cancel').addEventListener('click', () => {
    if (extracting) call_noted('cancel', { target: extracting.id }, 'cancelling the extraction failed');
});
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
        note_error(null, `the dropped files could not be read: ${message_of(err)}`);
    }
});

// Another model with another feature configuration: every file's features again, then predictions.
on('model', ({ config_changed }) => {
    const ready = state.items.filter((i) => i.status === 'ok');
    if (!config_changed || !ready.length) return;
    for (const i of ready) { i.status = 'queued'; i.pred = null; i.probs = null; i.timeline = null; render_row(i); render_timeline(i); }
    enqueue(() => extract(ready));
});

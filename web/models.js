// The models panel: the bundled default, trained and imported models kept in IndexedDB (listed,
// usable, resumable, deletable, downloadable as the CLI's NAME.json + NAME.bin) and the import
// of a model's two files (a corrupt one gets a clear error and changes nothing).
import { $, el, pct, task, set_idle, download, message_of } from './ui.js';
import { call } from './rpc.js';
import { state, on, emit } from './state.js';
import * as db from './store.js';

let bundled = null; // the bundled default model's record, if the build has one
let saved = [];     // the records in IndexedDB
let unsaved = [];   // records IndexedDB refused (full, unavailable): usable until the page closes

/// A short description of a model's architecture: its layers with units or filters, e.g.
/// "lstm 256 → dense 6".
export function describe_arch(info) {
    const layers = (info.architecture && info.architecture.layers) || [];
    const main = layers.filter((l) => l.units || l.filters).map((l) => `${l.type} ${l.units || l.filters}`);
    return main.length ? main.join(' → ') : 'model';
}

/// Makes `record` ({name, json, bin, source}) the active model; returns '' or the error.
export async function activate(record) {
    const t = task(`loading model ${record.name}…`);
    const r = await call('load_model', { json: record.json, bin: record.bin });
    t.end();
    if (!r.ok) return r.error;
    record.info = r.info;
    state.active = { ...record, labels: r.labels, info: r.info };
    $('model-name').textContent = record.name;
    $('active-model').textContent = record.name;
    $('model-info').textContent = `(${describe_arch(r.info)}, ${r.info.parameters.toLocaleString('en')} parameters, ` +
        `${r.labels.length} labels: ${r.labels.join(', ')}` + (r.info.normalized ? '; normalised features' : '') + ')';
    $('model-download').disabled = false;
    set_idle('ready');
    render_models();
    emit('model', { config_changed: r.config_changed });
    return '';
}

/// Fetches and activates the build's default model (models/DEFAULT); returns '' or the problem.
export async function load_bundled() {
    let name;
    try {
        const r = await fetch('models/DEFAULT');
        if (!r.ok) return 'this build ships no default model';
        name = (await r.text()).trim();
        const [j, b] = await Promise.all([fetch(`models/${name}.json`), fetch(`models/${name}.bin`)]);
        if (!j.ok || !b.ok) return `the default model ${name} is missing from this build`;
        bundled = { name, json: await j.text(), bin: await b.arrayBuffer(), source: 'bundled' };
    } catch (err) {
        return `the default model could not be fetched (${message_of(err)})`;
    }
    const error = await activate(bundled);
    return error ? `the default model ${name} did not load: ${error}` : '';
}

/// Saves `record` in IndexedDB under a free name (db.save_model), or with `save` (e.g. db.put_model).
/// When the store refuses it (no IndexedDB, storage full), the record stays in memory: listed as
/// "not saved", usable and downloadable until the page closes; the saved models are untouched (one
/// transaction per write). Resolves to {name, error: '' or the store's problem}.
export async function keep_model(record, save = db.save_model) {
    try {
        return { name: await save(record), error: '' };
    } catch (err) {
        const taken = new Set([...saved, ...unsaved].map((r) => r.name));
        let name = record.name;
        for (let k = 2; taken.has(name); k++) name = `${record.name} (${k})`;
        unsaved.push({ ...record, name, memory_only: true });
        render_models();
        return { name, error: message_of(err) };
    }
}

/// Reads the saved models again and redraws the list.
export async function refresh_models() {
    try {
        saved = await db.list_models();
    } catch (err) {
        saved = [];
        $('import-message').textContent = `Models cannot be saved in this browser: ${message_of(err)}. Trained and ` +
            'imported models stay usable until this page closes: download them to keep them.';
    }
    render_models();
}

function render_models() {
    const body = $('model-list').tBodies[0];
    body.replaceChildren();
    const rows = [...(bundled ? [{ ...bundled, summary: null }] : []), ...saved, ...unsaved];
    for (const rec of rows) {
        const active = state.active;
        const is_active = active && active.name === rec.name && active.source === rec.source;
        const tr = el('tr', { 'data-model': rec.name, class: is_active ? 'selected' : '' });
        const s = rec.summary || {};
        tr.append(
            el('th', { scope: 'row', text: rec.name + (rec.source === 'bundled' ? ' (bundled)' : '') }),
            el('td', { text: s.architecture || (rec.info ? describe_arch(rec.info) : '–') }),
            el('td', { text: s.test_accuracy != null ? `${pct(s.test_accuracy)} (${s.test_n})` : '–' }),
            el('td', { class: 'saved', text: rec.memory_only ? 'not saved (this page only)'
                : rec.created ? new Date(rec.created).toLocaleString() : '–' }),
        );
        tr.append(el('td', {}, actions_of(rec, is_active)));
        body.append(tr);
    }
    if (!rows.length) body.append(el('tr', {}, el('td', { colSpan: 5, text: 'No models yet: train one or import one.' })));
}

function actions_of(rec, is_active) {
    const actions = el('div', { class: 'actions' });
    const use = el('button', { type: 'button', text: is_active ? 'active' : 'Use', disabled: is_active || !!state.training,
        'aria-label': is_active ? `model ${rec.name} is active` : `use model ${rec.name}` });
    use.addEventListener('click', async () => {
        const error = await activate(rec);
        $('import-message').textContent = error ? `Model ${rec.name} did not load: ${error}` : '';
    });
    const dl = el('button', { type: 'button', text: 'Download', 'aria-label': `download model ${rec.name}` });
    dl.addEventListener('click', () => download_model(rec));
    actions.append(use, dl);
    if (resumable(rec)) {
        const go_on = el('button', { type: 'button', text: 'Resume', disabled: !!state.training || !state.runtime,
            'aria-label': `resume training model ${rec.name}`, 'data-testid': 'resume-button' });
        go_on.addEventListener('click', () => emit('resume', rec));
        actions.append(go_on);
    }
    if (rec.source !== 'bundled') {
        const del = el('button', { type: 'button', text: 'Delete', class: 'danger', 'aria-label': `delete model ${rec.name}` });
        del.addEventListener('click', async () => {
            if (rec.memory_only) {
                unsaved = unsaved.filter((r) => r !== rec);
                render_models();
                return;
            }
            try {
                await db.delete_model(rec.name);
            } catch (err) {
                $('import-message').textContent = `Could not delete ${rec.name}: ${message_of(err)}`;
            }
            await refresh_models();
        });
        actions.append(del);
    }
    return actions;
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
$('model-download').addEventListener('click', () => { if (state.active) download_model(state.active); });

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
        const { name, error } = await keep_model({ ...record, created: new Date().toISOString(), source: 'imported',
            summary: { architecture: describe_arch(info), test_accuracy: training_info.test_accuracy ?? null,
                test_n: training_info.test_n ?? 0 } });
        await refresh_models();
        const what = `“${name}” (${info.parameters.toLocaleString('en')} parameters, labels ${info.labels.join(', ')})`;
        if (error) {
            msg.textContent = `Imported ${what}, but it could not be saved in this browser: ${error}. ` +
                'It is usable from the list below until this page closes; the saved models are unchanged.';
            msg.classList.add('bad');
        } else {
            msg.textContent = `Imported ${what}. Use it from the list below.`;
        }
    } catch (err) {
        bad(`${message_of(err)}.`);
    } finally {
        t.end();
    }
});

on('training', render_models);
render_models();

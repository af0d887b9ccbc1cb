// The training panel: the form (two recipes: the default model's and the paper's), the labelled files it would train on,
// live loss and accuracy curves, the epoch table, Stop, and a checkpoint in IndexedDB after every
// epoch. The label list is the core's choice (from the examples' labels and channels), not the
// page's: the answer to the start says which labels, how many files train and test, and what
// was skipped.
import { $, el, pct, seconds, task, failed, message_of } from './ui.js';
import { start, call } from './rpc.js';
import { state, on, emit, model_labels } from './state.js';
import { sort_labels } from './labels.js';
import { draw_curves, TRAIN_COLOUR, VAL_COLOUR } from './plots.js';
import { set_matrix } from './confusion.js';
import * as db from './store.js';
import { refresh_models, describe_arch, keep_model } from './models.js';

let history = []; // the finished epochs of the run shown

/// Files that can train: features ready and a true label.
const labelled_items = () => state.items.filter((i) => i.status === 'ok' && i.label);

/// The line above the form: how many labelled files per label (the active model's labels, then
/// any others), actors and channels; enables Train.
export function update_train_data() {
    const l = labelled_items();
    const labels = sort_labels([...model_labels(), ...l.map((i) => i.label)]);
    const count = (f) => l.filter(f).length;
    const actors = [...new Set(l.map((i) => i.actor).filter((a) => a > 0))].sort((a, b) => a - b);
    const channels = ['speech', 'song'].map((c) => [c, count((i) => i.channel === c)]).filter(([, n]) => n);
    $('train-data').textContent = l.length
        ? `Labelled files: ${l.length} (${labels.map((e) => `${e} ${count((i) => i.label === e)}`).join(', ')})` +
          (actors.length ? `; actors ${actors.join(', ')}` : '') +
          (channels.length ? `; ${channels.map(([c, n]) => `${c} ${n}`).join(', ')}` : '') + '.'
        : 'Labelled files: none yet. Add RAVDESS files, a folder of sub-folders named after their labels, or labelled recordings.';
    $('train-button').disabled = !state.runtime || failed() || !!state.training || l.length < 2;
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

/// The recipes the form offers. `features` changes the active model's feature config for the
/// run (the worker then computes features from each clip's audio); the paper's are librosa's
/// defaults (absolute dB, the full band).
const RECIPES = {
    robust: { arch: 'conv1d', epochs: 50, batch: 32, lr: 0.001, dropout: 0.25, normalize: true,
        augment: 'shift:24,time:2x20,coef:2x4',
        wave_augment: 'copies:2,noise:0.6,room:0.4,gain:0.5,band:0.5,tilt:0.3,speed:0.3,pitch:0.3',
        features: { ref: 'max', fmax: 8000, amin: 1e-20 } },
    paper: { arch: 'paper-lstm', epochs: 50, batch: 32, lr: 0.001, dropout: 0.25, normalize: false,
        augment: 'none', wave_augment: 'none', features: { ref: 1.0, fmax: 0, amin: 1e-10 } },
};
let recipe_features = RECIPES.robust.features;

/// Fills the form with a recipe's settings (the split, channels and seed stay).
function apply_recipe(name) {
    const r = RECIPES[name];
    if (!r) return;
    $('arch').value = r.arch;
    for (const k of ['epochs', 'batch', 'lr', 'dropout']) $(k).value = r[k];
    $('normalize').checked = r.normalize;
    $('augment').value = r.augment;
    $('wave-augment').value = r.wave_augment;
    recipe_features = r.features;
}
$('recipe').addEventListener('change', () => apply_recipe($('recipe').value));
for (const id of ['arch', 'epochs', 'batch', 'lr', 'dropout', 'normalize', 'augment', 'wave-augment'])
    $(id).addEventListener('change', () => { $('recipe').value = 'custom'; });

/// The form as a Trainer config (feature_config: the worker takes the active model's, changed
/// by `features`).
function read_config() {
    const num = (id, lo, hi, integer) => {
        const v = Number($(id).value);
        if ($(id).value.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v)))
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
        channels: $('channels').value,
        normalize: $('normalize').checked,
        augment: $('augment').value,
        wave_augment: $('wave-augment').value,
        features: recipe_features,
    };
}

/// Puts a run's settings (a checkpoint's training.config) back into the form.
function write_config(c) {
    if ([...$('arch').options].some((o) => o.value === c.arch)) $('arch').value = c.arch;
    for (const k of ['epochs', 'batch', 'lr', 'dropout', 'seed']) if (c[k] != null) $(k).value = c[k];
    $('normalize').checked = !!c.normalize;
    if (['both', 'speech', 'song'].includes(c.channels)) $('channels').value = c.channels;
    // A spec the select does not offer (a run's own) is added as an option.
    const choose_spec = (id, spec) => {
        const v = typeof spec === 'string' && spec ? spec : 'none';
        if (![...$(id).options].some((o) => o.value === v)) $(id).append(el('option', { value: v, text: v }));
        $(id).value = v;
    };
    choose_spec('augment', c.augment);
    choose_spec('wave-augment', c.wave_augment);
    if (c.feature_config) recipe_features = { ref: c.feature_config.ref ?? 1.0, fmax: c.feature_config.fmax ?? 0, amin: c.feature_config.amin ?? 1e-10 };
    $('recipe').value = 'custom';
    if (/^actors:/.test(c.split || '')) {
        $('split').value = 'actors';
        $('actors').value = c.split.slice('actors:'.length);
    } else if (c.split) {
        $('split').value = c.split;
    }
    $('actors').disabled = $('split').value !== 'actors';
}

function add_epoch_row(ev) {
    const fmt = (v, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '–');
    const tr = el('tr', { 'data-testid': 'epoch-row', 'data-epoch': ev.epoch, 'data-loss': ev.loss,
        'data-acc': ev.acc, 'data-val-loss': ev.val_loss ?? '', 'data-val-acc': ev.val_acc ?? '' });
    tr.append(el('td', { text: ev.epoch }), el('td', { text: fmt(ev.loss) }), el('td', { text: fmt(ev.acc, 3) }),
        el('td', { text: fmt(ev.val_loss) }), el('td', { text: fmt(ev.val_acc, 3) }),
        el('td', { text: ev.seconds < 1 ? `${Math.round(ev.seconds * 1000)} ms` : `${ev.seconds.toFixed(1)} s` }));
    $('epochs-table').tBodies[0].append(tr);
}

/// Trains a new model from the form, or (resume_rec: a saved record with a training state)
/// continues that model's run at its next epoch with its own settings, on the files now loaded.
export async function train(resume_rec = null) {
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
        $('train-text').textContent = message_of(err);
        return;
    }
    // In name order, so that a split (and a resumed run) does not depend on the order files were added.
    const key = (i) => `${i.rel}\u0000${i.name}`;
    const examples = labelled_items().slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id))
        .map((i) => ({ item_id: i.id, name: i.name, label: i.label, actor: i.actor, channel: i.channel }));
    history = [];
    $('epochs-table').tBodies[0].replaceChildren();
    draw_history();
    const bar = $('train-progress');
    bar.value = 0;
    const t = task(`training on ${examples.length} files…`);
    const t0 = performance.now();
    // Every finished epoch is kept in IndexedDB under "<name> (checkpoint)", replaced in one
    // transaction each epoch: a closed tab or a crash keeps the last good epoch, which can be
    // used or downloaded like any model. The checkpoint goes once the final model is saved.
    const started = new Date();
    const wanted = resume_rec ? resume_rec.name.replace(/ \(checkpoint\)$/, '') : ($('model-name-input').value.trim() ||
        `${config.arch}-${started.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`);
    const checkpoint = `${wanted} (checkpoint)`;
    let checkpoints = Promise.resolve();
    let run = null; // the start's answer: {labels, train_n, test_n, skipped, split}
    const job = start('train', { config, examples, resume }, {
        on_event: (ev) => {
            if (ev.event === 'started') {
                run = ev;
                $('train-labels').textContent = `Labels (from the data): ${ev.labels.join(', ')}. ` +
                    `${ev.train_n} file(s) train, ${ev.test_n} test.` + (ev.skipped.length ? ` Skipped: ${ev.skipped.join('; ')}.` : '');
            } else if (ev.event === 'preparing') {
                $('train-text').textContent = `computing features and audio copies: ${ev.done} / ${ev.total} files`;
            } else if (ev.event === 'checkpoint') {
                checkpoints = checkpoints.then(() => db.put_model({
                    name: checkpoint, json: ev.json, bin: ev.bin, state: ev.state, created: started.toISOString(), source: 'checkpoint',
                    summary: { architecture: `${config.arch}: ${describe_arch(JSON.parse(ev.json))}`, epochs_done: ev.epoch,
                        split: config.split, test_accuracy: null, test_n: 0, train_n: run ? run.train_n : examples.length },
                })).then(refresh_models).catch((err) => {
                    $('train-text').textContent = `The checkpoint of epoch ${ev.epoch} could not be saved: ${message_of(err)}`;
                });
            } else if (ev.event === 'epoch') {
                history.push(ev);
                add_epoch_row(ev);
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
    state.training = job;
    emit('training');
    $('train-button').disabled = true;
    $('stop-button').disabled = false;
    $('train-labels').textContent = '';
    $('train-text').textContent = `preparing ${examples.length} examples…`;
    const r = await job.done;
    state.training = null;
    emit('training');
    $('stop-button').disabled = true;
    update_train_data();
    try {
        await finish(r, { config, wanted, checkpoint, checkpoints, resume_rec, run, examples });
    } finally {
        t.end();
    }
}

// Saves a finished or stopped run and shows its test split's confusion matrix.
async function finish(r, { config, wanted, checkpoint, checkpoints, resume_rec, run, examples }) {
    if (!r.ok) {
        $('train-text').textContent = `Training failed: ${r.error}`;
        return;
    }
    if (r.epochs_done === 0) {
        $('train-text').textContent = 'Stopped before the first epoch finished: nothing to save.';
        return;
    }
    const ev = r.evaluation;
    const when = new Date();
    let epochs_done = r.epochs_done;
    try {
        epochs_done = JSON.parse(r.json).training.epochs_done; // counting any epochs before a resume
    } catch { /* a model without training metadata: count this run's epochs */ }
    await checkpoints;
    const record = {
        name: wanted, json: r.json, bin: r.bin, state: r.state, created: when.toISOString(), source: 'trained',
        summary: { architecture: `${config.arch}: ${describe_arch(JSON.parse(r.json))}`,
            epochs_done, split: config.split, channels: config.channels,
            test_accuracy: ev.n ? ev.accuracy : null, test_n: ev.n || 0, train_n: run ? run.train_n : examples.length - (ev.n || 0) },
    };
    // A resumed run replaces the model it continued (one transaction); a new one gets a free name.
    // A store that refuses it (full, unavailable) leaves it in memory, listed and usable.
    const { name, error } = await keep_model(record,
        resume_rec && resume_rec.source !== 'checkpoint' ? async (rec) => (await db.put_model(rec), rec.name) : db.save_model);
    if (!error) await db.delete_model(checkpoint).catch(() => {});
    $('train-text').textContent = `${r.stopped ? 'Stopped' : 'Finished'} after ${r.epochs_done} epoch(s)` +
        (resume_rec ? ` more (resumed at epoch ${epochs_done - r.epochs_done + 1})` : '') +
        (r.failure ? ` (${r.failure})` : '') +
        (ev.n ? `; test accuracy ${pct(ev.accuracy)} on ${ev.n} file(s)` : '; no test split') +
        (error ? `. Not saved in this browser (${error}): “${name}” is usable from the model list until this page closes.`
            : `. Saved as “${name}”.`);
    if (!r.stopped) $('train-progress').value = 1;
    if (ev.n) {
        const channels = Object.entries(ev.by_channel || {}).filter(([, c]) => c && c.n)
            .map(([k, c]) => `${k} ${pct(c.accuracy)} (${c.n})`);
        set_matrix('training', { matrix: ev.confusion, labels: ev.labels,
            caption: `Test split of the training run (${config.split}, ${ev.n} file(s)), model “${name}”; ` +
                `accuracy ${pct(ev.accuracy)}, macro F1 ${ev.macro_f1.toFixed(3)}` +
                (channels.length ? `; by channel: ${channels.join(', ')}` : '') + '.' }, true);
    }
    await refresh_models();
}

$('train-button').addEventListener('click', () => train());
$('stop-button').addEventListener('click', () => {
    if (!state.training) return;
    call('cancel', { target: state.training.id }).then((r) => {
        if (!r.ok) $('train-text').textContent += ` — Stop failed: ${r.error}`;
    });
    $('stop-button').disabled = true;
    $('train-text').textContent += ' — stopping…';
});
$('epochs').addEventListener('change', draw_history);
// The curves follow the panel's width (drawn again, not scaled).
let curves_width = 0;
new ResizeObserver(([entry]) => {
    const w = Math.round(entry.contentRect.width);
    if (w && w !== curves_width) { curves_width = w; draw_history(); }
}).observe(document.querySelector('#train .curves'));

on('items', update_train_data);
on('model', update_train_data);
on('training', update_train_data); // a personalisation is a training run too (personalise.js)
on('cleared', update_train_data);
on('resume', (rec) => train(rec));
draw_history();

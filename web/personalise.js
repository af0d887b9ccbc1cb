// Personalisation: fine-tunes a copy of the active model on the labelled clips in the list (a
// user's own voice: recordings or files), saves it like any other model and makes it active.
// With enough clips (MIN_PER_LABEL of every label, half of them held back, stratified) the
// held-back clips compare the adapted model with the original: both accuracies are shown.
// The core does the work (Trainer.adapt: core/train/session.h); the run is a training request
// (state.training), so Train, Resume and Use wait for it and Stop ends it.
import { $, pct, task, failed } from './ui.js';
import { start } from './rpc.js';
import { state, on, emit, model_labels } from './state.js';
import { sort_labels } from './labels.js';
import { keep_model, refresh_models, activate, describe_arch } from './models.js';

/// Per label, the clips needed to hold half of them back (2 to adapt on, 2 to test).
export const MIN_PER_LABEL = 4;
const TRAIN_FRACTION = 0.5;

/// The clips that can personalise the active model: features ready, a label the model knows.
function usable_items() {
    const known = new Set(model_labels());
    return state.items.filter((i) => i.status === 'ok' && i.label && known.has(i.label));
}

/// Counts per label, and whether every label present has MIN_PER_LABEL clips.
function plan(items) {
    const counts = new Map();
    for (const i of items) counts.set(i.label, (counts.get(i.label) || 0) + 1);
    const labels = sort_labels([...counts.keys()]);
    const enough = labels.length > 0 && labels.every((l) => counts.get(l) >= MIN_PER_LABEL);
    return { counts, labels, enough };
}

/// The line above the button and whether it is enabled.
export function update_personalise() {
    const items = usable_items();
    const { counts, labels, enough } = plan(items);
    const foreign = state.items.filter((i) => i.status === 'ok' && i.label && !model_labels().includes(i.label)).length;
    const text = !state.active ? 'No active model to personalise.'
        : !items.length ? `Label a few clips of one voice (recordings or files) with labels of model ${state.active.name} ` +
            `(${model_labels().join(', ')}), then fine-tune a copy of it on them.`
        : `${items.length} clip(s) to personalise model ${state.active.name} on (` +
            `${labels.map((l) => `${l} ${counts.get(l)}`).join(', ')}). ` +
            (enough ? `Half of each label's clips are held back to compare the new model with the original.`
                : `With ${MIN_PER_LABEL} or more clips of every label, half are held back to compare it with the original; ` +
                  'with fewer, all of them adapt it and there is no comparison.');
    $('personalise-data').textContent = text + (foreign ? ` ${foreign} labelled clip(s) carry a label this model does not know: not used.` : '');
    $('personalise-button').disabled = !state.runtime || failed() || !!state.training || !state.active || items.length < 2;
}

async function personalise() {
    const source = state.active;
    const items = usable_items();
    const { enough } = plan(items);
    if (!source || items.length < 2) return;
    // In name order, so that the held-back clips do not depend on the order files were added.
    const key = (i) => `${i.rel}\u0000${i.name}`;
    const examples = items.slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id))
        .map((i) => ({ item_id: i.id, name: i.name, label: i.label, actor: i.actor, channel: i.channel }));
    const config = enough ? { adapt: {}, split: 'paper', train_fraction: TRAIN_FRACTION, seed: 1 } : { adapt: {}, split: 'none', seed: 1 };
    const out = $('personalise-text');
    const result = $('personalise-result');
    result.textContent = '';
    for (const a of ['data-accuracy', 'data-original-accuracy', 'data-held-back', 'data-model']) result.removeAttribute(a);
    const t = task(`personalising model ${source.name} on ${examples.length} clip(s)…`);
    out.textContent = `preparing ${examples.length} clip(s)…`;
    let started = null;
    const job = start('train', { config, examples, adapt: true }, {
        on_event: (ev) => {
            if (ev.event === 'started') started = ev;
            else if (ev.event === 'progress') {
                out.textContent = `epoch ${ev.epoch} / ${ev.epochs}, loss ${ev.loss.toFixed(4)}, accuracy ${ev.acc.toFixed(3)}` +
                    (started ? ` (${started.train_n} clip(s) adapt, ${started.test_n} held back)` : '');
            }
        },
    });
    state.training = job;
    emit('training');
    $('stop-button').disabled = false;
    let r;
    try {
        r = await job.done;
    } finally {
        state.training = null;
        emit('training');
        $('stop-button').disabled = true;
        t.end();
    }
    if (!r.ok) { out.textContent = `Personalisation failed: ${r.error}`; return; }
    if (!r.epochs_done) { out.textContent = 'Stopped before the first epoch finished: nothing to save.'; return; }
    const ev = r.evaluation;
    // "NAME (personalised)", or "(2)", "(3)"... when taken; a personalised model's own copy is named
    // after the model it came from.
    const base = source.name.replace(/ \(personalised\)( \(\d+\))?$/, '');
    const record = {
        name: `${base} (personalised)`, json: r.json, bin: r.bin, created: new Date().toISOString(), source: 'personalised',
        summary: { architecture: describe_arch(JSON.parse(r.json)), epochs_done: r.epochs_done, split: config.split,
            test_accuracy: ev.n ? ev.accuracy : null, test_n: ev.n || 0, train_n: started ? started.train_n : examples.length,
            original_accuracy: ev.n ? ev.original_accuracy : null, adapted_from: source.name },
    };
    const { name, error } = await keep_model(record);
    await refresh_models();
    const load_error = await activate({ ...record, name, memory_only: !!error });
    out.textContent = `${r.stopped ? 'Stopped' : 'Finished'} after ${r.epochs_done} epoch(s) on ${started ? started.train_n : examples.length} clip(s)` +
        (error ? `. Not saved in this browser (${error}): “${name}” is usable from the model list until this page closes.`
            : `. Saved as “${name}”`) + (load_error ? `, but it did not load: ${load_error}.` : ', now the active model.');
    result.setAttribute('data-model', name);
    if (ev.n && Number.isFinite(ev.original_accuracy)) {
        result.setAttribute('data-accuracy', ev.accuracy);
        result.setAttribute('data-original-accuracy', ev.original_accuracy);
        result.setAttribute('data-held-back', ev.n);
        result.textContent = `On ${ev.n} held-back clip(s): personalised ${pct(ev.accuracy)}, original (${source.name}) ` +
            `${pct(ev.original_accuracy)}.`;
    } else {
        result.textContent = `No clips were held back (fewer than ${MIN_PER_LABEL} of some label), so there is no comparison ` +
            'with the original.';
    }
}

$('personalise-button').addEventListener('click', personalise);
on('items', update_personalise);
on('model', update_personalise);
on('cleared', update_personalise);
on('training', update_personalise);

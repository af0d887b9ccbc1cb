// Personalisation: adapts a copy of the active model to the labelled clips in the list (a user's
// own voice: recordings or files) and keeps it only when it does better than the original on clips
// it did not adapt on. The core does the work and the deciding (Personaliser:
// core/train/personalise.h, the same as `aer adapt`): the clips are cross-validated (each held
// back once while the others adapt a copy), and the adapted model, then adapted on all of them, is
// kept only when it classifies more held-back clips right than the original. A kept adapted model
// is saved like any other and made active; otherwise the original stays active and nothing is
// saved. The panel says which was kept and why (data-kept). The run is a training request
// (state.training), so Train, Resume and Use wait for it and Stop ends it (keeping the original).
import { $, task, failed } from './ui.js';
import { start } from './rpc.js';
import { state, on, emit, model_labels } from './state.js';
import { sort_labels } from './labels.js';
import { keep_model, refresh_models, activate, describe_arch } from './models.js';

/// The clips that can personalise the active model: features ready, a label the model knows.
function usable_items() {
    const known = new Set(model_labels());
    return state.items.filter((i) => i.status === 'ok' && i.label && known.has(i.label));
}

/// Counts per label.
function plan(items) {
    const counts = new Map();
    for (const i of items) counts.set(i.label, (counts.get(i.label) || 0) + 1);
    return { counts, labels: sort_labels([...counts.keys()]) };
}

/// The line above the button and whether it is enabled.
export function update_personalise() {
    const items = usable_items();
    const { counts, labels } = plan(items);
    const foreign = state.items.filter((i) => i.status === 'ok' && i.label && !model_labels().includes(i.label)).length;
    const text = !state.active ? 'No active model to personalise.'
        : !items.length ? `Label a few clips of one voice (recordings or files) with labels of model ${state.active.name} ` +
            `(${model_labels().join(', ')}), then fine-tune a copy of it on them.`
        : `${items.length} clip(s) to personalise model ${state.active.name} on (` +
            `${labels.map((l) => `${l} ${counts.get(l)}`).join(', ')}). ` +
            'Each clip is held back once while the others adapt a copy; the adapted model is kept only when it gets more ' +
            'of those clips right than the original (this needs 2 or more clips of at least 2 labels).';
    $('personalise-data').textContent = text + (foreign ? ` ${foreign} labelled clip(s) carry a label this model does not know: not used.` : '');
    $('personalise-button').disabled = !state.runtime || failed() || !!state.training || !state.active || items.length < 2;
}

async function personalise() {
    const source = state.active;
    const items = usable_items();
    if (!source || items.length < 2) return;
    // In name order, so that the folds do not depend on the order files were added.
    const key = (i) => `${i.rel}\u0000${i.name}`;
    const examples = items.slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id))
        .map((i) => ({ item_id: i.id, name: i.name, label: i.label, actor: i.actor, channel: i.channel }));
    const out = $('personalise-text');
    const result = $('personalise-result');
    result.textContent = '';
    for (const a of ['data-kept', 'data-adapted-accuracy', 'data-original-accuracy', 'data-held-back', 'data-model']) {
        result.removeAttribute(a);
    }
    const t = task(`personalising model ${source.name} on ${examples.length} clip(s)…`);
    out.textContent = `preparing ${examples.length} clip(s)…`;
    let started = null;
    const job = start('personalise', { config: { adapt: {}, seed: 1 }, examples }, {
        on_event: (ev) => {
            if (ev.event === 'started') started = ev;
            else if (ev.event === 'progress') {
                out.textContent = (ev.fold ? `checking on held-back clips: fold ${ev.fold} of ${ev.folds}`
                    : `adapting on all ${started ? started.clips : examples.length} clips`) +
                    `, epoch ${ev.epoch} / ${ev.epochs}` + (Number.isFinite(ev.loss) ? `, loss ${ev.loss.toFixed(4)}` : '');
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
    const d = r.decision;
    result.setAttribute('data-kept', d.kept);
    result.setAttribute('data-held-back', d.held_back_n);
    if (d.held_back_n) {
        result.setAttribute('data-adapted-accuracy', d.adapted_accuracy);
        result.setAttribute('data-original-accuracy', d.original_accuracy);
    }
    // The core's reason, as a sentence: "Kept the adapted model: …" or "Kept the original: …".
    const reason = `${d.reason.charAt(0).toUpperCase()}${d.reason.slice(1)}.`;
    if (d.kept !== 'adapted') {
        out.textContent = `${source.name} stays the active model; nothing was saved.`;
        result.textContent = reason;
        result.setAttribute('data-model', source.name);
        return;
    }
    // "NAME (personalised)", or "(2)", "(3)"... when taken; a personalised model's own copy is named
    // after the model it came from.
    const base = source.name.replace(/ \(personalised\)( \(\d+\))?$/, '');
    const record = {
        name: `${base} (personalised)`, json: r.json, bin: r.bin, created: new Date().toISOString(), source: 'personalised',
        summary: { architecture: describe_arch(JSON.parse(r.json)), split: `cross-validation, ${d.folds} folds`,
            test_accuracy: d.adapted_accuracy, test_n: d.held_back_n, train_n: d.adapt_n,
            original_accuracy: d.original_accuracy, adapted_from: source.name },
    };
    const { name, error } = await keep_model(record);
    await refresh_models();
    const load_error = await activate({ ...record, name, memory_only: !!error });
    out.textContent = (error ? `Not saved in this browser (${error}): “${name}” is usable from the model list until this page closes`
        : `Saved as “${name}”`) + (load_error ? `, but it did not load: ${load_error}.` : ', now the active model.');
    result.textContent = reason;
    result.setAttribute('data-model', name);
}

$('personalise-button').addEventListener('click', personalise);
on('items', update_personalise);
on('model', update_personalise);
on('cleared', update_personalise);
on('training', update_personalise);

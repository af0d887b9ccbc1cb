// The small store of what several panels share, and the events between panels. Every panel owns
// the rest of its state and its DOM.
//
// Events (emit(name, detail) -> every on(name) handler, in the order they were added):
// - 'items': files were added, removed or relabelled.
// - 'features' (items): these files' features are ready (or were recomputed): predict them.
// - 'model' ({config_changed}): another model is active; config_changed: every file's features
//   must be computed again (the model's feature configuration differs).
// - 'training': a training run started or ended (state.training).
// - 'resume' (record): the model list asks to resume this saved run.
// - 'cleared': the file list was emptied.

/// The shared state. items: the input files and recordings (inputs.js describes one);
/// active: the active model {name, source, json, bin, labels, info} or null; runtime: the
/// worker's runtime answer once the module loaded; training: the running training request or null.
export const state = { items: [], active: null, runtime: null, training: null };

const handlers = new Map();

/// Calls `fn(detail)` on every `emit(name, detail)`.
export function on(name, fn) {
    if (!handlers.has(name)) handlers.set(name, []);
    handlers.get(name).push(fn);
}

/// Tells every handler of `name`.
export function emit(name, detail) {
    for (const fn of handlers.get(name) || []) fn(detail);
}

let booted_resolve;
/// Resolves once the module and the default model were loaded (or failed to).
export const booted = new Promise((resolve) => { booted_resolve = resolve; });
/// Marks the start-up done.
export const set_booted = () => booted_resolve();

/// The labels the active model knows ([] without a model).
export const model_labels = () => (state.active ? state.active.labels : []);

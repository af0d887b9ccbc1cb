// The page's side of worker.js: requests {id, op, ...} and their answers {id, ok, ...} or
// {id, ok: false, error}; events {id, event, ...} of a running request go to its on_event.
import { fail } from './ui.js';

const worker = new Worker('worker.js');
let next_id = 1;
const pending = new Map(); // request id -> {resolve, on_event}
let on_worker_error = null;

worker.onmessage = (e) => {
    const d = e.data;
    if (d.event === 'worker-error') {
        if (on_worker_error) on_worker_error(d.error);
        return;
    }
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

/// Sends {op, ...payload}; returns {id, done: Promise<answer>}; on_event gets the request's events.
export function start(op, payload = {}, { on_event = null, transfer = [] } = {}) {
    const id = next_id++;
    const done = new Promise((resolve) => pending.set(id, { resolve, on_event }));
    worker.postMessage({ id, op, ...payload }, transfer);
    return { id, done };
}

/// Sends a request and resolves to its answer ({ok: true, ...} or {ok: false, error}).
export const call = (op, payload, options) => start(op, payload, options).done;

/// `handler(message)` gets failures that belong to no request (a rejection nobody awaited).
export function on_stray_error(handler) {
    on_worker_error = handler;
}

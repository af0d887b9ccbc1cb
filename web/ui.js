// Small DOM helpers shared by the panels, and the status line in the header (one line for every
// running task; a fatal error stays on it).

/// The element with this id.
export const $ = (id) => document.getElementById(id);

/// A new element: `props` sets class, text, data-/aria- attributes, role, scope, or properties.
export function el(tag, props = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'scope') e.setAttribute(k, v);
        else e[k] = v;
    }
    e.append(...children);
    return e;
}

/// 0.123 -> "12.3 %".
export const pct = (x) => `${(100 * x).toFixed(1)} %`;

/// A duration in seconds as "42 s" or "3 min 5 s".
export const seconds = (s) => (s < 60 ? `${Math.max(0, Math.round(s))} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

/// Starts a download of `blob` as `name`.
export function download(blob, name) {
    const a = el('a', { href: URL.createObjectURL(blob), download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

/// A message of an Error or anything thrown.
export const message_of = (err) => (err && err.message) || String(err);

// ---- the status line ----------------------------------------------------------------------------
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

/// Shows `text` while a task runs: returns {update(text), end()}.
export function task(text) {
    const token = next_task++;
    tasks.set(token, text);
    refresh_status();
    return {
        update: (t) => { tasks.set(token, t); refresh_status(); },
        end: () => { tasks.delete(token); refresh_status(); },
    };
}

/// What the status line says when nothing runs.
export function set_idle(text) {
    idle_text = text;
    refresh_status();
}

/// A failure that stops the page (no module, no worker): stays on the status line.
export function fail(message) {
    fatal = message;
    refresh_status();
}

/// Whether a fatal failure happened.
export const failed = () => fatal !== null;

// The live view: listens to the microphone (mic.js, with its input level) and shows, several
// times a second, the emotion of the newest window (the model's length, about 6 s) with the
// active model: the label (none while nobody speaks), its probabilities, a scrolling timeline of
// the last 30 s and the compute time of each update. The audio goes from the AudioWorklet to the
// worker (a Listener there keeps the stream's state: resampler, MFCC frames, voice gate) and is
// dropped: nothing is recorded or sent.
//
// Contract (tests): data-testid="live-button" toggles listening (aria-pressed); "live-label"
// carries data-label (the current emotion, '' without voice), data-probs (JSON label ->
// probability, {} without voice), data-updates (updates so far), data-ms (compute time of the
// last update) and data-seconds (audio heard so far), updated with every window.
import { $, el, pct, message_of } from './ui.js';
import { call } from './rpc.js';
import { state, on } from './state.js';
import { draw_timeline } from './plots.js';
import { open_mic } from './mic.js';

const UPDATE_MS = 250;  // at most 4 updates a second; at least 2 as long as one takes < 250 ms
const SPAN_S = 30;      // the scrolling timeline's width
const RECENT = 6;       // updates listed in words
let live = null; // {mic (mic.js), blocks, busy, timer, labels, history: [{t, probs}], times: [ms], updates}

/// Joins Float32Array blocks into one.
function joined(blocks) {
    const out = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
    let o = 0;
    for (const b of blocks) { out.set(b, o); o += b.length; }
    return out;
}

function set_button(on_air) {
    const b = $('live-button');
    b.setAttribute('aria-pressed', on_air ? 'true' : 'false');
    b.textContent = on_air ? '■ Stop live' : 'Live';
}

async function start_live() {
    const button = $('live-button');
    button.disabled = true;
    let mic = null;
    try {
        if (!state.active) throw new Error('no model is active: load or train one first');
        let L = null;
        const pending = []; // blocks heard before the worker answered live_start
        mic = await open_mic('live', (block) => {
            if (block === 'stopped') return;
            (L ? L.blocks : pending).push(block);
        });
        const r = await call('live_start', { rate: mic.ctx.sampleRate });
        if (!r.ok) throw new Error(r.error);
        L = { mic, blocks: pending, busy: false, timer: 0, labels: r.labels, history: [], times: [], updates: 0, window_s: r.window_s };
        live = L;
        L.timer = setInterval(() => update(L), UPDATE_MS);
        set_button(true);
        $('live-view').hidden = false;
        $('live-status').textContent = `listening at ${mic.ctx.sampleRate} Hz with model ${state.active.name}…`;
        show_label(null);
    } catch (err) {
        if (mic) mic.close();
        $('live-status').textContent = `live listening unavailable: ${message_of(err) || err.name}`;
    } finally {
        button.disabled = false;
    }
}

/// Stops listening; `why` (optional) says why on the status line.
function stop_live(why = '') {
    const L = live;
    if (!L) return;
    live = null;
    clearInterval(L.timer);
    L.mic.node.port.postMessage('stop');
    L.mic.close();
    set_button(false);
    call('live_stop').then((r) => { if (!r.ok) $('live-status').textContent += ` (stopping failed: ${r.error})`; });
    $('live-status').textContent = why || `stopped after ${L.updates} update(s).`;
}

/// Sends the audio heard since the last update to the worker and shows the newest window's
/// prediction. One request at a time: audio that arrives meanwhile waits for the next one.
async function update(L) {
    if (L.busy || !L.blocks.length || live !== L) return;
    const samples = joined(L.blocks);
    L.blocks = [];
    L.busy = true;
    const r = await call('live_push', { samples }, { transfer: [samples.buffer] });
    L.busy = false;
    if (live !== L) return;
    if (!r.ok) { stop_live(`live listening stopped: ${r.error}`); return; }
    if (r.labels.join('\n') !== L.labels.join('\n')) { L.labels = r.labels; L.history = []; }
    L.updates++;
    L.times.push(r.ms);
    if (L.times.length > 40) L.times.shift();
    L.history.push({ t: r.seconds, probs: r.probabilities ? L.labels.map((l) => Number(r.probabilities[l] ?? 0)) : null, label: r.label });
    while (L.history.length && L.history[0].t < r.seconds - SPAN_S - 1) L.history.shift();
    show_label(r);
    show_timeline(L);
    show_recent(L);
    const sorted = [...L.times].sort((a, b) => a - b);
    const median = sorted[(sorted.length - 1) >> 1];
    $('live-compute').textContent = `Compute per update (features + inference, in the worker): ${r.ms.toFixed(1)} ms ` +
        `(median of the last ${sorted.length}: ${median.toFixed(1)} ms); ${L.updates} updates, ` +
        `${r.seconds.toFixed(1)} s heard, ${r.voiced_s.toFixed(1)} s of voice in the window.`;
}

/// The current label and its probability bars; r null: nothing yet.
function show_label(r) {
    const out = $('live-label');
    const label = r && r.label ? r.label : '';
    out.setAttribute('data-label', label);
    // In the model's label order (the worker's objects come with their keys sorted).
    const order = live ? live.labels : [];
    out.setAttribute('data-probs', JSON.stringify(r && r.probabilities
        ? Object.fromEntries(order.map((l) => [l, Number(r.probabilities[l] ?? 0)])) : {}));
    out.setAttribute('data-updates', live ? live.updates : 0);
    if (r) {
        out.setAttribute('data-ms', r.ms.toFixed(2));
        out.setAttribute('data-seconds', r.seconds.toFixed(2));
    }
    out.textContent = label || (r ? 'no voice' : 'listening…');
    $('live-prob').textContent = label ? pct(r.probabilities[label]) : '';
    const bars = $('live-bars');
    bars.replaceChildren();
    if (!r || !r.probabilities) return;
    const list = el('ul', { class: 'hbars', 'aria-label': 'probabilities of the current window' });
    for (const l of live ? live.labels : Object.keys(r.probabilities)) {
        const p = Number(r.probabilities[l] ?? 0);
        const fill = el('span', { class: 'fill' });
        fill.style.width = `${Math.max(1, 100 * p)}%`;
        list.append(el('li', { class: l === label ? 'top' : '' }, el('span', { class: 'name', text: l }),
            el('span', { class: 'track' }, fill), el('span', { class: 'value', text: pct(p) })));
    }
    bars.append(list);
}

function show_timeline(L) {
    const now = L.history.length ? L.history[L.history.length - 1].t : 0;
    const from = Math.max(0, now - SPAN_S);
    const cells = L.history.map((h, k) => ({ t0: k ? L.history[k - 1].t : Math.max(0, h.t - UPDATE_MS / 1000), t1: h.t, probs: h.probs }));
    draw_timeline($('live-timeline'), cells, L.labels, { from, to: Math.max(from + SPAN_S, now) });
}

function show_recent(L) {
    const list = $('live-recent');
    list.replaceChildren();
    for (const h of L.history.slice(-RECENT).reverse()) {
        const p = h.probs ? Math.max(...h.probs) : 0;
        list.append(el('li', { text: `${h.t.toFixed(1)} s: ${h.label ? `${h.label} ${pct(p)}` : 'no voice'}` }));
    }
}

$('live-button').addEventListener('click', () => (live ? stop_live() : start_live()));
// Another model: the worker goes on listening with it (a new stream); the timeline starts again.
on('model', () => { if (live) { live.history = []; $('live-status').textContent = `listening with model ${state.active.name}…`; } });

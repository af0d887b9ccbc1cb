// The page's entry point: loads the panels (each an ES module that owns its DOM and state:
// inputs.js, live.js, predictions.js, training.js, confusion.js, models.js; what they share is in
// state.js), registers the service worker, starts the wasm module and loads the default model.
// All heavy work happens in worker.js; this thread only reads files, draws and updates the DOM.
import { $, task, fail, set_idle, message_of } from './ui.js';
import { call, on_stray_error } from './rpc.js';
import { state, set_booted } from './state.js';
import './inputs.js';
import './live.js';
import './predictions.js';
import { update_train_data } from './training.js';
import './confusion.js';
import { load_bundled, refresh_models } from './models.js';

// ---- service worker: offline use and cross-origin isolation -------------------------------------
let sw_ready = false;
function show_offline_state() {
    if (!navigator.onLine) $('offline').textContent = 'offline: running from the cache';
    else $('offline').textContent = sw_ready ? 'works offline (app, wasm, models and examples cached)' : '';
}
window.addEventListener('online', show_offline_state);
window.addEventListener('offline', show_offline_state);

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
        show_offline_state();
        // The worker adds the isolation headers; this page was loaded before it could.
        if (!self.crossOriginIsolated && (navigator.hardwareConcurrency || 1) > 1) $('reload-threads').hidden = false;
    } catch (err) {
        $('offline').textContent = `no offline use: ${message_of(err)}`;
    }
}
$('reload-threads').addEventListener('click', () => location.reload());

on_stray_error((message) => fail(`the worker failed outside any request: ${message}`));

async function boot() {
    register_service_worker();
    const t = task('loading the WebAssembly module…');
    const listed = refresh_models();
    const rt = await call('runtime');
    if (!rt.ok) {
        t.end();
        fail(`the WebAssembly module did not load: ${rt.error}`);
        set_booted();
        return;
    }
    state.runtime = rt;
    $('runtime').textContent = `runtime: wasm ${rt.threaded ? 'threaded' : 'single-threaded'}, threads ${rt.threads}` +
        (rt.simd ? ', simd' : '');
    t.update('loading the default model…');
    const error = await load_bundled();
    if (error) set_idle(`ready (no model yet: ${error}; import or train one)`);
    await listed;
    t.end();
    set_booted();
    update_train_data();
}

update_train_data();
boot();

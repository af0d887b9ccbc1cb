// The page's entry point: loads the panels (each an ES module that owns its DOM and state:
// inputs.js, live.js, listen.js, predictions.js, training.js, personalise.js, confusion.js,
// models.js; what they share is in state.js), registers the service worker, starts the wasm
// module and loads the default model.
// All heavy work happens in worker.js; this thread only reads files, draws and updates the DOM.
import { $, task, fail, set_idle, message_of } from './ui.js';
import { call, on_stray_error } from './rpc.js';
import { state, set_booted } from './state.js';
import './inputs.js';
import './live.js';
import './listen.js';
import './predictions.js';
import { update_train_data } from './training.js';
import { update_personalise } from './personalise.js';
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
    // A page the service worker served works offline already (and register() may fail offline).
    const had_controller = !!navigator.serviceWorker.controller;
    if (had_controller) {
        sw_ready = true;
        show_offline_state();
    }
    try {
        const registration = await navigator.serviceWorker.register('sw.js');
        watch_updates(registration, had_controller);
        await navigator.serviceWorker.ready;
        sw_ready = true;
        show_offline_state();
        // The worker adds the isolation headers; this page was loaded before it could.
        if (!self.crossOriginIsolated && (navigator.hardwareConcurrency || 1) > 1) $('reload-threads').hidden = false;
        if (navigator.onLine) registration.update().catch(() => {}); // is a new version deployed?
    } catch (err) {
        if (!had_controller) $('offline').textContent = `no offline use: ${message_of(err)}`;
    }
}

/// A new version of the site, once its service worker has cached all of it, waits until this
/// page's version is gone (sw.js); the page offers to switch now: the new worker takes over and
/// the page loads again, all of it from the new version.
function watch_updates(registration, had_controller) {
    const offer = () => {
        if (!registration.waiting || !had_controller) return;
        $('update-button').hidden = false;
        $('update-text').textContent = 'A new version of this site is ready.';
    };
    offer();
    registration.addEventListener('updatefound', () => {
        const installing = registration.installing;
        if (installing) installing.addEventListener('statechange', () => { if (installing.state === 'installed') offer(); });
    });
    $('update-button').addEventListener('click', () => {
        if (registration.waiting) registration.waiting.postMessage('activate');
    });
    navigator.serviceWorker.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'other-tabs') {
            $('update-text').textContent = `A new version of this site is ready: close the ${e.data.n} other tab(s) of it first, ` +
                'so that no tab runs a mix of two versions.';
        }
    });
    // Only a page that ran under an older worker reloads (not a first visit's page, whose worker
    // claims it at once: that page keeps its files).
    navigator.serviceWorker.addEventListener('controllerchange', () => { if (had_controller) location.reload(); });
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
        (rt.simd ? ', simd' : '') + (rt.backend ? `, backend ${rt.backend}` : '');
    t.update('loading the default model…');
    const error = await load_bundled();
    if (error) set_idle(`ready (no model yet: ${error}; import or train one)`);
    await listed;
    t.end();
    set_booted();
    update_train_data();
    update_personalise();
}

update_train_data();
update_personalise();
boot();

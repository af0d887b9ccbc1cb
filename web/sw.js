// The service worker: offline use and cross-origin isolation on static hosts.
//
// - Offline: at install it caches every file of the site (precache.json, written by scripts/build
//   web: the page, the scripts, both wasm builds and the models). Same-origin GETs then go to the
//   network first (so an online visit always gets the current files) and fall back to the cache
//   when the network fails; each successful answer refreshes the cache.
// - Threads: SharedArrayBuffer needs the page to be cross-origin isolated, i.e. served with
//   Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp. Hosts
//   that cannot set headers (GitHub Pages) do not send them, so this worker adds them (and
//   Cross-Origin-Resource-Policy: same-origin) to every same-origin answer it hands over. The page
//   that registered the worker is not isolated yet; the next load is. When the server already
//   sends them (scripts/serve), setting them again changes nothing.
// Requests to other origins are not touched (the app makes none).
'use strict';

const CACHE = 'aer-v1';

self.addEventListener('install', (event) => {
    event.waitUntil((async () => {
        const cache = await caches.open(CACHE);
        const list = await (await fetch('precache.json', { cache: 'no-store' })).json();
        // One by one, so a failure names the file; a missing file fails the install (retried on
        // the next visit) rather than leaving a cache that cannot work offline.
        for (const path of list) {
            const r = await fetch(path, { cache: 'no-store' });
            if (!r.ok) throw new Error(`precache: ${path}: HTTP ${r.status}`);
            await cache.put(key_of(new URL(path, self.registration.scope).href), r);
        }
        await self.skipWaiting();
    })());
});

self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
        for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
        await self.clients.claim();
    })());
});

/// A copy of `response` with the isolation headers added.
function isolated(response) {
    if (response.status === 0 || response.type === 'opaque') return response;
    const headers = new Headers(response.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/// The cache key of a request: the URL without query or fragment ('./' and 'index.html' are one).
function key_of(url) {
    const u = new URL(url);
    u.search = '';
    u.hash = '';
    if (u.pathname.endsWith('/')) u.pathname += 'index.html';
    return u.href;
}

async function answer(request) {
    const key = key_of(request.url);
    const cache = await caches.open(CACHE);
    try {
        const response = await fetch(request);
        if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
        return isolated(response);
    } catch (err) {
        const cached = await cache.match(key);
        if (cached) return isolated(cached);
        throw err;
    }
}

self.addEventListener('fetch', (event) => {
    const request = event.request;
    if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
    if (request.headers.has('range')) return; // partial content: leave it to the browser
    event.respondWith(answer(request));
});

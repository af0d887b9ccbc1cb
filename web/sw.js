// The service worker: offline use and cross-origin isolation on static hosts.
//
// - Offline: at install it caches every file of the site (precache.json, written by scripts/build
//   web: the page, the scripts, both wasm builds and the models, with a version hash). Same-origin
//   GETs then go to the network first (so an online visit always gets the current files) and fall
//   back to the cache when the network fails; each successful answer refreshes the cache. When the
//   page reports (message 'update') and precache.json has a new version, the whole list is cached
//   again, so the files used offline always belong to one version of the site.
// - Threads: SharedArrayBuffer needs the page to be cross-origin isolated, i.e. served with
//   Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp. Hosts
//   that cannot set headers (GitHub Pages) do not send them, so this worker adds them (and
//   Cross-Origin-Resource-Policy: same-origin) to every same-origin answer it hands over. The page
//   that registered the worker is not isolated yet; the next load is. When the server already
//   sends them (scripts/serve), setting them again changes nothing.
// Requests to other origins are not touched (the app makes none).
'use strict';

const CACHE = 'aer-v1';

const LIST_KEY = 'precache.json';

/// Caches every file of the current precache.json (one by one, so a failure names the file); a
/// missing file fails (the install is retried on the next visit) rather than leaving a cache that
/// cannot work offline. The list itself is stored last: it marks a complete copy.
async function precache() {
    const cache = await caches.open(CACHE);
    const r = await fetch(LIST_KEY, { cache: 'no-store' });
    if (!r.ok) throw new Error(`precache: ${LIST_KEY}: HTTP ${r.status}`);
    const text = await r.text();
    for (const path of JSON.parse(text).files) {
        const f = await fetch(path, { cache: 'no-store' });
        if (!f.ok) throw new Error(`precache: ${path}: HTTP ${f.status}`);
        await cache.put(key_of(new URL(path, self.registration.scope).href), f);
    }
    await cache.put(key_of(new URL(LIST_KEY, self.registration.scope).href), new Response(text));
}

/// Caches the site again if precache.json changed since the last complete copy.
async function update() {
    const cache = await caches.open(CACHE);
    const old = await cache.match(key_of(new URL(LIST_KEY, self.registration.scope).href));
    const r = await fetch(LIST_KEY, { cache: 'no-store' });
    if (!r.ok) return;
    const now = (await r.json()).version;
    if (!old || (await old.json()).version !== now) await precache();
}

self.addEventListener('install', (event) => {
    event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('message', (event) => {
    if (event.data === 'update') event.waitUntil(update().catch(() => {}));
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
        if (response.ok && response.type === 'basic' && !key.endsWith(`/${LIST_KEY}`)) await cache.put(key, response.clone());
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

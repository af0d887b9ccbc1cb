// The service worker: offline use, whole-version updates, and cross-origin isolation and the
// Content-Security-Policy on static hosts.
//
// - One version at a time. scripts/precache.mjs stamps the site's version (a hash of all its files)
//   into VERSION below, so every new version of the site is a new service worker. At install it
//   caches every file of precache.json in a cache of its own (aer-VERSION), checking each against
//   its SHA-256 in the list: a file of another version (a deploy during the install) fails the
//   install, which the browser tries again at a later visit. Requests for the listed files are then
//   answered from that cache only, online or not, so a page gets the page, scripts, wasm and models
//   of one version, never a mix.
// - Updates. While a page of the old version is open, the new worker waits (the old one keeps
//   answering with the old files); the page offers "Reload to update", which activates it when no
//   other tab of the site is open (message 'activate'; the answer {type: 'other-tabs', n} says how
//   many are). Activation deletes the caches of older versions; IndexedDB, with the saved models,
//   is never touched.
// - Threads: SharedArrayBuffer needs the page to be cross-origin isolated (COOP same-origin + COEP
//   require-corp). Hosts that cannot set headers (GitHub Pages) do not send them, so this worker
//   adds them (and CORP same-origin) to every same-origin answer, with the page's
//   Content-Security-Policy (POLICY, stamped from index.html's meta tag; for the workers, which a
//   meta tag does not reach). The page that registered the worker is not isolated yet; the next
//   load is. When the server sends them already (scripts/serve), setting them again changes nothing.
// Requests to other origins are not touched (the app makes none).
'use strict';

const VERSION = 'dev';
const POLICY = '';
const CACHE = `aer-${VERSION}`;
const LIST_KEY = 'precache.json';

const url_of = (path) => new URL(path, self.registration.scope).href;

async function sha256_hex(bytes) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/// Caches every file of this version (one by one, so a failure names the file); a missing file or
/// one whose hash is not this version's fails the install rather than leaving a cache that mixes
/// versions or cannot work offline. The list itself is stored last: it marks a complete copy.
async function precache() {
    const r = await fetch(LIST_KEY, { cache: 'no-store' });
    if (!r.ok) throw new Error(`precache: ${LIST_KEY}: HTTP ${r.status}`);
    const list = await r.json();
    if (list.version !== VERSION) throw new Error(`precache: the site is at version ${list.version}, this worker is ${VERSION}`);
    await caches.delete(CACHE); // a copy left half-done by a failed install
    const cache = await caches.open(CACHE);
    for (const path of list.files) {
        const f = await fetch(path, { cache: 'no-store' });
        if (!f.ok) throw new Error(`precache: ${path}: HTTP ${f.status}`);
        if ((await sha256_hex(await f.clone().arrayBuffer())) !== list.sha256[path]) {
            throw new Error(`precache: ${path} is not the file of version ${VERSION} (the site changed meanwhile)`);
        }
        await cache.put(key_of(url_of(path)), f);
    }
    await cache.put(key_of(url_of(LIST_KEY)), new Response(JSON.stringify(list)));
}

self.addEventListener('install', (event) => {
    // The first version starts at once; a later one waits for the old version's pages to go.
    event.waitUntil(precache().then(() => (self.registration.active ? undefined : self.skipWaiting())));
});

self.addEventListener('message', (event) => {
    if (event.data !== 'activate') return;
    event.waitUntil((async () => {
        // Every tab of the site (a waiting worker controls none of them yet).
        const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
        if (windows.length > 1) event.source.postMessage({ type: 'other-tabs', n: windows.length - 1 });
        else await self.skipWaiting();
    })());
});

self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
        for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
        await self.clients.claim();
    })());
});

/// A copy of `response` with the isolation headers and the policy added.
function isolated(response) {
    if (response.status === 0 || response.type === 'opaque') return response;
    const headers = new Headers(response.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    if (POLICY) headers.set('Content-Security-Policy', POLICY);
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

/// A file of this version from its cache; anything else (precache.json, sw.js) from the network.
async function answer(request) {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(key_of(request.url));
    return isolated(cached || await fetch(request));
}

self.addEventListener('fetch', (event) => {
    const request = event.request;
    if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
    if (request.headers.has('range')) return; // partial content: leave it to the browser
    event.respondWith(answer(request));
});

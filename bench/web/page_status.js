// Loaded first by index.html: a page script that does not load puts the page in state 'error',
// naming it (bench/run.mjs waits for a state). A listener, not inline handlers: the site's
// Content-Security-Policy (scripts/serve.mjs sends it for every file) allows no inline script.
'use strict';
window.addEventListener('error', (e) => {
    const el = e.target;
    if (!(el instanceof HTMLScriptElement)) return; // load errors do not bubble: caught while capturing
    const status = document.getElementById('status');
    status.dataset.state = 'error';
    status.textContent = `${el.src} did not load`;
}, true);

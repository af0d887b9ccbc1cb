// The Content-Security-Policy: one policy in index.html's meta tag, the server's header and the
// service worker; what it blocks in the page and in the worker is seen by the harness (which fails
// every other browser test on a violation).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repo, start_server, launch, wait_ready } from './harness.mjs';

const web = path.join(repo, 'build', 'web');
const meta_policy = () => /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/
    .exec(fs.readFileSync(path.join(web, 'index.html'), 'utf8'))[1];

test('the policy: strict, the same in the meta tag, the header and the service worker', async () => {
    const policy = meta_policy();
    const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
    assert.deepEqual(directives, {
        'default-src': "'none'", 'script-src': "'self' 'wasm-unsafe-eval'", 'worker-src': "'self'", 'connect-src': "'self'",
        'img-src': "'self'", 'style-src': "'self'", 'manifest-src': "'self'", 'media-src': "'self'",
        'object-src': "'none'", 'base-uri': "'none'", 'form-action': "'none'",
    });
    const sw = fs.readFileSync(path.join(web, 'sw.js'), 'utf8');
    assert.ok(sw.includes(`const POLICY = ${JSON.stringify(`${policy}; frame-ancestors 'none'`)};`), 'sw.js carries another policy');
    const server = await start_server();
    try {
        for (const file of ['', 'worker.js', 'wasm-mt/aer_web.js', 'wasm-st/aer_web.wasm']) {
            const r = await fetch(server.url + file);
            assert.equal(r.status, 200, file);
            assert.match(r.headers.get('content-security-policy'), new RegExp(`^${policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; frame-ancestors 'none'; report-uri `), file);
        }
        // No inline script, style or handler in the page (they would need 'unsafe-inline').
        const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
        assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    } finally {
        server.stop();
    }
});

test('a violation in the page or in its worker is seen: the harness would fail the test', async () => {
    const server = await start_server();
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        assert.deepEqual(b.violations, []);
        // The page: an inline script and an image from elsewhere are blocked, and reported.
        const ran = await b.page.evaluate(async () => {
            const s = document.createElement('script');
            s.textContent = 'window.__inline_ran = true;';
            document.body.append(s);
            const img = document.createElement('img');
            img.src = 'http://198.51.100.1/x.png';
            document.body.append(img);
            await new Promise((resolve) => setTimeout(resolve, 500));
            s.remove();
            img.remove();
            return window.__inline_ran === true;
        });
        assert.equal(ran, false);
        assert.ok(b.violations.some((v) => /script-src/.test(v)), b.violations.join('\n'));
        assert.ok(b.violations.some((v) => /img-src blocked http:\/\/198\.51\.100\.1\/x\.png/.test(v)), b.violations.join('\n'));
        // The worker: a request to another origin is blocked by the worker's own policy (the header).
        const worker = b.page.workers().find((w) => w.url().endsWith('/worker.js'));
        assert.ok(worker, 'no worker.js');
        const blocked = await worker.evaluate(() => fetch('http://198.51.100.1/x').then(() => false, () => true));
        assert.equal(blocked, true);
        const deadline = Date.now() + 10000;
        while (!server.violations.some((v) => /connect-src/.test(v)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.ok(server.violations.some((v) => /connect-src/.test(v) && /198\.51\.100\.1/.test(v)), server.violations.join('\n'));
        // ... and seen in the worker itself by the harness's listener.
        await b.page.waitForTimeout(200);
        while (!b.violations.some((v) => /^worker .*connect-src/.test(v)) && Date.now() < deadline) await b.page.waitForTimeout(100);
        assert.ok(b.violations.some((v) => /^worker .*worker\.js: CSP violation: connect-src blocked http:\/\/198\.51\.100\.1\/x/.test(v)),
            b.violations.join('\n'));
        await b.page.waitForTimeout(500); // the same line also reaches the page's console
    } finally {
        // This test made the violations on purpose: the harness's own check is what it tested.
        b.violations.length = 0;
        server.violations.length = 0;
        await b.close();
        server.stop();
    }
});

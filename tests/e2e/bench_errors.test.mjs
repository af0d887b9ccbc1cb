// The bench page's failures name themselves: a worker whose script does not arrive, a worker that
// throws, and a page script that does not load (the page then says 'error' instead of never
// saying 'ready'). Serves bench/web itself (no staging: the workers are not run).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repo, start_server, launch } from './harness.mjs';

/// A copy of bench/web with `change(dir)` applied, served under the site's Content-Security-Policy
/// (scripts/serve.mjs sends the policy of the root's index.html for every file, as it does for
/// build/web/bench); run(page) on its index page.
async function with_bench_page(change, run) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-bench-'));
    fs.cpSync(path.join(repo, 'bench', 'web'), root, { recursive: true });
    const csp = /<meta http-equiv="Content-Security-Policy"[^>]*>/.exec(fs.readFileSync(path.join(repo, 'web', 'index.html'), 'utf8'));
    assert.ok(csp, 'web/index.html has no Content-Security-Policy meta tag');
    const index = path.join(root, 'index.html');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('<head>', `<head>\n${csp[0]}`));
    change(root);
    const server = await start_server(['--root', root]);
    try {
        const b = await launch();
        try {
            await b.page.goto(server.url);
            await b.page.waitForSelector('#status:not([data-state="loading"])');
            await run(b.page);
        } finally {
            await b.close(); // fails on a Content-Security-Policy violation
        }
    } finally {
        server.stop();
        fs.rmSync(root, { recursive: true, force: true });
    }
}

const call_worker = (page, url) => page.evaluate(async (u) => {
    try {
        await window.aer_bench.open_worker(u).call('init', {});
        return 'answered';
    } catch (err) {
        return String(err.message);
    }
}, url);

test('a worker whose script is missing, or that throws, fails with a message naming it', async () => {
    await with_bench_page((root) => {
        fs.writeFileSync(path.join(root, 'worker_throws.js'), "throw new Error('no engine here');\n");
    }, async (page) => {
        assert.equal(await page.getAttribute('#status', 'data-state'), 'ready');
        const missing = await call_worker(page, 'worker_missing.js');
        assert.match(missing, /worker_missing\.js/);
        assert.match(missing, /did not load/);
        assert.doesNotMatch(missing, /undefined/);
        const throws = await call_worker(page, 'worker_throws.js');
        assert.match(throws, /worker_throws\.js: .*no engine here/);
    });
});

test('a page script that does not load puts the page in the error state, naming it', async () => {
    await with_bench_page((root) => fs.rmSync(path.join(root, 'common.js')), async (page) => {
        assert.equal(await page.getAttribute('#status', 'data-state'), 'error');
        assert.match(await page.textContent('#status'), /common\.js did not load/);
    });
});

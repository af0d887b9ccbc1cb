// Safe updates: a visitor with version 1 cached, after version 2 is deployed on the same origin,
// gets version 1 whole until they take the update, then version 2 whole (page, scripts, both wasm
// builds, models): never a mix; the models saved in IndexedDB survive.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repo, start_server, launch, wait_ready, tiny_model, import_model } from './harness.mjs';
import { write_precache } from '../../scripts/precache.mjs';

const sha = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/// Version 2 of the site in `dir` (a copy of version 1): JS, CSS, both wasm builds (a custom
/// section appended: still valid wasm), their glue and the default model's JSON change.
function make_version_2(dir) {
    const append = (file, text) => fs.appendFileSync(path.join(dir, file), text);
    for (const f of ['app.js', 'worker.js', 'models.js', 'wasm-mt/aer_web.js', 'wasm-st/aer_web.js']) append(f, '\n// version 2\n');
    append('style.css', '\n/* version 2 */\n');
    const section = Buffer.from([0x00, 0x0a, 0x09, ...Buffer.from('version-2')]); // custom section "version-2"
    for (const f of ['wasm-mt/aer_web.wasm', 'wasm-st/aer_web.wasm']) fs.appendFileSync(path.join(dir, f), section);
    const model = path.join(dir, 'models', `${fs.readFileSync(path.join(dir, 'models', 'DEFAULT'), 'utf8').trim()}.json`);
    fs.writeFileSync(model, JSON.stringify(JSON.parse(fs.readFileSync(model, 'utf8')), null, 1));
    return write_precache(dir);
}

/// {path: sha256} of the files a version lists.
const hashes_of = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'precache.json'), 'utf8')).sha256;

test('a new version replaces the old one as a whole, and the saved models survive', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-e2e-update-'));
    const v1 = path.join(tmp, 'v1'), v2 = path.join(tmp, 'v2'), site = path.join(tmp, 'site');
    // The deployed site: build/web without the benchmark pages scripts/bench stages in bench/
    // (not part of the site, not in its precache list).
    const built = path.join(repo, 'build', 'web');
    fs.cpSync(built, v1, { recursive: true, filter: (src) => src !== path.join(built, 'bench') });
    fs.cpSync(v1, v2, { recursive: true });
    const version_2 = make_version_2(v2);
    const version_1 = JSON.parse(fs.readFileSync(path.join(v1, 'precache.json'), 'utf8')).version;
    assert.notEqual(version_1, version_2);
    const h1 = hashes_of(v1), h2 = hashes_of(v2);
    const changed = Object.keys(h2).filter((f) => h1[f] !== h2[f]);
    assert.ok(changed.includes('wasm-st/aer_web.wasm') && changed.includes('app.js'), changed.join(' '));
    fs.symlinkSync(v1, site); // the server follows the link: switching it is a deploy
    const server = await start_server(['--root', site]);
    const b = await launch();
    const page = b.page;
    // Every response the page and its workers get for a file of the site, by path: {path: [sha256...]}.
    let seen = {};
    b.context.on('response', async (r) => {
        const rel = decodeURIComponent(new URL(r.url()).pathname).slice(1) || 'index.html';
        if (!(rel in h1) || r.request().serviceWorker()) return; // the page's and its workers' files, not the sw's caching
        try {
            (seen[rel] ||= []).push(sha(await r.body()));
        } catch { /* no body (a redirect, a closed page) */ }
    });
    /// The version every seen file belongs to; fails on a file of neither or on a mix.
    const seen_version = () => {
        const versions = new Set();
        for (const [rel, list] of Object.entries(seen)) {
            for (const h of list) {
                if (!changed.includes(rel)) continue;
                assert.ok(h === h1[rel] || h === h2[rel], `${rel}: a file of neither version`);
                versions.add(h === h1[rel] ? 1 : 2);
            }
        }
        assert.equal(versions.size, 1, `files of versions ${[...versions].join(' and ')}: ${JSON.stringify(seen)}`);
        return [...versions][0];
    };
    /// What the service worker hands this page for every changed file: its version (1 or 2), one for all.
    const served_version = async () => {
        const got = await page.evaluate(async (files) => {
            const out = {};
            for (const f of files) out[f] = [...new Uint8Array(await crypto.subtle.digest('SHA-256', await (await fetch(f)).arrayBuffer()))]
                .map((x) => x.toString(16).padStart(2, '0')).join('');
            return out;
        }, changed);
        const versions = new Set(changed.map((f) => (got[f] === h1[f] ? 1 : got[f] === h2[f] ? 2 : 0)));
        assert.equal(versions.size, 1, `the service worker serves a mix: ${JSON.stringify(got)}`);
        return [...versions][0];
    };
    try {
        await page.goto(server.url);
        await wait_ready(page);
        await page.waitForFunction(() => /works offline/.test(document.querySelector('#offline').textContent));
        assert.match(await import_model(page, 'kept', tiny_model(['a', 'b', 'c'])), /^Imported “kept”/);
        await page.reload(); // now under the service worker, from its cache
        await wait_ready(page);

        // Deploy version 2. The open page, and a reload of it, still get version 1 whole, while
        // version 2's worker caches it; then the page offers the update.
        fs.unlinkSync(site);
        fs.symlinkSync(v2, site);
        seen = {};
        await page.reload();
        await wait_ready(page);
        await page.waitForSelector('#update-button:not([hidden])', { timeout: 120000 });
        assert.equal(seen_version(), 1);
        assert.ok('wasm-mt/aer_web.wasm' in seen || 'wasm-st/aer_web.wasm' in seen, `the wasm was not seen: ${Object.keys(seen)}`);
        assert.equal(await served_version(), 1);
        assert.match(await page.textContent('#update-text'), /A new version of this site is ready/);

        // Another tab of the site is open (it gets version 1 too): the update waits for it.
        const other = await b.context.newPage();
        await other.goto(server.url);
        await wait_ready(other);
        assert.equal(seen_version(), 1);
        await page.click('#update-button');
        await page.waitForFunction(() => /close the 1 other tab\(s\) of it first/.test(document.querySelector('#update-text').textContent));
        assert.equal(await served_version(), 1);
        await other.close();

        // Take it: the page loads again, all of it from version 2.
        seen = {};
        await Promise.all([page.waitForEvent('load', { timeout: 60000 }), page.click('#update-button')]);
        await wait_ready(page);
        assert.equal(seen_version(), 2);
        assert.equal(await served_version(), 2);
        assert.deepEqual(await page.evaluate(() => caches.keys()), [`aer-${version_2}`]);
        assert.ok(await page.isHidden('#update-button'));
        // The saved model is still there and still loads.
        await page.getByRole('button', { name: 'use model kept', exact: true }).click();
        await page.waitForFunction(() => document.querySelector('#model-name').textContent === 'kept');
        assert.deepEqual(b.errors, []);
    } finally {
        await b.close();
        server.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});

// Shared pieces of the browser tests: a server on loopback and Debian's Chromium via playwright-core.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const shared = path.resolve(repo, '..', 'shared', 'data');
export const artifacts = path.join(repo, 'test-artifacts');
fs.mkdirSync(artifacts, { recursive: true });

/// Starts scripts/serve.mjs on a free port (the system's pick); resolves to {url, stop(), violations}.
/// The server asks the browser to report Content-Security-Policy violations (the page's and its
/// workers'); stop() throws when any came in, so every test that uses the server checks the CSP.
export async function start_server(extra = []) {
    const proc = spawn(process.execPath, [path.join(repo, 'scripts', 'serve.mjs'), '--port', '0', '--report-csp', ...extra],
        { stdio: ['ignore', 'pipe', 'inherit'] });
    const violations = [];
    const url = await new Promise((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d) => {
            out += d;
            const m = /serving .* on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
            if (m) resolve(m[1]);
            let nl;
            while ((nl = out.indexOf('\n')) >= 0) {
                const line = out.slice(0, nl);
                out = out.slice(nl + 1);
                if (line.startsWith('csp-violation: ')) violations.push(line.slice('csp-violation: '.length));
            }
        });
        proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    return {
        url, violations,
        stop: () => {
            proc.kill();
            if (violations.length) throw new Error(`Content-Security-Policy violations reported:\n${violations.join('\n')}`);
        },
    };
}

// Runs in every page before its scripts: a CSP violation becomes a console line the harness reads.
const report_violations = `(${(() => {
    const tell = (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}` +
        ` at ${e.sourceFile || '?'}:${e.lineNumber || 0} (${e.sample || ''})`);
    self.addEventListener('securitypolicyviolation', tell);
}).toString()})()`;

/// Launches headless Chromium with a fresh profile (or `profile`, a folder kept after close(), to
/// open the same browser again); extra_args for fake media etc. Every
/// securitypolicyviolation event in the page or its workers is collected (`violations`), and
/// close() throws when there was any: every browser test fails on a CSP violation.
export async function launch(extra_args = [], { profile = null } = {}) {
    const dir = profile || fs.mkdtempSync(path.join(os.tmpdir(), 'aer-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', ...extra_args],
    });
    const errors = [];
    const violations = [];
    const requests = []; // every URL the browser asked for (the page must stay on its own origin)
    context.on('request', (r) => requests.push(r.url()));
    await context.addInitScript(report_violations);
    const watch = (p) => {
        p.on('console', (m) => {
            if (m.type() !== 'error') return;
            if (m.text().startsWith('CSP violation: ')) violations.push(m.text());
            else errors.push(m.text());
        });
        p.on('pageerror', (e) => errors.push(String(e)));
        // Workers: listen as soon as they exist (a violation before that reaches the server's report).
        p.on('worker', (w) => {
            w.on('console', (m) => { if (m.text().startsWith('CSP violation: ')) violations.push(`worker ${w.url()}: ${m.text()}`); });
            w.evaluate(report_violations).catch(() => {});
        });
    };
    context.on('page', watch);
    let page = context.pages()[0];
    if (page) watch(page);
    else page = await context.newPage();
    return {
        context, page, errors, requests, violations,
        close: async () => {
            await context.close();
            if (!profile) fs.rmSync(dir, { recursive: true, force: true });
            if (violations.length) throw new Error(`Content-Security-Policy violations:\n${violations.join('\n')}`);
        },
    };
}

/// Serves the site, opens it in a fresh Chromium, waits for 'ready' and runs
/// body({page, b, server}); closes the browser and the server afterwards, even when body throws
/// (closing throws on a CSP violation, as launch() says).
export async function with_app(body) {
    const server = await start_server();
    const b = await launch();
    try {
        await b.page.goto(server.url);
        await wait_ready(b.page);
        return await body({ page: b.page, b, server });
    } finally {
        await b.close();
        server.stop();
    }
}

export async function wait_ready(page, timeout = 60000) {
    await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout });
}

// ---- data and page helpers of the app's tests ----------------------------------------------------

/// The RAVDESS song and speech WAVs prepared by scripts/prepare-data.
export const ravdess = path.join(repo, 'data', 'ravdess-song');
export const ravdess_speech = path.join(repo, 'data', 'ravdess-speech');
/// The 8 RAVDESS emotions in their canonical order; song has the first 6.
export const EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
export const SONG_EMOTIONS = EMOTIONS.slice(0, 6);

/// The true label written in a RAVDESS name (third field), independent of the page's parser.
export function ravdess_label(name) {
    return EMOTIONS[Number(path.basename(name).split('-')[2]) - 1];
}

/// `per_emotion` files of each emotion of `actor` (1-based), sorted by name: [absolute paths].
/// set: 'song' (6 emotions) or 'speech' (8).
export function ravdess_files(actor, per_emotion = 1, set = 'song') {
    const dir = path.join(set === 'speech' ? ravdess_speech : ravdess, `Actor_${String(actor).padStart(2, '0')}`);
    if (!fs.existsSync(dir)) throw new Error(`${dir} missing: run scripts/prepare-data`);
    const names = fs.readdirSync(dir).filter((n) => n.endsWith('.wav')).sort();
    const out = [];
    for (const e of set === 'speech' ? EMOTIONS : SONG_EMOTIONS) out.push(...names.filter((n) => ravdess_label(n) === e).slice(0, per_emotion));
    return out.map((n) => path.join(dir, n));
}

/// Reads a 16-bit PCM WAV (the prepared RAVDESS files): {rate, channels, samples: Int16Array}.
export function read_wav16(file) {
    const b = fs.readFileSync(file);
    let o = 12, rate = 0, channels = 0, bits = 0;
    while (o + 8 <= b.length) {
        const id = b.toString('ascii', o, o + 4), size = b.readUInt32LE(o + 4);
        if (id === 'fmt ') { channels = b.readUInt16LE(o + 10); rate = b.readUInt32LE(o + 12); bits = b.readUInt16LE(o + 22); }
        if (id === 'data') {
            if (bits !== 16) throw new Error(`${file}: ${bits}-bit, expected 16`);
            const data = b.subarray(o + 8, o + 8 + size);
            return { rate, channels, samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) };
        }
        o += 8 + size + (size & 1);
    }
    throw new Error(`${file}: no data chunk`);
}

/// A PCM WAV file's bytes: `frames` is an array of channels (arrays of floats in [-1, 1]).
export function make_wav(channels, rate, bits) {
    const n = channels[0].length, k = channels.length, bytes = bits / 8;
    const b = Buffer.alloc(44 + n * k * bytes);
    b.write('RIFF', 0, 'ascii'); b.writeUInt32LE(36 + n * k * bytes, 4); b.write('WAVE', 8, 'ascii');
    b.write('fmt ', 12, 'ascii'); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(k, 22);
    b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * k * bytes, 28); b.writeUInt16LE(k * bytes, 32); b.writeUInt16LE(bits, 34);
    b.write('data', 36, 'ascii'); b.writeUInt32LE(n * k * bytes, 40);
    const full = 2 ** (bits - 1);
    for (let i = 0; i < n; i++) {
        for (let c = 0; c < k; c++) {
            const v = Math.max(-full, Math.min(full - 1, Math.round(channels[c][i] * full)));
            b.writeIntLE(v, 44 + (i * k + c) * bytes, bytes);
        }
    }
    return b;
}

/// Waits until `n` result rows carry a prediction, then for the page to be idle.
export async function wait_predictions(page, n, timeout = 120000) {
    await page.waitForFunction((k) => document.querySelectorAll('[data-testid="result-row"][data-pred]').length >= k,
        n, { timeout });
    await wait_ready(page, timeout);
}

/// The result rows as objects {file, pred, true, probs}.
export async function result_rows(page) {
    return page.$$eval('[data-testid="result-row"]', (rows) => rows.map((r) => ({
        file: r.dataset.file, pred: r.dataset.pred, true: r.dataset.true,
        probs: r.dataset.probs ? JSON.parse(r.dataset.probs) : null, text: r.textContent,
    })));
}

/// The shipped default model's name in build/web (models/DEFAULT).
export function default_model() {
    const f = path.join(repo, 'build', 'web', 'models', 'DEFAULT');
    if (!fs.existsSync(f)) throw new Error(`${f} missing: the build ships no default model (models/DEFAULT)`);
    return fs.readFileSync(f, 'utf8').trim();
}

/// The labels of the shipped default model (from its model file): 6, 8, whatever it knows.
export function default_labels() {
    const f = path.join(repo, 'build', 'web', 'models', `${default_model()}.json`);
    return JSON.parse(fs.readFileSync(f, 'utf8')).labels;
}

/// The bundled examples (web/examples/examples.json): [file names].
export function example_files() {
    return JSON.parse(fs.readFileSync(path.join(repo, 'web', 'examples', 'examples.json'), 'utf8')).files;
}

/// Serious and critical axe-core violations on the page as it is now: [{id, impact, help, nodes}].
/// axe runs in the page (injected from node_modules; the page itself never loads it).
export async function axe_violations(page) {
    const source = fs.readFileSync(path.join(repo, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(source);
    const result = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + n.failureSummary) }));
    });
    return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/// Model files {json, bin} (Buffers) of models/tiny with `labels` as its classes: the LSTM's
/// weights kept, the last dense layer resized to one unit per label (zero weights).
export function tiny_model(labels) {
    const model = JSON.parse(fs.readFileSync(path.join(repo, 'models', 'tiny.json'), 'utf8'));
    const dense_at = model.weights.find((w) => w.name === 'dense_1/kernel').offset;
    const lstm = fs.readFileSync(path.join(repo, 'models', 'tiny.bin')).subarray(0, dense_at);
    const n = labels.length;
    model.labels = labels;
    model.architecture.layers[1].units = n;
    model.weights = model.weights.map((w) => (w.name === 'dense_1/kernel' ? { ...w, shape: [8, n] }
        : w.name === 'dense_1/bias' ? { ...w, offset: dense_at + 4 * 8 * n, shape: [n] } : w));
    return { json: Buffer.from(JSON.stringify(model)), bin: Buffer.concat([lstm, Buffer.alloc(4 * 9 * n)]) };
}

/// Imports model files ({json, bin}: Buffers) as NAME.json + NAME.bin through the page's import
/// input; resolves to the import message.
export async function import_model(page, name, { json, bin }) {
    await page.evaluate(() => { document.querySelector('#import-message').textContent = ''; });
    await page.setInputFiles('[data-testid="model-import"]', [
        { name: `${name}.json`, mimeType: 'application/json', buffer: json },
        { name: `${name}.bin`, mimeType: 'application/octet-stream', buffer: bin },
    ]);
    await page.waitForFunction(() => document.querySelector('#import-message').textContent !== '');
    await wait_ready(page);
    return page.textContent('#import-message');
}

/// The native CLI, when built (scripts/build native), for cross-checks against the browser.
export const native_cli = path.join(repo, 'build', 'native', 'aer');

export async function screenshot(page, name) {
    await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

// scripts/bench: this project against what users would otherwise pick, in one run.
// Browser (headless Chromium via playwright-core, page cross-origin isolated, every engine in a
// Web Worker): MFCC per clip against Essentia.js and Meyda, inference and training of the
// paper-lstm and of the default model's architecture (conv1d, 8 classes; tasks default_*)
// against TensorFlow.js (wasm SIMD+threads, webgl on the browser's GL, cpu; whether the browser
// offers WebGPU is recorded). Native: `aer bench-nn` (simd and xnnpack backends, both models)
// against PyTorch (paper-lstm) on the CPU with the same thread count.
// Writes bench/results/latest.json and latest.md (smoke runs: smoke.json, smoke.md) and prints
// the table. Environment:
//   AER_BENCH_REPS   timed repetitions per figure (default 5; each after one warm-up run)
//   AER_BENCH_CLIPS  RAVDESS clips for the MFCC tasks (default 10)
//   AER_BENCH_SMOKE  1: a quick check that everything runs (2 reps, 3 clips, 64 training
//                    examples); figures are not comparable with a full run
//   AER_BENCH_ONLY   comma-separated filter on "where/task/engine" (e.g. "browser/mfcc", "native")
//   AER_BENCH_THREADS  threads for the threaded engines (default: the machine's cores)
//   AER_BENCH_OUT    directory for the results (default bench/results)
//   AER_BENCH_SLOW_BUDGET_S  time budget of a TF.js cpu-backend figure's repetitions (default 30)
//   AER_BENCH_ALL    1: also TF.js cpu's training epoch (one repetition: 1.5 minutes here) and
//                    TF.js wasm forced onto every CPU (tfjs-wasm-allcores); a run then takes longer
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const smoke = env.AER_BENCH_SMOKE === '1';
const reps = Number(env.AER_BENCH_REPS || (smoke ? 2 : 5));
const n_clips = Number(env.AER_BENCH_CLIPS || (smoke ? 3 : 10));
const threads = Number(env.AER_BENCH_THREADS || os.cpus().length);
const only = (env.AER_BENCH_ONLY || '').split(',').filter(Boolean);
const data_dir = path.join(repo, 'data', 'ravdess-song');
const web = path.join(repo, 'build', 'web');
const site = path.join(web, 'bench');
const results_dir = env.AER_BENCH_OUT ? path.resolve(env.AER_BENCH_OUT) : path.join(repo, 'bench', 'results');
const out_name = smoke ? 'smoke' : 'latest';

// The task parameters every engine gets (the paper-lstm: 32 steps x 256 features, 6 classes).
const params = { reps, warmup: 1, reps_b1: 4 * reps, min_time_ms: smoke ? 0 : 2000, clips: n_clips, threads, n_train: smoke ? 64 : 607, batch: 32,
    lr: 0.001, steps: 32, features: 256, classes: 6 };

const ours_browser = ['aer-wasm-mt', 'aer-wasm-st'];
const browser_tasks = {
    mfcc_clip: ['essentia.js', 'webaudio+essentia.js', 'webaudio+meyda'],
    mfcc_only: ['essentia.js', 'meyda'],
    infer_b1: ['tfjs-wasm', 'tfjs-webgl', 'tfjs-cpu'],
    infer_b405: ['tfjs-wasm', 'tfjs-webgl', 'tfjs-cpu'],
    train_epoch: ['tfjs-wasm', 'tfjs-webgl', 'tfjs-cpu'],
    // The same three on the shipped default model's architecture (models/DEFAULT: conv1d, 8 classes).
    default_infer_b1: ['tfjs-wasm', 'tfjs-webgl', 'tfjs-cpu'],
    default_infer_b405: ['tfjs-wasm', 'tfjs-webgl', 'tfjs-cpu'],
    // TF.js 4.22's wasm backend cannot train a Conv1D: it has no Conv2DBackpropFilter kernel
    // ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'").
    default_train_epoch: ['tfjs-webgl', 'tfjs-cpu'],
    classify_clip: [],     // ours only: the shipped default model on one clip, as the page runs it
    classify_features: [],
    live_update: [],       // ours only: one live update (push 0.25 s of 48 kHz audio + latest window), as the page's worker runs it
};
// Engines whose repetitions stop at a time budget: TF.js's cpu backend, and its webgl backend on
// the software GL (SwiftShader) that headless Chromium has here.
const slow_engines = ['tfjs-cpu', 'tfjs-webgl'];
const default_params = { arch: 'conv1d', classes: 8 }; // steps x features stay 32 x 256 (the MFCC)
const slow_budget_s = Number(env.AER_BENCH_SLOW_BUDGET_S || 30);
if (env.AER_BENCH_ALL === '1') for (const t of ['infer_b1', 'infer_b405', 'train_epoch']) browser_tasks[t].push('tfjs-wasm-allcores');
const is_train = (task) => task.endsWith('train_epoch');
const wanted = (key) => only.length === 0 || only.some((f) => key.includes(f));
const log = (s) => process.stdout.write(s + '\n');

// ---- staging: the bench page, the peers' files (from node_modules, never a CDN), the clips ----
function stage() {
    if (!fs.existsSync(path.join(web, 'wasm-mt', 'aer_web.js')) || !fs.existsSync(path.join(web, 'wasm-st', 'aer_web.js')))
        throw new Error('build/web is missing the wasm builds: run scripts/build all');
    fs.rmSync(site, { recursive: true, force: true });
    fs.mkdirSync(path.join(site, 'vendor'), { recursive: true });
    fs.mkdirSync(path.join(site, 'clips'), { recursive: true });
    for (const f of fs.readdirSync(path.join(repo, 'bench', 'web'))) fs.copyFileSync(path.join(repo, 'bench', 'web', f), path.join(site, f));
    const nm = path.join(repo, 'node_modules');
    const vendor = [
        '@tensorflow/tfjs/dist/tf.min.js',
        '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
        '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
        '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
        '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
        'essentia.js/dist/essentia-wasm.umd.js',
        'essentia.js/dist/essentia.js-core.js',
        'meyda/dist/web/meyda.min.js',
    ];
    for (const f of vendor) {
        const src = path.join(nm, f);
        if (!fs.existsSync(src)) throw new Error(`${src} missing: run scripts/setup (npm ci)`);
        fs.copyFileSync(src, path.join(site, 'vendor', path.basename(f)));
    }
    // The first n_clips WAVs (sorted), plus each one's 22050 Hz mono samples from our native
    // loader (librosa.load's equivalent), the common input of every "MFCC alone" figure.
    const wavs = [];
    if (fs.existsSync(data_dir)) {
        for (const actor of fs.readdirSync(data_dir).sort()) {
            const d = path.join(data_dir, actor);
            if (!fs.statSync(d).isDirectory()) continue;
            for (const f of fs.readdirSync(d).sort()) if (f.endsWith('.wav')) wavs.push(path.join(d, f));
        }
    }
    if (wavs.length === 0) throw new Error(`no WAV files under ${data_dir}: run scripts/prepare-data`);
    const names = [];
    for (const src of wavs.slice(0, n_clips)) {
        const name = path.basename(src, '.wav');
        fs.copyFileSync(src, path.join(site, 'clips', name + '.wav'));
        execFileSync(path.join(repo, 'build', 'native', 'aer'), ['load', src, '--out', path.join(site, 'clips', name + '.f32')],
            { stdio: ['ignore', 'ignore', 'inherit'] });
        names.push(name);
    }
    fs.writeFileSync(path.join(site, 'clips', 'clips.json'), JSON.stringify(names));
    return names.length;
}

// ---- browser ----
async function start_server() {
    for (let attempt = 0; attempt < 5; ++attempt) {
        const port = 19000 + Math.floor(Math.random() * 2000);
        // The server's stderr goes to ours (it was a pipe nobody read: a crash left no trace).
        const proc = spawn(process.execPath, [path.join(repo, 'scripts', 'serve.mjs'), '--port', String(port), '--root', web],
            { stdio: ['ignore', 'pipe', 'inherit'] });
        const ok = await new Promise((resolve) => {
            proc.stdout.on('data', (d) => { if (String(d).includes('serving')) resolve(true); });
            proc.on('exit', () => resolve(false));
        });
        if (ok) {
            let stopping = false;
            proc.on('exit', (code, signal) => {
                if (!stopping) log(`  the bench server exited (${signal || `code ${code}`}): every later request fails`);
            });
            return { url: `http://127.0.0.1:${port}/bench/`, stop: () => { stopping = true; proc.kill(); } };
        }
    }
    throw new Error('could not start scripts/serve.mjs');
}

function with_timeout(promise, ms, what) {
    let timer;
    return Promise.race([promise, new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: timed out after ${Math.round(ms / 1000)} s`)), ms);
    })]).finally(() => clearTimeout(timer));
}

async function run_browser(jobs, figures, errors) {
    if (jobs.length === 0) return {};
    const server = await start_server();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aer-bench-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
        executablePath: env.AER_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--disable-renderer-backgrounding',
            '--disable-background-timer-throttling'],
    });
    const browser_info = { chromium: context.browser() ? context.browser().version() : null };
    // What went wrong on the way, logged as it happens and named in a failure: requests that
    // failed or were refused (a worker whose script did not arrive gets an error with no message).
    const failed_requests = [];
    const request_failed = (what) => { failed_requests.push(what); log(`  ${what}`); };
    context.on('requestfailed', (r) => request_failed(`request failed: ${r.url()}: ${r.failure() ? r.failure().errorText : '?'}`));
    context.on('response', (r) => { if (r.status() >= 400) request_failed(`HTTP ${r.status()}: ${r.url()}`); });
    try {
        let page = null;
        const open_page = async () => {
            if (page) await page.close().catch(() => {});
            page = await context.newPage();
            page.on('pageerror', (e) => log(`  page error: ${e}`));
            page.on('console', (m) => { if (m.type() === 'error') log(`  console error: ${m.text()}`); });
            page.on('crash', () => log('  the page crashed'));
            const before = failed_requests.length;
            await page.goto(server.url);
            // The page says 'ready' when its scripts ran, 'error' when one did not load (index.html);
            // the time limit only ends a page that never says either.
            await page.waitForSelector('#status:not([data-state="loading"])', { timeout: 5 * 60 * 1000 });
            if ((await page.getAttribute('#status', 'data-state')) !== 'ready') {
                throw new Error(`the bench page did not start: ${await page.textContent('#status')}` +
                    (failed_requests.length > before ? ` (${failed_requests.slice(before).join('; ')})` : ''));
            }
            const isolated = await page.evaluate(() => self.crossOriginIsolated);
            if (!isolated) throw new Error('the bench page is not cross-origin isolated (COOP/COEP missing)');
            browser_info.user_agent = await page.evaluate(() => navigator.userAgent);
            browser_info.hardware_concurrency = await page.evaluate(() => navigator.hardwareConcurrency);
            // WebGPU: measured where offered; recorded either way.
            browser_info.webgpu = await page.evaluate(async () => {
                if (!self.navigator.gpu) return 'not offered (navigator.gpu absent)';
                try {
                    return (await navigator.gpu.requestAdapter()) ? 'adapter available' : 'not offered (no adapter)';
                } catch (e) {
                    return `not offered (${e.message})`;
                }
            });
        };
        await open_page();
        for (const job of jobs) {
            const t0 = Date.now(), failed_before = failed_requests.length;
            process.stdout.write(`  browser ${job.task.padEnd(11)} ${job.engine.padEnd(21)} `);
            try {
                const r = await with_timeout(page.evaluate((j) => window.aer_bench.run_job(j), job),
                    job.timeout_ms, `${job.engine} ${job.task}`);
                figures.push({ where: 'browser', task: job.task, engine: job.engine, ...r });
                log(`${fmt(r.result.median)} ms (min ${fmt(r.result.min)}, max ${fmt(r.result.max)}, n ${r.result.n})` +
                    `  [${((Date.now() - t0) / 1000).toFixed(0)} s]`);
            } catch (err) {
                const failed = failed_requests.slice(failed_before);
                errors.push({ where: 'browser', task: job.task, engine: job.engine,
                    error: String(err.message || err) + (failed.length ? ` (${failed.join('; ')})` : '') });
                log(`FAILED: ${String(err.message || err).split('\n')[0]}`);
                await open_page(); // a fresh page ends any worker still running
            }
        }
    } finally {
        await context.close();
        fs.rmSync(dir, { recursive: true, force: true });
        server.stop();
    }
    return browser_info;
}

// ---- native ----
function run_json(cmd, args, extra_env = {}) {
    const out = execFileSync(cmd, args, { encoding: 'utf8', env: { ...env, ...extra_env }, stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 24 });
    const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    return JSON.parse(line);
}

function run_native(figures, errors) {
    const engines = [];
    // prefix: '' for the paper-lstm's tasks, 'default_' for the default model's architecture.
    for (const [model, prefix] of [['paper-lstm', ''], ['conv1d', 'default_']])
        for (const backend of ['simd', 'xnnpack'])
            engines.push({ engine: `aer-native-${backend}`, model, prefix, run: () => run_json(path.join(repo, 'build', 'native', 'aer'),
                ['bench-nn', '--model', model, '--backend', backend, '--threads', String(threads), '--reps', String(reps),
                    '--train-samples', String(params.n_train), '--json']) });
    // PyTorch: Debian's python3-torch, BLAS from OpenBLAS (OpenMP build, so torch.set_num_threads
    // governs its threads too); Debian's default reference BLAS would make it ~10x slower.
    const openblas = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
    const torch_env = { OMP_NUM_THREADS: String(threads) };
    if (fs.existsSync(openblas)) torch_env.LD_LIBRARY_PATH = openblas + (env.LD_LIBRARY_PATH ? ':' + env.LD_LIBRARY_PATH : '');
    engines.push({ engine: 'pytorch', model: 'paper-lstm', prefix: '', run: () => run_json('/usr/bin/python3', [path.join(repo, 'bench', 'torch_paper_lstm.py'),
        '--threads', String(threads), '--reps', String(reps), '--train-samples', String(params.n_train)], torch_env) });
    for (const e of engines) {
        if (!wanted(`native/${e.model}/${e.engine}`)) continue;
        const t0 = Date.now();
        process.stdout.write(`  native  ${e.model.padEnd(10)}  ${e.engine.padEnd(21)} `);
        try {
            const r = e.run();
            const tasks = { [e.prefix + 'train_epoch']: r.train_epoch, [e.prefix + 'infer_b1']: r.infer_b1,
                [e.prefix + 'infer_b405']: r.infer_bn };
            for (const [task, s] of Object.entries(tasks))
                figures.push({ where: 'native', task, engine: e.engine, info: { model: e.model, threads: r.threads, version: r.version,
                    backend: r.backend, parameters: r.parameters, openblas: e.engine === 'pytorch' ? !!torch_env.LD_LIBRARY_PATH : undefined },
                result: { median: s.median, min: s.min, max: s.max, n: s.n } });
            log(`epoch ${fmt(r.train_epoch.median)} ms, b1 ${fmt(r.infer_b1.median)} ms, b405 ${fmt(r.infer_bn.median)} ms` +
                `  [${((Date.now() - t0) / 1000).toFixed(0)} s]`);
        } catch (err) {
            errors.push({ where: 'native', task: 'all', engine: e.engine, error: String(err.message || err) });
            log(`FAILED: ${String(err.message || err).split('\n')[0]}`);
        }
    }
}

// ---- results ----
function fmt(ms) {
    if (ms == null || !Number.isFinite(ms)) return '—';
    if (ms >= 100) return ms.toFixed(0);
    if (ms >= 10) return ms.toFixed(1);
    return ms.toFixed(2);
}

function make_pairs(figures) {
    const get = (where, task, engine) => figures.find((f) => f.where === where && f.task === task && f.engine === engine);
    const pairs = [];
    const add = (where, task, ours, peer) => {
        const a = get(where, task, ours), b = get(where, task, peer);
        if (!a || !b) return;
        pairs.push({ task, where, ours, peer, ours_ms: a.result.median, peer_ms: b.result.median,
            speedup: b.result.median / a.result.median, ours_min: a.result.min, ours_max: a.result.max,
            peer_min: b.result.min, peer_max: b.result.max, ours_n: a.result.n, peer_n: b.result.n });
    };
    for (const [task, peers] of Object.entries(browser_tasks))
        for (const ours of ours_browser) for (const peer of peers) add('browser', task, ours, peer);
    for (const task of ['train_epoch', 'infer_b1', 'infer_b405'])
        for (const ours of ['aer-native-simd', 'aer-native-xnnpack']) add('native', task, ours, 'pytorch');
    // Our two native backends against each other, for both models (which is faster where).
    for (const task of ['train_epoch', 'infer_b1', 'infer_b405', 'default_train_epoch', 'default_infer_b1', 'default_infer_b405'])
        add('native', task, 'aer-native-xnnpack', 'aer-native-simd');
    return pairs;
}

// The issue's targets, each on the peer's fastest variant in this run.
function check_targets(pairs) {
    const best_peer = (where, task, ours, peers) => {
        const c = pairs.filter((p) => p.where === where && p.task === task && p.ours === ours && peers.includes(p.peer));
        return c.length ? c.reduce((a, b) => (b.peer_ms < a.peer_ms ? b : a)) : null;
    };
    const defs = [
        ['browser', 'train_epoch', ['tfjs-wasm', 'tfjs-wasm-allcores', 'tfjs-webgl', 'tfjs-cpu'], 15, 'training epoch >= 15x TF.js (fastest backend)'],
        ['browser', 'infer_b1', ['tfjs-wasm', 'tfjs-wasm-allcores', 'tfjs-webgl', 'tfjs-cpu'], 5, 'inference batch 1 >= 5x TF.js (fastest backend)'],
        ['browser', 'infer_b405', ['tfjs-wasm', 'tfjs-wasm-allcores', 'tfjs-webgl', 'tfjs-cpu'], 5, 'inference batch 405 >= 5x TF.js (fastest backend)'],
        ['browser', 'mfcc_clip', ['essentia.js', 'webaudio+essentia.js'], 3, 'MFCC per clip >= 3x Essentia.js'],
        ['browser', 'mfcc_clip', ['webaudio+meyda'], 1, 'MFCC per clip faster than Meyda'],
        ['browser', 'mfcc_only', ['essentia.js'], 3, 'MFCC alone >= 3x Essentia.js'],
        ['browser', 'mfcc_only', ['meyda'], 1, 'MFCC alone faster than Meyda'],
    ];
    const out = [];
    for (const [where, task, peers, target, label] of defs)
        for (const ours of ours_browser) {
            const p = best_peer(where, task, ours, peers);
            if (p) out.push({ target: label, where, task, ours, peer: p.peer, speedup: p.speedup, needed: target,
                met: target === 1 ? p.speedup > 1 : p.speedup >= target });
        }
    for (const ours of ['aer-native-simd', 'aer-native-xnnpack']) {
        const p = best_peer('native', 'train_epoch', ours, ['pytorch']);
        if (p) out.push({ target: 'native training epoch no slower than PyTorch', where: 'native', task: 'train_epoch',
            ours, peer: 'pytorch', speedup: p.speedup, needed: 1, met: p.speedup >= 1 });
    }
    return out;
}

function markdown(doc) {
    const m = doc.machine;
    const lines = [];
    lines.push(`Machine: ${m.cpu_model}, ${m.cores} cores (load average ${m.load_before.map((x) => x.toFixed(1)).join(' ')} ` +
        `at the start, ${m.load_after.map((x) => x.toFixed(1)).join(' ')} at the end); ${doc.date}; ` +
        `${doc.browser.chromium ? 'Chromium ' + doc.browser.chromium + ', ' : ''}threads ${doc.params.threads}, ` +
        `medians of at least ${doc.params.reps} repetitions after a warm-up (batch 1: ${doc.params.reps_b1}; ` +
        `short figures repeat for 2 s), ` +
        `${doc.params.clips} RAVDESS clips, ${doc.params.n_train} training examples. ` +
        `Tasks default_*: the default model's architecture (conv1d, 8 classes). ` +
        `WebGPU: ${doc.browser.webgpu || 'not checked'}; WebGL: ${doc.browser.webgl_renderer || 'not measured'}.` +
        (doc.smoke ? ' SMOKE RUN: not comparable.' : ''));
    lines.push('');
    lines.push('| task | where | ours | peer | ours ms (min–max) | peer ms (min–max) | speedup |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const p of doc.pairs)
        lines.push(`| ${p.task} | ${p.where} | ${p.ours} | ${p.peer} | ${fmt(p.ours_ms)} (${fmt(p.ours_min)}–${fmt(p.ours_max)}) | ` +
            `${fmt(p.peer_ms)} (${fmt(p.peer_min)}–${fmt(p.peer_max)}) | ${p.speedup.toFixed(p.speedup >= 10 ? 1 : 2)}x |`);
    // Tasks without a peer (the page's own paths: classify, live updates): our figures alone.
    const solo = doc.figures.filter((f) => f.where === 'browser' && (browser_tasks[f.task] || []).length === 0);
    if (solo.length) {
        lines.push('');
        lines.push('| task (ours only) | engine | ms (min–max) | n |');
        lines.push('|---|---|---|---|');
        for (const f of solo) lines.push(`| ${f.task} | ${f.engine} | ${fmt(f.median)} (${fmt(f.min)}–${fmt(f.max)}) | ${f.n} |`);
    }
    lines.push('');
    lines.push('| target | ours | against | measured | met |');
    lines.push('|---|---|---|---|---|');
    for (const t of doc.targets)
        lines.push(`| ${t.target} | ${t.ours} | ${t.peer} | ${t.speedup.toFixed(2)}x | ${t.met ? 'yes' : '**no**'} |`);
    if (doc.errors.length) {
        lines.push('');
        for (const e of doc.errors) lines.push(`- failed: ${e.where} ${e.task} ${e.engine}: ${e.error.split('\n')[0]}`);
    }
    return lines.join('\n') + '\n';
}

// Mean |difference| between each peer's MFCC of clip 0 and ours (over the frames both have),
// to show how far "as close to librosa as it allows" is.
function mfcc_distance(figures) {
    const ref = figures.find((f) => f.task === 'mfcc_only' && f.engine === 'aer-wasm-st' && f.result.sample);
    const out = {};
    if (!ref) return out;
    const a = Object.values(ref.result.sample);
    for (const f of figures) {
        if (f.task !== 'mfcc_only' || !f.result.sample || f === ref) continue;
        const b = Object.values(f.result.sample);
        let sum = 0, max = 0, n = 0;
        for (let i = 0; i < a.length && i < b.length; ++i) {
            if (a[i] === 0 && b[i] === 0) continue; // padding
            const d = Math.abs(a[i] - b[i]);
            sum += d; max = Math.max(max, d); ++n;
        }
        out[f.engine] = { mean_abs_diff: n ? sum / n : null, max_abs_diff: max, values: n };
    }
    if (env.AER_BENCH_DUMP) // debugging: every engine's MFCC of clip 0, [32][256] row-major
        fs.writeFileSync(env.AER_BENCH_DUMP, JSON.stringify(Object.fromEntries(figures.filter((f) => f.result.sample)
            .map((f) => [f.engine, Array.from(Object.values(f.result.sample))]))));
    for (const f of figures) delete f.result.sample;
    return out;
}

async function main() {
    const t0 = Date.now();
    const load_before = os.loadavg();
    const clips = stage();
    log(`aer bench: ${reps} reps, ${clips} clips, ${threads} threads${smoke ? ' (smoke run)' : ''}`);
    const jobs = [];
    for (const [task, peers] of Object.entries(browser_tasks)) {
        const engines = [...ours_browser, ...peers];
        for (const engine of engines) {
            if (!wanted(`browser/${task}/${engine}`)) continue;
            // TF.js's cpu backend takes seconds per inference and minutes per training epoch: its
            // repetitions stop at a time budget (at least one; the count is in the table), and
            // its training epoch runs only with AER_BENCH_ALL=1. Every other engine does all.
            const slow = slow_engines.includes(engine);
            // TF.js cpu's training epochs take minutes (paper-lstm about 1.5, the Conv1D about 10 here):
            // only with AER_BENCH_ALL.
            if (engine === 'tfjs-cpu' && is_train(task) && env.AER_BENCH_ALL !== '1') continue;
            const p = task.startsWith('default_') ? { ...params, ...default_params } : params;
            jobs.push({ task, engine, params: slow ? { ...p, budget_ms: slow_budget_s * 1000 } : p,
                timeout_ms: (is_train(task) ? 20 : 6) * 60 * 1000 });
        }
    }
    const figures = [], errors = [];
    const browser = await run_browser(jobs, figures, errors);
    const gl = figures.find((f) => f.engine === 'tfjs-webgl' && f.info && f.info.renderer);
    if (gl) browser.webgl_renderer = gl.info.renderer;
    run_native(figures, errors);
    const distance = mfcc_distance(figures);
    const pairs = make_pairs(figures);
    const doc = {
        machine: { cpu_model: (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0].model,
            cores: os.cpus().length, load_before, load_after: os.loadavg(), os: `${os.type()} ${os.release()}`, node: process.version },
        date: new Date().toISOString(),
        smoke,
        params: { ...params, threads },
        browser,
        pairs,
        targets: check_targets(pairs),
        mfcc_vs_ours: distance,
        figures: figures.map((f) => ({ where: f.where, task: f.task, engine: f.engine, info: f.info,
            median: f.result.median, min: f.result.min, max: f.result.max, n: f.result.n, times: f.result.times, loss: f.result.loss,
            model: f.result.model, input_rate: f.result.input_rate, block_s: f.result.block_s, voiced_share: f.result.voiced_share })),
        errors,
        seconds: (Date.now() - t0) / 1000,
    };
    fs.mkdirSync(results_dir, { recursive: true });
    const md = markdown(doc);
    fs.writeFileSync(path.join(results_dir, out_name + '.json.tmp'), JSON.stringify(doc, null, 1) + '\n');
    fs.renameSync(path.join(results_dir, out_name + '.json.tmp'), path.join(results_dir, out_name + '.json'));
    fs.writeFileSync(path.join(results_dir, out_name + '.md'), md);
    log('');
    log(md);
    log(`wrote ${path.relative(repo, path.join(results_dir, out_name))}.json and .md in ${doc.seconds.toFixed(0)} s`);
    if (errors.length) process.exitCode = 1;
}

main().catch((err) => {
    console.error(`bench: ${err.stack || err}`);
    process.exit(1);
});

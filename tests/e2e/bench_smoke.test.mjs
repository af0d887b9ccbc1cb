// scripts/bench's browser half still runs: every engine of the MFCC and batch-1 inference tasks
// (the paper-lstm and the default model's architecture), and ours of the live update,
// loads in its worker and returns figures (one repetition, 2 clips; figures not asserted: speed
// is never a test). The full benchmark is scripts/bench, not part of scripts/test.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repo, artifacts } from './harness.mjs';

// bench/run.mjs waits for states (the page's 'ready' or 'error', each job's answer), not for fixed
// times, so a loaded machine only makes the run slower; the limits here only end a run that hangs.
test('bench smoke: every MFCC and inference engine runs in its worker', { timeout: 25 * 60 * 1000 }, () => {
    const out = path.join(artifacts, 'bench-smoke');
    fs.rmSync(out, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [path.join(repo, 'bench', 'run.mjs')], {
        env: { ...process.env, AER_BENCH_SMOKE: '1', AER_BENCH_REPS: '1', AER_BENCH_CLIPS: '2',
            AER_BENCH_ONLY: 'browser/mfcc_only,browser/mfcc_clip,browser/infer_b1,browser/default_infer_b1,browser/live_update',
            AER_BENCH_OUT: out },
        encoding: 'utf8', timeout: 20 * 60 * 1000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'smoke.json'), 'utf8'));
    assert.deepEqual(doc.errors, []);
    const engines = (task) => doc.figures.filter((f) => f.task === task).map((f) => f.engine).sort();
    assert.deepEqual(engines('mfcc_only'), ['aer-wasm-mt', 'aer-wasm-st', 'essentia.js', 'meyda']);
    assert.deepEqual(engines('mfcc_clip'), ['aer-wasm-mt', 'aer-wasm-st', 'essentia.js', 'webaudio+essentia.js', 'webaudio+meyda']);
    const inference = ['aer-wasm-mt', 'aer-wasm-st', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl'];
    assert.deepEqual(engines('infer_b1'), inference);
    assert.deepEqual(engines('default_infer_b1'), inference); // the default model's architecture
    assert.deepEqual(engines('live_update'), ['aer-wasm-mt', 'aer-wasm-st']);
    for (const f of doc.figures) assert.ok(f.median > 0 && Number.isFinite(f.median), `${f.engine} ${f.task}: ${f.median}`);
    // The threaded build really ran threaded, TF.js's wasm backend with SIMD.
    const info = (engine) => doc.figures.find((f) => f.engine === engine).info;
    assert.equal(info('aer-wasm-mt').threads_built, true);
    assert.equal(info('aer-wasm-st').threads_built, false);
    assert.equal(info('tfjs-wasm').simd, true);
    assert.equal(info('tfjs-webgl').backend, 'webgl');
    assert.equal(typeof doc.browser.webgpu, 'string'); // offered or not, recorded
    // Each pair's speedup is peer / ours.
    for (const p of doc.pairs) assert.ok(Math.abs(p.speedup - p.peer_ms / p.ours_ms) < 1e-9 * p.speedup);
    // The peers' MFCCs were compared with ours (Essentia.js set up as librosa: close, not equal).
    assert.ok(doc.mfcc_vs_ours['essentia.js'].mean_abs_diff < 20, JSON.stringify(doc.mfcc_vs_ours));
    assert.equal(doc.mfcc_vs_ours['aer-wasm-mt'].max_abs_diff, 0);
});

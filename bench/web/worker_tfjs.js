// Benchmark worker for TensorFlow.js: worker_tfjs.js?backend=wasm|cpu|webgl[&threads=all]. The wasm
// backend's binaries are served from this origin (vendor/, setWasmPaths); with cross-origin
// isolation it picks its SIMD + threads binary (see init for its thread count). webgl runs on
// an OffscreenCanvas in this worker (headless Chromium: SwiftShader, a software GL; init reports
// the renderer).
// The model (params.arch), layer for layer:
// - paper-lstm: LSTM(256, recurrentActivation 'sigmoid' as Keras 2 and this project use) on
//   32 steps x 256 features -> Dropout(0.25) -> (Flatten, a no-op) -> Dense(128, relu) ->
//   Dropout(0.25) -> Dense(6, softmax);
// - conv1d (the shipped default model's architecture): 256 frames x 32 coefficients ->
//   Conv1D(64, 5, same, relu) -> BN -> MaxPool(2) -> Conv1D(128, 5, same, relu) -> BN -> MaxPool(2)
//   -> Dropout(0.25) -> GlobalAveragePooling1D -> Dense(128, relu) -> Dropout(0.25) -> Dense(8, softmax).
// Adam(0.001), batch 32.
/* global importScripts, tf, bench_common */
'use strict';
importScripts('common.js', 'vendor/tf.min.js', 'vendor/tf-backend-wasm.min.js');
const { repeat, random_examples, serve } = bench_common;

const query = new URL(self.location.href).searchParams;
const backend = ['cpu', 'webgl'].includes(query.get('backend')) ? query.get('backend') : 'wasm';
const all_cores = query.get('threads') === 'all';

function build_model(p) {
    if (p.arch === 'conv1d') return build_conv1d(p);
    const model = tf.sequential();
    // recurrentInitializer: Keras's 'orthogonal' takes about a minute to build on the cpu backend
    // (a QR in JS ops); the initial values do not change the time of any step measured here.
    model.add(tf.layers.lstm({ units: 256, inputShape: [p.steps, p.features], recurrentActivation: 'sigmoid',
        returnSequences: false, recurrentInitializer: 'glorotUniform' }));
    model.add(tf.layers.dropout({ rate: 0.25 }));
    // Flatten: a no-op on the LSTM's [batch, 256] output; TF.js refuses it below 3 dimensions.
    model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
    model.add(tf.layers.dropout({ rate: 0.25 }));
    model.add(tf.layers.dense({ units: p.classes, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(p.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
}

function build_conv1d(p) {
    const model = tf.sequential();
    // Frames as steps: the MFCC's [steps][features] = [32][256] example read as 256 x 32.
    model.add(tf.layers.conv1d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu',
        inputShape: [p.features, p.steps] }));
    model.add(tf.layers.batchNormalization({ momentum: 0.99, epsilon: 0.001 }));
    model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
    model.add(tf.layers.conv1d({ filters: 128, kernelSize: 5, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.batchNormalization({ momentum: 0.99, epsilon: 0.001 }));
    model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
    model.add(tf.layers.dropout({ rate: 0.25 }));
    model.add(tf.layers.globalAveragePooling1d());
    model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
    model.add(tf.layers.dropout({ rate: 0.25 }));
    model.add(tf.layers.dense({ units: p.classes, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(p.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
}

/// The input shape of one example for the model of p.arch.
const input_shape = (p) => (p.arch === 'conv1d' ? [p.features, p.steps] : [p.steps, p.features]);

const engine = {
    async init(params) {
        if (backend === 'wasm') {
            // The wasm backend caps its XNNPACK pool at navigator.hardwareConcurrency / 2 (it
            // assumes two hyper-threads per core) whatever setThreadsCount asks: 1 thread on a
            // 2-CPU machine. That default is its fastest here (two threads measured slower).
            // threads=all (engine tfjs-wasm-allcores) makes it use every CPU, as ours does, by
            // reporting twice the count to it while the backend starts.
            tf.wasm.setWasmPaths(new URL('vendor/', self.location.href).href);
            if (all_cores) {
                const n = params.threads || navigator.hardwareConcurrency || 1;
                const proto = Object.getPrototypeOf(navigator);
                const real = Object.getOwnPropertyDescriptor(proto, 'hardwareConcurrency');
                Object.defineProperty(proto, 'hardwareConcurrency', { get: () => 2 * n, configurable: true });
                tf.wasm.setThreadsCount(n);
                try {
                    await tf.setBackend(backend);
                } finally {
                    Object.defineProperty(proto, 'hardwareConcurrency', real);
                }
            }
        }
        if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} did not initialise`);
        await tf.ready();
        const info = { backend: tf.getBackend(), version: tf.version.tfjs };
        if (backend === 'wasm') {
            info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
            info.threads_supported = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
            info.threads = tf.wasm.getThreadsCount();
        } else {
            info.threads = 1;
        }
        if (backend === 'webgl') {
            const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
            const ext = gl && gl.getExtension('WEBGL_debug_renderer_info');
            info.renderer = gl ? gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : null;
        }
        return info;
    },

    async run(task, p) {
        const model = build_model(p);
        const [d1, d2] = input_shape(p);
        task = task.replace(/^default_/, ''); // the same tasks on the default model's architecture
        try {
            if (task === 'infer_b1' || task === 'infer_b405') {
                const n = task === 'infer_b1' ? 1 : 405;
                const { x } = random_examples(n, p.steps * p.features, p.classes, 2);
                // Features in (a Float32Array, as ours gets them), probabilities out (read back).
                return await repeat(() => {
                    const probs = tf.tidy(() => model.predict(tf.tensor3d(x, [n, d1, d2])).dataSync());
                    if (probs.length !== n * p.classes) throw new Error('unexpected output shape');
                }, n === 1 ? p.reps_b1 : p.reps, p.warmup, p.budget_ms);
            }
            if (task === 'train_epoch') {
                const { x, y } = random_examples(p.n_train, p.steps * p.features, p.classes, 1);
                const xs = tf.tensor3d(x, [p.n_train, d1, d2]);
                const ys = tf.oneHot(tf.tensor1d(y, 'int32'), p.classes).toFloat();
                // Warm-up: a fit over the first 3 batches (two full, one of 31 rows, the shapes an
                // epoch of 607 has), which builds every kernel and buffer an epoch uses.
                const wx = xs.slice(0, Math.min(p.n_train, 2 * p.batch + (p.n_train % p.batch || p.batch)));
                const wy = ys.slice(0, wx.shape[0]);
                let loss = NaN;
                const r = await repeat(async (warm) => {
                    const h = await model.fit(warm ? wx : xs, warm ? wy : ys, { batchSize: p.batch, epochs: 1,
                        shuffle: true, verbose: 0, yieldEvery: 'never' });
                    if (!warm) loss = h.history.loss[0];
                }, p.reps, p.warmup, p.budget_ms);
                wx.dispose();
                wy.dispose();
                xs.dispose();
                ys.dispose();
                r.loss = loss;
                return r;
            }
            throw new Error(`tfjs: unknown task ${task}`);
        } finally {
            model.dispose();
        }
    },
};
serve(engine);

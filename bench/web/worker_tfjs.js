// Benchmark worker for TensorFlow.js: worker_tfjs.js?backend=wasm|cpu. The wasm backend's
// binaries are served from this origin (vendor/, setWasmPaths); with cross-origin isolation it
// picks its SIMD + threads binary, with as many threads as the machine has (as ours).
// The model is the paper-lstm, layer for layer: LSTM(256, recurrentActivation 'sigmoid' as
// Keras 2 and this project use) on 32 steps x 256 features -> Dropout(0.25) -> Flatten ->
// Dense(128, relu) -> Dropout(0.25) -> Dense(6, softmax); Adam(0.001), batch 32.
/* global importScripts, tf, bench_common */
'use strict';
importScripts('common.js', 'vendor/tf.min.js', 'vendor/tf-backend-wasm.min.js');
const { repeat, random_examples, serve } = bench_common;

const backend = new URL(self.location.href).searchParams.get('backend') === 'cpu' ? 'cpu' : 'wasm';

function build_model(p) {
    const model = tf.sequential();
    model.add(tf.layers.lstm({ units: 256, inputShape: [p.steps, p.features], recurrentActivation: 'sigmoid',
        returnSequences: false }));
    model.add(tf.layers.dropout({ rate: 0.25 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
    model.add(tf.layers.dropout({ rate: 0.25 }));
    model.add(tf.layers.dense({ units: p.classes, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(p.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
}

const engine = {
    async init(params) {
        if (backend === 'wasm') {
            tf.wasm.setWasmPaths(new URL('vendor/', self.location.href).href);
            tf.wasm.setThreadsCount(params.threads || navigator.hardwareConcurrency || 1);
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
        return info;
    },

    async run(task, p) {
        const model = build_model(p);
        try {
            if (task === 'infer_b1' || task === 'infer_b405') {
                const n = task === 'infer_b1' ? 1 : 405;
                const { x } = random_examples(n, p.steps * p.features, p.classes, 2);
                // Features in (a Float32Array, as ours gets them), probabilities out (read back).
                return await repeat(() => {
                    const probs = tf.tidy(() => model.predict(tf.tensor3d(x, [n, p.steps, p.features])).dataSync());
                    if (probs.length !== n * p.classes) throw new Error('unexpected output shape');
                }, n === 1 ? p.reps_b1 : p.reps, p.warmup);
            }
            if (task === 'train_epoch') {
                const { x, y } = random_examples(p.n_train, p.steps * p.features, p.classes, 1);
                const xs = tf.tensor3d(x, [p.n_train, p.steps, p.features]);
                const ys = tf.oneHot(tf.tensor1d(y, 'int32'), p.classes).toFloat();
                let loss = NaN;
                const r = await repeat(async () => {
                    const h = await model.fit(xs, ys, { batchSize: p.batch, epochs: 1, shuffle: true, verbose: 0,
                        yieldEvery: 'never' });
                    loss = h.history.loss[0];
                }, p.reps, p.warmup);
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

#!/usr/bin/python3
"""Test of tools/keras_to_aer.py: writes small tf.keras 2.x style .h5 files with h5py (random
weights, the layout Keras' model.save("x.h5") produces: a `model_config` attribute and
`model_weights/<layer>/<layer>/kernel:0` datasets listed by `weight_names`), converts them, and
compares the C++ model's probabilities (build/native/nn_forward, from bench/nn_forward.cpp; set
AER_NN_FORWARD to use another binary) with a float64 numpy forward pass written from Keras'
equations. Also checks that unsupported layers are refused.

usage: python3 tests/tools/test_keras_to_aer.py      (exit status 0 when every check passes)
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
except ImportError:
    # Debian's python3-h5py / python3-numpy live in the system interpreter; another python3 may
    # come first on PATH (pyenv).
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "keras_to_aer.py")
FORWARD = os.environ.get("AER_NN_FORWARD", os.path.join(ROOT, "build", "native", "nn_forward"))
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


# ---- numpy reference (Keras' equations) --------------------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm(x, W, R, b, return_sequences):
    n, steps, _ = x.shape
    u = R.shape[0]
    h = np.zeros((n, u))
    c = np.zeros((n, u))
    out = []
    for t in range(steps):
        z = x[:, t, :] @ W + h @ R + b
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        out.append(h)
    return np.stack(out, axis=1) if return_sequences else h


def dense(x, W, b, act):
    y = x @ W + b
    if act == "relu":
        y = np.maximum(y, 0)
    if act == "softmax":
        e = np.exp(y - y.max(axis=-1, keepdims=True))
        y = e / e.sum(axis=-1, keepdims=True)
    return y


def conv1d_same(x, K, b, act):
    n, length, _ = x.shape
    k, _, filters = K.shape
    out_len = length  # stride 1
    total = max((out_len - 1) + k - length, 0)
    xp = np.pad(x, ((0, 0), (total // 2, total - total // 2), (0, 0)))
    y = np.zeros((n, out_len, filters))
    for o in range(out_len):
        y[:, o, :] = np.einsum("bkc,kcf->bf", xp[:, o:o + k, :], K) + b
    return np.maximum(y, 0) if act == "relu" else y


def batch_norm(x, gamma, beta, mean, var, eps):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def max_pool(x, size):
    n, length, c = x.shape
    out = (length - size) // size + 1
    return x[:, :out * size, :].reshape(n, out, size, c).max(axis=2)


# ---- .h5 writing in Keras' layout ----------------------------------------------------------------

def write_h5(path, keras_layers, weights):
    """keras_layers: Keras layer configs; weights: {layer name: [(weight name, array), ...]}."""
    with h5py.File(path, "w") as f:
        config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": keras_layers}}
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["keras_version"] = b"2.11.0"
        f.attrs["backend"] = b"tensorflow"
        mw = f.create_group("model_weights")
        names = [l["config"]["name"] for l in keras_layers if l["class_name"] != "InputLayer"]
        mw.attrs["layer_names"] = [n.encode() for n in names]
        for name in names:
            g = mw.create_group(name)
            listed = weights.get(name, [])
            g.attrs["weight_names"] = [("%s/%s:0" % (name, w)).encode() for w, _ in listed]
            for w, arr in listed:
                g.create_dataset("%s/%s:0" % (name, w), data=arr.astype(np.float32))


def run_forward(prefix, x):
    path = prefix + ".input.f32"
    x.astype("<f4").tofile(path)
    res = subprocess.run([FORWARD, prefix, path], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("nn_forward failed: " + res.stderr)
    return np.array(json.loads(res.stdout)["outputs"])


def convert(h5, prefix, *extra):
    return subprocess.run([sys.executable, TOOL, h5, prefix] + list(extra), capture_output=True, text=True)


def main():
    if not os.path.exists(FORWARD):
        print("FAIL %s is missing: build it first (cmake --build build/native --target nn_forward)" % FORWARD)
        return 1
    rng = np.random.default_rng(7)
    tmp = tempfile.mkdtemp(prefix="aer_keras_")

    # 1. LSTM(8) -> Dense(6, softmax) on 5 steps x 4 features (n_mfcc 5, 4 frames).
    steps, feats, units = 5, 4, 8
    W = rng.normal(0, 0.5, (feats, 4 * units))
    R = rng.normal(0, 0.5, (units, 4 * units))
    b = rng.normal(0, 0.5, 4 * units)
    D = rng.normal(0, 0.5, (units, 6))
    db = rng.normal(0, 0.5, 6)
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, steps, feats], "dtype": "float32",
                                                "name": "input_1"}},
        {"class_name": "LSTM", "config": {"name": "lstm", "units": units, "activation": "tanh",
                                          "recurrent_activation": "sigmoid", "use_bias": True,
                                          "return_sequences": False, "unit_forget_bias": True}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 6, "activation": "softmax", "use_bias": True}},
    ]
    h5 = os.path.join(tmp, "lstm.h5")
    write_h5(h5, layers, {"lstm": [("kernel", W), ("recurrent_kernel", R), ("bias", b)],
                          "dense": [("kernel", D), ("bias", db)]})
    prefix = os.path.join(tmp, "lstm")
    res = convert(h5, prefix)
    check(res.returncode == 0, "LSTM model converts (%s)" % res.stderr.strip())
    doc = json.load(open(prefix + ".json"))
    check(doc["features"]["n_mfcc"] == steps and doc["features"]["max_len"] == feats,
          "features follow the input shape (coefficients as steps)")
    check([w["name"] for w in doc["weights"]] == ["lstm_0/kernel", "lstm_0/recurrent_kernel", "lstm_0/bias",
                                                  "dense_1/kernel", "dense_1/bias"], "weight names")
    x = rng.normal(0, 1, (3, steps, feats))
    want = dense(lstm(x, W, R, b, False), D, db, "softmax")
    got = run_forward(prefix, x)
    err = np.abs(got - want).max()
    check(got.shape == want.shape and err < 2e-6, "LSTM model: C++ matches numpy (max abs error %.2e)" % err)

    # 2. Conv1D(4, 3, same, relu) -> BN -> MaxPool(2) -> LSTM(3, seq) -> Dropout -> GAP -> Dense(3, softmax).
    steps, feats = 6, 2
    K = rng.normal(0, 0.5, (3, feats, 4))
    kb = rng.normal(0, 0.5, 4)
    gamma, beta = rng.normal(1, 0.2, 4), rng.normal(0, 0.2, 4)
    mean, var = rng.normal(0, 0.5, 4), rng.uniform(0.5, 2.0, 4)
    W2 = rng.normal(0, 0.5, (4, 12))
    R2 = rng.normal(0, 0.5, (3, 12))
    b2 = rng.normal(0, 0.5, 12)
    D2 = rng.normal(0, 0.5, (3, 3))
    d2 = rng.normal(0, 0.5, 3)
    layers = [
        {"class_name": "Conv1D", "config": {"name": "conv1d", "filters": 4, "kernel_size": [3], "strides": [1],
                                            "padding": "same", "activation": "relu", "use_bias": True,
                                            "dilation_rate": [1], "batch_input_shape": [None, steps, feats]}},
        {"class_name": "BatchNormalization", "config": {"name": "batch_normalization", "axis": -1,
                                                        "momentum": 0.99, "epsilon": 0.001}},
        {"class_name": "MaxPooling1D", "config": {"name": "max_pooling1d", "pool_size": [2], "strides": [2],
                                                  "padding": "valid"}},
        {"class_name": "LSTM", "config": {"name": "lstm_1", "units": 3, "return_sequences": True}},
        {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.25}},
        {"class_name": "GlobalAveragePooling1D", "config": {"name": "global_average_pooling1d"}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 3, "activation": "softmax"}},
    ]
    h5 = os.path.join(tmp, "conv.h5")
    write_h5(h5, layers, {"conv1d": [("kernel", K), ("bias", kb)],
                          "batch_normalization": [("gamma", gamma), ("beta", beta), ("moving_mean", mean),
                                                  ("moving_variance", var)],
                          "lstm_1": [("kernel", W2), ("recurrent_kernel", R2), ("bias", b2)],
                          "dense_1": [("kernel", D2), ("bias", d2)]})
    prefix = os.path.join(tmp, "conv")
    res = convert(h5, prefix, "--labels", "a,b,c", "--orientation", "frames_as_steps")
    check(res.returncode == 0, "Conv1D/BN/pool model converts (%s)" % res.stderr.strip())
    x = rng.normal(0, 1, (4, steps, feats))
    y = max_pool(batch_norm(conv1d_same(x, K, kb, "relu"), gamma, beta, mean, var, 1e-3), 2)
    want = dense(lstm(y, W2, R2, b2, True).mean(axis=1), D2, d2, "softmax")
    got = run_forward(prefix, x)
    err = np.abs(got - want).max()
    check(got.shape == want.shape and err < 2e-6, "Conv1D/BN/pool model: C++ matches numpy (max abs error %.2e)" % err)

    # 3. Refusals, with their reason.
    bad = [{"class_name": "GRU", "config": {"name": "gru", "units": 3, "batch_input_shape": [None, 6, 2]}},
           layers[-1]]
    h5 = os.path.join(tmp, "gru.h5")
    write_h5(h5, bad, {})
    res = convert(h5, os.path.join(tmp, "gru"), "--labels", "a,b,c")
    check(res.returncode == 1 and "GRU is not supported" in res.stderr, "unsupported layer refused")
    h5 = os.path.join(tmp, "short.h5")
    write_h5(h5, layers, {"conv1d": [("kernel", K[:2]), ("bias", kb)]})
    res = convert(h5, os.path.join(tmp, "short"), "--labels", "a,b,c")
    check(res.returncode == 1 and "has shape [2, 2, 4], expected [3, 2, 4]" in res.stderr, "wrong weight shape refused")
    res = convert(os.path.join(tmp, "lstm.h5"), os.path.join(tmp, "x"), "--labels", "a,b")
    check(res.returncode == 1 and "2 labels for 6 outputs" in res.stderr, "label count checked")

    print("%d failure(s)" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

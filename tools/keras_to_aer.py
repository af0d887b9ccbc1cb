#!/usr/bin/python3
"""keras_to_aer: converts a tf.keras 2.x .h5 model of the supported architectures into the
project's model files NAME.json + NAME.bin (core/nn/model_io.h).

usage: keras_to_aer.py MODEL.h5 OUT_PREFIX [--labels a,b,...] [--orientation coefficients_as_steps|
       frames_as_steps] [--normalization NORM.json] [--features FEATURES.json]

Reads the Keras architecture from the file's `model_config` attribute (Sequential, or a
functional model that is a plain chain) and the weights from `model_weights/<layer>/...`, using
each layer group's `weight_names` attribute (e.g. `lstm/kernel:0` or `lstm/lstm_cell/kernel:0`)
and falling back to every dataset below the group. Supported layers (Keras semantics kept):
InputLayer, LSTM (tanh / sigmoid, with bias), Dense (linear, relu, softmax), Dropout, Flatten,
Conv1D, MaxPooling1D, BatchNormalization (last axis), GlobalAveragePooling1D.

The model's input (steps, features) gives the MFCC shape through the orientation:
coefficients_as_steps (the paper) means steps = n_mfcc and features = frames (max_len); the other
MFCC settings are the project's defaults (librosa's) unless --features gives a JSON object.
--normalization: a JSON file {"mean": [n_mfcc], "std": [n_mfcc]} stored with the model.
Labels default to the six RAVDESS song emotions when the model has six outputs.
Needs python3 with h5py and numpy (Debian: python3-h5py, python3-numpy). Exit status 0 on
success, 1 with a message on stderr otherwise.
"""
import argparse
import json
import os
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover
    sys.exit("keras_to_aer: needs h5py and numpy (apt-get install python3-h5py python3-numpy): %s" % e)

DEFAULT_LABELS = ["neutral", "calm", "happy", "sad", "angry", "fearful"]
DEFAULT_FEATURES = {"sample_rate": 22050, "n_fft": 2048, "hop_length": 512, "n_mels": 128, "n_mfcc": 32,
                    "max_len": 256, "fmin": 0.0, "fmax": 0.0, "top_db": 80.0}
# Keras weight names per layer type, in the order the model file lists them.
WEIGHTS = {
    "lstm": ["kernel", "recurrent_kernel", "bias"],
    "dense": ["kernel", "bias"],
    "conv1d": ["kernel", "bias"],
    "batch_normalization": ["gamma", "beta", "moving_mean", "moving_variance"],
}


class ConversionError(Exception):
    pass


def text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def first(v):
    """Keras stores 1-D sizes as 1-element lists."""
    if isinstance(v, (list, tuple)):
        if len(v) != 1:
            raise ConversionError("expected a 1-D size, got %r" % (v,))
        return int(v[0])
    return int(v)


def convert_layer(class_name, cfg, where):
    """One Keras layer config -> our layer JSON (None for InputLayer)."""
    def require(cond, why):
        if not cond:
            raise ConversionError("%s: %s" % (where, why))

    def activation(name):
        require(name in ("linear", "relu", "softmax"), "activation '%s' is not supported" % name)
        return name

    if class_name == "InputLayer":
        return None
    if class_name == "LSTM":
        require(cfg.get("activation", "tanh") == "tanh", "activation must be tanh")
        require(cfg.get("recurrent_activation", "sigmoid") == "sigmoid", "recurrent_activation must be sigmoid")
        require(cfg.get("use_bias", True), "use_bias must be true")
        require(not cfg.get("go_backwards", False) and not cfg.get("stateful", False),
                "go_backwards and stateful are not supported")
        require(not cfg.get("return_state", False), "return_state is not supported")
        return {"type": "lstm", "units": int(cfg["units"]),
                "return_sequences": bool(cfg.get("return_sequences", False))}
    if class_name == "Dense":
        require(cfg.get("use_bias", True), "use_bias must be true")
        return {"type": "dense", "units": int(cfg["units"]), "activation": activation(cfg.get("activation", "linear"))}
    if class_name == "Dropout":
        require(cfg.get("noise_shape") is None, "noise_shape is not supported")
        return {"type": "dropout", "rate": float(cfg["rate"])}
    if class_name == "Flatten":
        return {"type": "flatten"}
    if class_name == "Conv1D":
        require(cfg.get("use_bias", True), "use_bias must be true")
        require(first(cfg.get("dilation_rate", [1])) == 1, "dilation_rate must be 1")
        require(cfg.get("groups", 1) == 1, "groups must be 1")
        require(cfg.get("data_format", "channels_last") == "channels_last", "data_format must be channels_last")
        require(cfg.get("padding", "valid") in ("valid", "same"), "padding must be valid or same")
        return {"type": "conv1d", "filters": int(cfg["filters"]), "kernel_size": first(cfg["kernel_size"]),
                "strides": first(cfg.get("strides", [1])), "padding": cfg.get("padding", "valid"),
                "activation": activation(cfg.get("activation", "linear"))}
    if class_name == "MaxPooling1D":
        pool = first(cfg.get("pool_size", [2]))
        strides = cfg.get("strides")
        require(cfg.get("padding", "valid") in ("valid", "same"), "padding must be valid or same")
        return {"type": "max_pooling1d", "pool_size": pool,
                "strides": pool if strides is None else first(strides), "padding": cfg.get("padding", "valid")}
    if class_name == "BatchNormalization":
        axis = cfg.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        require(isinstance(axis, int), "axis must be a single axis")
        require(cfg.get("center", True) and cfg.get("scale", True), "center and scale must be true")
        return {"type": "batch_normalization", "momentum": float(cfg.get("momentum", 0.99)),
                "epsilon": float(cfg.get("epsilon", 1e-3)), "_axis": axis}
    if class_name == "GlobalAveragePooling1D":
        require(cfg.get("data_format", "channels_last") == "channels_last", "data_format must be channels_last")
        return {"type": "global_average_pooling1d"}
    raise ConversionError("%s: Keras layer %s is not supported" % (where, class_name))


def input_shape(config, layers):
    shape = None
    for layer in layers:
        cfg = layer.get("config", {})
        shape = cfg.get("batch_input_shape") or cfg.get("batch_shape")
        if shape:
            break
    if not shape and config.get("build_input_shape"):
        shape = config["build_input_shape"]
    if not shape or len(shape) != 3 or shape[1] is None or shape[2] is None:
        raise ConversionError("the model's input shape (batch, steps, features) with fixed steps and features "
                              "was not found (got %r)" % (shape,))
    return int(shape[1]), int(shape[2])


def output_shape(shape, layer):
    """Per-example shape (steps or 0, features) after one of our layers."""
    steps, feats = shape
    t = layer["type"]
    if t == "lstm":
        return (steps if layer["return_sequences"] else 0, layer["units"])
    if t == "dense":
        return (steps, layer["units"])
    if t == "flatten":
        return (0, (steps or 1) * feats)
    if t in ("conv1d", "max_pooling1d"):
        size = layer["kernel_size"] if t == "conv1d" else layer["pool_size"]
        s = layer["strides"]
        out = -(-steps // s) if layer["padding"] == "same" else (steps - size) // s + 1
        return (out, layer["filters"] if t == "conv1d" else feats)
    if t == "global_average_pooling1d":
        return (0, feats)
    return shape


def expected_shapes(layer, shape):
    steps, feats = shape
    t = layer["type"]
    if t == "lstm":
        u = layer["units"]
        return [(feats, 4 * u), (u, 4 * u), (4 * u,)]
    if t == "dense":
        return [(feats, layer["units"]), (layer["units"],)]
    if t == "conv1d":
        return [(layer["kernel_size"], feats, layer["filters"]), (layer["filters"],)]
    if t == "batch_normalization":
        return [(feats,)] * 4
    return []


def layer_weights(group):
    """name (kernel, bias, ...) -> array, for one layer's group of model_weights."""
    found = {}
    names = group.attrs.get("weight_names")
    paths = [text(n) for n in names] if names is not None else []
    if not paths:
        group.visititems(lambda name, obj: paths.append(name) if isinstance(obj, h5py.Dataset) else None)
    for path in paths:
        if path not in group:
            raise ConversionError("weight '%s' is listed but missing from the file" % path)
        base = path.split("/")[-1].split(":")[0]
        found[base] = np.asarray(group[path], dtype=np.float64)
    return found


def convert(h5_path, out_prefix, labels=None, orientation="coefficients_as_steps", normalization=None,
            features=None):
    with h5py.File(h5_path, "r") as f:
        if "model_config" not in f.attrs:
            raise ConversionError("no 'model_config' attribute: not a Keras .h5 model (weights-only file?)")
        config = json.loads(text(f.attrs["model_config"]))
        cls = config.get("class_name")
        if cls not in ("Sequential", "Functional", "Model"):
            raise ConversionError("model class %s is not supported (Sequential or a functional chain)" % cls)
        keras_layers = config["config"]["layers"]
        steps, feats = input_shape(config["config"], keras_layers)
        weights_root = f["model_weights"] if "model_weights" in f else f
        ours, tensors = [], []
        shape = (steps, feats)
        for keras_layer in keras_layers:
            name = keras_layer["config"].get("name", keras_layer.get("name", "?"))
            where = "layer '%s' (%s)" % (name, keras_layer["class_name"])
            layer = convert_layer(keras_layer["class_name"], keras_layer["config"], where)
            if layer is None:
                continue
            axis = layer.pop("_axis", None)
            if axis is not None and axis not in (-1, 2 if shape[0] else 1):
                raise ConversionError("%s: only the last axis is supported (got axis %d)" % (where, axis))
            index = len(ours)
            wanted = WEIGHTS.get(layer["type"], [])
            if wanted:
                if name not in weights_root:
                    raise ConversionError("%s: no weights group model_weights/%s" % (where, name))
                found = layer_weights(weights_root[name])
                for wname, want_shape in zip(wanted, expected_shapes(layer, shape)):
                    if wname not in found:
                        raise ConversionError("%s: weight '%s' missing" % (where, wname))
                    w = found[wname]
                    if tuple(w.shape) != tuple(want_shape):
                        raise ConversionError("%s: weight '%s' has shape %s, expected %s"
                                              % (where, wname, list(w.shape), list(want_shape)))
                    if not np.all(np.isfinite(w)):
                        raise ConversionError("%s: weight '%s' holds NaN or Inf" % (where, wname))
                    tensors.append(("%s_%d/%s" % (layer["type"], index, wname), w))
            ours.append(layer)
            shape = output_shape(shape, layer)
    if not ours or ours[-1]["type"] != "dense" or ours[-1]["activation"] != "softmax":
        raise ConversionError("the last layer must be Dense with softmax")
    classes = ours[-1]["units"]
    if labels is None:
        if classes != len(DEFAULT_LABELS):
            raise ConversionError("the model has %d outputs: give --labels" % classes)
        labels = DEFAULT_LABELS
    if len(labels) != classes:
        raise ConversionError("%d labels for %d outputs" % (len(labels), classes))
    feat = dict(DEFAULT_FEATURES)
    if features:
        feat.update(features)
    if orientation == "coefficients_as_steps":
        feat["n_mfcc"], feat["max_len"] = steps, feats
    elif orientation == "frames_as_steps":
        feat["n_mfcc"], feat["max_len"] = feats, steps
    else:
        raise ConversionError("unknown orientation '%s'" % orientation)

    entries, blobs, offset = [], [], 0
    for name, w in tensors:
        blob = np.ascontiguousarray(w, dtype="<f4").tobytes()
        entries.append({"name": name, "shape": list(w.shape), "offset": offset, "dtype": "float32"})
        blobs.append(blob)
        offset += len(blob)
    doc = {"format": "aer-model", "version": 1,
           "architecture": {"input": {"steps": steps, "features": feats}, "orientation": orientation,
                            "layers": ours},
           "features": feat, "labels": list(labels), "normalization": normalization,
           "training": {"source": "keras", "file": os.path.basename(h5_path)},
           "weights": entries}
    for path, data, mode in ((out_prefix + ".bin", b"".join(blobs), "wb"),
                             (out_prefix + ".json", json.dumps(doc, indent=1), "w")):
        with open(path + ".tmp", mode) as out:
            out.write(data)
    os.replace(out_prefix + ".bin.tmp", out_prefix + ".bin")
    os.replace(out_prefix + ".json.tmp", out_prefix + ".json")
    return doc


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("h5")
    p.add_argument("out_prefix")
    p.add_argument("--labels", help="comma-separated class names, in output order")
    p.add_argument("--orientation", default="coefficients_as_steps")
    p.add_argument("--normalization", help='JSON file {"mean": [...], "std": [...]}')
    p.add_argument("--features", help="JSON file with MfccConfig fields")
    a = p.parse_args(argv)
    try:
        labels = a.labels.split(",") if a.labels else None
        norm = json.load(open(a.normalization)) if a.normalization else None
        feats = json.load(open(a.features)) if a.features else None
        doc = convert(a.h5, a.out_prefix, labels, a.orientation, norm, feats)
    except (ConversionError, OSError, KeyError, ValueError) as e:
        sys.stderr.write("keras_to_aer: %s\n" % e)
        return 1
    n = sum(int(np.prod(w["shape"])) for w in doc["weights"])
    print(json.dumps({"ok": True, "layers": len(doc["architecture"]["layers"]), "parameters": n,
                      "json": a.out_prefix + ".json", "bin": a.out_prefix + ".bin"}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""The paper-lstm model in PyTorch on the CPU, timed as `aer bench-nn` times ours.

Model (the same as core/nn/model.cpp's preset "paper-lstm" and Keras's): LSTM(256) over 32 steps
of 256 features (last hidden state; PyTorch's gates are sigmoid/tanh as Keras 2 with
recurrent_activation='sigmoid') -> Dropout(0.25) -> Flatten -> Dense(128, relu) -> Dropout(0.25)
-> Dense(6) with softmax folded into the cross-entropy loss. Adam(lr 0.001), batch 32.

Tasks: one training epoch over 607 random examples (shuffled, batch 32, the last batch short),
inference latency at batch 1 and time for a batch of 405 (eval mode, no autograd). Medians of
--reps repetitions after one warm-up, min and max beside them (batch 1: 20 x reps).
Prints one JSON object. Threads: torch.set_num_threads(--threads) (intra-op) and one inter-op thread.

    /usr/bin/python3 bench/torch_paper_lstm.py --threads 2 [--reps 5] [--train-samples 607]
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class PaperLstm(nn.Module):
    def __init__(self, steps=32, features=256, classes=6, dropout=0.25):
        super().__init__()
        self.lstm = nn.LSTM(features, 256, batch_first=True)
        self.drop1 = nn.Dropout(dropout)
        self.flatten = nn.Flatten()
        self.dense = nn.Linear(256, 128)
        self.drop2 = nn.Dropout(dropout)
        self.out = nn.Linear(128, classes)

    def forward(self, x):  # x: [batch, steps, features] -> logits [batch, classes]
        _, (h, _) = self.lstm(x)
        y = self.flatten(self.drop1(h[-1]))
        y = self.drop2(torch.relu(self.dense(y)))
        return self.out(y)


def stats(times):
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "n": len(times)}


def timed(fn, reps, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return stats(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--train-samples", type=int, default=607)
    ap.add_argument("--infer-batch", type=int, default=405)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(1)
    steps, features, classes = 32, 256, 6
    n = max(args.train_samples, args.infer_batch)
    x = torch.randn(n, steps, features)
    y = torch.arange(args.train_samples) % classes
    train_x = x[: args.train_samples].contiguous()

    model = PaperLstm(steps, features, classes)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    last_loss = [float("nan")]

    def epoch():
        model.train()
        order = torch.randperm(args.train_samples)
        total = 0.0
        for first in range(0, args.train_samples, args.batch):
            idx = order[first:first + args.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(train_x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        last_loss[0] = total / args.train_samples

    train = timed(epoch, args.reps)
    model.eval()
    x1 = x[:1].contiguous()
    xb = x[: args.infer_batch].contiguous()

    def infer(batch):
        with torch.inference_mode():
            probs = torch.softmax(model(batch), dim=1)
        assert probs.shape == (batch.shape[0], classes)

    b1 = timed(lambda: infer(x1), 20 * args.reps)
    bn = timed(lambda: infer(xb), args.reps)
    out = {
        "model": "paper-lstm",
        "framework": "pytorch",
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_samples": args.train_samples,
        "train_epoch_ms": train["median"],
        "train_epoch": train,
        "train_loss": last_loss[0],
        "infer_b1_ms": b1["median"],
        "infer_b1": b1,
        "infer_batch": args.infer_batch,
        "infer_b405_ms": bn["median"],
        "infer_bn": bn,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()

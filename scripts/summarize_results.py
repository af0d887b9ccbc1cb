"""Summarises models/results/<variant>/*.report.json into summary.json and a Markdown table:
mean +- std (sample std) of the test accuracy over the paper-split seeds and over the actor folds,
the final training accuracy (the overfitting gap), and the median training time per run."""
import json
import os
import statistics
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "models/results"
rows = {}
for variant in sorted(os.listdir(root)):
    d = os.path.join(root, variant)
    if not os.path.isdir(d):
        continue
    r = {"paper": [], "actors": [], "train_acc": [], "seconds": [], "epochs": None}
    for name in sorted(os.listdir(d)):
        if not name.endswith(".report.json"):
            continue
        with open(os.path.join(d, name)) as f:
            rep = json.load(f)
        key = "paper" if name.startswith("paper-") else "actors"
        r[key].append(rep["accuracy"])
        if key == "paper" and rep.get("history"):
            r["train_acc"].append(rep["history"][-1]["acc"])
        r["seconds"].append(rep["train_seconds"])
        r["epochs"] = len(rep.get("history", []))
    rows[variant] = r


def fmt(v):
    if not v:
        return "—"
    if len(v) == 1:
        return f"{100 * v[0]:.2f}% (1 run)"
    return f"{100 * statistics.mean(v):.2f} ± {100 * statistics.stdev(v):.2f}% (n={len(v)})"


summary = {}
print("| variant | epochs | paper split (60/40, 5 seeds) | train acc (paper split) | speaker-independent (5 actor folds) | train time per run |")
print("|---|---|---|---|---|---|")
for v, r in rows.items():
    summary[v] = {
        "paper_split": r["paper"], "actor_folds": r["actors"], "final_train_acc": r["train_acc"],
        "paper_mean": statistics.mean(r["paper"]) if r["paper"] else None,
        "actors_mean": statistics.mean(r["actors"]) if r["actors"] else None,
        "median_train_seconds": statistics.median(r["seconds"]) if r["seconds"] else None,
    }
    secs = f"{statistics.median(r['seconds']):.0f} s" if r["seconds"] else "—"
    print(f"| {v} | {r['epochs']} | {fmt(r['paper'])} | {fmt(r['train_acc'])} | {fmt(r['actors'])} | {secs} |")
with open(os.path.join(root, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)

"""Summarises models/results/<variant>/*.report.json into summary.json and two Markdown tables:
- song: mean +- std (sample std) of the test accuracy over the paper-split seeds and over the actor
  folds, the final training accuracy (the overfitting gap), and the median training time per run;
- speech and song (runs named si20-fold*): mean +- std over the 5 folds of actors 01-20 of the
  accuracy on held-out speech, on held-out song, and on both."""
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
    r = {"paper": [], "actors": [], "train_acc": [], "seconds": [], "epochs": None,
         "si": [], "si_speech": [], "si_song": []}
    for name in sorted(os.listdir(d)):
        if not name.endswith(".report.json"):
            continue
        with open(os.path.join(d, name)) as f:
            rep = json.load(f)
        if name.startswith("si20-"):
            r["si"].append(rep["accuracy"])
            for ch in ("speech", "song"):
                if ch in rep.get("by_channel", {}):
                    r["si_" + ch].append(rep["by_channel"][ch]["accuracy"])
            r["seconds"].append(rep["train_seconds"])
            r["epochs"] = len(rep.get("history", []))
            continue
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
    if r["si"]:
        continue
    summary[v] = {
        "paper_split": r["paper"], "actor_folds": r["actors"], "final_train_acc": r["train_acc"],
        "paper_mean": statistics.mean(r["paper"]) if r["paper"] else None,
        "actors_mean": statistics.mean(r["actors"]) if r["actors"] else None,
        "median_train_seconds": statistics.median(r["seconds"]) if r["seconds"] else None,
    }
    secs = f"{statistics.median(r['seconds']):.0f} s" if r["seconds"] else "—"
    print(f"| {v} | {r['epochs']} | {fmt(r['paper'])} | {fmt(r['train_acc'])} | {fmt(r['actors'])} | {secs} |")
print()
print("| variant | trained on | epochs | speech, 8 emotions (held-out actors) | song (held-out actors) | both | train time per run |")
print("|---|---|---|---|---|---|---|")
for v, r in rows.items():
    if not r["si"]:
        continue
    summary[v] = {"si_folds": r["si"], "si_speech": r["si_speech"], "si_song": r["si_song"],
                  "median_train_seconds": statistics.median(r["seconds"]) if r["seconds"] else None}
    trained = v.split("-")[1] if v.startswith("si-") else "?"
    secs = f"{statistics.median(r['seconds']):.0f} s" if r["seconds"] else "—"
    print(f"| {v} | {trained} | {r['epochs']} | {fmt(r['si_speech'])} | {fmt(r['si_song'])} | {fmt(r['si'])} | {secs} |")
with open(os.path.join(root, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)

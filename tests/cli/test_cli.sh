#!/usr/bin/env bash
# The native CLI as a user runs it: exit codes, JSON lines, `error:` lines naming the file.
#   tests/cli/test_cli.sh            (after scripts/build native and scripts/prepare-data)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
aer="$root/build/native/aer"
source "$root/tests/check.sh" # $tmp, check, expect_exit, check_summary
no_temp_files() { # no_temp_files PREFIX: fails, naming them, if $tmp holds PREFIX.*.tmp files
    local left
    left=$(cd "$tmp" && ls -d -- "$1".*tmp 2>/dev/null)
    [ -z "$left" ] || { echo "temporary files left: $left"; return 1; }
}

# 1. mfcc succeeds on every prepared RAVDESS WAV, with the frame count librosa gives.
count=0; bad=0
while IFS= read -r f; do
    count=$((count + 1))
    if ! "$aer" mfcc "$f" --out "$tmp/m.f32" > "$tmp/line" 2>"$tmp/err"; then
        bad=$((bad + 1)); echo "mfcc failed: $f: $(cat "$tmp/err")"; continue
    fi
    frames=$(sed -n 's/.*"frames":\([0-9]*\).*/\1/p' "$tmp/line")
    samples=$(sed -n 's/.*"samples":\([0-9]*\).*/\1/p' "$tmp/line")
    size=$(stat -c %s "$tmp/m.f32")
    if [ "$frames" -ne $((1 + samples / 512)) ] || [ "$size" -ne $((32 * frames * 4)) ]; then
        bad=$((bad + 1)); echo "mfcc wrong size: $f"
    fi
done < <(find "$root/data/ravdess-song" -name '*.wav' | sort)
check "mfcc on all $count RAVDESS files" [ "$count" -eq 836 -a "$bad" -eq 0 ]

# 2. bad inputs: exit 1 and one error line naming the file.
: > "$tmp/empty.wav"
echo "not audio at all" > "$tmp/text.wav"
head -c 30 "$root/../shared/data/samples/03-02-01-01-01-01-01.wav" > "$tmp/cut.wav"
printf 'RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x02\x00\x01\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x04\x00data\x00\x00\x00\x00' > "$tmp/adpcm.wav"
for f in empty text cut adpcm; do
    check "mfcc $f.wav exits 1" expect_exit 1 "$aer" mfcc "$tmp/$f.wav" --out "$tmp/x.f32"
    check "mfcc $f.wav names the file" grep -q "^error: $tmp/$f.wav: " "$tmp/err"
    check "mfcc $f.wav writes nothing" [ ! -e "$tmp/x.f32" ]
done
check "adpcm names the codec" grep -q "ADPCM" "$tmp/err"
check "missing file exits 1" expect_exit 1 "$aer" load "$tmp/nope.wav" --out "$tmp/y.f32"
check "usage error exits 2" expect_exit 2 "$aer" mfcc --out "$tmp/y.f32"
check "bad option value exits 2" expect_exit 2 "$aer" mfcc "$tmp/text.wav" --out "$tmp/y.f32" --n-mfcc 0
check "unknown command exits 2" expect_exit 2 "$aer" frobnicate

# 3. load writes librosa's length.
check "load" expect_exit 0 "$aer" load "$root/../shared/data/samples/03-02-01-01-01-01-01.wav" --out "$tmp/y.f32"
check "load length 93439" [ "$(stat -c %s "$tmp/y.f32")" -eq $((93439 * 4)) ]

# 4. train a tiny model on two actors, evaluate it, predict with it, and refuse a corrupt copy.
mkdir -p "$tmp/data"
cp -r "$root/data/ravdess-song/Actor_01" "$root/data/ravdess-song/Actor_02" "$tmp/data/"
check "train" expect_exit 0 "$aer" train --data "$tmp/data" --arch "$root/models/arch/tiny.json" --split actors:2 \
    --epochs 2 --out "$tmp/tiny" --report "$tmp/report.json" --cache "$tmp/cache"
check "no temporary files are left beside the trained model" no_temp_files tiny
check "train report has a confusion matrix and history" \
    python3 -c "import json,sys; r=json.load(open('$tmp/report.json')); assert r['n']==44 and len(r['confusion'])==6 and len(r['history'])==2 and 0<=r['accuracy']<=1"
check "eval" expect_exit 0 "$aer" eval --model "$tmp/tiny.json" --data "$tmp/data" --actors 1 --cache none
check "eval counts actor 1's files" grep -q '"n":44' "$tmp/out"
check "predict" expect_exit 0 "$aer" predict --model "$tmp/tiny.json" "$tmp/data/Actor_01/03-02-01-01-01-01-01.wav"
check "predict prints a label and 6 probabilities" \
    python3 -c "import json; r=json.loads(open('$tmp/out').read()); assert r['label'] in r['probabilities'] and len(r['probabilities'])==6 and abs(sum(r['probabilities'].values())-1)<1e-4"
check "predict goes on past a bad file and exits 1" expect_exit 1 "$aer" predict --model "$tmp/tiny.json" "$tmp/text.wav" \
    "$tmp/data/Actor_01/03-02-01-01-01-01-01.wav"
check "predict: one line for the good file" [ "$(wc -l < "$tmp/out")" -eq 1 ]
check "predict: the bad file named" grep -q "^error: $tmp/text.wav" "$tmp/err"
head -c 100 "$tmp/tiny.bin" > "$tmp/cut.bin"; cp "$tmp/tiny.json" "$tmp/cut.json"
check "a truncated model is refused" expect_exit 1 "$aer" predict --model "$tmp/cut.json" "$tmp/data/Actor_01/03-02-01-01-01-01-01.wav"
check "the refusal names the model file" grep -q "cut" "$tmp/err"

# 5. no lost work: a run killed mid-training leaves its last finished epoch, which loads and resumes.
"$aer" train --data "$tmp/data" --arch "$root/models/arch/tiny.json" --split actors:2 --epochs 200 \
    --out "$tmp/long" --cache "$tmp/cache" --threads 1 2> "$tmp/long.err" > /dev/null &
pid=$!
for i in $(seq 1 600); do [ -f "$tmp/long.json" ] && break; sleep 0.1; done
sleep 0.5
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
check "the checkpoint of a killed run exists" [ -f "$tmp/long.json" -a -f "$tmp/long.bin" ]
check "the killed run's checkpoint predicts" expect_exit 0 "$aer" predict --model "$tmp/long.json" \
    "$tmp/data/Actor_01/03-02-01-01-01-01-01.wav"
# The epochs the weights on disk have: a kill between the .bin's rename and the .json's leaves the
# JSON one epoch behind, so read it from the state that matches the .bin (core/train/checkpoint.h).
done_epochs=$(python3 - "$tmp/long" <<'PY'
import json, struct, sys
prefix = sys.argv[1]
digest = 0xcbf29ce484222325  # FNV-1a 64 of the .bin
for byte in open(prefix + ".bin", "rb").read():
    digest = ((digest ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
for path in (prefix + ".state", prefix + ".state.prev"):
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    header = json.loads(data[16:16 + struct.unpack("<I", data[12:16])[0]])
    if int(header["weights"], 16) == digest:
        print(header["epochs_done"])
        break
else:
    print(json.load(open(prefix + ".json"))["training"]["epochs_done"])
PY
)
check "the killed run's checkpoint has its training state" [ -f "$tmp/long.state" ]
check "resume continues after the checkpoint's epochs" expect_exit 0 "$aer" train --data "$tmp/data" --resume "$tmp/long.json" \
    --epochs $((done_epochs + 1)) --out "$tmp/long" --report "$tmp/resumed.json" --cache "$tmp/cache" --threads 1
check "the resumed run trained exactly one epoch" \
    python3 -c "import json; r=json.load(open('$tmp/resumed.json')); assert len(r['history'])==1 and r['history'][0]['epoch']==$((done_epochs + 1)), r['history']"
check "the resume took the checkpoint's split" grep -q '"split_spec": "actors:2"' "$tmp/long.json"
# A kill may leave PREFIX.*.tmp behind; the next save writes and renames every one of them.
check "no temporary files are left beside the resumed model" no_temp_files long
"$aer" train --data "$tmp/data" --arch "$root/models/arch/tiny.json" --split actors:2 --epochs $((done_epochs + 1)) \
    --out "$tmp/unbroken" --cache "$tmp/cache" --threads 1 2> /dev/null > /dev/null
check "killed + resumed ends with the weights of the unbroken run, bit for bit" cmp "$tmp/long.bin" "$tmp/unbroken.bin"
"$aer" train --data "$tmp/data" --arch "$root/models/arch/tiny.json" --split paper --seed 3 --epochs 2 \
    --out "$tmp/half" --cache "$tmp/cache" --threads 1 2> /dev/null > /dev/null
"$aer" train --data "$tmp/data" --resume "$tmp/half.json" --epochs 4 --out "$tmp/half" --cache "$tmp/cache" --threads 1 \
    2> "$tmp/half.err" > /dev/null
"$aer" train --data "$tmp/data" --arch "$root/models/arch/tiny.json" --split paper --seed 3 --epochs 4 \
    --out "$tmp/whole" --cache "$tmp/cache" --threads 1 2> /dev/null > /dev/null
check "2 epochs + 2 resumed = 4 epochs, bit for bit" cmp "$tmp/half.bin" "$tmp/whole.bin"
check "the resume says it has the optimiser state" grep -q "with its optimiser state" "$tmp/half.err"
rm -f "$tmp/whole.state" "$tmp/whole.state.prev"
"$aer" train --data "$tmp/data" --resume "$tmp/whole.json" --epochs 5 --out "$tmp/nostate" --cache "$tmp/cache" \
    --threads 1 2> "$tmp/nostate.err" > /dev/null
check "a checkpoint without a state still resumes, and says what it lacks" grep -q "moments start afresh" "$tmp/nostate.err"
printf 'AERSTATE\002\000\000\000' > "$tmp/whole.state"
check "a broken state is named and not used" expect_exit 0 "$aer" train --data "$tmp/data" --resume "$tmp/whole.json" \
    --epochs 5 --out "$tmp/badstate" --cache "$tmp/cache" --threads 1
check "the note names the state file" grep -q "whole.state" "$tmp/err"
check "a finished checkpoint asks for more epochs" expect_exit 2 "$aer" train --data "$tmp/data" --resume "$tmp/long.json" \
    --split actors:2 --epochs 1 --out "$tmp/long2" --cache "$tmp/cache"

check "a bad --augment is a usage error naming the part" expect_exit 2 "$aer" train --data "$tmp/data" \
    --arch "$root/models/arch/tiny.json" --augment shift:x --out "$tmp/aug"
check "the augment error names the part" grep -q "'shift:x'" "$tmp/err"

# 6. Ctrl-C: training stops between batches, keeps the finished epochs, saves and reports.
"$aer" train --data "$tmp/data" --arch "$root/models/arch/tiny.json" --split actors:2 --epochs 500 \
    --out "$tmp/int" --report "$tmp/int.report.json" --cache "$tmp/cache" --threads 1 2> "$tmp/int.err" > /dev/null &
pid=$!
for i in $(seq 1 600); do [ -f "$tmp/int.json" ] && break; sleep 0.1; done
kill -INT $pid; wait $pid; code=$?
check "an interrupted run exits 0" [ "$code" -eq 0 ]
check "it says what it kept" grep -q "stopped: keeping the" "$tmp/int.err"
check "no temporary files are left beside the interrupted run's model" no_temp_files int
check "its report covers the finished epochs" \
    python3 -c "import json; r=json.load(open('$tmp/int.report.json')); m=json.load(open('$tmp/int.json')); assert 1 <= len(r['history']) < 500 and m['training']['epochs_done']==len(r['history'])"

# 7. speech and song: 8 emotions, labels from the data and from the model, --channels, several --data.
mkdir -p "$tmp/speech"
cp -r "$root/data/ravdess-speech/Actor_01" "$root/data/ravdess-speech/Actor_02" "$tmp/speech/"
check "train on speech and song" expect_exit 0 "$aer" train --data "$tmp/speech" --data "$tmp/data" \
    --arch "$root/models/arch/tiny.json" --split actors:2 --epochs 1 --out "$tmp/both" --report "$tmp/both.report.json" \
    --cache "$tmp/cache"
check "speech brings the 8 RAVDESS emotions, in order, into the model file and the report" python3 -c "
import json; m=json.load(open('$tmp/both.json')); r=json.load(open('$tmp/both.report.json'))
eight=['neutral','calm','happy','sad','angry','fearful','disgust','surprised']
assert m['labels']==eight and r['labels']==eight and len(r['confusion'])==8
# actor 2's held-out files: 60 speech, 44 song, each channel judged on its own
assert r['n']==104 and r['by_channel']['speech']['n']==60 and r['by_channel']['song']['n']==44
assert m['training']['config']['where']=='cli' and m['training']['config']['channels']=='both'"
check "--channels song keeps the song files and the 6 emotions" expect_exit 0 "$aer" train --data "$tmp/speech" \
    --data "$tmp/data" --channels song --arch "$root/models/arch/tiny.json" --split actors:2 --epochs 1 --out "$tmp/song" \
    --report "$tmp/song.report.json" --cache "$tmp/cache"
check "the song run counts what it skipped" grep -q "120 RAVDESS file(s) of the other vocal channel skipped" "$tmp/err"
check "the song run has 6 labels and song only" python3 -c "
import json; r=json.load(open('$tmp/song.report.json'))
assert len(r['labels'])==6 and r['n']==44 and list(r['by_channel'])==['song']"
check "a bad --channels is a usage error" expect_exit 2 "$aer" train --data "$tmp/speech" --channels choir \
    --arch "$root/models/arch/tiny.json" --out "$tmp/bad"
check "eval takes the labels from the model and counts every speech file" expect_exit 0 "$aer" eval \
    --model "$tmp/both.json" --data "$tmp/speech" --cache "$tmp/cache"
check "eval: 8 labels, 120 files" python3 -c "
import json; r=json.loads(open('$tmp/out').read()); assert len(r['labels'])==8 and r['n']==120"
check "eval with the shipped default model" expect_exit 0 "$aer" eval --data "$tmp/speech" --data "$tmp/data" --cache "$tmp/cache"
check "the default model knows the 8 emotions and counts all 120 speech and 88 song files" python3 -c "
import json; r=json.loads(open('$tmp/out').read())
assert len(r['labels'])==8 and r['n']==208 and r['by_channel']['speech']['n']==120 and r['by_channel']['song']['n']==88"
check "a 6-label model counts what it cannot judge" expect_exit 0 "$aer" eval --model "$tmp/tiny.json" \
    --data "$tmp/speech" --cache "$tmp/cache"
check "the skipped labels are named with their counts" grep -q "16 file(s) labelled 'disgust' skipped" "$tmp/err"

# 10. adapt: a copy of the tiny model fine-tuned on actor 1's clips, kept only when it does better on
# held-back clips (cross-validation); the original files never change.
sums_before=$(sha256sum "$tmp/tiny.json" "$tmp/tiny.bin")
mkdir -p "$tmp/voice" && cp "$tmp/data/Actor_01/"03-02-0[1-3]-01-01-0[12]-01.wav "$tmp/voice/"
check "adapt" expect_exit 0 "$aer" adapt --model "$tmp/tiny.json" --data "$tmp/voice" --out "$tmp/tiny-me" \
    --epochs 3 --cache "$tmp/cache" --report "$tmp/adapt.report.json" --also-adapted "$tmp/tiny-all"
check "adapt prints which model it kept, why, and the held-back figures" python3 -c "
import json; r=json.loads(open('$tmp/out').read()); m=json.load(open('$tmp/tiny.json')); k=json.load(open('$tmp/tiny-me.json'))
assert r['clips']==6 and r['epochs']==3 and r['train']=='all' and r['folds']==2 and r['held_back_n']==6
assert r['kept'] in ('adapted', 'original') and r['reason'].startswith('kept the ' + ('adapted model' if r['kept']=='adapted' else 'original'))
rep=json.load(open('$tmp/adapt.report.json')); assert rep['kept']==r['kept'] and len(rep['per_fold'])==2
# kept adapted: more held-back clips right, or as many and a higher likelihood of the true labels
wins=(rep['adapted_right'], rep['adapted_log_likelihood']) > (rep['original_right'], rep['original_log_likelihood'])
assert (r['kept']=='adapted') == wins
assert r['labels']==m['labels'] and k['labels']==m['labels']
assert k['training']['personalisation']['kept']==r['kept'] and k['training']['personalisation']['reason']==r['reason']
if r['kept']=='original': assert open('$tmp/tiny-me.bin','rb').read()==open('$tmp/tiny.bin','rb').read()
# --also-adapted: the model adapted on all the clips, whichever was kept (the kept one when adapted won)
a=json.load(open('$tmp/tiny-all.json')); assert r['also_adapted']=='$tmp/tiny-all.json' and a['training']['train_n']==6
assert (open('$tmp/tiny-all.bin','rb').read()==open('$tmp/tiny-me.bin','rb').read()) == (r['kept']=='adapted')"
check "adapt says which model it kept on stderr" grep -q "^adapt: kept the .*; wrote $tmp/tiny-me.json" "$tmp/err"
mkdir -p "$tmp/voice1" && cp "$tmp/voice/"03-02-0[12]-01-01-01-01.wav "$tmp/voice1/"
check "adapt with one clip per label" expect_exit 0 "$aer" adapt --model "$tmp/tiny.json" --data "$tmp/voice1" \
    --out "$tmp/tiny-one" --cache "$tmp/cache"
check "too few clips keep the original and say so" python3 -c "
import json; r=json.loads(open('$tmp/out').read())
assert r['kept']=='original' and r['folds']==0 and 'too few clips to hold any back' in r['reason'], r
assert open('$tmp/tiny-one.bin','rb').read()==open('$tmp/tiny.bin','rb').read()"
check "the adapted model predicts" expect_exit 0 "$aer" predict --model "$tmp/tiny-me.json" "$tmp/voice/03-02-01-01-01-01-01.wav"
check "adapt refuses to write over the model it adapts" expect_exit 2 "$aer" adapt --model "$tmp/tiny.json" \
    --data "$tmp/voice" --out "$tmp/tiny" --cache "$tmp/cache"
check "the refusal says why" grep -q "is the model being adapted" "$tmp/err"
check "adapt: a bad rule exits 2" expect_exit 2 "$aer" adapt --model "$tmp/tiny.json" --data "$tmp/voice" \
    --out "$tmp/x" --train everything
check "the original model files are unchanged" [ "$(sha256sum "$tmp/tiny.json" "$tmp/tiny.bin")" = "$sums_before" ]

# 9. timelines: a recording of two clips (angry, then sad) with 2 s of silence between them.
speech="$root/data/ravdess-speech"
python3 - "$tmp/long.wav" "$speech/Actor_02/03-01-05-02-01-01-02.wav" "$speech/Actor_03/03-01-04-02-01-01-03.wav" <<'PY'
import sys, wave
out, a, b = sys.argv[1:]
ra, rb = wave.open(a), wave.open(b)
p = ra.getparams()
assert (p.nchannels, p.sampwidth, p.framerate) == rb.getparams()[:3]
gap = b"\0" * (2 * p.framerate * p.nchannels * p.sampwidth)
o = wave.open(out, "wb")
o.setnchannels(p.nchannels); o.setsampwidth(p.sampwidth); o.setframerate(p.framerate)
o.writeframes(ra.readframes(p.nframes) + gap + rb.readframes(rb.getnframes()))
o.close()
PY
check "predict --timeline" expect_exit 0 "$aer" predict --timeline "$tmp/long.wav" "$speech/Actor_02/03-01-05-02-01-01-02.wav"
check "timeline: one line per file, windows covering each file at most 0.5 s apart" python3 - "$tmp/out" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 2, lines
long, short = lines
w = long["timeline"]
assert long["label"] in long["probabilities"] and abs(sum(long["probabilities"].values()) - 1) < 1e-4
assert w[0]["start"] == 0 and abs(w[-1]["end"] - long["duration_s"]) < 0.002, (w[0], w[-1], long["duration_s"])
assert all(0 < b["start"] - a["start"] <= 0.5 for a, b in zip(w, w[1:]))
assert all(x["label"] in x["probabilities"] for x in w if x["label"] is not None)
# Each clip's label around its middle (the window holding it with the nearest centre).
def at(t):
    return min((x for x in w if x["start"] <= t <= x["end"]), key=lambda x: abs((x["start"] + x["end"]) / 2 - t))["label"]
assert at(1.95) == "angry" and at(3.9 + 2 + 1.9) == "sad", (at(1.95), at(7.8))
# A clip shorter than the window is one window, and the same as predict without --timeline.
assert len(short["timeline"]) == 1 and short["label"] == "angry"
PY
check "--hop sets the spacing" expect_exit 0 "$aer" predict --timeline --hop 0.25 "$tmp/long.wav"
check "--hop 0.25: windows 0.25 s apart or less" python3 -c "
import json; w=json.load(open('$tmp/out'))['timeline']; assert len(w) > 15 and all(0 < b['start']-a['start'] <= 0.25 for a, b in zip(w, w[1:]))"
check "--hop out of range exits 2" expect_exit 2 "$aer" predict --timeline --hop 0 "$tmp/long.wav"
check "--hop without --timeline exits 2" expect_exit 2 "$aer" predict --hop 0.5 "$tmp/long.wav"
check "the usage names --timeline" grep -q -- "--timeline" "$tmp/err"
# 8. kernel backends: predict gives the same labels, and probabilities within 1e-5 (README,
# "Kernel backends"), under every backend the build has, natively and in the wasm build under node.
examples=("$root"/web/examples/*.wav)
same_predictions() { # same_predictions A.jsonl B.jsonl: same files and labels, probabilities within 1e-5
    python3 - "$1" "$2" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert len(a) == len(b) == 14, (len(a), len(b))
for x, y in zip(a, b):
    assert x["file"] == y["file"] and x["label"] == y["label"], (x, y)
    worst = max(abs(x["probabilities"][k] - y["probabilities"][k]) for k in x["probabilities"])
    assert worst <= 1e-5, (x["file"], worst)
PY
}
check "predict --backend reference" expect_exit 0 "$aer" predict --backend reference "${examples[@]}"
cp "$tmp/out" "$tmp/pred.reference"
for be in simd xnnpack; do
    if [ "$be" = xnnpack ] && "$aer" predict --backend xnnpack "${examples[0]}" 2>&1 | grep -q "not in this build"; then
        echo "note: this native build has no xnnpack backend (libXNNPACK missing)"; continue
    fi
    check "predict --backend $be" expect_exit 0 "$aer" predict --backend "$be" "${examples[@]}"
    cp "$tmp/out" "$tmp/pred.$be"
    check "predict --backend $be agrees with the reference loops" same_predictions "$tmp/pred.reference" "$tmp/pred.$be"
done
check "predict --backend nonsense is a usage error" expect_exit 2 "$aer" predict --backend nonsense "${examples[0]}"
check "the error lists the backends" grep -q "reference, simd, xnnpack" "$tmp/err"
for v in st mt; do
    js="$root/build/wasm-$v/aer.js"
    [ -f "$js" ] || { echo "note: $js not built"; continue; }
    check "wasm-$v predict --backend simd" expect_exit 0 node --no-experimental-fetch "$js" predict --backend simd "${examples[@]}"
    cp "$tmp/out" "$tmp/pred.wasm-$v"
    check "wasm-$v predict agrees with the native reference loops" same_predictions "$tmp/pred.reference" "$tmp/pred.wasm-$v"
    # No wasm build of XNNPACK is linked (README, "Kernel backends"): a clear usage error, not a silent fallback.
    check "wasm-$v predict --backend xnnpack is refused" expect_exit 2 node --no-experimental-fetch "$js" predict \
        --backend xnnpack "${examples[0]}"
    check "wasm-$v: the refusal says the build lacks it" grep -q "backend xnnpack is not in this build" "$tmp/err"
done

# 11. real voices: the default model hears the same at any level; degraded evaluation; training
# with level-free features and augmented audio copies.
python3 - "$root/data/ravdess-speech/Actor_02/03-01-05-02-01-01-02.wav" "$tmp/quiet.wav" <<'PY'
# The clip 30 dB quieter, as 32-bit float samples (no requantisation).
import struct, sys, wave
with wave.open(sys.argv[1]) as w:
    rate, n, ch = w.getframerate(), w.getnframes(), w.getnchannels()
    pcm = struct.unpack("<%dh" % (n * ch), w.readframes(n))
data = struct.pack("<%df" % len(pcm), *[v / 32768 * 10 ** (-30 / 20) for v in pcm])
fmt = struct.pack("<HHIIHH", 3, ch, rate, rate * 4 * ch, 4 * ch, 32)
with open(sys.argv[2], "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE")
    f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data)
PY
check "predict the clip and its -30 dB copy" expect_exit 0 "$aer" predict \
    "$root/data/ravdess-speech/Actor_02/03-01-05-02-01-01-02.wav" "$tmp/quiet.wav"
check "the default model gives both the same label and probabilities within 1e-3" python3 -c "
import json; a, b = [json.loads(l) for l in open('$tmp/out')]
assert a['label'] == b['label'], (a['label'], b['label'])
assert max(abs(a['probabilities'][k] - b['probabilities'][k]) for k in a['probabilities']) < 1e-3"
check "eval --degrade scores every condition" expect_exit 0 "$aer" eval --model "$tmp/tiny.json" --data "$tmp/data" \
    --actors 1 --cache none --degrade clean --degrade noise:pink:10 --degrade laptop-room
check "eval --degrade: a row per condition, clean as without" python3 -c "
import json; r=json.loads(open('$tmp/out').read()); c=r['conditions']
assert sorted(c) == ['clean', 'laptop-room', 'noise:pink:10'] and all(v['n'] == 44 for v in c.values())
assert c['clean']['accuracy'] == r['accuracy']"
check "eval --degrade: a bad condition is a usage error" expect_exit 2 "$aer" eval --model "$tmp/tiny.json" \
    --data "$tmp/data" --degrade noise:pink
check "the message names the condition" grep -q "noise:pink" "$tmp/err"
check "train with level-free features and audio copies" expect_exit 0 "$aer" train --data "$tmp/data" \
    --arch "$root/models/arch/tiny.json" --split actors:2 --epochs 1 --out "$tmp/copies" --cache "$tmp/cache" \
    --features ref=max,fmax=8000 --wave-augment copies:2,noise:0.5,room:0.5,gain:0.5
check "copies train (2 per training clip), the held-out actor is tested as recorded" python3 -c "
import json; m=json.load(open('$tmp/copies.json')); t=m['training']
assert m['features']['ref'] == 'max' and m['features']['fmax'] == 8000
assert t['train_n'] == 44 and t['test_n'] == 44 and t['train_copies'] == 88, t"
check "a bad --features is a usage error" expect_exit 2 "$aer" train --data "$tmp/data" \
    --arch "$root/models/arch/tiny.json" --out "$tmp/x" --features ref=loud
check "the message names the key" grep -q "'ref'" "$tmp/err"

check_summary cli

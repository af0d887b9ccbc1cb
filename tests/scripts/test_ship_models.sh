#!/usr/bin/env bash
# scripts/ship-models, which puts the models into the site (scripts/build web): exactly the
# models and DEFAULT, never a report, and a loud failure naming the file when a model is missing.
#   tests/scripts/test_ship_models.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ship="$root/scripts/ship-models"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
check() { # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
listing() { (cd "$1" 2>/dev/null && ls | LC_ALL=C sort | tr '\n' ' '); }
fresh() { # fresh NAME FILE...: a models folder $tmp/NAME holding FILEs (DEFAULT names "a")
    local dir="$tmp/$1"; shift
    mkdir -p "$dir"
    for f in "$@"; do
        if [ "$f" = DEFAULT ]; then echo a > "$dir/DEFAULT"; else echo "$f" > "$dir/$f"; fi
    done
}

# 1. Two models, their reports and a leftover training state: the models and DEFAULT only.
fresh ok DEFAULT a.json a.bin a.report.json b.json b.bin b.report.json a.state
check "a complete folder ships" "$ship" "$tmp/ok" "$tmp/ok-site"
check "exactly the models and DEFAULT, no report or state" \
    [ "$(listing "$tmp/ok-site")" = "DEFAULT a.bin a.json b.bin b.json " ]
check "the files are copied unchanged" cmp "$tmp/ok/a.bin" "$tmp/ok-site/a.bin"

# 2. DEFAULT names a model that is not there: exit 1 naming DEFAULT and the model.
fresh nodefault DEFAULT b.json b.bin
"$ship" "$tmp/nodefault" "$tmp/nodefault-site" 2> "$tmp/err"
check "a missing default model fails" [ $? -eq 1 ]
check "the error names DEFAULT and the missing file" grep -q "DEFAULT names 'a'.*a.json is missing" "$tmp/err"
fresh halfdefault DEFAULT a.json b.json b.bin
"$ship" "$tmp/halfdefault" "$tmp/halfdefault-site" 2> "$tmp/err"
check "a default model without its .bin fails" [ $? -eq 1 ]
check "the error names the missing .bin" grep -q "a.bin is missing" "$tmp/err"

# 3. No DEFAULT at all.
fresh nofile a.json a.bin
"$ship" "$tmp/nofile" "$tmp/nofile-site" 2> "$tmp/err"
check "a folder without DEFAULT fails" [ $? -eq 1 ]
check "the error names DEFAULT" grep -q "DEFAULT is missing" "$tmp/err"

# 4. Half a model beside a good default: named, not shipped in part.
fresh half DEFAULT a.json a.bin c.json
"$ship" "$tmp/half" "$tmp/half-site" 2> "$tmp/err"
check "a model without its .bin fails" [ $? -eq 1 ]
check "the error names the lone .json" grep -q "c.json has no c.bin" "$tmp/err"
fresh halfbin DEFAULT a.json a.bin d.bin
"$ship" "$tmp/halfbin" "$tmp/halfbin-site" 2> "$tmp/err"
check "a .bin without its .json fails" [ $? -eq 1 ]
check "the error names the lone .bin" grep -q "d.bin has no d.json" "$tmp/err"

# 5. The repository's own models/: every NAME.bin with its NAME.json, DEFAULT, nothing else.
expected=$( (cd "$root/models" && for b in *.bin; do echo "$b"; echo "${b%.bin}.json"; done; echo DEFAULT) |
    LC_ALL=C sort | tr '\n' ' ')
check "models/ ships" "$ship" "$root/models" "$tmp/site"
check "models/ ships its models and DEFAULT only" [ "$(listing "$tmp/site")" = "$expected" ]

echo "ship-models: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

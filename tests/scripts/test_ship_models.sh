#!/usr/bin/env bash
# scripts/ship-models, which puts the models into the site (scripts/build web): exactly the
# models and DEFAULT, never a report, and a loud failure naming the file when a model is missing.
#   tests/scripts/test_ship_models.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ship="$root/scripts/ship-models"
source "$root/tests/check.sh" # $tmp, check, expect_exit, check_summary
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

refused() { # refused NAME PATTERN: shipping $tmp/NAME exits 1 with an error matching PATTERN
    expect_exit 1 "$ship" "$tmp/$1" "$tmp/$1-site" && grep -q "$2" "$tmp/err"
}

# 2. DEFAULT names a model that is not there: exit 1 naming DEFAULT and the model.
fresh nodefault DEFAULT b.json b.bin
check "a missing default model fails, naming DEFAULT and the file" refused nodefault "DEFAULT names 'a'.*a.json is missing"
fresh halfdefault DEFAULT a.json b.json b.bin
check "a default model without its .bin fails, naming it" refused halfdefault "a.bin is missing"

# 3. No DEFAULT at all.
fresh nofile a.json a.bin
check "a folder without DEFAULT fails, naming DEFAULT" refused nofile "DEFAULT is missing"

# 4. Half a model beside a good default: named, not shipped in part.
fresh half DEFAULT a.json a.bin c.json
check "a model without its .bin fails, naming the lone .json" refused half "c.json has no c.bin"
fresh halfbin DEFAULT a.json a.bin d.bin
check "a .bin without its .json fails, naming the lone .bin" refused halfbin "d.bin has no d.json"
check "nothing is shipped from a refused folder" [ ! -e "$tmp/halfbin-site" ]

# 5. The repository's own models/: every NAME.bin with its NAME.json, DEFAULT, nothing else.
expected=$( (cd "$root/models" && for b in *.bin; do echo "$b"; echo "${b%.bin}.json"; done; echo DEFAULT) |
    LC_ALL=C sort | tr '\n' ' ')
check "models/ ships" "$ship" "$root/models" "$tmp/site"
check "models/ ships its models and DEFAULT only" [ "$(listing "$tmp/site")" = "$expected" ]

check_summary ship-models

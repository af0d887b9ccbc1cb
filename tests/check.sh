# The shell tests' shared pieces (sourced): a scratch folder $tmp removed at exit, and
#   check NAME CONDITION...      counts CONDITION's success in $pass, else $fail with "FAIL: NAME"
#   expect_exit CODE COMMAND...  succeeds when COMMAND exits CODE (stdout in $tmp/out, stderr in $tmp/err)
#   check_summary WHAT           prints "WHAT: N passed, N failed" and succeeds when none failed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
check() {
    local name=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
expect_exit() {
    local code=$1; shift
    "$@" > "$tmp/out" 2> "$tmp/err"
    [ $? -eq "$code" ]
}
check_summary() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

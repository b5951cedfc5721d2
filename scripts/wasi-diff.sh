#!/usr/bin/env bash
# Differential check of rt's WASI against wasmtime: runs the same programs under both with
# the same arguments, environment, stdin and a fresh copy of the same preopened directory,
# and reports every difference in exit status, stdout or stderr.
#
#   scripts/wasi-diff.sh [PROGRAM.wasm ...]
#
# Without arguments it runs the C fixtures (build/fixtures/wasi_*.wasm, built by
# `make fixtures`) and the programs of ../shared/wasi-testsuite. Set RT to pick the rt
# binary (default target/release/rt, else target/debug/rt). Exit status: 0 when nothing
# differs (or wasmtime is absent: skipped, with a message), 1 when something differs.
set -u
cd "$(dirname "$0")/.."

# The reference: the wasmtime CLI, else wasmtime-py (same WASI implementation, a prebuilt
# wheel: `pip install wasmtime`) through scripts/wasmtime_py_run.py.
if command -v wasmtime >/dev/null 2>&1; then
    REFERENCE=(wasmtime run)
elif python3 -c 'import wasmtime' >/dev/null 2>&1; then
    REFERENCE=(python3 "$PWD/scripts/wasmtime_py_run.py" run)
else
    echo "wasi-diff: SKIPPED: neither wasmtime nor the wasmtime Python package is installed" \
        "(cargo install wasmtime-cli --version 48.0.8 --locked, or pip install wasmtime)" >&2
    exit 0
fi
RT=${RT:-}
if [ -z "$RT" ]; then
    for candidate in target/release/rt target/debug/rt; do
        [ -x "$candidate" ] && RT=$candidate && break
    done
fi
[ -n "$RT" ] && [ -x "$RT" ] || { echo "wasi-diff: no rt binary; run cargo build first" >&2; exit 1; }
RT=$(realpath "$RT")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
differences=0
compared=0

# run_both NAME WASM CWD ROOT STDIN [flags-and-args...]: ROOT is a directory to preopen as
# /sandbox (fresh copy per runtime) or "" for none; the remaining words are KEY=VALUE env
# settings (as "env:KEY=VALUE") followed by guest arguments.
run_both() {
    local name=$1 wasm=$2 cwd=$3 root=$4 stdin=$5 guest_root=$6
    shift 6
    local env_flags=() args=()
    for word in "$@"; do
        case $word in
            env:*) env_flags+=(--env "${word#env:}") ;;
            *) args+=("$word") ;;
        esac
    done
    for runtime in rt wasmtime; do
        local out=$work/$runtime
        rm -rf "$out" && mkdir -p "$out"
        local dir_flags=()
        if [ -n "$root" ]; then
            cp -a "$root" "$out/root"
            find "$out/root" -name '*.cleanup' -delete
            dir_flags=(--dir "$out/root::$guest_root")
        fi
        local cmd
        if [ $runtime = rt ]; then cmd=("$RT" run); else cmd=("${REFERENCE[@]}"); fi
        (cd "$cwd" && "${cmd[@]}" "${env_flags[@]}" "${dir_flags[@]}" "$wasm" "${args[@]}" \
            <"$stdin" >"$out/stdout" 2>"$out/stderr"; echo $? >"$out/status")
    done
    compared=$((compared + 1))
    local what
    for what in status stdout stderr; do
        if ! cmp -s "$work/rt/$what" "$work/wasmtime/$what"; then
            echo "DIFF $name: $what"
            diff <(head -c 2000 "$work/wasmtime/$what") <(head -c 2000 "$work/rt/$what") | sed 's/^/    /' | head -20
            differences=$((differences + 1))
        fi
    done
}

empty=$work/empty-stdin
: >"$empty"

if [ $# -gt 0 ]; then
    for wasm in "$@"; do
        run_both "$wasm" "$(realpath "$wasm")" "$PWD" "" "$empty" /
    done
else
    # The self-checking C fixtures; each gets an empty scratch directory as /sandbox.
    scratch=$work/scratch-template
    mkdir -p "$scratch"
    for wasm in build/fixtures/wasi_*.wasm; do
        [ -e "$wasm" ] || { echo "wasi-diff: no fixtures; run make fixtures" >&2; break; }
        name=$(basename "$wasm" .wasm)
        case $name in
            wasi_fd_ops | wasi_path_ops | wasi_escape) run_both "$name" "$(realpath "$wasm")" "$PWD" "$scratch" "$empty" /sandbox ;;
            wasi_posix) run_both "$name" "$(realpath "$wasm")" "$PWD" "$scratch" "$empty" / ;;
            wasi_exit) run_both "$name 9" "$(realpath "$wasm")" "$PWD" "" "$empty" / 9 ;;
            wasi_misc) run_both "$name" "$(realpath "$wasm")" "$PWD" "" "$empty" / env:K=v a "b c" ;;
            wasi_stdio) echo "some input" >"$work/stdin" && run_both "$name" "$(realpath "$wasm")" "$PWD" "" "$work/stdin" / ;;
            wasi_lines) ;; # needs a closing pipe; covered by tests/cli/wasi.rs
            *) run_both "$name" "$(realpath "$wasm")" "$PWD" "" "$empty" / ;;
        esac
    done
    suite=../shared/wasi-testsuite
    if [ -d "$suite" ]; then
        for wasm in "$suite"/c/*.wasm "$suite"/assemblyscript/*.wasm; do
            json=${wasm%.wasm}.json
            folder=$(dirname "$wasm")
            root="" extra=()
            if [ -f "$json" ]; then
                r=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("root",""))' "$json")
                [ -n "$r" ] && root=$folder/$r
                # NUL-separated: values may hold newlines.
                mapfile -d '' -t extra < <(python3 -c '
import json, sys
spec = json.load(open(sys.argv[1]))
words = ["env:%s=%s" % kv for kv in spec.get("env", {}).items()] + spec.get("args", [])
sys.stdout.write("".join(w + "\0" for w in words))' "$json")
            fi
            run_both "$(basename "$wasm")" "$(realpath "$wasm")" "$folder" "$root" "$empty" / "${extra[@]}"
        done
    else
        echo "wasi-diff: ../shared/wasi-testsuite not found; compared the fixtures only" >&2
    fi
fi

echo "wasi-diff: $compared programs compared, $differences differences"
[ $differences -eq 0 ]

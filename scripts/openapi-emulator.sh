# Sourced by scripts/check-openapi.sh and scripts/schemathesis.sh: finds (or builds) the
# emulator binary, starts it on an ephemeral port with the given flags, and sets
# BASE_URL. The process is stopped when the calling script exits.
#
#   start_emulator NAME [extra emulator flags...]
# BINARY: $WORKLOAD_EMULATOR_BIN, else $SCRATCH_PATH/debug/workload-emulator (default
# .build); built with `swift build --product workload-emulator` when missing.

emulator_binary() {
    local scratch="${SCRATCH_PATH:-.build}"
    local binary="${WORKLOAD_EMULATOR_BIN:-$scratch/debug/workload-emulator}"
    if [[ ! -x "$binary" && -z "${WORKLOAD_EMULATOR_BIN:-}" ]]; then
        echo "$1: building $binary" >&2
        swift build --scratch-path "$scratch" --product workload-emulator >&2
    fi
    [[ -x "$binary" ]] || { echo "$1: no emulator binary at $binary" >&2; exit 2; }
    echo "$binary"
}

start_emulator() {
    local name="$1"; shift
    local binary
    binary=$(emulator_binary "$name")
    EMULATOR_DIR=$(mktemp -d)
    "$binary" --port 0 --port-file "$EMULATOR_DIR/port" "$@" >"$EMULATOR_DIR/stdout" 2>"$EMULATOR_DIR/stderr" &
    EMULATOR_PID=$!
    trap 'kill "$EMULATOR_PID" 2>/dev/null; wait "$EMULATOR_PID" 2>/dev/null; rm -rf "$EMULATOR_DIR"' EXIT
    for _ in $(seq 1 200); do
        [[ -s "$EMULATOR_DIR/port" ]] && break
        kill -0 "$EMULATOR_PID" 2>/dev/null || { echo "$name: emulator exited:" >&2; cat "$EMULATOR_DIR/stderr" >&2; exit 1; }
        sleep 0.05
    done
    [[ -s "$EMULATOR_DIR/port" ]] || { echo "$name: emulator wrote no port file in 10 s" >&2; exit 1; }
    BASE_URL="http://127.0.0.1:$(cat "$EMULATOR_DIR/port")"
    echo "$name: emulator $binary on $BASE_URL (pid $EMULATOR_PID)"
}

# Fails the run when the emulator died (a crash is the worst bug).
emulator_alive() {
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
        echo "$1: the emulator process DIED during the run; its stderr:" >&2
        tail -50 "$EMULATOR_DIR/stderr" >&2
        return 1
    fi
}

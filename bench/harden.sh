#!/usr/bin/env bash
# Hardening rows, each beside nginx or the previous build in the same run:
#
#   H1 slow readers: 20 connections each send 64 KiB of pipelined
#      GET /api/v2/workloads?limit=100 (100 workloads, ~100 KB a page) and never read;
#      meanwhile GET /__emulator/health on fresh connections for 5 s: p50/p99/max and
#      RSS. nginx serves the same page bytes and health body as static files under the
#      same load.
#   H2 POST /api/v2/workloads tail latency on the real clock (--lifecycle realistic and
#      instant), wrk -t1 at 1 and 50 connections, fresh sandbox per cell; beside the
#      previous build and nginx serving a static body of the same size (the floor of
#      this machine and client). EMU_FLAGS adds flags to the emulators of this row.
#   H3 GET /api/v2/workloads/{id} in one sandbox, round robin over 4 connections, while
#      POST /__emulator/clock/advance {"seconds":28800} runs over 100,000 running draft
#      workloads in another (manual clock); beside the previous build, and beside the
#      same GETs for 1 s with no advance (the floor). The advance is sent by curl, in its
#      own process, so the GET timer shares no interpreter lock with it.
#
#   BEFORE=path/to/previous/workload-emulator bench/harden.sh
#   ROWS="H2" DURATION=3s ROUNDS=3 BEFORE=... bench/harden.sh
#   ROWS="H3" H3_ROUNDS=3 BEFORE=... bench/harden.sh   (H3 once per build and round)
#
# Without BEFORE the "previous build" columns are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
ROWS=${ROWS:-"H1 H2 H3"}
BIG=${BIG:-100000}
BEFORE=${BEFORE:-}
H3_ROUNDS=${H3_ROUNDS:-1}

ensure_tools
build_emulator
make_workdir
write_report_lua
cat >"$work/create.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"name":"bench","artifact":{"name":"a"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
wrk.headers["X-Emulator-Sandbox"] = os.getenv("SANDBOX") or "default"
LUA
cat "$work/report.lua" >>"$work/create.lua"
py() { python3 bench/harden.py "$@"; }

builds=("this:$EMULATOR")
[[ -n "$BEFORE" ]] && builds+=("previous:$BEFORE")

header() {
    echo
    echo "#### $1"
    echo
    echo "load average (1/5/15 min) at start: $(load); $(nproc) cores; $(date -u +%H:%MZ)"
    echo
}

row_h1() {
    header "H1. Slow readers: 20 × 64 KiB of unread pipelined list requests; health meanwhile"
    start_server slow "$EMULATOR" --clock manual
    py "$EMU_PORT" fill default 100
    curl -fsS -H 'Authorization: Bearer bench' "http://127.0.0.1:$EMU_PORT/api/v2/workloads?limit=100" \
        >"$work/html/page.json"
    printf '{"status":"ok"}' >"$work/html/health.json"
    local idle line
    idle=$(rss_kib "$EMU_PID")
    echo "| server | health p50 ms | p99 ms | max ms | RSS while held | peak RSS | idle RSS |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    line=$(py "$EMU_PORT" slow "$EMU_PID" "/api/v2/workloads?limit=100" /__emulator/health)
    echo "row H1 emulator $line" >&2
    set -- $line
    echo "| workload-emulator | $1 | $2 | $3 | $(mib "$4") MiB | $(mib "$5") MiB | $(mib "$idle") MiB |"
    stop_server
    start_nginx
    idle=$(tree_rss_kib "$NGINX_PID")
    line=$(python3 bench/harden.py "$NGINX_PORT" slow "$NGINX_PID" /page.json /health.json)
    echo "row H1 nginx $line" >&2
    set -- $line
    echo "| nginx (same page bytes, static) | $1 | $2 | $3 | $(mib "$4") MiB | $(mib "$5") MiB | $(mib "$idle") MiB |"
    kill "$NGINX_PID"
    wait "$NGINX_PID" 2>/dev/null || true
    echo
    echo "page: $(wc -c <"$work/html/page.json") bytes; load after: $(load)"
}

row_h2() {
    header "H2. POST /api/v2/workloads tail latency, real clock, fresh sandbox per cell (wrk -t1, $DURATION × $ROUNDS rounds, medians)"
    echo "| lifecycle | build | connections | creates/s | p50 ms | p99 ms | errors/non-2xx |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    local lifecycle build name binary round c line names=()
    for build in "${builds[@]}"; do names+=("${build%%:*}"); done
    # A create answer's size: what nginx serves for the floor rows.
    start_server size "$EMULATOR" --lifecycle realistic
    curl -fsS -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer bench' \
        -d '{"name":"bench","artifact":{"name":"a"}}' "http://127.0.0.1:$EMU_PORT/api/v2/workloads" \
        >"$work/html/created.json"
    stop_server
    for lifecycle in realistic instant; do
        declare -A s=()
        for round in $(seq 1 "$ROUNDS"); do
            for build in "${builds[@]}"; do
                name=${build%%:*}
                binary=${build#*:}
                start_server "post-$name" "$binary" --lifecycle "$lifecycle" ${EMU_FLAGS:-}
                for c in 1 50; do
                    line=$(SANDBOX="post-$round-$c" wrk_run "$c" "http://127.0.0.1:$EMU_PORT/api/v2/workloads" \
                        -s "$work/create.lua")
                    echo "row H2 $lifecycle $name round $round c=$c $line" >&2
                    s[$name,$c]+="$line"$'\n'
                done
                stop_server
            done
            # The floor: nginx serving a static body of a create answer's size, same wrk.
            start_nginx
            for c in 1 50; do
                line=$(wrk_run "$c" "http://127.0.0.1:$NGINX_PORT/created.json" -s "$work/report.lua")
                echo "row H2 $lifecycle nginx round $round c=$c $line" >&2
                s[nginx,$c]+="$line"$'\n'
            done
            kill "$NGINX_PID"
            wait "$NGINX_PID" 2>/dev/null || true
        done
        for name in "${names[@]}" nginx; do
            for c in 1 50; do
                col() { printf '%s' "${s[$name,$c]}" | awk -v k="$1" 'NF { print $k }' | median; }
                printf '| %s | %s | %s | %.0f | %s | %s | %s/%s |\n' "$lifecycle" \
                    "$([[ $name == nginx ]] && echo "nginx (static GET, same size)" || echo "$name")" "$c" "$(col 1)" \
                    "$(ms "$(col 2)")" "$(ms "$(col 3)")" "$(col 4)" "$(col 5)"
            done
        done
        unset s
    done
    echo
    echo "load after: $(load)"
}

row_h3() {
    header "H3. GET in one sandbox while another advances 8 h over $BIG running draft workloads (manual clock)"
    echo "| build | workloads | advance ms | GETs during it | GET p50 ms | p99 ms | max ms | slowest GET at ms |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    local build name binary id line round
    for round in $(seq 1 "$H3_ROUNDS"); do
        for build in "${builds[@]}"; do
            name=${build%%:*}
            binary=${build#*:}
            start_server "adv-$name" "$binary" --clock manual
            py "$EMU_PORT" fill big "$BIG"
            py "$EMU_PORT" fill small 1
            curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -H 'X-Emulator-Sandbox: big' \
                -d '{"seconds":10}' "http://127.0.0.1:$EMU_PORT/__emulator/clock/advance"
            id=$(py "$EMU_PORT" first-id small)
            # The same GETs for 1 s without an advance: what the machine gives anyway.
            line=$(py "$EMU_PORT" during big 0 small "$id")
            echo "row H3 $name round $round idle $line" >&2
            set -- $line
            echo "| $name, no advance | $BIG | – | $2 | $3 | $4 | $5 | $6 |"
            line=$(py "$EMU_PORT" during big 28800 small "$id")
            echo "row H3 $name round $round $line" >&2
            set -- $line
            echo "| $name | $BIG | $1 | $2 | $3 | $4 | $5 | $6 |"
            stop_server
        done
    done
    echo
    echo "slowest GET at: when the slowest GET was sent, in ms after the advance was (no advance: after the first GET); load after: $(load)"
}

echo "workload-emulator $("$EMULATOR" --version | awk '{ print $2 }'); $(date -u +%Y-%m-%dT%H:%MZ)"
for row in $ROWS; do
    case $row in
    H1) row_h1 ;;
    H2) row_h2 ;;
    H3) row_h3 ;;
    esac
done

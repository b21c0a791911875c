#!/usr/bin/env bash
# Health-endpoint benchmark beside nginx, in one run.
#
#   bench/health.sh                    # 3 rounds x 5 s per cell
#   DURATION=10s ROUNDS=5 bench/health.sh
#   SCRATCH_PATH=.build-me bench/health.sh   # build in another folder than .build
#
# What it does, all on loopback:
#   - installs wrk and nginx (Debian packages) when missing;
#   - builds the emulator with scripts/build-release (the Docker/CI release build);
#   - starts nginx with a config written to a temporary folder, serving a small static
#     JSON file (access log off, worker_processes auto), and the emulator;
#   - runs `wrk -t1` with 1, 50 and 256 keep-alive connections against both, ROUNDS
#     rounds interleaved, and prints the medians: req/s, p50, p99, ratio to nginx;
#   - measures exec-to-first-200 (median of STARTS starts, polled by a Python loop with
#     raw sockets, no curl process per poll) and RSS from /proc (idle, after load).
#
# The emulator runs with --log-level warn (no request lines) so both servers do the
# same work: nginx's access log is off. LOG_LEVEL=info measures it with request logs
# (written to /dev/null).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
STARTS=${STARTS:-20}
CONNECTIONS=${CONNECTIONS:-"1 50 256"}
LOG_LEVEL=${LOG_LEVEL:-warn}

source bench/lib.sh
ensure_tools
build_emulator
make_workdir

# --- nginx -------------------------------------------------------------------------
printf '{"status":"ok","version":"0.1.0"}' >"$work/html/health"
start_nginx

# --- emulator ----------------------------------------------------------------------
start_server emulator "$EMULATOR"
EMULATOR_PID=$EMU_PID
EMULATOR_PORT=$EMU_PORT

wait_http() {  # url
    for _ in $(seq 1 500); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.01
    done
    echo "no answer from $1" >&2
    exit 1
}
EMULATOR_URL="http://127.0.0.1:$EMULATOR_PORT/__emulator/health"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/health"
wait_http "$EMULATOR_URL"
wait_http "$NGINX_URL"

EMULATOR_IDLE_RSS=$(rss_kib "$EMULATOR_PID")
NGINX_IDLE_RSS=$(tree_rss_kib "$NGINX_PID")

# --- wrk -----------------------------------------------------------------------------
write_report_lua

# Other work on the machine skews every figure: the report shows the 1-minute load.
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
declare -A samples
for round in $(seq 1 "$ROUNDS"); do
    for c in $CONNECTIONS; do
        for target in emulator nginx; do
            url=$EMULATOR_URL
            [[ $target == nginx ]] && url=$NGINX_URL
            line=$(wrk -t1 -c"$c" -d"$DURATION" -s "$work/report.lua" "$url" | grep '^RESULT')
            echo "round $round  $target  c=$c  $line" >&2
            samples[$target,$c]+="${line#RESULT } "$'\n'
        done
    done
done
EMULATOR_LOADED_RSS=$(rss_kib "$EMULATOR_PID")
EMULATOR_PEAK_RSS=$(hwm_kib "$EMULATOR_PID")

column_median() { printf '%s' "${samples[$1,$2]}" | awk -v k="$3" 'NF { print $k }' | median; }
# Each round runs the emulator and nginx back to back, so their ratio within a round is
# less sensitive to other load on the machine than the ratio of the two medians.
paired_ratio() {
    paste <(printf '%s' "${samples[emulator,$1]}" | awk 'NF { print $1 }') \
        <(printf '%s' "${samples[nginx,$1]}" | awk 'NF { print $1 }') |
        awk '{ print 100 * $1 / $2 }' | median
}

# --- start to first 200 ----------------------------------------------------------
START_PORT=$(free_port)
EMULATOR_START=$(python3 bench/startup.py "$STARTS" "$START_PORT" /__emulator/health \
    "$EMULATOR" --port "$START_PORT" --log-level "$LOG_LEVEL")
write_nginx_conf "$START_PORT" "$work/nginx-start.conf"
NGINX_START=$(python3 bench/startup.py "$STARTS" "$START_PORT" /health \
    "$NGINX" -p "$work" -c "$work/nginx-start.conf" -e "$work/logs/error.log")

# --- report -----------------------------------------------------------------------
echo
echo "log level $LOG_LEVEL; workload-emulator $("$EMULATOR" --version | awk '{ print $2 }') vs $("$NGINX" -v 2>&1 | sed 's#.*/#nginx #'), wrk -t1, $DURATION x $ROUNDS rounds (medians), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| connections | server | req/s | p50 ms | p99 ms | errors | non-2xx | vs nginx (medians) | vs nginx (paired rounds) |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
for c in $CONNECTIONS; do
    nginx_rps=$(column_median nginx "$c" 1)
    for target in emulator nginx; do
        rps=$(column_median "$target" "$c" 1)
        p50=$(column_median "$target" "$c" 2)
        p99=$(column_median "$target" "$c" 3)
        errors=$(column_median "$target" "$c" 4)
        status=$(column_median "$target" "$c" 5)
        ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.0f %%", 100 * a / b }')
        paired="100 %"
        [[ $target == emulator ]] && paired=$(awk -v r="$(paired_ratio "$c")" 'BEGIN { printf "%.0f %%", r }')
        printf '| %s | %s | %.0f | %s | %s | %s | %s | %s | %s |\n' "$c" "$target" "$rps" "$(ms "$p50")" \
            "$(ms "$p99")" "$errors" "$status" "$ratio" "$paired"
    done
done
echo
echo "| | emulator | nginx |"
echo "|---|---:|---:|"
read -r e_med _ e_min e_max <<<"$EMULATOR_START"
read -r n_med _ n_min n_max <<<"$NGINX_START"
echo "| exec to first 200, median of $STARTS (min–max) | $e_med ms ($e_min–$e_max) | $n_med ms ($n_min–$n_max) |"
echo "| idle RSS | $(mib "$EMULATOR_IDLE_RSS") MiB | $(mib "$NGINX_IDLE_RSS") MiB (master + workers) |"
echo "| 1-minute load average before / after | $LOAD_BEFORE / $(cut -d' ' -f1 /proc/loadavg) | |"
echo "| RSS after the runs (peak) | $(mib "$EMULATOR_LOADED_RSS") MiB ($(mib "$EMULATOR_PEAK_RSS")) | |"

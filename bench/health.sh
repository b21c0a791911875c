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

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
command -v python3 >/dev/null || need+=(python3)
if [[ ${#need[@]} -gt 0 ]]; then
    echo "installing ${need[*]}" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# SCRATCH_PATH: build folder (default .build), e.g. a developer's own .build-NAME.
build_flags=()
[[ -n "${SCRATCH_PATH:-}" ]] && build_flags=(--scratch-path "$SCRATCH_PATH")
scripts/build-release "${build_flags[@]}" >&2
EMULATOR="$(swift build -c release --static-swift-stdlib "${build_flags[@]}" --show-bin-path)/workload-emulator"

work=$(mktemp -d /tmp/emulator-bench.XXXXXX)
chmod 755 "$work"  # nginx workers may run as another user
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- nginx -------------------------------------------------------------------------
mkdir -p "$work/html" "$work/logs"
printf '{"status":"ok","version":"0.1.0"}' >"$work/html/health.json"
chmod 644 "$work/html/health.json"
NGINX_PORT=$(free_port)
cat >"$work/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work/tmp_body;
    proxy_temp_path $work/tmp_proxy;
    fastcgi_temp_path $work/tmp_fastcgi;
    uwsgi_temp_path $work/tmp_uwsgi;
    scgi_temp_path $work/tmp_scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /health { default_type application/json; alias $work/html/health.json; }
    }
}
EOF
"$NGINX" -p "$work" -c "$work/nginx.conf" -e "$work/logs/error.log" &
pids+=($!)
NGINX_PID=$!

# --- emulator ----------------------------------------------------------------------
"$EMULATOR" --port 0 --port-file "$work/emulator.port" --log-level "$LOG_LEVEL" >/dev/null 2>/dev/null &
pids+=($!)
EMULATOR_PID=$!

wait_http() {  # url
    for _ in $(seq 1 500); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.01
    done
    echo "no answer from $1" >&2
    exit 1
}
for _ in $(seq 1 500); do [[ -s "$work/emulator.port" ]] && break; sleep 0.01; done
EMULATOR_PORT=$(cat "$work/emulator.port")
EMULATOR_URL="http://127.0.0.1:$EMULATOR_PORT/__emulator/health"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/health"
wait_http "$EMULATOR_URL"
wait_http "$NGINX_URL"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
tree_rss_kib() {  # a process and its children (nginx master + workers)
    local total=0 pid
    for pid in $1 $(pgrep -P "$1" || true); do total=$((total + $(rss_kib "$pid"))); done
    echo "$total"
}
EMULATOR_IDLE_RSS=$(rss_kib "$EMULATOR_PID")
NGINX_IDLE_RSS=$(tree_rss_kib "$NGINX_PID")

# --- wrk -----------------------------------------------------------------------------
cat >"$work/report.lua" <<'EOF'
-- Exact figures instead of wrk's rounded text: req/s, p50 and p99 in microseconds,
-- socket errors, non-2xx/3xx answers.
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT %.1f %.1f %.1f %d %d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(99),
        e.connect + e.read + e.write + e.timeout, e.status))
end
EOF

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
EMULATOR_PEAK_RSS=$(awk '/^VmHWM:/ { print $2 }' "/proc/$EMULATOR_PID/status")

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
column_median() { printf '%s' "${samples[$1,$2]}" | awk -v k="$3" 'NF { print $k }' | median; }
# Each round runs the emulator and nginx back to back, so their ratio within a round is
# less sensitive to other load on the machine than the ratio of the two medians.
paired_ratio() {
    paste <(printf '%s' "${samples[emulator,$1]}" | awk 'NF { print $1 }') \
        <(printf '%s' "${samples[nginx,$1]}" | awk 'NF { print $1 }') |
        awk '{ print 100 * $1 / $2 }' | median
}

# --- start to first 200 ----------------------------------------------------------
cat >"$work/startup.py" <<'EOF'
# Starts a server STARTS times; each time, the time from exec to the first 200 of
# GET URL_PATH, polled with raw sockets so polling costs microseconds, not a process.
import os, signal, socket, statistics, subprocess, sys, time
starts, host, port, path = int(sys.argv[1]), "127.0.0.1", int(sys.argv[2]), sys.argv[3]
command = sys.argv[4:]
request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
def ok():
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(request)
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
times = []
for _ in range(starts):
    t0 = time.perf_counter()
    p = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not ok():
        if time.perf_counter() - t0 > 10:
            sys.exit("no 200 within 10 s")
    times.append((time.perf_counter() - t0) * 1000)
    p.send_signal(signal.SIGTERM)
    p.wait()
    while ok():  # port free again before the next start
        time.sleep(0.001)
print(f"{statistics.median(times):.1f} {min(times):.1f} {max(times):.1f}")
EOF
START_PORT=$(free_port)
EMULATOR_START=$(python3 "$work/startup.py" "$STARTS" "$START_PORT" /__emulator/health \
    "$EMULATOR" --port "$START_PORT" --log-level "$LOG_LEVEL")
sed -e "s/listen 127.0.0.1:$NGINX_PORT/listen 127.0.0.1:$START_PORT/" -e "s#nginx.pid#nginx-start.pid#" \
    "$work/nginx.conf" >"$work/nginx-start.conf"
NGINX_START=$(python3 "$work/startup.py" "$STARTS" "$START_PORT" /health \
    "$NGINX" -p "$work" -c "$work/nginx-start.conf" -e "$work/logs/error.log")

# --- report -----------------------------------------------------------------------
ms() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1000 }'; }
mib() { awk -v kib="$1" 'BEGIN { printf "%.1f", kib / 1024 }'; }
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
read -r e_med e_min e_max <<<"$EMULATOR_START"
read -r n_med n_min n_max <<<"$NGINX_START"
echo "| exec to first 200, median of $STARTS (min–max) | $e_med ms ($e_min–$e_max) | $n_med ms ($n_min–$n_max) |"
echo "| idle RSS | $(mib "$EMULATOR_IDLE_RSS") MiB | $(mib "$NGINX_IDLE_RSS") MiB (master + workers) |"
echo "| 1-minute load average before / after | $LOAD_BEFORE / $(cut -d' ' -f1 /proc/loadavg) | |"
echo "| RSS after the runs (peak) | $(mib "$EMULATOR_LOADED_RSS") MiB ($(mib "$EMULATOR_PEAK_RSS")) | |"

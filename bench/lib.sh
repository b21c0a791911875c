# Shared set-up for the benchmark scripts: tools, the release build, a scratch folder
# cleaned on exit, wrk with exact figures, nginx serving static files, small helpers.
# Source it from a script that has done `cd "$(dirname "$0")/.."`.

ensure_tools() {  # installs wrk, nginx and python3 (Debian packages) when missing
    local need=()
    command -v wrk >/dev/null || need+=(wrk)
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
    command -v python3 >/dev/null || need+=(python3)
    if [[ ${#need[@]} -gt 0 ]]; then
        echo "installing ${need[*]}" >&2
        apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
    fi
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

build_emulator() {  # sets EMULATOR; EMULATOR=path skips the build, SCRATCH_PATH picks the folder
    local flags=()
    [[ -n "${SCRATCH_PATH:-}" ]] && flags=(--scratch-path "$SCRATCH_PATH")
    if [[ -z "${EMULATOR:-}" ]]; then
        scripts/build-release "${flags[@]}" >&2
        EMULATOR="$(swift build -c release --static-swift-stdlib "${flags[@]}" --show-bin-path)/workload-emulator"
    fi
}

make_workdir() {  # sets work; kills what was added to pids and removes work on exit
    work=$(mktemp -d /tmp/emulator-bench.XXXXXX)
    chmod 755 "$work"  # nginx workers may run as another user
    mkdir -p "$work/html" "$work/logs"
    pids=()
    trap cleanup_workdir EXIT
}
cleanup_workdir() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
tree_rss_kib() {  # a process and its children (nginx master + workers)
    local total=0 pid
    for pid in $1 $(pgrep -P "$1" || true); do total=$((total + $(rss_kib "$pid"))); done
    echo "$total"
}
mib() { awk -v kib="$1" 'BEGIN { printf "%.1f", kib / 1024 }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1000 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

write_report_lua() {  # $work/report.lua: req/s, p50 and p99 in µs, socket errors, non-2xx
    cat >"$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT %.1f %.1f %.1f %d %d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(99),
        e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
}

wrk_run() {  # connections, url, extra wrk args...: prints "rps p50 p99 errors non2xx"
    local c=$1 url=$2
    shift 2
    wrk -t1 -c"$c" -d"$DURATION" "$@" "$url" | awk '/^RESULT/ { print $2, $3, $4, $5, $6 }'
}

start_server() {  # name, binary, flags...: sets EMU_PID and EMU_PORT
    local name=$1 binary=$2
    shift 2
    rm -f "$work/$name.port"
    "$binary" --port 0 --port-file "$work/$name.port" --log-level "${LOG_LEVEL:-warn}" "$@" >/dev/null \
        2>"$work/$name.err" &
    EMU_PID=$!
    pids+=("$EMU_PID")
    for _ in $(seq 1 500); do [[ -s "$work/$name.port" ]] && break; sleep 0.01; done
    EMU_PORT=$(cat "$work/$name.port")
}
stop_server() { kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true; }

write_nginx_conf() {  # port, file: serves every file of $work/html at /NAME
    cat >"$2" <<NGINX
worker_processes auto;
daemon off;
pid $2.pid;
error_log $work/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    default_type application/json;
    client_body_temp_path $work/tmp_body;
    proxy_temp_path $work/tmp_proxy;
    fastcgi_temp_path $work/tmp_fastcgi;
    uwsgi_temp_path $work/tmp_uwsgi;
    scgi_temp_path $work/tmp_scgi;
    server {
        listen 127.0.0.1:$1;
        root $work/html;
    }
}
NGINX
}

start_nginx() {  # sets NGINX_PID and NGINX_PORT
    NGINX_PORT=$(free_port)
    write_nginx_conf "$NGINX_PORT" "$work/nginx.conf"
    chmod 644 "$work/html/"* 2>/dev/null || true
    "$NGINX" -p "$work" -c "$work/nginx.conf" -e "$work/logs/error.log" &
    NGINX_PID=$!
    pids+=("$NGINX_PID")
    for _ in $(seq 1 200); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $NGINX_PORT), timeout=0.2)" 2>/dev/null && break
        sleep 0.02
    done
}

#!/usr/bin/env bash
# Every target of bench/RESULTS.md in one run, each beside its reference measured in the
# same run. Prints one markdown table per row on stdout; per-round figures go to stderr.
#
#   bench/run-all.sh                            # all rows, 3 rounds x 5 s per wrk cell
#   ROWS="2 3" DURATION=3s bench/run-all.sh     # some rows only
#   SCRATCH_PATH=.build-me bench/run-all.sh     # build in another folder than .build
#
# Rows:
#   1 start to first /__emulator/health 200 (STARTS starts: median, p90) beside nginx's
#     start to first 200 and exec-to-exit of /bin/true (the floor of any start);
#   2 GET /api/v2/workloads/{id}, keep-alive, 1/50/256 connections beside nginx serving
#     the same bytes as a static file; ratio per round; p50 at 1 connection;
#   3 POST /api/v2/workloads (inline draft artifact per create, Bearer token) at
#     1/50/256 connections, a fresh sandbox per cell (dropped after it), --lifecycle
#     instant on the real clock, RSS after each cell; beside nginx static GET;
#   4 memory: idle RSS, RSS with 256 idle keep-alive connections open, RSS after 256
#     busy connections, RSS with 100,000 workloads (running, manual clock);
#   5 list page (limit 100) page 1 and a deep page at 1k, 10k and 100k workloads;
#   6 POST /__emulator/clock/advance {"seconds":28800} over 10,000 running draft
#     workloads in a manual-clock sandbox (ROUNDS fresh sandboxes, median).
# The set-up is bench/lib.sh's (nginx config in a temp dir, wrk -t1 with an exact report
# script, the emulator with --log-level warn: nginx's access log is off) and the starts
# are bench/startup.py's; medians of ROUNDS rounds.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
STARTS=${STARTS:-50}
CONNECTIONS=${CONNECTIONS:-"1 50 256"}
ROWS=${ROWS:-"1 2 3 4 5 6"}
BIG=${BIG:-100000}
LOG_LEVEL=${LOG_LEVEL:-warn}

source bench/lib.sh
ensure_tools
build_emulator  # EMULATOR=path skips the build (profiling a copy)
make_workdir

header() {  # title
    echo
    echo "### $1"
    echo
    echo "load average (1/5/15 min) at start: $(load); $(nproc) cores; $(date -u +%H:%MZ)"
    echo
}

start_emulator() { start_server "$1" "$EMULATOR" "${@:2}"; }  # name, extra flags...
stop_emulator() { stop_server; }

# --- wrk scripts ---------------------------------------------------------------------
write_report_lua
# POST with an inline draft artifact in every body: a draft backs one workload, so each
# create brings its own. SANDBOX picks the sandbox.
cat >"$work/create.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"name":"bench","artifact":{"name":"a"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
wrk.headers["X-Emulator-Sandbox"] = os.getenv("SANDBOX") or "default"
EOF
cat "$work/report.lua" >>"$work/create.lua"

# --- python helpers --------------------------------------------------------------------
cat >"$work/api.py" <<'EOF'
# Small client for the rows that are not wrk loops. Usage: api.py PORT COMMAND ARGS...
import http.client, json, socket, statistics, sys, time
from emulator_client import fill
port, command, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
H = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
conn = http.client.HTTPConnection("127.0.0.1", port)
def call(method, path, body=None, sandbox="default"):
    conn.request(method, path, body=None if body is None else json.dumps(body).encode(),
                 headers=dict(H, **{"X-Emulator-Sandbox": sandbox}))
    r = conn.getresponse()
    return r.status, r.read()
def total(sandbox):
    s, d = call("GET", "/api/v2/workloads?limit=1", sandbox=sandbox)
    assert s == 200, (s, d)
    return json.loads(d)["totalCount"]
if command == "create":  # sandbox → id of one new workload
    s, d = call("POST", "/api/v2/workloads", {"name": "bench", "artifact": {"name": "a"}}, args[0])
    assert s == 201, (s, d)
    print(json.loads(d)["id"])
elif command == "get":  # sandbox, path → body on stdout
    s, d = call("GET", args[1], sandbox=args[0])
    assert s == 200, (s, d)
    sys.stdout.buffer.write(d)
elif command == "total":
    print(total(args[0]))
elif command == "fill":  # sandbox, n: create n workloads, pipelined in batches of 100
    fill(port, args[0], int(args[1]))
    print(total(args[0]))
elif command == "manual":  # sandbox: freeze its clock
    s, d = call("PUT", "/__emulator/clock", {"mode": "manual"}, args[0])
    assert s == 200, (s, d)
elif command == "advance":  # sandbox, seconds → "ms firedCount" (request round trip)
    t = time.perf_counter()
    s, d = call("POST", "/__emulator/clock/advance", {"seconds": float(args[1])}, args[0])
    ms = (time.perf_counter() - t) * 1000
    assert s == 200, (s, d)
    print(f"{ms:.1f} {json.loads(d)['firedCount']}")
elif command == "drop":
    s, d = call("DELETE", f"/__emulator/sandboxes/{args[0]}")
    assert s in (200, 204), (s, d)
elif command == "count-status":  # sandbox, status → how many on the first page of that status
    s, d = call("GET", f"/api/v2/workloads?limit=1&status={args[1]}", sandbox=args[0])
    print(json.loads(d).get("totalCount"))
elif command == "idle":  # n, pid: open n keep-alive connections, one request each, hold
    n, pid = int(args[0]), int(args[1])
    def rss():
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    before = rss()
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /__emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    for s in socks:
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
    time.sleep(0.5)
    held = rss()
    for s in socks:
        s.close()
    time.sleep(0.5)
    print(before, held, rss())
EOF
api() { PYTHONPATH=bench python3 "$work/api.py" "$@"; }

# --- nginx (serves the workload GET body and the health body as static files) -----------
printf '{"status":"ok","version":"0.1.0"}' >"$work/html/health"

# The GET body: one real workload from a throwaway emulator, so nginx serves the same bytes.
start_emulator probe --lifecycle instant
WORKLOAD_ID=$(api "$EMU_PORT" create default)
sleep 0.2
api "$EMU_PORT" get default "/api/v2/workloads/$WORKLOAD_ID" >"$work/html/workload"
stop_emulator
WORKLOAD_BYTES=$(wc -c <"$work/html/workload")
start_nginx

echo "workload-emulator $("$EMULATOR" --version | awk '{ print $2 }') vs $("$NGINX" -v 2>&1 | sed 's#.*/#nginx #'); wrk -t1, $DURATION per cell, $ROUNDS rounds (medians); log level $LOG_LEVEL; $(date -u +%Y-%m-%dT%H:%MZ)"

# --- row 1: start ---------------------------------------------------------------------
row_start() {
    header "1. Start to first 200 ($STARTS starts each)"
    local port e n t
    port=$(free_port)
    write_nginx_conf "$port" "$work/nginx-start.conf"
    e=$(python3 bench/startup.py "$STARTS" "$port" /__emulator/health "$EMULATOR" --port "$port" --log-level "$LOG_LEVEL")
    n=$(python3 bench/startup.py "$STARTS" "$port" /health "$NGINX" -p "$work" -c "$work/nginx-start.conf" -e "$work/logs/error.log")
    t=$(python3 bench/startup.py "$STARTS" 0 - /bin/true)
    echo "| process | median ms | p90 ms | min–max ms |"
    echo "|---|---:|---:|---:|"
    local row
    for row in "emulator, exec → first /__emulator/health 200:$e" "nginx, exec → first /health 200:$n" "/bin/true, exec → exit (floor):$t"; do
        read -r med p90 lo hi <<<"${row#*:}"
        echo "| ${row%%:*} | $med | $p90 | $lo–$hi |"
    done
    echo
    echo "load after: $(load)"
}

# --- row 2: GET ----------------------------------------------------------------------
row_get() {
    header "2. GET /api/v2/workloads/{id} beside nginx static ($WORKLOAD_BYTES-byte body, keep-alive)"
    start_emulator get --lifecycle instant
    local id
    id=$(api "$EMU_PORT" create default)
    sleep 0.2
    local eurl="http://127.0.0.1:$EMU_PORT/api/v2/workloads/$id" nurl="http://127.0.0.1:$NGINX_PORT/workload"
    declare -A s=()
    local round c line ratios
    for round in $(seq 1 "$ROUNDS"); do
        for c in $CONNECTIONS; do
            line=$(wrk_run "$c" "$eurl" -s "$work/report.lua" -H "Authorization: Bearer bench")
            echo "row2 round $round emulator c=$c $line" >&2
            s[e,$c]+="$line"$'\n'
            line=$(wrk_run "$c" "$nurl" -s "$work/report.lua")
            echo "row2 round $round nginx c=$c $line" >&2
            s[n,$c]+="$line"$'\n'
        done
    done
    echo "| connections | emulator req/s | nginx req/s | ratio (paired rounds) | emulator p50 ms | nginx p50 ms | emulator p99 ms | errors/non-2xx |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    for c in $CONNECTIONS; do
        col() { printf '%s' "${s[$1,$c]}" | awk -v k="$2" 'NF { print $k }' | median; }
        ratios=$(paste <(printf '%s' "${s[e,$c]}" | awk 'NF { print $1 }') <(printf '%s' "${s[n,$c]}" | awk 'NF { print $1 }') |
            awk '{ print 100 * $1 / $2 }' | median)
        printf '| %s | %.0f | %.0f | %.0f %% | %s | %s | %s | %s/%s |\n' "$c" "$(col e 1)" "$(col n 1)" "$ratios" \
            "$(ms "$(col e 2)")" "$(ms "$(col n 2)")" "$(ms "$(col e 3)")" "$(col e 4)" "$(col e 5)"
    done
    echo
    echo "load after: $(load); emulator RSS after: $(mib "$(rss_kib "$EMU_PID")") MiB"
    stop_emulator
}

# --- row 3: POST ---------------------------------------------------------------------
row_post() {
    header "3. POST /api/v2/workloads (inline draft artifact each, --lifecycle instant, real clock, fresh sandbox per cell)"
    start_emulator post --lifecycle instant
    local eurl="http://127.0.0.1:$EMU_PORT/api/v2/workloads" nurl="http://127.0.0.1:$NGINX_PORT/workload"
    declare -A s=()
    local round c line made rss_before rss_after rss_drop
    rss_before=$(rss_kib "$EMU_PID")
    for round in $(seq 1 "$ROUNDS"); do
        for c in $CONNECTIONS; do
            line=$(SANDBOX="post-$round-$c" wrk_run "$c" "$eurl" -s "$work/create.lua")
            made=$(api "$EMU_PORT" total "post-$round-$c")
            rss_after=$(rss_kib "$EMU_PID")
            api "$EMU_PORT" drop "post-$round-$c"
            rss_drop=$(rss_kib "$EMU_PID")
            echo "row3 round $round emulator c=$c $line created=$made rss_full=$(mib "$rss_after") rss_dropped=$(mib "$rss_drop")" >&2
            s[e,$c]+="$line $made $rss_after $rss_drop"$'\n'
            line=$(wrk_run "$c" "$nurl" -s "$work/report.lua")
            echo "row3 round $round nginx-static-GET c=$c $line" >&2
            s[n,$c]+="$line"$'\n'
        done
    done
    echo "| connections | creates/s | p50 ms | p99 ms | errors/non-2xx | workloads in the sandbox after $DURATION | RSS full → after dropping the sandbox | nginx static GET req/s (reference) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    for c in $CONNECTIONS; do
        col() { printf '%s' "${s[$1,$c]}" | awk -v k="$2" 'NF { print $k }' | median; }
        printf '| %s | %.0f | %s | %s | %s/%s | %s | %s → %s MiB | %.0f |\n' "$c" "$(col e 1)" "$(ms "$(col e 2)")" "$(ms "$(col e 3)")" \
            "$(col e 4)" "$(col e 5)" "$(col e 6)" "$(mib "$(col e 7)")" "$(mib "$(col e 8)")" "$(col n 1)"
    done
    echo
    echo "load after: $(load); emulator RSS before the row $(mib "$rss_before") MiB, at the end $(mib "$(rss_kib "$EMU_PID")") MiB, peak $(mib "$(hwm_kib "$EMU_PID")") MiB"
    stop_emulator
}

fill() {  # port, sandbox, n: create n workloads over one pipelined connection
    api "$1" fill "$2" "$3" >/dev/null
}

# --- row 4: memory -------------------------------------------------------------------
row_memory() {
    header "4. Memory (VmRSS)"
    start_emulator mem --clock manual
    sleep 0.3
    local idle idle_nginx conn busy before after t0 t1 made fired
    idle=$(rss_kib "$EMU_PID")
    idle_nginx=$(tree_rss_kib "$NGINX_PID")
    read -r before conn after <<<"$(api "$EMU_PORT" idle 256 "$EMU_PID")"
    wrk -t1 -c256 -d"$DURATION" "http://127.0.0.1:$EMU_PORT/__emulator/health" >/dev/null
    sleep 0.3
    busy=$(rss_kib "$EMU_PID")
    t0=$(date +%s.%N)
    fill "$EMU_PORT" default "$BIG"
    t1=$(date +%s.%N)
    made=$(api "$EMU_PORT" total default)
    local submitted
    submitted=$(rss_kib "$EMU_PID")
    fired=$(api "$EMU_PORT" advance default 10 | awk '{ print $2 }')  # all of them running
    sleep 0.3
    local running
    running=$(rss_kib "$EMU_PID")
    echo "| state | emulator RSS | reference |"
    echo "|---|---:|---|"
    echo "| idle, just started | $(mib "$idle") MiB | nginx master + workers $(mib "$idle_nginx") MiB (same run); target ≤ 10 MiB |"
    echo "| 256 idle keep-alive connections open | $(mib "$conn") MiB (before $(mib "$before"), after closing $(mib "$after")) | flat |"
    echo "| after $DURATION of wrk -c256 on /__emulator/health | $(mib "$busy") MiB | flat |"
    echo "| $made workloads, submitted (created in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s) | $(mib "$submitted") MiB | |"
    echo "| $made workloads, running (advance 10 s fired $fired) | $(mib "$running") MiB | target ≤ 300 MiB |"
    echo
    echo "load after: $(load)"
    stop_emulator
}

# --- row 5: list pages ---------------------------------------------------------------
row_list() {
    header "5. List page cost (limit 100, wrk -c1 $DURATION per page, medians of $ROUNDS)"
    start_emulator list --clock manual
    local n base line deep
    declare -A s=()
    for n in 1000 10000 "$BIG"; do
        fill "$EMU_PORT" "list-$n" "$n"
    done
    echo "| workloads in the sandbox | page | req/s | p50 ms | p99 ms |"
    echo "|---:|---|---:|---:|---:|"
    for n in 1000 10000 "$BIG"; do
        deep=$((n - 100))
        for page in "page 1:offset=0" "last page:offset=$deep" "search (scans by design):search=nomatch"; do
            local vals=""
            for round in $(seq 1 "$ROUNDS"); do
                line=$(wrk_run 1 "http://127.0.0.1:$EMU_PORT/api/v2/workloads?${page#*:}&limit=100" -s "$work/report.lua" \
                    -H "Authorization: Bearer bench" -H "X-Emulator-Sandbox: list-$n")
                echo "row5 n=$n ${page%%:*} round $round $line" >&2
                vals+="$line"$'\n'
            done
            col() { printf '%s' "$vals" | awk -v k="$1" 'NF { print $k }' | median; }
            printf '| %s | %s (%s) | %.0f | %s | %s |\n' "$n" "${page%%:*}" "${page#*:}" "$(col 1)" "$(ms "$(col 2)")" "$(ms "$(col 3)")"
        done
    done
    echo
    echo "load after: $(load); RSS $(mib "$(rss_kib "$EMU_PID")") MiB"
    stop_emulator
}

# --- row 6: clock advance ------------------------------------------------------------
row_advance() {
    header "6. Clock advance 8 h over 10,000 running draft workloads (manual clock, fresh sandbox per round)"
    start_emulator advance --clock manual
    local round vals="" line
    echo "| round | workloads | fired | round trip ms |"
    echo "|---:|---:|---:|---:|"
    for round in $(seq 1 "$ROUNDS"); do
        fill "$EMU_PORT" "adv-$round" 10000
        api "$EMU_PORT" advance "adv-$round" 10 >/dev/null  # submitted → running
        local n
        n=$(api "$EMU_PORT" total "adv-$round")
        line=$(api "$EMU_PORT" advance "adv-$round" 28800)
        echo "| $round | $n | ${line#* } | ${line%% *} |"
        vals+="${line%% *}"$'\n'
        api "$EMU_PORT" drop "adv-$round"
    done
    echo
    echo "median $(printf '%s' "$vals" | median) ms (request round trip included; target ≤ 200 ms)"
    echo "load after: $(load)"
    stop_emulator
}

for row in $ROWS; do
    case $row in
    1) row_start ;;
    2) row_get ;;
    3) row_post ;;
    4) row_memory ;;
    5) row_list ;;
    6) row_advance ;;
    esac
done

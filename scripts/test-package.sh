#!/usr/bin/env bash
# Checks a release tarball the way a user without a toolchain meets it: the SHA-256 file
# matches, it unpacks into an empty directory, and the binary there, under `env -i`
# (no PATH, no variables, so nothing from a Swift toolchain can be found), starts on a
# free port with the bundled fixtures and answers health 200 and the demo workloads.
#
#   scripts/test-package.sh TARBALL
set -euo pipefail

[[ $# -eq 1 && -f "$1" ]] || { echo "test-package: usage: $0 TARBALL" >&2; exit 2; }
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
name="$(basename "$tarball" .tar.gz)"

(cd "$(dirname "$tarball")" && sha256sum -c --quiet "$name.tar.gz.sha256") \
    || { echo "test-package: $name.tar.gz does not match its .sha256" >&2; exit 1; }

empty="$(mktemp -d)"
pid=""
cleanup() {
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$empty"
}
trap cleanup EXIT
tar -xzf "$tarball" -C "$empty"
dir="$empty/$name"
for f in workload-emulator LICENSE README.md CHANGELOG.md fixtures/demo.json; do
    [[ -e "$dir/$f" ]] || { echo "test-package: $f missing from $name.tar.gz" >&2; exit 1; }
done
if ldd "$dir/workload-emulator" | grep -E 'libswift|not found'; then
    echo "test-package: the binary needs libraries the tarball does not bring" >&2
    exit 1
fi

cd "$dir"
env -i ./workload-emulator --port 0 --port-file "$empty/port" --fixtures fixtures >"$empty/log" 2>&1 &
pid=$!
# Waits for the process to listen (the port file appears then), bounded at 30 s.
for _ in $(seq 300); do
    [[ -s "$empty/port" ]] && break
    kill -0 "$pid" 2>/dev/null || { echo "test-package: the binary exited:" >&2; cat "$empty/log" >&2; exit 1; }
    sleep 0.1
done
port="$(cat "$empty/port")"
[[ -n "$port" ]] || { echo "test-package: no port file after 30 s" >&2; cat "$empty/log" >&2; exit 1; }

# The binary's own health check, also under env -i; then the answers themselves.
env -i WORKLOAD_EMULATOR_PORT="$port" ./workload-emulator --healthcheck \
    || { echo "test-package: --healthcheck failed" >&2; exit 1; }
python3 - "$port" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
with urllib.request.urlopen(base + "/__emulator/health", timeout=10) as r:
    assert r.status == 200, r.status
    health = json.load(r)
    assert health["status"] == "ok", health
request = urllib.request.Request(base + "/api/v2/workloads/", headers={"Authorization": "Bearer dashboard"})
with urllib.request.urlopen(request, timeout=10) as r:
    names = sorted(w["name"] for w in json.load(r)["data"])
assert names == ["hello-api", "hello-batch", "hello-preview", "scratch-notebook"], names
print(f"test-package: health 200 (version {health['version']}), the bundled fixtures' 4 workloads")
PY
kill -TERM "$pid"
wait "$pid" && pid="" || { echo "test-package: exit code $? on SIGTERM" >&2; exit 1; }
echo "test-package: ok $name.tar.gz under env -i in an empty directory"

#!/usr/bin/env bash
# Runs Schemathesis against a live emulator over every operation of the served OpenAPI
# document: the server must answer only documented statuses, with the documented content
# types, headers and schemas, refuse what the schemas refuse, 405 with `Allow` for
# undocumented methods, 401 for unknown tokens, and never fail (no 5xx but the documented
# 502 of a partial delete or a failed upstream and 503 of invoking a stopped workload).
# Phases: examples, coverage, fuzzing, and stateful along the document's links.
#
#   scripts/schemathesis.sh [-- extra `schemathesis run` arguments]
#   SCHEMATHESIS_EXAMPLES=N (default 20), SCHEMATHESIS_SEED=N (default 1)
#
# The binary: $WORKLOAD_EMULATOR_BIN, else $SCRATCH_PATH/debug/workload-emulator (default
# .build; built when missing). Schemathesis comes from scripts/install-schemathesis.sh.
#
# Two passes, each in its own sandbox (header X-Emulator-Sandbox): the real API's
# operations, then the emulator's own `/__emulator` ones. Kept apart because the second
# pass creates fault rules and moves clocks, which would otherwise answer for the first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/openapi-emulator.sh
[[ "${1:-}" == "--" ]] && shift

scripts/install-schemathesis.sh
venv="$(cd "${WORKLOAD_EMULATOR_VENVS:-.build/venvs}/schemathesis" && pwd)"
# Strict auth, with one fixture user per sandbox, so that `ignored_auth` can check that
# an unknown token is refused (in the default open mode every token names a user).
fixtures=$(mktemp -d)
for sandbox in schemathesis-api schemathesis-control; do
    printf '{"sandbox": "%s", "users": [{"username": "schemathesis@example.com", "token": "schemathesis"}]}\n' \
        "$sandbox" >"$fixtures/$sandbox.json"
done
start_emulator schemathesis --clock manual --lifecycle instant --auth strict --fixtures "$fixtures"
rm -rf "$fixtures"

examples="${SCHEMATHESIS_EXAMPLES:-20}"
seed="${SCHEMATHESIS_SEED:-1}"
config="$EMULATOR_DIR/schemathesis.toml"
cat >"$config" <<'TOML'
# Statuses that are not server errors here: the documented partial delete (502) and
# invoking a workload that is not running (503).
[checks.not_a_server_error]
expected-statuses = ["2XX", "3XX", "4XX", "502", "503"]

# Longer scenarios along the document's links (create -> start -> replacement -> ...).
[phases.stateful]
max-steps = 10
TOML

checks=not_a_server_error,status_code_conformance,content_type_conformance
checks+=,response_headers_conformance,response_schema_conformance,negative_data_rejection
# Not ensure_resource_availability: it reads any 404 after a create as "the created object
# is gone", but sharedRoles PATCH answers 404 for an unknown grantee on an existing object.
checks+=,unsupported_method,allow_header_conformance,ignored_auth,use_after_free
# One worker: with two, Schemathesis's schema compilation runs in two threads at once, and
# CPython's parser then fails now and then inside Schemathesis itself ("AST constructor
# recursion depth mismatch", reported as an inconsistent Hypothesis result), which would
# fail the run for nothing the emulator did.
common=(
    --checks "$checks" --phases examples,coverage,fuzzing,stateful --max-examples "$examples" --seed "$seed"
    --workers 1 --request-timeout 10 --suppress-health-check all --no-shrink
    -H "Authorization: Bearer schemathesis"
)

status=0
pass() {
    local name="$1"; shift
    echo
    echo "schemathesis: pass '$name'"
    # From the run's temporary folder: Hypothesis and Schemathesis keep their caches
    # (.hypothesis/, .schemathesis/) in the working directory, not in the source tree.
    (cd "$EMULATOR_DIR" && "$venv/bin/schemathesis" --config-file "$config" run "$BASE_URL/api/v2/openapi.json" \
        --url "$BASE_URL" "${common[@]}" "$@") || status=1
    emulator_alive schemathesis || status=1
}
pass api -H "X-Emulator-Sandbox: schemathesis-api" --exclude-path-regex '^/__emulator' "$@"
# Guard against a vacuous pass (every request refused with a documented 401 or 404):
# the API pass must have made workloads move, which the sandbox's event log records.
"$venv/bin/python" - "$BASE_URL" <<'PY' || status=1
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/__emulator/events?limit=1",
                                 headers={"X-Emulator-Sandbox": "schemathesis-api"})
total = json.load(urllib.request.urlopen(request))["totalCount"]
print(f"schemathesis: the API pass left {total} emulator events in its sandbox")
sys.exit(0 if total > 0 else 1)
PY
pass emulator -H "X-Emulator-Sandbox: schemathesis-control" --include-path-regex '^/__emulator' "$@"

if [[ $status -eq 0 ]]; then echo "schemathesis: passed"; else echo "schemathesis: FAILED" >&2; fi
exit $status

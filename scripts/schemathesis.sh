#!/usr/bin/env bash
# Runs Schemathesis against a live emulator over every operation of the served OpenAPI
# document: the server must answer only documented statuses, with the documented content
# types, headers and schemas, refuse what the schemas refuse, and never fail (no 5xx
# but the documented 502 of a partial delete and 503 of invoking a stopped workload).
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
start_emulator schemathesis --clock manual --lifecycle instant

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
common=(
    --checks "$checks" --phases examples,coverage,fuzzing,stateful --max-examples "$examples" --seed "$seed"
    --workers 2 --request-timeout 10 --suppress-health-check all --no-shrink
    -H "Authorization: Bearer schemathesis"
)

status=0
pass() {
    local name="$1"; shift
    echo
    echo "schemathesis: pass '$name'"
    .venv-schemathesis/bin/schemathesis --config-file "$config" run "$BASE_URL/api/v2/openapi.json" \
        --url "$BASE_URL" "${common[@]}" "$@" || status=1
    emulator_alive schemathesis || status=1
}
pass api -H "X-Emulator-Sandbox: schemathesis-api" --exclude-path-regex '^/__emulator' "$@"
pass emulator -H "X-Emulator-Sandbox: schemathesis-control" --include-path-regex '^/__emulator' "$@"

if [[ $status -eq 0 ]]; then echo "schemathesis: passed"; else echo "schemathesis: FAILED" >&2; fi
exit $status

#!/usr/bin/env bash
# The hello-world Workload flow with curl, as DataRobot's tutorial and lifecycle docs show
# it: create a draft Workload from an inline whoami artifact, poll until it runs, call its
# endpoint, stop it, start it again, delete it. Each step checks the status code and the
# fields a shell user reads (with jq), and says which step failed.
#
#   tests/clients/curl_flow.sh BASE_URL [TOKEN]
#
# BASE_URL is the emulator's root (http://127.0.0.1:PORT); DATAROBOT_ENDPOINT becomes
# BASE_URL/api/v2, as the tutorial exports it. Polling advances the emulator's manual
# clock (POST /__emulator/clock/advance); with ADVANCE_CLOCK=0 it sleeps 1 s per poll
# instead, for an emulator on the real clock.
set -euo pipefail

base="${1:?usage: curl_flow.sh BASE_URL [TOKEN]}"
token="${2:-client-tests-token}"

export DATAROBOT_ENDPOINT="$base/api/v2"
export DATAROBOT_API_TOKEN="$token"
body=$(mktemp)
trap 'rm -f "$body"' EXIT

fail() { echo "curl_flow: $*" >&2; echo "--- last response body:" >&2; cat "$body" >&2; echo >&2; exit 1; }

# call METHOD URL [JSON]: prints the status code; the body lands in $body.
call() {
    local method=$1 url=$2 data=${3:-}
    local args=(-sS -o "$body" -w '%{http_code}' -X "$method" "$url" -H "Authorization: Bearer ${DATAROBOT_API_TOKEN}")
    [[ -n "$data" ]] && args+=(-H "Content-Type: application/json" -d "$data")
    curl "${args[@]}"
}

advance() {
    if [[ "${ADVANCE_CLOCK:-1}" == "1" ]]; then
        curl -sS -o /dev/null -X POST "$base/__emulator/clock/advance" \
            -H "Content-Type: application/json" -d "{\"seconds\": $1}"
    else
        sleep 1
    fi
}

wait_for() {
    local id=$1 target=$2 status=""
    for _ in $(seq 60); do
        code=$(call GET "${DATAROBOT_ENDPOINT}/workloads/${id}")
        [[ "$code" == 200 ]] || fail "poll: GET /workloads/${id} answered $code"
        status=$(jq -r .status "$body")
        [[ "$status" == "$target" ]] && return 0
        [[ "$status" == "errored" ]] && fail "poll: workload ${id} errored"
        advance 1
    done
    fail "poll: workload ${id} is '$status', never '$target'"
}

echo "curl_flow: create"
code=$(call POST "${DATAROBOT_ENDPOINT}/workloads" '{
  "name": "hello-curl",
  "artifact": {
    "name": "whoami-artifact",
    "description": "Simple HTTP server for testing",
    "spec": {
      "containerGroups": [{
        "containers": [{
          "imageUri": "containous/whoami:latest",
          "port": 8080,
          "primary": true,
          "resourceRequest": {"cpu": 1, "memory": 536870912}
        }]
      }]
    }
  }
}')
[[ "$code" == 201 ]] || fail "create: POST /workloads answered $code, not 201"
WORKLOAD_ID=$(jq -r .id "$body")
[[ "$WORKLOAD_ID" =~ ^[0-9a-f]{24}$ ]] || fail "create: id '$WORKLOAD_ID' is not 24 hex"
[[ "$(jq -r .status "$body")" == submitted ]] || fail "create: status is not 'submitted'"
ENDPOINT=$(jq -r .endpoint "$body")
[[ "$ENDPOINT" == "${DATAROBOT_ENDPOINT}/endpoints/workloads/${WORKLOAD_ID}/" ]] \
    || fail "create: endpoint '$ENDPOINT' is not ${DATAROBOT_ENDPOINT}/endpoints/workloads/${WORKLOAD_ID}/"

echo "curl_flow: wait for running"
wait_for "$WORKLOAD_ID" running

echo "curl_flow: invoke"
code=$(call GET "$ENDPOINT")
[[ "$code" == 200 ]] || fail "invoke: GET $ENDPOINT answered $code"
code=$(call POST "${ENDPOINT}echo" '{"hello": "workload"}')
[[ "$code" == 200 ]] || fail "invoke: POST ${ENDPOINT}echo answered $code"
grep -q 'hello' "$body" || fail "invoke: the echo does not show the body sent"

echo "curl_flow: stop"
code=$(call POST "${DATAROBOT_ENDPOINT}/workloads/${WORKLOAD_ID}/stop")
[[ "$code" == 202 ]] || fail "stop: answered $code, not 202"
[[ "$(jq -r .workloadId "$body")" == "$WORKLOAD_ID" ]] || fail "stop: workloadId missing"
wait_for "$WORKLOAD_ID" stopped

echo "curl_flow: start"
code=$(call POST "${DATAROBOT_ENDPOINT}/workloads/${WORKLOAD_ID}/start")
[[ "$code" == 202 ]] || fail "start: answered $code, not 202"
wait_for "$WORKLOAD_ID" running

echo "curl_flow: delete"
code=$(call DELETE "${DATAROBOT_ENDPOINT}/workloads/${WORKLOAD_ID}")
[[ "$code" == 204 ]] || fail "delete: answered $code, not 204"
code=$(call GET "${DATAROBOT_ENDPOINT}/workloads/${WORKLOAD_ID}")
[[ "$code" == 404 ]] || fail "delete: GET afterwards answered $code, not 404"
[[ "$(jq -r .detail "$body")" != null ]] || fail "delete: the 404 has no detail"

echo "curl_flow: ok"

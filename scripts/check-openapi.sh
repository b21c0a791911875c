#!/usr/bin/env bash
# Validates the OpenAPI document the emulator serves: starts the binary on port 0,
# fetches /api/v2/openapi.json and /api/v2/openapi.yaml, and runs openapi-spec-validator
# (installed by scripts/install-schemathesis.sh) on both.
#
#   scripts/check-openapi.sh          # SCRATCH_PATH / WORKLOAD_EMULATOR_BIN pick the binary
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/openapi-emulator.sh

scripts/install-schemathesis.sh
start_emulator check-openapi --clock manual
py="${WORKLOAD_EMULATOR_VENVS:-.build/venvs}/schemathesis/bin/python"
"$py" - "$BASE_URL" <<'PY'
import json, sys, urllib.request
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

base = sys.argv[1]
def fetch(path):
    with urllib.request.urlopen(base + path) as r:
        return r.headers.get("Content-Type"), r.read()

ctype, body = fetch("/api/v2/openapi.json")
assert ctype == "application/json", ctype
doc = json.loads(body)
validate(doc, cls=OpenAPIV31SpecValidator)
ctype, body = fetch("/api/v2/openapi.yaml")
assert ctype == "application/yaml", ctype
assert yaml.safe_load(body) == doc, "the YAML document differs from the JSON one"
ops = sum(1 for item in doc["paths"].values() for m in item if m in
          ("get", "put", "post", "delete", "patch", "head", "options", "trace"))
print(f"check-openapi: OpenAPI {doc['openapi']} document valid (openapi-spec-validator, JSON and YAML "
      f"identical): {len(doc['paths'])} paths, {ops} operations")
PY

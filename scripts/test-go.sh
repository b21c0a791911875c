#!/usr/bin/env bash
# The Go test helper (go/emulatortest): vet, then `go test ./...` against the real binary.
# Installs Debian's golang-go (Go 1.19, the oldest Go the helper supports) with apt-get
# when no `go` is on PATH.
#
#   scripts/test-go.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $# -ge 1 && -x "$1" ]] || { echo "test-go: usage: $0 BINARY" >&2; exit 2; }
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"

if ! command -v go >/dev/null; then
    echo "test-go: installing golang-go (apt-get)"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends golang-go
fi
echo "test-go: $(go version)"
cd go
# Standard library only: a module with no requirements has no go.sum, and must stay so.
[[ ! -e go.sum ]] || { echo "test-go: go/go.sum exists: the helper must need only the standard library" >&2; exit 1; }
go vet ./...
WORKLOAD_EMULATOR_BIN="$binary" go test -count=1 ./...

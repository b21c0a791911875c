#!/usr/bin/env bash
# The Python package (python/): builds its wheel, installs it with pytest and
# pytest-xdist into a virtualenv outside the source tree, and runs its tests
# (the library against the real binary, the pytest plugin through pytester) twice,
# after mypy --strict on its sources:
# under plain pytest and under `pytest -n 4`.
#
#   scripts/test-python.sh BINARY
#
# The virtualenv lives in $WORKLOAD_EMULATOR_VENVS/python (default .build/venvs/python;
# .build is the build folder, already ignored by git and Docker).
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $# -ge 1 && -x "$1" ]] || { echo "test-python: usage: $0 BINARY" >&2; exit 2; }
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"

PYTHON="${PYTHON:-python3}"
venv="${WORKLOAD_EMULATOR_VENVS:-.build/venvs}/python"
PINS=(pytest==8.3.5 pytest-xdist==3.6.1 setuptools==75.8.0 wheel==0.45.1 mypy==1.13.0)

# Debian's python3 has venv only with python3-venv.
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null && command -v apt-get >/dev/null; then
    echo "test-python: installing python3-venv (apt-get)"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends python3-venv
fi
if [[ ! -x "$venv/bin/python" ]]; then
    echo "test-python: creating $venv ($("$PYTHON" --version 2>&1))"
    mkdir -p "$(dirname "$venv")"
    "$PYTHON" -m venv "$venv"
fi
stamp="$venv/.stamp"
want=$(printf '%s\n' "${PINS[@]}" "$("$venv/bin/python" --version 2>&1)" | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "test-python: installing ${PINS[*]} into $venv (pip)"
    "$venv/bin/python" -m pip install -q "${PINS[@]}"
    echo "$want" >"$stamp"
else
    echo "test-python: ok $venv (${PINS[*]})"
fi

# py.typed promises types: hold the package to them.
echo "test-python: mypy --strict python/src"
"$venv/bin/python" -m mypy --strict --cache-dir "$venv/mypy-cache" python/src/workload_emulator

# The wheel is what users install; build it (no network: the build backend is in the
# venv already) and install that, not the source folder.
wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
echo "test-python: building the wheel"
"$venv/bin/python" -m pip wheel -q --no-deps --no-build-isolation -w "$wheels" ./python
"$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$wheels"/workload_emulator-*.whl
# The build leaves python/build and an egg-info behind; they are not sources.
rm -rf python/build python/src/*.egg-info

export WORKLOAD_EMULATOR_BIN="$binary"
# From outside the source folder, so the tests import the installed wheel.
cd "$wheels"
echo "test-python: pytest (one process)"
"$OLDPWD/$venv/bin/python" -m pytest -q -p no:cacheprovider "$OLDPWD/python/tests"
echo "test-python: pytest -n 4"
"$OLDPWD/$venv/bin/python" -m pytest -q -p no:cacheprovider -n 4 "$OLDPWD/python/tests"

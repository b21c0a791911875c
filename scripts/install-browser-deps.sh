#!/usr/bin/env bash
# What the dashboard's browser test (tests/browser/) needs, installed only when missing:
# Debian's `chromium` and `chromium-driver` (apt-get), and `selenium` and `pytest` (pip,
# into the virtualenv $WORKLOAD_EMULATOR_VENVS/browser, default .build/venvs/browser).
# Idempotent: a second run changes nothing and prints only "ok" lines.
#
#   scripts/install-browser-deps.sh
#
# Nothing is downloaded outside the package registries: the test passes the driver path
# (/usr/bin/chromedriver) itself and sets SE_OFFLINE=true, so Selenium Manager never
# tries to fetch a browser or a driver.
set -euo pipefail

# 4.51.0, not 4.52.0: 4.52.0 needs a certifi newer than the registry served on 2026-11-22.
SELENIUM_VERSION="4.51.0"
PYTHON="${PYTHON:-python3}"
VENV="${WORKLOAD_EMULATOR_VENVS:-.build/venvs}/browser"
cd "$(dirname "$0")/.."

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)

need=()
for pkg in chromium chromium-driver; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [[ ${#need[@]} -gt 0 ]]; then
    echo "install-browser-deps: installing ${need[*]} (apt-get)"
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
else
    echo "install-browser-deps: ok chromium, chromium-driver"
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "install-browser-deps: creating $VENV ($("$PYTHON" --version 2>&1))"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV"
fi

# `pip show` answers without importing, and says which version is there.
have_selenium=$("$VENV/bin/python" -m pip show selenium 2>/dev/null | sed -n 's/^Version: //p' || true)
if [[ "$have_selenium" != "$SELENIUM_VERSION" ]]; then
    echo "install-browser-deps: installing selenium==$SELENIUM_VERSION (pip; had: ${have_selenium:-none})"
    "$VENV/bin/python" -m pip install -q "selenium==$SELENIUM_VERSION"
else
    echo "install-browser-deps: ok selenium $SELENIUM_VERSION"
fi
if ! "$VENV/bin/python" -m pytest --version >/dev/null 2>&1; then
    echo "install-browser-deps: installing pytest (pip)"
    "$VENV/bin/python" -m pip install -q pytest
else
    echo "install-browser-deps: ok pytest"
fi

test -x /usr/bin/chromedriver || { echo "install-browser-deps: /usr/bin/chromedriver missing after install" >&2; exit 1; }

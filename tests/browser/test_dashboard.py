"""The dashboard in a real headless browser: Debian's chromium and chromedriver.

    scripts/install-browser-deps.sh                  # chromium, chromium-driver, selenium
    swift build                                      # the binary the test starts
    .build/venvs/browser/bin/python -m pytest tests/browser -q
    UPDATE_SCREENSHOT=1 .build/venvs/browser/bin/python -m pytest tests/browser -q   # also rewrites docs/dashboard.png

WORKLOAD_EMULATOR_BIN picks another binary (default .build/debug/workload-emulator).
Each test starts its own emulator on port 0 with a manual clock and the instant
lifecycle, so nothing here waits for wall-clock time: the page is driven by the clock
API, and the browser side waits on the DOM (WebDriverWait), never on sleep.
"""

import json
import os
import pathlib
import select
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

# Selenium Manager must never try to download a browser or a driver: the machine has
# Debian's, and the network has only the package registries.
os.environ["SE_OFFLINE"] = "true"

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - a clear message beats a collection error
    webdriver = None

REPO = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DASHBOARD_TOKEN = "dashboard"  # the page's default token
SCREENSHOT = REPO / "docs" / "dashboard.png"
START_TIMEOUT = 20  # seconds for the emulator to print its listening line
WAIT = 15  # seconds for a DOM condition


def _require_browser():
    missing = []
    if webdriver is None:
        missing.append("selenium (pip)")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            missing.append(path)
    if missing:
        pytest.fail("missing " + ", ".join(missing) + ": run scripts/install-browser-deps.sh", pytrace=False)


# ---- the emulator process ------------------------------------------------------------


class Emulator:
    """The built binary on an ephemeral port, plus a tiny JSON client for its API."""

    def __init__(self, tmp: pathlib.Path, extra_args=()):
        # A relative path is relative to the repository, like the default.
        binary = str(REPO / os.environ.get("WORKLOAD_EMULATOR_BIN", ".build/debug/workload-emulator"))
        if not os.access(binary, os.X_OK):
            pytest.fail(f"no emulator binary at {binary}: run `swift build` or set WORKLOAD_EMULATOR_BIN", pytrace=False)
        port_file = tmp / "port"
        self.stderr = open(tmp / "emulator.log", "w+b")
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--port-file", str(port_file), "--clock", "manual", "--lifecycle", "instant", *extra_args],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=tmp,
        )
        # The listening line is printed only once the socket accepts connections.
        line = self._read_line(START_TIMEOUT)
        if "listening on" not in line:
            self.stop()
            pytest.fail(f"emulator did not start: {line!r}; log: {self.log()}", pytrace=False)
        self.port = int(port_file.read_text().strip()) if port_file.exists() else int(line.rsplit(":", 1)[1])
        self.origin = f"http://127.0.0.1:{self.port}"

    def _read_line(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        data = b""
        fd = self.process.stdout.fileno()
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None and not select.select([fd], [], [], 0)[0]:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1)
                if not chunk:
                    break
                data += chunk
        return data.decode(errors="replace").strip()

    def log(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-2000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.stderr.close()

    def request(self, method, path, body=None, token=DASHBOARD_TOKEN, expect=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.origin + path, data=data, method=method)
        if token and "/api/" in path:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if expect is not None:
            assert status == expect, f"{method} {path} → {status} {text}"
        return status, (json.loads(text) if text else None)

    def create_workload(self, name, prefix="", token=DASHBOARD_TOKEN):
        body = {"name": name, "artifact": {"name": f"{name}-artifact", "spec": {"containerGroups": []}}}
        _, doc = self.request("POST", prefix + "/api/v2/workloads", body, token=token, expect=201)
        return doc["id"]

    def advance(self, seconds, prefix=""):
        _, doc = self.request("POST", prefix + "/__emulator/clock/advance", {"seconds": seconds}, expect=200)
        return doc

    def status(self, workload_id, prefix=""):
        code, doc = self.request("GET", f"{prefix}/api/v2/workloads/{workload_id}")
        return doc["status"] if code == 200 else code


@pytest.fixture
def emulator(tmp_path):
    e = Emulator(tmp_path)
    yield e
    e.stop()


@pytest.fixture
def emulator_with_fixtures(tmp_path):
    e = Emulator(tmp_path, extra_args=("--fixtures", str(REPO / "fixtures")))
    yield e
    e.stop()


@pytest.fixture
def browser():
    _require_browser()
    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # root in a container has no user namespace for the sandbox
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1440,900",
        "--force-device-scale-factor=1",
        "--no-first-run",
        "--disable-background-networking",  # no update checks, safe browsing, etc.
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


# ---- what the browser saw --------------------------------------------------------------


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def requested_urls(driver):
    """Every URL the page asked the network for, from the DevTools performance log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def foreign(urls, origin):
    own = urllib.parse.urlsplit(origin)
    bad = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("data", "about", "blob"):
            continue
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
            bad.append(url)
    return bad


def row(driver, workload_id):
    found = driver.find_elements(By.CSS_SELECTOR, f'tr[data-workload-id="{workload_id}"]')
    return found[0] if found else None


def row_status(driver, workload_id):
    r = row(driver, workload_id)
    if r is None:
        return None
    return r.find_element(By.CSS_SELECTOR, '[data-field="status"]').text


def click(driver, selector):
    driver.find_element(By.CSS_SELECTOR, selector).click()


# ---- the tests -------------------------------------------------------------------------


def test_dashboard_shows_workloads_and_advance_8h_expires_drafts(emulator, browser):
    # A small world, made through the API (fixtures would do the same): three draft
    # workloads (running, stopped, and one whose launch a fault rule made fail) and one
    # promoted (locked artifact, no TTL).
    emulator.request(
        "POST", "/__emulator/faults", {"action": "launchFailure", "message": "ImagePullBackOff", "times": 1}, expect=201
    )
    canary = emulator.create_workload("payments-canary")
    web = emulator.create_workload("demo-web")
    batch = emulator.create_workload("batch-worker")
    api = emulator.create_workload("checkout-api")
    emulator.advance(1)
    assert emulator.status(canary) == "errored"
    for wid in (web, batch, api):
        assert emulator.status(wid) == "running"
    emulator.request("POST", f"/api/v2/workloads/{batch}/stop", expect=202)
    emulator.request("POST", f"/api/v2/workloads/{api}/promote", expect=202)
    emulator.advance(90)
    assert emulator.status(batch) == "stopped"
    emulator.request(
        "POST",
        "/__emulator/faults",
        {"match": {"method": "POST", "path": "/api/v2/workloads"}, "action": "respond", "status": 429, "times": 2},
        expect=201,
    )
    emulator.request(
        "POST",
        "/__emulator/faults",
        {"match": {"method": "DELETE", "workloadId": api}, "action": "protonStopFailure"},
        expect=201,
    )

    browser.get(emulator.origin + "/")
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: row_status(d, web) == "running")
    wait.until(lambda d: row_status(d, batch) == "stopped")
    wait.until(lambda d: row_status(d, api) == "running")
    wait.until(lambda d: row_status(d, canary) == "errored")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#faults tr[data-fault-id]")) == 3)
    # Details (TTL, timeline) arrive with the same poll; wait until they are drawn.
    wait.until(lambda d: row(d, web).find_element(By.CSS_SELECTOR, '[data-field="ttl"]').text.startswith("7h"))
    wait.until(lambda d: len(row(d, batch).find_elements(By.CSS_SELECTOR, ".timeline .step")) >= 6)

    assert browser.find_element(By.ID, "token").get_attribute("value") == DASHBOARD_TOKEN
    assert browser.find_element(By.ID, "sandbox-name").text == "default"
    assert "demo-web" in row(browser, web).text
    assert row(browser, web).find_element(By.CSS_SELECTOR, '[data-field="artifact-status"]').text == "draft"
    assert row(browser, api).find_element(By.CSS_SELECTOR, '[data-field="artifact-status"]').text == "locked"
    assert row(browser, api).find_element(By.CSS_SELECTOR, '[data-field="ttl"]').text == "no TTL"
    assert browser.find_element(By.ID, "clock-mode").text == "manual"
    assert browser.find_element(By.ID, "clock-now").text == "2026-01-01 00:01:31Z"

    assert console_errors(browser) == []

    click(browser, '[data-action="advance-8h"]')
    wait.until(lambda d: row(d, web) is None and row(d, batch) is None and row(d, canary) is None)
    assert row_status(browser, api) == "running", "a locked workload has no TTL"
    assert browser.find_element(By.ID, "clock-now").text == "2026-01-01 08:01:31Z"
    assert emulator.status(web) == 404
    assert emulator.status(batch) == 404
    assert emulator.status(canary) == 404

    assert console_errors(browser) == []
    assert foreign(requested_urls(browser), emulator.origin) == []


def test_buttons_drive_the_api(emulator, browser):
    wid = emulator.create_workload("buttons")
    emulator.advance(1)
    browser.get(emulator.origin + "/__emulator/ui")
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: row_status(d, wid) == "running")

    click(browser, f'button[data-action="stop"][data-workload-id="{wid}"]')
    wait.until(lambda d: row_status(d, wid) in ("stopping", "stopped"))
    click(browser, '[data-action="advance-1m"]')
    wait.until(lambda d: row_status(d, wid) == "stopped")
    assert emulator.status(wid) == "stopped"

    click(browser, f'button[data-action="start"][data-workload-id="{wid}"]')
    click(browser, '[data-action="advance-1m"]')
    wait.until(lambda d: row_status(d, wid) == "running")

    click(browser, f'button[data-action="promote"][data-workload-id="{wid}"]')
    wait.until(lambda d: row(d, wid).find_element(By.CSS_SELECTOR, '[data-field="artifact-status"]').text == "locked")

    # Clock mode toggle: to real and back.
    click(browser, '[data-action="toggle-clock-mode"]')
    wait.until(lambda d: d.find_element(By.ID, "clock-mode").text == "real")
    click(browser, '[data-action="toggle-clock-mode"]')
    wait.until(lambda d: d.find_element(By.ID, "clock-mode").text == "manual")
    assert emulator.request("GET", "/__emulator/clock")[1]["mode"] == "manual"

    # Fault rules: add through the form, remove with the row's button.
    browser.find_element(By.ID, "fault-path").send_keys("/api/v2/artifacts*")
    browser.find_element(By.ID, "fault-status").clear()
    browser.find_element(By.ID, "fault-status").send_keys("503")
    click(browser, '[data-action="add-fault"]')
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#faults tr[data-fault-id]")) == 1)
    rules = emulator.request("GET", "/__emulator/faults")[1]["data"]
    assert [(r["action"], r["status"], r["match"]) for r in rules] == [("respond", 503, {"path": "/api/v2/artifacts*"})]
    click(browser, f'button[data-action="remove-fault"][data-fault-id="{rules[0]["id"]}"]')
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#faults tr[data-fault-id]")) == 0)
    assert emulator.request("GET", "/__emulator/faults")[1]["data"] == []

    # Token: edited, stored, used.
    token = browser.find_element(By.ID, "token")
    token.clear()
    token.send_keys("someone-else")
    browser.execute_script("document.getElementById('token').dispatchEvent(new Event('change'))")
    wait.until(lambda d: row(d, wid) is None)  # another user sees none of the first one's workloads
    wait.until(lambda d: not d.find_element(By.ID, "workloads-hidden").get_attribute("hidden"))
    assert browser.execute_script("return localStorage.getItem('workload-emulator.dashboard.token')") == "someone-else"
    browser.refresh()
    wait.until(lambda d: d.find_element(By.ID, "token").get_attribute("value") == "someone-else")

    # Delete, as the owner again.
    token = browser.find_element(By.ID, "token")
    token.clear()
    token.send_keys(DASHBOARD_TOKEN)
    browser.execute_script("document.getElementById('token').dispatchEvent(new Event('change'))")
    wait.until(lambda d: row_status(d, wid) == "running")
    click(browser, f'button[data-action="delete"][data-workload-id="{wid}"]')
    wait.until(lambda d: row(d, wid) is None)
    assert emulator.status(wid) == 404

    assert console_errors(browser) == []
    assert foreign(requested_urls(browser), emulator.origin) == []


def test_sandbox_prefix_and_escaping(emulator, browser):
    # The page under /sandboxes/NAME/ talks to that sandbox only, and shows names as text.
    nasty = '<img src=x onerror="window.__pwned=1"> & <b>bold</b>'
    prefix = "/sandboxes/escape-test"
    wid = emulator.create_workload(nasty, prefix=prefix)
    other = emulator.create_workload("in-default")
    emulator.advance(1, prefix=prefix)

    browser.get(emulator.origin + prefix + "/")
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: row_status(d, wid) == "running")
    assert browser.find_element(By.ID, "sandbox-name").text == "escape-test"
    name = row(browser, wid).find_element(By.CSS_SELECTOR, '[data-field="name-text"]')
    assert name.get_attribute("textContent") == nasty
    assert browser.find_elements(By.CSS_SELECTOR, "#workloads img, #workloads b") == []
    assert browser.execute_script("return window.__pwned") is None
    assert row(browser, other) is None

    # The clock buttons move this sandbox's clock, not the default one.
    click(browser, '[data-action="advance-1h"]')
    wait.until(lambda d: d.find_element(By.ID, "clock-now").text == "2026-01-01 01:00:01Z")
    assert emulator.request("GET", "/__emulator/clock")[1]["now"] == "2026-01-01T00:00:00.000Z"

    assert console_errors(browser) == []
    assert foreign(requested_urls(browser), emulator.origin) == []


def test_page_names_no_other_host(emulator):
    # Belt and braces for the performance-log check: the markup itself has no absolute URL.
    for path in ("/", "/__emulator/ui", "/sandboxes/x/"):
        with urllib.request.urlopen(emulator.origin + path, timeout=10) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
            html = resp.read().decode()
        assert "http://" not in html and "https://" not in html
        assert 'src="//' not in html and 'href="//' not in html
        assert "connect-src 'self'" in resp.headers["Content-Security-Policy"]


def test_faults_on_the_api_do_not_break_the_page(emulator, browser):
    # Request-level faults hit the page's own polls too (it uses the same API); the page
    # says so and keeps working, and its fault panel (on /__emulator, never faulted)
    # can remove the rule.
    wid = emulator.create_workload("survivor")
    emulator.advance(1)
    browser.get(emulator.origin + "/")
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: row_status(d, wid) == "running")
    connection = lambda d: d.find_element(By.ID, "connection")  # noqa: E731

    _, rule = emulator.request(
        "POST", "/__emulator/faults", {"match": {"method": "GET", "path": "/api/v2/workloads"}, "action": "drop"}, expect=201
    )
    wait.until(lambda d: connection(d).get_attribute("data-state") == "error")
    assert "no response" in connection(browser).text
    assert row_status(browser, wid) == "running", "the last good view stays on screen"

    click(browser, f'button[data-action="remove-fault"][data-fault-id="{rule["id"]}"]')
    wait.until(lambda d: connection(d).get_attribute("data-state") == "ok")
    assert emulator.request("GET", "/__emulator/faults")[1]["data"] == []

    # An injected error answer is shown as text, with the rule that made it.
    _, rule = emulator.request(
        "POST",
        "/__emulator/faults",
        {
            "match": {"method": "GET", "path": "/api/v2/workloads"},
            "action": "respond",
            "status": 503,
            "body": {"detail": "<i>maintenance</i>"},
        },
        expect=201,
    )
    wait.until(lambda d: "maintenance" in connection(d).text)
    assert connection(browser).text == (
        f"GET /api/v2/workloads → 503: <i>maintenance</i> (injected by fault rule {rule['id']})"
    )
    click(browser, '[data-action="remove-all-faults"]')
    wait.until(lambda d: connection(d).get_attribute("data-state") == "ok")
    assert foreign(requested_urls(browser), emulator.origin) == []


def test_fixture_workloads_show_and_advance_8h_removes_the_drafts(emulator_with_fixtures, browser):
    # The README's quick start: the demo fixtures, seen with the dashboard's default token.
    emulator = emulator_with_fixtures
    _, listing = emulator.request("GET", "/api/v2/workloads?limit=100", expect=200)
    by_name = {w["name"]: w for w in listing["data"]}
    assert set(by_name) == {"hello-api", "hello-batch", "hello-preview", "scratch-notebook"}
    ids = {name: w["id"] for name, w in by_name.items()}

    browser.get(emulator.origin + "/")
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: row_status(d, ids["hello-api"]) == "running")
    wait.until(lambda d: row_status(d, ids["hello-batch"]) == "stopped")
    wait.until(lambda d: row_status(d, ids["hello-preview"]) == "running")
    wait.until(lambda d: row_status(d, ids["scratch-notebook"]) == "stopped")
    assert row(browser, ids["hello-preview"]).find_element(By.CSS_SELECTOR, '[data-field="artifact-status"]').text == "draft"
    assert console_errors(browser) == []

    # The README's screenshot is this page: what `--fixtures fixtures/` shows.
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        wait.until(lambda d: row(d, ids["hello-preview"]).find_element(By.CSS_SELECTOR, '[data-field="ttl"]').text.startswith("8h"))
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(SCREENSHOT)), "screenshot failed"

    click(browser, '[data-action="advance-8h"]')
    wait.until(lambda d: row(d, ids["hello-preview"]) is None and row(d, ids["scratch-notebook"]) is None)
    assert row_status(browser, ids["hello-api"]) == "running", "a locked workload has no TTL"
    assert row_status(browser, ids["hello-batch"]) == "stopped"
    assert emulator.status(ids["hello-preview"]) == 404
    assert console_errors(browser) == []
    assert foreign(requested_urls(browser), emulator.origin) == []

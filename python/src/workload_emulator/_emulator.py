"""The emulator process (or a running instance) that sandboxes live in."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence, Union, cast
from contextlib import contextmanager

from ._http import EmulatorError, send
from ._sandbox import Sandbox

BINARY_NAME = "workload-emulator"
BINARY_VARIABLE = "WORKLOAD_EMULATOR_BIN"
_counter = itertools.count(1)
_name_chars = re.compile(r"[^A-Za-z0-9._-]+")


class EmulatorNotFound(FileNotFoundError):
    pass


class EmulatorStartError(RuntimeError):
    pass


def find_binary(path: Union[str, "os.PathLike[str]", None] = None) -> str:
    """The binary to start: `path` if given, else `$WORKLOAD_EMULATOR_BIN`, else
    `workload-emulator` on PATH (a given value beats the variable, as the server's
    flags beat its variables)."""
    for candidate, source in ((path, "the path given"), (os.environ.get(BINARY_VARIABLE) or None, BINARY_VARIABLE)):
        if candidate is None:
            continue
        candidate = os.fspath(candidate)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
        raise EmulatorNotFound(f"{source} ({candidate}) is not an executable file")
    found = shutil.which(BINARY_NAME)
    if found:
        return found
    raise EmulatorNotFound(
        f"no {BINARY_NAME} binary: set {BINARY_VARIABLE}, put it on PATH, or pass its path "
        "(a release tarball has one; or build it with `swift build -c release`)"
    )


class Emulator:
    """A workload-emulator process on a free port, or a running instance at `url`.

        with Emulator() as emu:
            with emu.sandbox() as sandbox:
                sandbox.api.get("/workloads/")

    The process gets `--port 0 --port-file F` and, unless `args` say otherwise, the
    manual clock, so time moves only when a test advances it. Its stdout and stderr
    (one line per request) go to a file: `logs()` reads them. It sees none of the
    caller's `WORKLOAD_EMULATOR_*` variables (so a run does not depend on the shell);
    `env` adds variables and `args` adds flags.
    """

    def __init__(
        self,
        binary: Union[str, "os.PathLike[str]", None] = None,
        *,
        url: Optional[str] = None,
        args: Sequence[str] = (),
        clock: Optional[str] = "manual",
        env: Optional[Mapping[str, str]] = None,
        start_timeout: float = 30,
        control_token: Optional[str] = None,
    ) -> None:
        self.url: Optional[str] = url.rstrip("/") if url else None
        self._binary = binary
        self._args = list(args)
        self._clock = clock
        self._env = dict(env or {})
        self._start_timeout = start_timeout
        self._proc: Optional["subprocess.Popen[bytes]"] = None
        self._dir: Optional[tempfile.TemporaryDirectory[str]] = None
        self._log_path: Optional[Path] = None
        self.external = url is not None
        # The control API's token (`--control-token` on the server): given, or for an
        # instance started elsewhere, $WORKLOAD_EMULATOR_CONTROL_TOKEN.
        self.control_token = control_token or (
            os.environ.get("WORKLOAD_EMULATOR_CONTROL_TOKEN") or None if self.external else None
        )
        if control_token and not self.external:
            self._args += ["--control-token", control_token]

    # -- process ----------------------------------------------------------------------

    def start(self) -> "Emulator":
        if self.external:
            self.health()
            return self
        if self._proc is not None:
            return self
        binary = find_binary(self._binary)
        self._dir = tempfile.TemporaryDirectory(prefix="workload-emulator-")
        work = Path(self._dir.name)
        port_file = work / "port"
        self._log_path = work / "emulator.log"
        argv = [binary, "--port", "0", "--port-file", str(port_file)]
        if self._clock and not any(a == "--clock" or a.startswith("--clock=") for a in self._args):
            argv += ["--clock", self._clock]
        argv += self._args
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKLOAD_EMULATOR_")}
        env.update(self._env)
        with open(self._log_path, "wb") as log:
            self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + self._start_timeout
        # Waits for the process to start, not for a state of the world: the port file
        # appears once the socket listens.
        while True:
            code = self._proc.poll()
            if code is not None:
                self._proc = None
                raise EmulatorStartError(f"{binary} exited with code {code} before listening:\n{self.logs()}")
            text = port_file.read_text() if port_file.exists() else ""
            if text.endswith("\n"):
                self.url = f"http://127.0.0.1:{int(text)}"
                break
            if time.monotonic() > deadline:
                self.stop()
                raise EmulatorStartError(f"{binary} did not listen within {self._start_timeout} s:\n{self.logs()}")
            time.sleep(0.01)
        self.health()
        return self

    def stop(self) -> None:
        """SIGTERM (graceful: requests in flight finish), then SIGKILL after 5 s."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if not self.external:
            self.url = None

    def close(self) -> None:
        self.stop()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self.external or (self._proc is not None and self._proc.poll() is None)

    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc is not None else None

    def logs(self, since: int = 0) -> str:
        """What the process wrote (listening line, one line per request, errors), from
        byte offset `since`. Empty for an instance started elsewhere."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        with open(self._log_path, "rb") as f:
            f.seek(since)
            return f.read().decode("utf-8", errors="replace")

    def wait_for_log(self, text: str, since: int = 0, timeout: float = 10) -> str:
        """The log from `since` once it holds `text`. The emulator writes its request
        lines from a background thread, a moment after the answer; this waits (bounded
        by `timeout`) for that write, not for a state of the world."""
        deadline = time.monotonic() + timeout
        while True:
            logs = self.logs(since)
            if text in logs or time.monotonic() > deadline:
                return logs
            time.sleep(0.01)

    def settled_logs(self, since: int = 0, quiet: float = 0.05, limit: float = 1.0) -> str:
        """The log once nothing has been added for `quiet` seconds (at most `limit`), so
        the lines of the requests just answered are in it."""
        deadline = time.monotonic() + limit
        size = -1
        while time.monotonic() < deadline:
            now = self.log_offset()
            if now == size:
                break
            size = now
            time.sleep(quiet)
        return self.logs(since)

    def log_offset(self) -> int:
        return self._log_path.stat().st_size if self._log_path and self._log_path.exists() else 0

    # -- control ------------------------------------------------------------------------

    def _root(self) -> str:
        if not self.url:
            raise EmulatorStartError("the emulator is not running (use start() or a with block)")
        return self.url

    def health(self) -> Dict[str, Any]:
        resp = send("GET", f"{self._root()}/__emulator/health", self._control_headers(), None, 10)
        if resp.status != 200:
            raise EmulatorError(resp, "health")
        return cast(Dict[str, Any], resp.json())

    def sandboxes(self) -> Any:
        return send("GET", f"{self._root()}/__emulator/sandboxes", self._control_headers(), None, 10).json()["data"]

    def new_sandbox(self, name: Optional[str] = None, token: Optional[str] = None) -> Sandbox:
        """A sandbox with a name no other test uses (process id, a counter and random
        hex), so tests in parallel workers sharing one instance never meet."""
        if name is None:
            name = f"py-{os.getpid()}-{next(_counter)}-{uuid.uuid4().hex[:8]}"
        if not 1 <= len(name) <= 64 or _name_chars.search(name) or name in (".", ".."):
            raise ValueError(f"sandbox name {name!r}: 1 to 64 of A-Z a-z 0-9 . _ -")
        return Sandbox(self._root(), name, token or f"token-{name}", control_token=self.control_token)

    def _control_headers(self) -> Dict[str, str]:
        return {"X-Emulator-Token": self.control_token} if self.control_token else {}

    @contextmanager
    def sandbox(self, name: Optional[str] = None, token: Optional[str] = None) -> Iterator[Sandbox]:
        """A fresh sandbox, dropped on exit."""
        s = self.new_sandbox(name, token)
        s.reset()
        try:
            yield s
        finally:
            if self.running:
                s.drop()

    def __repr__(self) -> str:
        return f"<Emulator {self.url or 'not running'}>"


def sandbox_name_for(test_id: str) -> str:
    """A readable, unique sandbox name for a test: its name, cut, plus random hex."""
    base = _name_chars.sub("-", test_id.rsplit("::", 1)[-1]).strip("-.")[:40] or "test"
    return f"{base}-{uuid.uuid4().hex[:12]}"

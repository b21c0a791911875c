"""One isolated world inside a running emulator: its objects, clock, faults and journal."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, cast

from ._http import Client, EmulatorError, Response

SANDBOX_HEADER = "X-Emulator-Sandbox"
CONTROL_TOKEN_HEADER = "X-Emulator-Token"


class Sandbox:
    """A sandbox of a running emulator: every request belongs to one.

    Two ways to reach it, for clients that take headers and for those that take only
    a base URL:

    - `base_url`: `http://HOST:PORT/sandboxes/NAME/api/v2` (path prefix), what the
      DataRobot SDK (`dr.Client(endpoint=..., token=...)`) and drtools need;
    - `header_base_url` with `headers`: `http://HOST:PORT/api/v2` plus
      `X-Emulator-Sandbox: NAME`, for `requests` sessions and the like.

    `api` is a small client on `base_url` that already sends the token.
    """

    def __init__(
        self, root_url: str, name: str, token: str, timeout: float = 30, control_token: Optional[str] = None
    ) -> None:
        self.root_url = root_url.rstrip("/")
        self.name = name
        self.token = token
        self.base_url = f"{self.root_url}/sandboxes/{name}/api/v2"
        self.header_base_url = f"{self.root_url}/api/v2"
        self.headers: Dict[str, str] = {SANDBOX_HEADER: name, "Authorization": f"Bearer {token}"}
        self.api = Client(self.base_url, {"Authorization": f"Bearer {token}"}, timeout=timeout)
        control_headers = {SANDBOX_HEADER: name}
        if control_token:
            control_headers[CONTROL_TOKEN_HEADER] = control_token
        self.control = Client(f"{self.root_url}/__emulator", control_headers, timeout=timeout)
        self.clock = Clock(self)
        self.faults = Faults(self)
        self.journal = Journal(self)
        self.state = State(self)

    @property
    def endpoint(self) -> str:
        """`base_url` under the name the DataRobot SDK gives it."""
        return self.base_url

    @property
    def env(self) -> Dict[str, str]:
        """The variables DataRobot's SDK and drtools read to find the API."""
        return {"DATAROBOT_ENDPOINT": self.base_url, "DATAROBOT_API_TOKEN": self.token}

    def call(self, method: str, path: str, expect: int, what: str, **kwargs: Any) -> Response:
        resp = self.control.request(method, path, **kwargs)
        if resp.status != expect:
            raise EmulatorError(resp, f"{what} in sandbox {self.name!r}")
        return resp

    def call_json(self, method: str, path: str, expect: int, what: str, **kwargs: Any) -> Dict[str, Any]:
        """`call`, and the answer's JSON object."""
        return cast(Dict[str, Any], self.call(method, path, expect, what, **kwargs).json())

    def reset(self) -> Dict[str, Any]:
        """Empty the sandbox: objects, clock, faults, journal and lifecycle profile."""
        return self.call_json("POST", "reset", 200, "reset")

    def drop(self) -> None:
        """Remove the sandbox from the emulator (a sandbox never used is not an error)."""
        resp = self.control.delete(f"sandboxes/{self.name}")
        if resp.status not in (204, 404):
            raise EmulatorError(resp, f"drop sandbox {self.name!r}")

    def workload(self, workload_id: str) -> Dict[str, Any]:
        """The emulator's view of a workload: status, scheduled transitions, TTL expiry."""
        return self.call_json("GET", f"workloads/{workload_id}", 200, f"workload {workload_id}")

    def wait_for(self, workload_id: str, status: str, *, max_steps: int = 100) -> Dict[str, Any]:
        """Move the clock from one scheduled transition to the next until the workload
        is in `status`; returns the emulator's view of it then.

        No wall-clock wait: each step advances the sandbox clock to the workload's next
        scheduled transition. Raises AssertionError when nothing more is scheduled (the
        workload will never get there, e.g. it errored) or after `max_steps` steps.
        """
        seen: List[str] = []
        for _ in range(max_steps):
            view = self.workload(workload_id)
            if not seen or seen[-1] != view["status"]:
                seen.append(view["status"])
            if view["status"] == status:
                return view
            scheduled = view.get("scheduled") or []
            if not scheduled:
                raise AssertionError(
                    f"workload {workload_id} is {view['status']!r} with nothing scheduled, "
                    f"so it never becomes {status!r} (went {' -> '.join(seen)})"
                )
            self.clock.advance_to(scheduled[0]["at"])
        raise AssertionError(f"workload {workload_id} not {status!r} after {max_steps} steps (went {' -> '.join(seen)})")

    def __repr__(self) -> str:
        return f"<Sandbox {self.name!r} at {self.root_url}>"


class Clock:
    """The sandbox's clock. Under `--clock manual` (the Emulator default) time moves only here."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._s = sandbox

    def now(self) -> str:
        return str(self._s.call_json("GET", "clock", 200, "clock")["now"])

    def get(self) -> Dict[str, Any]:
        """`{"now", "mode", "scale"}`."""
        return self._s.call_json("GET", "clock", 200, "clock")

    def advance(self, *, hours: float = 0, minutes: float = 0, seconds: float = 0) -> Dict[str, Any]:
        """Fire every transition and expiry due in the window; returns `now` and what fired."""
        total = hours * 3600 + minutes * 60 + seconds
        return self._s.call_json("POST", "clock/advance", 200, "clock advance", json={"seconds": total})

    def advance_to(self, timestamp: str) -> Dict[str, Any]:
        return self._s.call_json("POST", "clock/advance", 200, "clock advance", json={"to": timestamp})

    def freeze(self) -> Dict[str, Any]:
        """Switch to the manual clock: time stands still until advanced."""
        return self._s.call_json("PUT", "clock", 200, "clock freeze", json={"mode": "manual"})

    def run(self, scale: float = 1) -> Dict[str, Any]:
        """Switch to the real clock, `scale` times faster than the wall clock."""
        return self._s.call_json("PUT", "clock", 200, "clock run", json={"mode": "real", "scale": scale})


class Fault:
    """A fault rule in the emulator. As a context manager, it is removed on exit."""

    def __init__(self, faults: "Faults", rule: Dict[str, Any]) -> None:
        self._faults = faults
        self.rule = rule
        self.id: str = rule["id"]

    def delete(self) -> None:
        resp = self._faults._s.control.delete(f"faults/{self.id}")
        if resp.status not in (204, 404):
            raise EmulatorError(resp, f"delete fault {self.id}")

    def __enter__(self) -> "Fault":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.delete()

    def __repr__(self) -> str:
        return f"<Fault {self.id} {self.rule.get('action')}>"


class Faults:
    def __init__(self, sandbox: Sandbox) -> None:
        self._s = sandbox

    def add(
        self,
        action: str,
        *,
        method: Optional[str] = None,
        path: Optional[str] = None,
        workload_id: Optional[str] = None,
        status: Optional[int] = None,
        body: Any = None,
        headers: Optional[Dict[str, str]] = None,
        delay_ms: Optional[int] = None,
        state: Optional[str] = None,
        message: Optional[str] = None,
        times: Optional[int] = None,
        probability: Optional[float] = None,
    ) -> Fault:
        """Add a rule: `respond`, `delay`, `drop`, or a domain failure (`launchFailure`,
        `protonStopFailure`, `replacementFailure`, `hold`). Only what is given is sent."""
        match = {k: v for k, v in (("method", method), ("path", path), ("workloadId", workload_id)) if v is not None}
        rule: Dict[str, Any] = {"action": action}
        if match:
            rule["match"] = match
        for key, value in (
            ("status", status), ("body", body), ("headers", headers), ("delayMs", delay_ms),
            ("state", state), ("message", message), ("times", times), ("probability", probability),
        ):
            if value is not None:
                rule[key] = value
        return Fault(self, self._s.call_json("POST", "faults", 201, "add fault", json=rule))

    def list(self) -> List[Dict[str, Any]]:
        return cast(List[Dict[str, Any]], self._s.call_json("GET", "faults", 200, "list faults")["data"])

    def clear(self) -> None:
        self._s.call("DELETE", "faults", 204, "clear faults")


class Journal:
    """The requests the sandbox received (the emulator's own calls are not recorded)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._s = sandbox

    def requests(self, method: Optional[str] = None, path: Optional[str] = None) -> List[Dict[str, Any]]:
        """Oldest first. `path` may hold `*` for any run of characters. The path is the
        one the client sent with any `/sandboxes/NAME` prefix removed."""
        out: List[Dict[str, Any]] = []
        offset = 0
        while True:
            params = {"method": method, "path": path, "offset": offset, "limit": 1000}
            page = self._s.call_json("GET", "requests", 200, "journal", params=params)
            out.extend(page["data"])
            offset += len(page["data"])
            if not page["data"] or offset >= page["totalCount"]:
                return out

    def assert_called(
        self, method: str, path: str, *, times: Optional[int] = None, status: Optional[int] = None
    ) -> List[Dict[str, Any]]:
        """Assert that `method path` was called (exactly `times` times, if given, and
        answered `status`, if given); returns the matching entries."""
        matched = self.requests(method=method, path=path)
        if status is not None:
            matched = [e for e in matched if e.get("status") == status]
        ok = len(matched) == times if times is not None else len(matched) > 0
        if not ok:
            everything = self.requests()
            listing = "\n".join(f"  {e.get('method')} {e.get('path')} -> {e.get('status')}" for e in everything)
            want = f"{times} time(s)" if times is not None else "at least once"
            extra = f" answered {status}" if status is not None else ""
            raise AssertionError(
                f"expected {method} {path}{extra} {want}, got {len(matched)}; the sandbox received:\n"
                + (listing or "  (nothing)")
            )
        return matched

    def clear(self) -> None:
        self._s.call("DELETE", "requests", 204, "clear journal")

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.requests())


class State:
    def __init__(self, sandbox: Sandbox) -> None:
        self._s = sandbox

    def export(self) -> Dict[str, Any]:
        """The whole sandbox as one JSON document, loadable with `load`."""
        return self._s.call_json("GET", "state", 200, "state export")

    def load(self, document: Dict[str, Any]) -> Dict[str, Any]:
        """Replace the sandbox with `document`; a refused document changes nothing."""
        return self._s.call_json("PUT", "state", 200, "state import", json=document)


__all__ = ["Sandbox", "Clock", "Fault", "Faults", "Journal", "State"]

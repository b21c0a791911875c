"""A small blocking HTTP client on the standard library, so the package needs nothing else."""

from __future__ import annotations

import http.client
import json as _json
import urllib.parse
from typing import Any, Mapping, Optional


class EmulatorError(Exception):
    """The emulator answered a control call with an unexpected status."""

    def __init__(self, response: "Response", what: str) -> None:
        self.response = response
        super().__init__(f"{what}: HTTP {response.status} {response.text[:2000]}")


class Response:
    """One answer: status, headers (lower-case names) and the body."""

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = dict(headers)
        self.body = body

    @property
    def status_code(self) -> int:
        """Same as `status`, for code written against `requests`."""
        return self.status

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return _json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.text[:80]!r}>"


class Client:
    """Requests relative to one base URL, with headers sent on every call.

    `client.get("/workloads/")` on a client whose base is `http://h:p/api/v2` asks for
    `http://h:p/api/v2/workloads/`.
    """

    def __init__(self, base_url: str, headers: Optional[Mapping[str, str]] = None, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str = "",
        *,
        json: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
        data: Optional[bytes] = None,
    ) -> Response:
        url = self.base_url + ("/" + path.lstrip("/") if path else "")
        if params:
            query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
            if query:
                url += ("&" if "?" in url else "?") + query
        sent = {**self.headers, **(headers or {})}
        body = data
        if json is not None:
            body = _json.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        return send(method, url, sent, body, self.timeout)

    def get(self, path: str = "", **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str = "", **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str = "", **kwargs: Any) -> Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str = "", **kwargs: Any) -> Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str = "", **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)


def send(method: str, url: str, headers: Mapping[str, str], body: Optional[bytes], timeout: float) -> Response:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url!r}")
    conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_type(parts.netloc, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        conn.request(method, target, body=body, headers=dict(headers))
        resp = conn.getresponse()
        payload = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload)
    finally:
        conn.close()

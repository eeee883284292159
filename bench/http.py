"""A tiny HTTP/1.1 client for loopback benchmarks: one log-in, then the session cookie and CSRF token.

Standard library only (http.client), so the measuring side adds nothing to install and its
own cost stays small and visible.
"""

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass, field

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    seconds: float


@dataclass
class Session:
    host: str
    port: int
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
        all_headers = {"Host": f"{self.host}:{self.port}", "Accept-Encoding": "identity"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        began = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            data = raw.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - began
        for header, value in raw.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data, seconds)

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post_json(self, path: str, payload: bytes) -> Response:
        headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
            "Referer": f"http://{self.host}:{self.port}/",
        }
        return self.request("POST", path, body=payload, headers=headers)

    def login(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        match = _CSRF_INPUT.search(page.body.decode("utf-8", "replace"))
        if page.status != 200 or not match:
            raise RuntimeError(f"log-in page answered {page.status}")
        form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": match[1]})
        answer = self.request(
            "POST",
            "/accounts/login/",
            body=form.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/accounts/login/",
            },
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"log-in as {username} failed ({answer.status})")

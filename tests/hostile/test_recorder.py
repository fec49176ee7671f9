"""The recorder against hostile upstreams and requests: down, slow, not JSON, huge; bodies past
the mock's bounds; an absolute URL, a Host header or a redirect naming another host, which is
never reached. Every upstream here is a small server of the test's own on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from conftest import WG, start_server
from processes import free_port

from mockserver.recording.identifying import Pseudonyms
from mockserver.recording.proxy import MAX_ANSWER_BYTES, Upstream, create_recorder_app
from mockserver.recording.writer import RecordedFixtures
from mockserver.serving.runner import ServerThread
from mockserver.settings import Settings

HEADERS = {"Authorization": "ApiKey k", "X-ILMN-Domain": "d", "X-ILMN-Workgroup": WG}
WORKGROUPS = "/crs/api/v1/session/workgroups"


class Upstreams(BaseHTTPRequestHandler):
    """Answers by path: /slow sleeps past the recorder's timeout, /html is not JSON, /huge is
    larger than the recorder takes, /redirect points at ``elsewhere``; it counts requests."""

    hits: list[str] = []
    elsewhere = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).hits.append(self.path)
        if self.path.startswith("/slow"):
            time.sleep(2)
            self._answer(200, b"{}")
        elif self.path.startswith("/html"):
            self._answer(200, b"<html><body>Sign in</body></html>", "text/html")
        elif self.path.startswith("/huge"):
            chunk = b" " * (1 << 20)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(MAX_ANSWER_BYTES + len(chunk)))
            self.end_headers()
            try:
                for _ in range(MAX_ANSWER_BYTES // len(chunk) + 1):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the recorder hung up, as it should
        elif self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", type(self).elsewhere + WORKGROUPS)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(200, b'{"workgroupRoles": []}')

    do_PUT = do_GET  # noqa: N815

    def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve(name: str) -> Iterator[tuple[str, type[Upstreams]]]:
    """A server of ``Upstreams`` with a request count of its own, on loopback, for one test."""
    handler = type(name, (Upstreams,), {"hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_upstream() -> Iterator[tuple[str, type[Upstreams]]]:
    yield from serve("Upstream")


@pytest.fixture
def elsewhere() -> Iterator[tuple[str, type[Upstreams]]]:
    """Another host the recorder must never reach."""
    yield from serve("Elsewhere")


def recorder(upstream: str, out: Path, timeout: float = 0.5) -> ServerThread:
    recorded = RecordedFixtures(out, Pseudonyms(b"k"))
    return ServerThread(create_recorder_app(Upstream.parse(upstream), recorded, timeout=timeout,
                                            settings=Settings(threads=4))).start()


def test_an_upstream_that_is_down_is_a_502_naming_it(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    proxy = recorder(down, tmp_path)
    try:
        answered = requests.get(proxy.url + WORKGROUPS, headers=HEADERS, timeout=10)
    finally:
        proxy.stop()
    assert answered.status_code == 502
    body = answered.json()
    assert body["code"] == "BAD_GATEWAY" and "could not be reached" in body["message"] and down[7:] in body["message"]


def test_a_slow_upstream_is_cut_off_at_the_timeout(fake_upstream: tuple[str, type[Upstreams]], tmp_path: Path) -> None:
    proxy = recorder(fake_upstream[0], tmp_path, timeout=0.5)
    try:
        started = time.monotonic()
        answered = requests.get(proxy.url + "/slow", headers=HEADERS, timeout=10)
        took = time.monotonic() - started
    finally:
        proxy.stop()
    assert answered.status_code == 504 and answered.json()["code"] == "GATEWAY_TIMEOUT"
    assert "within 0.5 s" in answered.json()["message"]
    assert took < 1.9  # cut off, not waited out (the upstream answers after 2 s)


def test_an_answer_that_is_not_json_is_a_502_and_no_fixture(fake_upstream: tuple[str, type[Upstreams]],
                                                            tmp_path: Path) -> None:
    proxy = recorder(fake_upstream[0], tmp_path)
    try:
        answered = requests.get(proxy.url + "/html", headers=HEADERS, timeout=10)
    finally:
        proxy.stop()
    assert answered.status_code == 502
    assert answered.json()["message"] == ("The upstream answered 200 with text/html that is not JSON, where the API "
                                          "answers JSON; it was not passed on.")
    assert list(tmp_path.iterdir()) == []


def test_a_huge_answer_is_refused_at_the_mocks_own_bound(fake_upstream: tuple[str, type[Upstreams]],
                                                         tmp_path: Path) -> None:
    proxy = recorder(fake_upstream[0], tmp_path, timeout=30)
    try:
        answered = requests.get(proxy.url + "/huge", headers=HEADERS, timeout=60)
    finally:
        proxy.stop()
    assert answered.status_code == 502 and f"larger than {MAX_ANSWER_BYTES} bytes" in answered.json()["message"]


def test_a_body_past_the_mocks_bound_is_refused_and_never_sent(fake_upstream: tuple[str, type[Upstreams]],
                                                               tmp_path: Path) -> None:
    proxy = recorder(fake_upstream[0], tmp_path)
    try:
        answered = requests.put(proxy.url + "/crs/api/v1/cases/x/diseases", headers=HEADERS,
                                data=b"[" + b" " * (2 << 20) + b"]", timeout=30)
    finally:
        proxy.stop()
    assert answered.status_code == 413 and answered.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert fake_upstream[1].hits == []


def test_an_absolute_url_or_host_header_never_chooses_the_host(elsewhere: tuple[str, type[Upstreams]],
                                                               tmp_path: Path) -> None:
    upstream = start_server(cases=2)
    proxy = recorder(upstream.url, tmp_path)
    other = elsewhere[0].removeprefix("http://")
    try:
        for request_line, host in ((f"GET {elsewhere[0]}{WORKGROUPS} HTTP/1.1", other),
                                   (f"GET {WORKGROUPS} HTTP/1.1", other)):
            with socket.create_connection((proxy.host, proxy.port), timeout=10) as sock:
                sock.sendall(f"{request_line}\r\nHost: {host}\r\nAuthorization: ApiKey k\r\nX-ILMN-Domain: d\r\n"
                             f"Connection: close\r\n\r\n".encode())
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
            assert b"ICI Mock Workgroup" in answer  # the upstream's answer
    finally:
        proxy.stop()
        upstream.stop()
    assert elsewhere[1].hits == []


def test_a_redirect_is_handed_back_not_followed(fake_upstream: tuple[str, type[Upstreams]],
                                                elsewhere: tuple[str, type[Upstreams]], tmp_path: Path) -> None:
    fake_upstream[1].elsewhere = elsewhere[0]
    proxy = recorder(fake_upstream[0], tmp_path)
    try:
        answered = requests.get(proxy.url + "/redirect", headers=HEADERS, timeout=10, allow_redirects=False)
    finally:
        proxy.stop()
    assert answered.status_code == 302 and answered.headers["Location"] == elsewhere[0] + WORKGROUPS
    assert elsewhere[1].hits == []


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://ici.example.org", "http:// or https://"),
    ("https://", "with a host"),
    ("https://ici.example.org/?x=1", "no query"),
    ("https://user@ici.example.org", "no query, fragment or user"),
    ("https://ici.example.org:99999", "invalid port"),
])
def test_an_upstream_url_that_is_not_one_is_refused(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        Upstream.parse(url)

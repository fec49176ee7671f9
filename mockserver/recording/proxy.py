"""``mockserver record``: the vendor's paths served as a proxy to one upstream ICI, whose JSON
answers become a redacted fixture folder (``writer``).

A request goes to the upstream as it came (method, path, query, body, the caller's
credentials, which are never stored) and its answer comes back unchanged. The upstream is the
one ``--upstream`` names, whatever the request says: the target is built from the upstream's
address and the request's path alone (an absolute URL in the request line, a ``Host`` header
or a redirect never choose another host). An upstream that is down, answers something other
than JSON where the API answers JSON, or answers more than the mock's own bounds allow gets
a 502 in the vendor's error body; one slower than the timeout gets a 504.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from flask import Flask, Response, request

from .. import fidelity
from ..http.errors import error_response
from ..http.limits import JSON_BODY_LIMIT, STATE_BODY_LIMIT
from ..settings import Settings
from .writer import RecordedFixtures

log = logging.getLogger("mockserver.record")
#: Headers of one connection, not of the message: never passed on, either way.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "host", "content-length", "accept-encoding"})
#: An upstream answer the recorder takes: the mock's largest body bound.
MAX_ANSWER_BYTES = STATE_BODY_LIMIT
#: A request body: an upload's bound for multipart, the JSON bound otherwise (as the mock's own).
MAX_UPLOAD_BYTES = fidelity.MAX_UPLOAD_TOTAL_BYTES + fidelity.MULTIPART_OVERHEAD_BYTES
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
#: The one vendor answer that is not JSON.
_PDF_SUFFIX = "/pdf"


@dataclass(frozen=True)
class Upstream:
    scheme: str
    host: str
    port: int
    base_path: str

    @classmethod
    def parse(cls, url: str) -> Upstream:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--upstream must be an http:// or https:// URL with a host, not {url!r}")
        if parts.query or parts.fragment or parts.username:
            raise ValueError("--upstream takes a scheme, host, port and path only (no query, fragment or user)")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ValueError(f"--upstream has an invalid port: {url!r}") from None
        return cls(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))

    def connection(self, timeout: float) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return kind(self.host, self.port, timeout=timeout)

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


class UpstreamFailed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def create_recorder_app(upstream: Upstream, recorded: RecordedFixtures, *, timeout: float = 30.0,
                        api_key: str | None = None, settings: Settings | None = None) -> Flask:
    app = Flask("mockserver.record")
    app.config["MOCKSERVER_SETTINGS"] = settings or Settings()

    @app.route("/", defaults={"path": ""}, methods=METHODS)
    @app.route("/<path:path>", methods=METHODS)
    def forward(path: str) -> Response:
        try:
            body = _request_body()
            status, headers, answer = _ask(upstream, body, timeout, api_key)
            parsed = _json_answer(status, headers, answer)
        except UpstreamFailed as failed:
            return error_response(failed.status, failed.message)
        if parsed is not None:
            try:
                recorded.capture(request.method, request.path, parse_qsl(request.query_string.decode("latin-1"),
                                                                         keep_blank_values=True),
                                 request.headers.get("X-ILMN-Workgroup"), status, parsed)
            except OSError as exc:  # the caller still gets its answer; the recording says why it lacks this one
                log.error("could not write a fixture: %s", exc)
        response = Response(answer, status=status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                response.headers.add(name, value)
        return response

    return app


def _request_body() -> bytes | None:
    limit = MAX_UPLOAD_BYTES if request.mimetype == "multipart/form-data" else JSON_BODY_LIMIT
    if request.content_length is not None and request.content_length > limit:
        raise UpstreamFailed(413, f"The request body is {request.content_length} bytes; the recorder passes on at most "
                                  f"{limit} (the mock's own limit for this kind of body).")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise UpstreamFailed(413, f"The request body is larger than {limit} bytes, the mock's own limit for it.")
    return data if data or request.content_length is not None else None


def _ask(upstream: Upstream, body: bytes | None, timeout: float,
         api_key: str | None) -> tuple[int, list[tuple[str, str]], bytes]:
    """The upstream's answer to this request: status, headers, body."""
    raw_path = request.environ.get("PATH_INFO", "/").encode("latin-1")
    target = upstream.base_path + quote(raw_path, safe="/%:@!$&'()*+,;=-._~")
    if request.query_string:
        target += "?" + quote(request.query_string, safe="/?%:@!$&'()*+,;=-._~")
    headers = {name: value for name, value in request.headers.items() if name.lower() not in HOP_BY_HOP}
    if "Authorization" not in request.headers and api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    headers["Host"] = upstream.host_header
    deadline = time.monotonic() + timeout
    connection = upstream.connection(timeout)
    try:
        connection.request(request.method, target, body=body, headers=headers)
        answer = connection.getresponse()
        chunks, size = [], 0
        while chunk := answer.read(64 * 1024):
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise UpstreamFailed(502, f"The upstream's answer is larger than {MAX_ANSWER_BYTES} bytes, the "
                                          f"mock's own bound; it was not passed on.")
            if time.monotonic() > deadline:
                raise TimeoutError
            chunks.append(chunk)
            if connection.sock is not None:
                connection.sock.settimeout(max(0.001, deadline - time.monotonic()))
        return answer.status, answer.getheaders(), b"".join(chunks)
    except TimeoutError:
        raise UpstreamFailed(504, f"The upstream {upstream.host_header} did not answer within {timeout:g} s "
                                  f"(--upstream-timeout); the request was cut off.") from None
    except (OSError, http.client.HTTPException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UpstreamFailed(502, f"The upstream {upstream.host_header} could not be reached or broke off: "
                                  f"{reason}.") from None
    finally:
        connection.close()


def _json_answer(status: int, headers: list[tuple[str, str]], body: bytes) -> Any | None:
    """The answer's JSON; None for an answer without a body or the PDF. Anything else that is
    not JSON is the upstream's failure (502)."""
    if not body or status == 204 or request.method == "HEAD":
        return None
    if request.path.endswith(_PDF_SUFFIX) and status == 200:
        return None
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    try:
        return json.loads(body)
    except ValueError:
        shown = content_type.split(";")[0] or "no content type"
        raise UpstreamFailed(502, f"The upstream answered {status} with {shown} that is not JSON, where the API "
                                  f"answers JSON; it was not passed on.") from None

"""The access log: ``METHOD path?query status duration``, one line per request.

A request only hands its raw facts to a queue; a background thread redacts, formats and logs
them. Formatting and writing to the stream cost about as much as serving a small case, so on
the request path they held up the request and, through the GIL, every other one. The writer
takes whatever has queued up every 50 ms, so a busy server pays one wake-up per batch rather
than per request (a wake-up per line took a fifth of the GIL at 16 connections, measured with
py-spy); ``close`` writes what is left before returning.

``mockserver serve`` gives the writer its log handler: a batch is then formatted with one
record's time and written in one call, as the handler would write each line. A record per line
(what a library user's logging gets) cost 45 us a line, 6% of the GIL serving GET case at 16
connections (py-spy --gil).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from . import redaction
from .connection_faults import NO_STATUS

access_log = logging.getLogger("mockserver.access")

StartResponse = Callable[..., Any]
#: method, path, raw query string, status code (or "-"), duration in milliseconds
Line = tuple[str, str, str, str, float]


#: Where a line's message goes in the handler's format (a character no message holds: a line
#: is one line, its control characters escaped).
_SLOT = "\x00"


class AccessLogWriter:
    """Lines queued by requests, logged by a thread of its own: as records of the
    ``mockserver.access`` logger, or, given ``handler``, straight to that handler's stream."""

    def __init__(self, interval: float = 0.05, handler: logging.StreamHandler[Any] | None = None) -> None:
        self._handler = handler
        self._lines: deque[Line] = deque()
        self._closing = threading.Event()
        self._interval = interval
        self._thread = threading.Thread(target=self._run, name="mockserver-access-log", daemon=True)
        self._thread.start()

    def put(self, line: Line) -> None:
        self._lines.append(line)  # atomic: no lock on the request path

    def _run(self) -> None:
        while not self._closing.wait(self._interval):
            self._write_queued()
        self._write_queued()

    def _write_queued(self) -> None:
        lines = self._lines
        if not access_log.isEnabledFor(logging.INFO):
            lines.clear()
        batch = [lines.popleft() for _ in range(len(lines))]
        if not batch:
            return
        if self._handler is None:
            for line in batch:
                write(line)
            return
        stamp = access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, _SLOT, (), None)
        before, _, after = self._handler.format(stamp).partition(_SLOT)
        text = "".join(f"{before}{message(line)}{after}\n" for line in batch)
        with self._handler.lock:  # type: ignore[union-attr]  # a StreamHandler has its lock
            self._handler.stream.write(text)
            self._handler.flush()

    def close(self, timeout: float = 10) -> None:
        """Write every line queued so far, then stop."""
        self._closing.set()
        self._thread.join(timeout)


def message(line: Line) -> str:
    """``METHOD path?query status duration``: credentials redacted, one line whatever was sent."""
    method, path, query, status, duration_ms = line
    query = redaction.query_string(query)
    shown_query = f"?{redaction.one_line(query)}" if query else ""
    return f"{redaction.one_line(method)} {redaction.one_line(path)}{shown_query} {status} {duration_ms:.1f}ms"


def write(line: Line) -> None:
    """One record, made directly: ``Logger.info`` would also look up its caller's frame."""
    access_log.handle(access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, "%s", (message(line),), None))


class AccessLog:
    """WSGI middleware that queues one line per request for ``writer``."""

    def __init__(self, app: Callable[..., Iterable[bytes]], writer: AccessLogWriter) -> None:
        self.app = app
        self.writer = writer

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: list[str] = []

        def recording_start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            seen.append(status[:3])
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, recording_start_response)
        finally:
            self.writer.put((str(environ.get("REQUEST_METHOD")), str(environ.get("PATH_INFO")),
                             environ.get("QUERY_STRING", ""), seen[0] if seen and not environ.get(NO_STATUS) else "-",
                             (time.perf_counter() - started) * 1000))

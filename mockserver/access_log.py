"""The access log: ``METHOD path?query status duration``, one line per request.

A request only hands its raw facts to a queue; a background thread redacts, formats and logs
them. Formatting and writing to the stream cost about as much as serving a small case, so on
the request path they held up the request and, through the GIL, every other one (measured in
``bench/bench_core.py``). The writer takes whatever has queued up at once, so a busy server
pays one wake-up per batch, not per line; ``close`` writes what is left before returning.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from queue import SimpleQueue
from typing import Any

from . import redaction

access_log = logging.getLogger("mockserver.access")

StartResponse = Callable[..., Any]
#: method, path, raw query string, status code (or "-"), duration in milliseconds
Line = tuple[str, str, str, str, float]
_CLOSE = None


class AccessLogWriter:
    def __init__(self) -> None:
        self._queue: SimpleQueue[Line | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="mockserver-access-log", daemon=True)
        self._thread.start()

    def put(self, line: Line) -> None:
        self._queue.put(line)

    def _run(self) -> None:
        queue = self._queue
        while True:
            batch = [queue.get()]
            while not queue.empty() and len(batch) < 1000:
                batch.append(queue.get_nowait())
            for line in batch:
                if line is _CLOSE:
                    return
                write(line)

    def close(self, timeout: float = 10) -> None:
        """Write every line queued so far, then stop."""
        if self._thread.is_alive():
            self._queue.put(_CLOSE)
            self._thread.join(timeout)


def write(line: Line) -> None:
    method, path, query, status, duration_ms = line
    query = redaction.query_string(query)
    access_log.info("%s %s%s %s %.1fms", redaction.one_line(method), redaction.one_line(path),
                    f"?{redaction.one_line(query)}" if query else "", status, duration_ms)


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
                             environ.get("QUERY_STRING", ""), seen[0] if seen else "-",
                             (time.perf_counter() - started) * 1000))

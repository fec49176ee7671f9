"""The fast mode: granian (HTTP in Rust, the app on a small pool of Python threads) serving the
app in this process, so there is still one in-memory store.

granian's own ``Granian`` server runs each worker in a child process on a GIL build of Python;
the mock needs its store in the process that saves the state file and that tests reach into.
So this drives granian's worker the way its thread-based server (``granian.server.mt``) does:
a listening socket of ours, one ``WSGIWorker``, a signal to stop it. Those are granian's inner
parts, so ``pyproject.toml`` allows one minor release, ``constraints.txt`` pins the exact
version, and CI runs the HTTP suites under it.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from granian._futures import _new_cbscheduler
from granian._granian import SocketHolder, WorkerSignal, WSGIWorker
from granian._loops import loops
from granian.http import HTTP1Settings

from ..settings import Settings
from .access_log import AccessLogWriter
from .runner import wsgi_app

BACKLOG = 1024
#: Requests handed to the Python threads at once; the rest wait in the Rust runtime, which
#: holds idle and waiting connections without a thread each.
BACKPRESSURE = 1024


#: What every request's environ starts from. granian's own wrapper starts from ``os.environ``,
#: which would turn a variable such as HTTP_PROXY into a header of every request.
BASE_ENVIRON = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "SCRIPT_NAME": "",
    "SERVER_SOFTWARE": "mockserver (granian)",
    "wsgi.errors": sys.stderr,
    "wsgi.input_terminated": True,
    "wsgi.multiprocess": False,
    "wsgi.multithread": True,
    "wsgi.run_once": False,
    "wsgi.version": (1, 0),
}


class _StartResponse:
    __slots__ = ("status", "headers")

    def __init__(self) -> None:
        self.status = 200
        self.headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        self.status = int(status.split(" ", 1)[0])
        self.headers = headers


class _Body:
    """A WSGI body as granian iterates it: ``__next__`` and ``close``."""

    __slots__ = ("inner", "__next__")

    def __init__(self, inner: Iterable[bytes]) -> None:
        self.inner = inner
        self.__next__ = iter(inner).__next__

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


def _wsgi_caller(app: Callable[[dict[str, Any], Any], Iterable[bytes]]) -> Callable[[Any, dict[str, Any]], int]:
    def call(proto: Any, scope: dict[str, Any]) -> int:
        start_response = _StartResponse()
        body = app(BASE_ENVIRON | scope, start_response)
        if isinstance(body, list):
            proto.response_bytes(start_response.status, start_response.headers, b"".join(body))
        else:
            proto.response_iter(start_response.status, start_response.headers, _Body(body))
        return start_response.status

    return call


class GranianServer:
    """``run()`` serves until ``close()`` (or until a signal handler raises in the main thread)."""

    def __init__(self, app: Flask, host: str, port: int, threads: int,
                 access_log: AccessLogWriter | None = None) -> None:
        settings: Settings = app.config["MOCKSERVER_SETTINGS"]
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Inherited by accepted sockets: without it small answers wait out delayed ACKs (40 ms).
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._socket.bind((host, port))
            self._socket.listen(BACKLOG)
        except BaseException:
            self._socket.close()
            raise
        self.effective_port: int = self._socket.getsockname()[1]
        self._app = wsgi_app(app, access_log)
        self._threads = threads
        self._header_read_timeout_ms = min(settings.header_timeout, settings.channel_timeout) * 1000
        self._stop = WorkerSignal()
        self._stopped = threading.Event()
        self._stop.add_cb(self._stopped.set)
        self._loop = loops.get("asyncio")  # handed to the worker, which a WSGI app never gives work

    def start(self) -> None:
        """Serve from granian's own threads; this returns at once."""
        loop = self._loop
        # Called as granian's own servers call them: the shipped type stub lags the binary (no IPC
        # or metrics arguments, no serve_str, a one-argument SocketHolder).
        worker_class: Any = WSGIWorker
        holder: Any = SocketHolder
        worker = worker_class(
            1,  # worker id
            # granian closes the descriptor it is given: a copy, so that ours is never closed twice.
            (None, holder(os.dup(self._socket.fileno()), False, BACKLOG)),
            None,  # no IPC: there is no parent process
            1,  # runtime threads (Rust, for the sockets)
            512,  # runtime blocking threads
            self._threads,  # Python threads
            30,  # seconds an idle Python thread is kept
            BACKPRESSURE,
            "1",  # HTTP/1.1, as the vendor serves
            # Also how long hyper keeps an idle connection waiting for its next request.
            HTTP1Settings(header_read_timeout=self._header_read_timeout_ms),
            None,  # no HTTP/2 settings
            None,  # no static files
            False, None, None, None, "tls1.3", None, [], False,  # no TLS
            (None, None),  # no metrics
        )
        # The asyncio flavour: the other one registers a half-made task in asyncio's set of all
        # tasks, and asyncio.all_tasks() anywhere in this process (Playwright's, a test's) then
        # raises. A WSGI worker calls the app from its threads and schedules nothing either way.
        scheduler = _new_cbscheduler(loop, _wsgi_caller(self._app), impl_asyncio=True)
        worker.serve_str(scheduler, loop, self._stop)

    def run(self) -> None:
        self.start()
        while not self._stopped.wait(0.5):  # a timed wait lets the main thread take signals
            pass

    def close(self) -> None:
        self._stop.set()
        self._socket.close()
        self._loop.close()

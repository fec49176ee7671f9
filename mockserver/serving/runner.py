"""Running the app: waitress (multi-threaded, one process, so one in-memory store) or, in the
fast mode, granian (``granian_runner``), with the access log around it, and a background-thread
server for tests."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask

from ..settings import Settings
from .access_log import AccessLog, AccessLogWriter
from .connection_faults import AbortConnection
from .lending import LEND_THREAD, LendingDispatcher, core_threads


class _FaultAwareTask(WSGITask):
    """Carries out AbortConnection: no further bytes, optionally a reset, then close; offers
    the request a thread lent for holding (``lending``)."""

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[LEND_THREAD] = self.channel.server.task_dispatcher.lend_thread
        return environ

    def execute(self) -> None:
        try:
            super().execute()
        except AbortConnection as abort:
            if abort.reset:
                self.channel.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.wrote_header = True  # nothing more is written: finish() must not send headers
            self.close_on_finish = True


class _FaultAwareChannel(HTTPChannel):
    """Carries out connection faults, and cuts off a client whose request headers take longer
    than ``header_timeout`` seconds from their first byte (waitress only closes channels idle
    for ``channel_timeout``, and a byte every few seconds is not idle)."""

    task_class = _FaultAwareTask
    header_timeout = 10.0
    headers_began: float | None = None

    def received(self, data: bytes) -> bool:
        if data and self.headers_began is None:
            self.headers_began = time.monotonic()
        result = super().received(data)
        if self.request is None or self.request.headers_finished:
            self.headers_began = None
        return result

    def readable(self) -> bool:
        # Polled on every turn of the loop (at least once a second), whatever the client sends.
        if self.headers_began is not None and time.monotonic() - self.headers_began > self.header_timeout:
            self.will_close = True  # writable() now holds, and handle_write() closes the channel
        return bool(super().readable())


def wsgi_app(app: Flask, access_log: AccessLogWriter | None) -> Callable[..., Iterable[bytes]]:
    return AccessLog(app, access_log) if access_log is not None else app


def make_server(app: Flask, host: str, port: int, threads: int, access_log: AccessLogWriter | None = None) -> Any:
    """The server the app's settings name, bound and not yet serving: ``effective_port``,
    ``run()`` (until a signal or ``close()``), ``close()``."""
    settings: Settings = app.config["MOCKSERVER_SETTINGS"]
    if settings.server == "granian":  # Settings allow only SERVERS
        from .granian_runner import GranianServer  # imported only when asked for

        return GranianServer(app, host, port, threads, access_log)
    return _waitress(app, settings, host, port, threads, access_log)


def _waitress(app: Flask, settings: Settings, host: str, port: int, threads: int,
              access_log: AccessLogWriter | None) -> Any:
    """waitress, with the connection bounds of the app's settings."""
    # The body limit sits above the upload limit so that oversized uploads reach the app and
    # get the vendor's error body; waitress spools bodies over 512 KB to a temporary file.
    server = create_server(
        wsgi_app(app, access_log),
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=128 * 1024 * 1024,
        ident="mockserver",
        clear_untrusted_proxy_headers=True,
        connection_limit=settings.connection_limit,
        channel_timeout=settings.channel_timeout,
        cleanup_interval=1,  # how often idle channels are looked for: at most a second late
        _dispatcher=LendingDispatcher(core_threads(threads)),
    )
    server.channel_class = type("_Channel", (_FaultAwareChannel,), {"header_timeout": float(settings.header_timeout)})
    return server


class ServerThread:
    """The app served on a background thread by the server its settings name; ``port=0``
    picks a free port.

    waitress's loop runs in short rounds so that, asked to stop, it closes its own sockets from
    its own thread (closing them from another thread races with its poll). granian serves from
    threads of its own.
    """

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int | None = None,
                 log_requests: bool = False) -> None:
        self.app = app
        settings: Settings = app.config["MOCKSERVER_SETTINGS"]
        self.server = settings.server
        threads = threads or settings.worker_threads
        self._access_log = AccessLogWriter() if log_requests else None
        try:
            self._server = make_server(app, host, port, threads, self._access_log)
        except BaseException:
            if self._access_log is not None:
                self._access_log.close()
            raise
        self.host = host
        self.port: int = self._server.effective_port
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mockserver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def _run(self) -> None:
        if self.server != "waitress":
            self._server.start()
            self._stopping.wait()
            self._server.close()
            if self._access_log is not None:
                self._access_log.close()
            return
        server = self._server
        while not self._stopping.is_set():
            server.asyncore.loop(timeout=0.5, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1)
        for channel in list(server._map.values()):
            if channel not in (server, server.trigger):
                channel.handle_close()
        # A task may still be finishing a request whose client has its answer: it pulls the
        # trigger when done, so the trigger closes (with the server) only after the workers.
        server.task_dispatcher.shutdown()
        server.close()
        if self._access_log is not None:
            self._access_log.close()

    def stop(self) -> None:
        if self._stopping.is_set() or not self._thread.is_alive():
            return
        self._stopping.set()
        if self.server == "waitress":
            try:
                self._server.trigger.pull_trigger()  # wake the loop now rather than at its timeout
            except OSError:
                pass  # the loop saw the flag first and has already closed the trigger
        self._thread.join(timeout=10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""The mock in this process, on a background thread, for code that is not a pytest suite.

    with MockServer(seed=1, cases=20) as server:
        session = server.control.vendor_session()
        session.get(server.url + "/crs/api/v1/cases/search")
"""

from __future__ import annotations

from typing import Any

import requests
from flask import Flask

from . import admin
from .app import create_app
from .client import MockControl
from .runner import ServerThread
from .settings import Settings


class MockServer:
    """A seeded server on a free loopback port (``port=0``) unless told otherwise."""

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        base = settings or Settings(port=0, access_log=False)
        self.settings = base.with_overrides(**overrides)
        self._thread: ServerThread | None = None
        self._control: MockControl | None = None

    def start(self) -> MockServer:
        if self._thread is None:
            app = create_app(self.settings)
            self._thread = ServerThread(app, self.settings.host, self.settings.port,
                                        log_requests=self.settings.access_log).start()
            # The server is on loopback in this process: a proxy or a .netrc found in the
            # environment must not apply to it (requests would send 127.0.0.1 to an HTTP_PROXY).
            session = requests.Session()
            session.trust_env = False
            self._control = MockControl(self.url, admin_token=self.settings.admin_token, session=session)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        if self._control is not None:
            self._control.close()
            self._control = None

    @property
    def app(self) -> Flask:
        if self._thread is None:
            raise RuntimeError("the server is not running: call start() or use 'with'")
        return self._thread.app

    @property
    def url(self) -> str:
        if self._thread is None:
            raise RuntimeError("the server is not running: call start() or use 'with'")
        return self._thread.url

    @property
    def control(self) -> MockControl:
        """A control-plane client; its vendor sessions share its settings."""
        if self._control is None:
            raise RuntimeError("the server is not running: call start() or use 'with'")
        return self._control

    def server_wide_settings(self) -> dict[str, Any]:
        """What ``GET /_mock/clock``, ``/_mock/lifecycle`` and ``/_mock/latency`` would answer,
        read in this process without a round trip."""
        with self.app.app_context():
            return admin.server_wide_settings()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

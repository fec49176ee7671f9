"""The mock in this process, on a background thread, for code that is not a pytest suite.

    with MockServer(seed=1, cases=20) as server:
        session = server.control.vendor_session()
        session.get(server.url + "/crs/api/v1/cases/search")
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from .. import admin
from ..app import create_app
from ..serving.runner import ServerThread
from ..settings import Settings
from .clients import MockControl


class _InProcess(BaseAdapter):
    """A requests transport that hands each request to the app in the caller's thread, through
    Flask's test client: the same routes, checks and answers as over the socket, without the
    socket and the worker thread (a control-plane call then costs about 1 ms instead of 2 to 3)."""

    def __init__(self, app: Flask) -> None:
        super().__init__()
        self._app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        url = urlsplit(request.url or "")
        client = self._app.test_client(use_cookies=False)  # one per call: a session may serve several threads
        answer = client.open(url.path, base_url=f"{url.scheme}://{url.netloc}", query_string=url.query,
                             method=request.method or "GET", headers=dict(request.headers), data=request.body or b"")
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.status.partition(" ")[2]
        response.headers = CaseInsensitiveDict(answer.headers.items())
        response._content = answer.get_data()
        response._content_consumed = True  # iter_content() then reads _content, not a raw stream
        response.encoding = get_encoding_from_headers(response.headers)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


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
            # Its control-plane calls need no socket at all; the vendor sessions it hands out
            # (vendor_session) are separate sessions, over HTTP like any client's.
            session = requests.Session()
            session.trust_env = False
            session.mount(self.url + "/", _InProcess(app))
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
        """A control-plane client, calling the app in this process; its vendor sessions go
        over HTTP."""
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

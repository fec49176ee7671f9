"""The mock in this process: ``MockServer`` and the thread that serves it."""

from __future__ import annotations

import logging

import pytest
import requests

from mockserver import create_app
from mockserver.runner import ServerThread


def test_server_thread__stops_cleanly_right_after_answering(caplog: pytest.LogCaptureFixture) -> None:
    """A worker finishing a request the client already has must find the loop's trigger open."""
    app = create_app(cases=0)
    caplog.set_level(logging.ERROR, logger="waitress")
    for _ in range(20):
        with requests.Session() as session, ServerThread(app) as server:  # the client's connection outlives the server
            for _ in range(50):
                assert session.get(server.url + "/_mock/health", timeout=10).ok
    assert [record.getMessage() for record in caplog.records] == []

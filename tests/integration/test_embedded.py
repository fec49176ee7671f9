"""The mock in this process: ``MockServer`` and the thread that serves it."""

from __future__ import annotations

import logging

import pytest
import requests

from mockserver import MockServer, create_app
from mockserver.serving.runner import ServerThread
from mockserver.testing.clients import MockControl, MockControlError


def test_server_thread__stops_cleanly_right_after_answering(caplog: pytest.LogCaptureFixture) -> None:
    """A worker finishing a request the client already has must find the loop's trigger open."""
    app = create_app(cases=0)
    caplog.set_level(logging.ERROR, logger="waitress")
    for _ in range(20):
        with requests.Session() as session, ServerThread(app) as server:  # the client's connection outlives the server
            for _ in range(50):
                assert session.get(server.url + "/_mock/health", timeout=10).ok
    assert [record.getMessage() for record in caplog.records] == []


def test_mock_server__its_clients_ignore_proxies_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server is on loopback in this process: an HTTP_PROXY must not carry requests away."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with MockServer(cases=2) as server:
        assert server.control.health()["status"] == "ok"
        with server.control.vendor_session() as session:
            assert session.get(server.url + "/crs/api/v1/cases/search").status_code == 200


def test_mock_server__server_wide_settings_are_what_the_control_plane_answers() -> None:
    with MockServer() as server:
        control = server.control
        control.freeze("2026-03-01T10:00:00Z")
        control.set_lifecycle(processing={"mode": "manual"})
        control.set_latency(default={"fixedMs": 3})
        control.set_client_rules(storm_seconds=30)
        expected = {"clock": control.clock(), "lifecycle": control.lifecycle(), "latency": control.latency(),
                    "clientRules": control.client_rules()}
        assert server.server_wide_settings() == expected
        assert expected["clock"]["mode"] == "frozen" and expected["latency"]["default"] == {"fixedMs": 3}
        assert expected["clientRules"]["stormSeconds"] == 30


def test_mock_server__control_needs_a_running_server() -> None:
    server = MockServer()
    with pytest.raises(RuntimeError, match="not running"):
        server.control  # noqa: B018 - the property is what is tested
    with server:
        assert server.control is server.control
    with pytest.raises(RuntimeError, match="not running"):
        server.control  # noqa: B018


def test_mock_server__its_control_client_gets_the_answers_a_client_over_http_gets() -> None:
    """MockServer.control calls the app in this process; status, body and the admin token's
    check are those of the same call over the socket."""
    with MockServer(cases=3, admin_token="s3cret") as server:
        over_http = MockControl(server.url, admin_token="s3cret")
        assert server.control.workgroups() == over_http.workgroups()
        created = server.control.create_workgroup(id="in-process", cases=2, seed=4)
        assert created == next(w for w in over_http.workgroups() if w["id"] == "in-process")
        refusals = []
        for client in (server.control, over_http):
            with pytest.raises(MockControlError) as refused:
                client.create_workgroup(id="bad", cases=-1)
            refusals.append((refused.value.status, refused.value.body))
        assert refusals[0] == refusals[1] and refusals[0][0] == 400
        with pytest.raises(MockControlError) as unauthorized:
            MockControl(server.url).workgroups()  # no token: the same server refuses
        assert unauthorized.value.status == 401
        with server.control.vendor_session() as session:  # vendor calls stay on HTTP
            assert session.get(server.url + "/crs/api/v1/cases/search").status_code == 200
        assert over_http.count_requests(operation="searchCases") == 1

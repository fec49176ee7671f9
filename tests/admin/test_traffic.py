"""Latency, faults and the request journal, as a real HTTP client sees them."""

from __future__ import annotations

import logging
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import BREAST_CASE, SERVER, WG, Api, carried_out, start_server

from mockserver import create_app
from mockserver.admin.latency import Latency
from mockserver.serving.runner import ServerThread

CASE = f"/crs/api/v2/cases/{BREAST_CASE}"


class TestLatency:
    def test_shapes_statistically(self) -> None:
        """The drawn delays, not wall time: fixed is exact, uniform stays in range with the
        right mean, lognormal has its median and respects its cap."""
        latency = Latency(seed=1)
        latency.replace({"default": None, "operations": {
            "getCase": {"fixedMs": 200},
            "searchCases": {"uniform": {"minMs": 50, "maxMs": 300}},
            "deleteCase": {"lognormal": {"medianMs": 80, "sigma": 0.4, "maxMs": 2000}},
            "getDiseaseConfig": {"lognormal": {"medianMs": 80, "sigma": 2.0, "maxMs": 300}},
        }})
        assert {latency.draw_ms("getCase") for _ in range(50)} == {200.0}
        uniform = [latency.draw_ms("searchCases") for _ in range(4000)]
        assert 50 <= min(uniform) and max(uniform) <= 300
        assert abs(statistics.mean(uniform) - 175) < 6
        lognormal = [latency.draw_ms("deleteCase") for _ in range(4000)]
        assert abs(statistics.median(lognormal) - 80) < 4
        capped = [latency.draw_ms("getDiseaseConfig") for _ in range(2000)]
        assert max(capped) == 300 and statistics.median(capped) < 100
        assert latency.draw_ms("listWorkgroups") == 0.0

    def test_same_seed_same_draws(self) -> None:
        spec = {"default": {"lognormal": {"medianMs": 50, "sigma": 1.0, "maxMs": None}}, "operations": {}}
        first, second = Latency(seed=3), Latency(seed=3)
        first.replace(spec)
        second.replace(spec)
        assert [first.draw_ms("getCase") for _ in range(20)] == [second.draw_ms("getCase") for _ in range(20)]

    def test_setting_round_trips_and_replaces(self, fresh_api: Api) -> None:
        setting = {"default": {"fixedMs": 10.0}, "operations": {"getCase": {"uniform": {"minMs": 1.0, "maxMs": 2.0}}}}
        assert fresh_api.admin("PUT", "/latency", setting) == setting
        assert fresh_api.admin("GET", "/latency") == setting
        assert fresh_api.admin("PUT", "/latency", {"default": None}) == {"default": None, "operations": {}}

    @pytest.mark.parametrize("setting", [
        {"default": {"fixedMs": -1}}, {"default": {"fixedMs": 1, "uniform": {"minMs": 1, "maxMs": 2}}},
        {"default": {"uniform": {"minMs": 5, "maxMs": 1}}}, {"operations": {"getCat": {"fixedMs": 1}}},
        {"default": {}}, {"defaults": {"fixedMs": 1}},
    ])
    def test_bad_setting_is_400(self, fresh_api: Api, setting: dict) -> None:
        fresh_api.admin("PUT", "/latency", setting, expect=400)
        assert fresh_api.admin("GET", "/latency") == {"default": None, "operations": {}}

    def test_delay_is_applied(self, fresh_api: Api) -> None:
        fresh_api.admin("PUT", "/latency", {"operations": {"getCase": {"fixedMs": 300}}})
        started = time.monotonic()
        assert fresh_api.get(CASE).status_code == 200
        assert time.monotonic() - started >= 0.3
        entry = fresh_api.admin("GET", "/requests", params={"operation": "getCase", "limit": 1})[0]
        assert entry["durationMs"] >= 300

    def test_request_header_sets_its_own_delay(self, fresh_api: Api) -> None:
        started = time.monotonic()
        assert fresh_api.get(CASE, headers={"X-Mock-Delay-Ms": "250"}).status_code == 200
        assert time.monotonic() - started >= 0.25
        response = fresh_api.get(CASE, headers={"X-Mock-Delay-Ms": "soon"})
        assert response.status_code == 400 and "X-Mock-Delay-Ms" in response.json()["message"]
        assert fresh_api.get(CASE, headers={"X-Mock-Delay-Ms": "-1"}).status_code == 400

    def test_a_delay_does_not_block_other_requests(self, fresh_api: Api) -> None:
        """As many delayed requests as may be held at once (24 of waitress's 32 threads, 1 of
        granian's 2), and another request is still answered at once."""
        finished: dict[str, float] = {}
        holding = fresh_api.server.app.extensions["mockserver.control"].holding

        def slow(i: int) -> None:
            requests.get(fresh_api.url + CASE, headers={**fresh_api.session.headers, "X-Mock-Delay-Ms": "2000"}, timeout=30)
            finished[f"slow{i}"] = time.monotonic()

        with ThreadPoolExecutor(max_workers=holding.capacity) as pool:
            for i in range(holding.capacity):
                pool.submit(slow, i)
            deadline = time.monotonic() + 10
            while holding.held < holding.capacity and time.monotonic() < deadline:  # all are being delayed
                time.sleep(0.01)
            assert holding.held == holding.capacity
            assert fresh_api.get(CASE).status_code == 200
            finished["fast"] = time.monotonic()
        assert all(finished["fast"] < t for k, t in finished.items() if k != "fast")


class TestFaults:
    def test_error_with_retry_after_and_times(self, fresh_api: Api) -> None:
        rules = fresh_api.admin("POST", "/faults", {"operation": "searchCases", "status": 503, "times": 2, "retryAfter": 2}, expect=201)
        assert rules[0]["times"] == 2 and rules[0]["id"]
        for _ in range(2):
            response = fresh_api.get("/crs/api/v1/cases/search")
            assert response.status_code == 503 and response.headers["Retry-After"] == "2"
            assert response.json()["code"] == "SERVICE_UNAVAILABLE"
        assert fresh_api.get("/crs/api/v1/cases/search").status_code == 200  # expired
        assert fresh_api.admin("GET", "/faults") == []

    def test_429_and_other_operations_untouched(self, fresh_api: Api) -> None:
        fresh_api.admin("POST", "/faults", {"operation": "getCase", "status": 429, "retryAfter": 7}, expect=201)
        response = fresh_api.get(CASE)
        assert response.status_code == 429 and response.headers["Retry-After"] == "7"
        assert fresh_api.get("/crs/api/v1/cases/search").status_code == 200
        fresh_api.admin("DELETE", "/faults", expect=204)
        assert fresh_api.get(CASE).status_code == 200

    def test_first_matching_rule_wins(self, fresh_api: Api) -> None:
        fresh_api.admin("POST", "/faults", [{"operation": "getCase", "status": 500, "times": 1},
                                            {"operation": "*", "status": 502}], expect=201)
        assert fresh_api.get(CASE).status_code == 500
        assert fresh_api.get(CASE).status_code == 502
        assert fresh_api.get("/cfg/api/v1/disease-config").status_code == 502

    @carried_out("connectionReset")
    def test_connection_reset(self, fresh_api: Api) -> None:
        fresh_api.admin("POST", "/faults", {"operation": "getCase", "kind": "connectionReset", "times": 1}, expect=201)
        with pytest.raises(requests.ConnectionError) as caught:
            requests.get(fresh_api.url + CASE, headers=fresh_api.session.headers, timeout=10)
        assert "reset" in str(caught.value).lower()
        assert fresh_api.get(CASE).status_code == 200

    @carried_out("emptyResponse")
    def test_empty_response(self, fresh_api: Api) -> None:
        fresh_api.admin("POST", "/faults", {"operation": "getCase", "kind": "emptyResponse", "times": 1}, expect=201)
        with pytest.raises(requests.ConnectionError) as caught:
            requests.get(fresh_api.url + CASE, headers=fresh_api.session.headers, timeout=10)
        assert "without response" in str(caught.value)

    @carried_out("truncatedBody")
    def test_truncated_body(self, fresh_api: Api) -> None:
        fresh_api.admin("POST", "/faults", {"operation": "getCase", "kind": "truncatedBody", "times": 1}, expect=201)
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(fresh_api.url + CASE, headers=fresh_api.session.headers, timeout=10)

    def test_probability_is_seeded(self) -> None:
        def pattern() -> list[int]:
            server = start_server()
            try:
                api = Api(server)
                api.admin("POST", "/faults", {"operation": "getCase", "status": 503, "probability": 0.5}, expect=201)
                return [api.get(CASE).status_code for _ in range(40)]
            finally:
                server.stop()
        first = pattern()
        assert first == pattern()
        assert 8 <= first.count(503) <= 32

    def test_a_fault_changes_no_state(self, fresh_api: Api) -> None:
        fresh_api.admin("POST", "/faults", {"operation": "deleteCase", "status": 500}, expect=201)
        assert fresh_api.delete(f"/crs/api/v1/cases/{BREAST_CASE}").status_code == 500
        fresh_api.admin("DELETE", "/faults", expect=204)
        assert fresh_api.get(CASE).status_code == 200

    def test_delete_one_rule(self, fresh_api: Api) -> None:
        rule = fresh_api.admin("POST", "/faults", {"operation": "getCase"}, expect=201)[0]
        fresh_api.admin("DELETE", f"/faults/{rule['id']}", expect=204)
        fresh_api.admin("DELETE", f"/faults/{rule['id']}", expect=404)

    @pytest.mark.parametrize("rule", [
        {"operation": "getCat"}, {"kind": "explode"}, {"status": 200}, {"times": 0},
        {"probability": 2}, {"retryAfter": -1}, {"when": "always"},
    ])
    def test_bad_rule_is_400_and_nothing_added(self, fresh_api: Api, rule: dict) -> None:
        fresh_api.admin("POST", "/faults", [{"operation": "getCase"}, rule], expect=400)
        assert fresh_api.admin("GET", "/faults") == []


class TestJournal:
    def test_records_and_redacts(self, fresh_api: Api) -> None:
        fresh_api.admin("DELETE", "/requests", expect=204)
        fresh_api.put(f"/crs/api/v1/cases/{BREAST_CASE}/diseases", json={"externalid": "1", "ontologytype": "SNOMEDCT"})
        entry = fresh_api.admin("GET", "/requests")[-1]
        assert entry["operation"] == "updateCaseDiseases" and entry["method"] == "PUT" and entry["status"] == 400
        assert entry["headers"]["Authorization"] == "ApiKey"  # the key itself is never kept
        assert "test-key" not in str(entry)
        assert entry["workgroup"] == WG and entry["bodySize"] > 0 and '"externalid"' in entry["bodyPreview"]
        assert entry["fault"] is None and entry["durationMs"] >= 0
        requests.get(fresh_api.url + CASE, headers={**fresh_api.session.headers, "Authorization": "raw-token-123"}, timeout=10)
        assert fresh_api.admin("GET", "/requests")[-1]["headers"]["Authorization"] == "<token>"

    def test_only_the_vendor_surface_is_recorded(self, fresh_api: Api) -> None:
        fresh_api.admin("DELETE", "/requests", expect=204)
        fresh_api.admin("GET", "/clock")
        fresh_api.get("/crs/api/v9/unknown")
        entries = fresh_api.admin("GET", "/requests")
        assert [(e["path"], e["status"], e["operation"]) for e in entries] == [("/crs/api/v9/unknown", 404, None)]

    def test_filters_count_and_clear(self, fresh_api: Api) -> None:
        fresh_api.admin("DELETE", "/requests", expect=204)
        for _ in range(3):
            fresh_api.get(CASE)
        fresh_api.get("/crs/api/v1/cases/search", params={"tags": "onc"})
        fresh_api.get("/crs/api/v2/cases/missing")
        everything = fresh_api.admin("GET", "/requests")
        assert len(everything) == 5
        assert len(fresh_api.admin("GET", "/requests", params={"operation": "getCase"})) == 4
        since = everything[2]["seq"]
        assert [e["seq"] for e in fresh_api.admin("GET", "/requests", params={"since": since})] == [e["seq"] for e in everything[3:]]
        assert fresh_api.admin("GET", "/requests", params={"since": everything[0]["time"]}) == everything
        assert len(fresh_api.admin("GET", "/requests", params={"limit": 2})) == 2
        count = lambda **m: fresh_api.admin("POST", "/requests/count", m)["count"]  # noqa: E731
        assert count(operation="getCase") == 4
        assert count(operation="getCase", status=404) == 1
        assert count(method="get", path="/crs/api/v2/cases/*") == 4
        assert count(operation="searchCases", workgroup=WG) == 1
        assert count() == 5
        fresh_api.admin("POST", "/requests/count", {"colour": "red"}, expect=400)
        fresh_api.admin("GET", "/requests", params={"since": "last tuesday"}, expect=400)
        fresh_api.admin("DELETE", "/requests", expect=204)
        assert fresh_api.admin("GET", "/requests") == []

    @carried_out("emptyResponse")
    def test_faults_are_marked(self, fresh_api: Api) -> None:
        fresh_api.admin("POST", "/faults", {"operation": "getCase", "kind": "emptyResponse", "times": 1}, expect=201)
        with pytest.raises(requests.ConnectionError):
            requests.get(fresh_api.url + CASE, headers=fresh_api.session.headers, timeout=10)
        entry = fresh_api.admin("GET", "/requests")[-1]
        assert entry["fault"] == "emptyResponse" and entry["status"] is None

    @pytest.mark.parametrize(("kind", "client_saw"), [
        pytest.param("connectionReset", None, marks=carried_out("connectionReset")),
        pytest.param("emptyResponse", None, marks=carried_out("emptyResponse")),
        pytest.param("truncatedBody", 503, marks=carried_out("truncatedBody")), ("error", 503)])
    def test_journal_and_access_log_record_what_the_client_saw(self, caplog: pytest.LogCaptureFixture,
                                                               kind: str, client_saw: int | None) -> None:
        """A dropped connection has no status in either; a fault that sent a status line has it in both."""
        caplog.set_level(logging.INFO, logger="mockserver.access")
        server = ServerThread(create_app(server=SERVER), log_requests=True).start()
        try:
            api = Api(server)
            api.admin("POST", "/faults", {"operation": "getCase", "kind": kind, "status": 503, "times": 1}, expect=201)
            try:
                status = requests.get(api.url + CASE, headers=api.session.headers, timeout=10, stream=True).status_code
            except requests.RequestException:
                status = None
            assert status == client_saw
            (entry,) = api.admin("GET", "/requests", params={"operation": "getCase"})
        finally:
            server.stop()  # writes the queued access-log lines
        assert entry["fault"] == kind and entry["status"] == client_saw
        (line,) = [r.getMessage() for r in caplog.records if r.name == "mockserver.access" and CASE in r.getMessage()]
        assert line.split()[2] == ("-" if client_saw is None else str(client_saw)), line

    def test_bounded_oldest_drop_first(self) -> None:
        server = start_server(journal_size=5)
        try:
            api = Api(server)
            for n in range(8):
                api.get(f"/crs/api/v2/cases/n{n}")
            paths = [e["path"] for e in api.admin("GET", "/requests")]
            assert paths == [f"/crs/api/v2/cases/n{n}" for n in range(3, 8)]
        finally:
            server.stop()


def test_admin_token_protects_the_control_plane() -> None:
    server = start_server(admin_token="s3cret")
    try:
        api = Api(server)
        assert api.admin("GET", "/health", expect=200)["status"] == "ok"
        error = api.admin("GET", "/clock", expect=401)
        assert error["code"] == "UNAUTHORIZED"
        ok = requests.get(server.url + "/_mock/clock", headers={"Authorization": "Bearer s3cret"}, timeout=10)
        assert ok.status_code == 200
        assert requests.get(server.url + "/_mock/clock", headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
        assert api.get(CASE).status_code == 200  # the vendor surface is not affected
    finally:
        server.stop()


def test_health(api: Api) -> None:
    body = api.admin("GET", "/health")
    assert body["status"] == "ok" and body["version"]


def test_scoped_by_workgroup(fresh_api: Api) -> None:
    """A fault and a journal query can be limited to one workgroup (parallel tests on one server)."""
    other = fresh_api.admin("POST", "/workgroups", {"id": "scoped", "cases": 2}, expect=201)["id"]
    theirs = Api(fresh_api.server, workgroup=other)
    fresh_api.admin("POST", "/faults", {"operation": "searchCases", "workgroup": other, "status": 503}, expect=201)
    assert fresh_api.get("/crs/api/v1/cases/search").status_code == 200
    assert theirs.get("/crs/api/v1/cases/search").status_code == 503
    entries = fresh_api.admin("GET", "/requests", params={"workgroup": other})
    assert [(e["workgroup"], e["status"]) for e in entries] == [(other, 503)]
    exported = fresh_api.admin("GET", "/state", params={"workgroup": other})
    assert [w["id"] for w in exported["workgroups"]] == [other] and exported["defaultWorkgroup"] == other

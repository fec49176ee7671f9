"""The client report over HTTP: a small client commits each violation once, and the report names
exactly that rule, with the right count and evidence; well-behaved calls name none."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from conftest import BREAST_CASE, THYROID_CASE, Api, carried_out, start_server

from mockserver.admin.plane import EXTENSION
from mockserver.serving.runner import ServerThread
from mockserver.settings import Settings

CASE = f"/crs/api/v2/cases/{BREAST_CASE}"
SEARCH = "/crs/api/v1/cases/search"
CSV = "Sample_ID,Case_ID\nS-1,CASE-NEW-1\n"


class JournalClock:
    """The journal's clock, moved by the test: ``sleep`` stands for a client's pause."""

    def __init__(self) -> None:
        self.micros = 1_800_000_000 * 1_000_000

    def __call__(self) -> int:
        return self.micros

    def sleep(self, seconds: float) -> None:
        self.micros += round(seconds * 1_000_000)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    server = start_server()
    yield server
    server.stop()


_keys = itertools.count()


@pytest.fixture
def client(server: ServerThread) -> Iterator[Api]:
    """A client with a key of its own, so the report has one client: this test's."""
    server.app.extensions[EXTENSION].journal.clear()
    api = Api(server, key=f"client-report-{next(_keys)}")
    yield api
    api.close()


@pytest.fixture
def clock(server: ServerThread) -> Iterator[JournalClock]:
    journal = server.app.extensions[EXTENSION].journal
    real, journal.now = journal.now, JournalClock()
    yield journal.now
    journal.now = real


@pytest.fixture
def still_mock_clock(server: ServerThread) -> Iterator[None]:
    """The mock's clock stopped for the test: a slow machine cannot let an upload's queued
    second pass between reads the test means to be of an unchanged upload."""
    mock_clock = server.app.extensions["mockserver"].clock
    mock_clock.freeze(mock_clock.now())
    yield
    mock_clock.unfreeze()


def report(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/_mock/client-report", params=params)
    assert response.status_code == 200, response.text
    return response.json()["clients"]


def findings(api: Api) -> dict[str, dict[str, Any]]:
    """This test's one client's findings, by rule."""
    (mine,) = report(api)
    return {f["rule"]: f for f in mine["findings"]}


def seqs(api: Api, operation: str | None = None) -> list[int]:
    entries = api.get("/_mock/requests", params={"limit": 1000, "operation": operation}).json()
    return [e["seq"] for e in entries]


@pytest.mark.usefixtures("still_mock_clock")
def test_reads_of_an_unfinished_upload_with_no_pause_are_polling_too_fast(client: Api) -> None:
    upload = client.upload(CSV)
    for _ in range(5):
        client.upload_status(upload)  # queued for a second of the stopped clock: unchanged, unfinished
    found = findings(client)
    assert set(found) == {"poll-too-fast"}
    poll = found["poll-too-fast"]
    reads = seqs(client, "getCustomCaseDataStatus")
    assert (poll["count"], poll["evidence"], poll["severity"]) == (4, reads[1:], "warning")
    assert 0 <= poll["medianGapSeconds"] < 1
    assert "upload" in poll["message"] and poll["advice"]


def test_a_pause_of_the_interval_a_write_or_a_change_is_not_polling(client: Api, clock: JournalClock) -> None:
    client.case(BREAST_CASE)
    clock.sleep(1.0)
    client.case(BREAST_CASE)  # a full interval after the last answer
    client.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json={"externalid": "363346000", "ontologytype": "SNOMEDCT"})
    client.case(THYROID_CASE)  # news after the client's own write...
    client.advance_clock(3600)
    client.case(THYROID_CASE)  # ...and after the case moved on (PROCESSING, then READY_FOR_INTERPRETATION)
    assert findings(client) == {}


def test_the_poll_interval_is_a_setting(client: Api, clock: JournalClock) -> None:
    client.case(BREAST_CASE)
    clock.sleep(0.3)
    client.case(BREAST_CASE)
    assert "poll-too-fast" in findings(client)
    try:
        client.admin("PUT", "/client-rules", {"pollIntervalSeconds": 0.25})
        assert findings(client) == {}
    finally:
        client.admin("PUT", "/client-rules", {"pollIntervalSeconds": 1.0})


def test_a_retry_sooner_than_retry_after_is_named(client: Api, clock: JournalClock) -> None:
    client.admin("POST", "/faults", {"operation": "getCase", "status": 429, "retryAfter": 30, "times": 2}, expect=201)
    assert client.get(CASE).status_code == 429
    clock.sleep(5)
    assert client.get(CASE).status_code == 429  # 5 s into a 30 s wait
    clock.sleep(30)
    assert client.get(CASE).status_code == 200  # waited as told
    found = findings(client)
    assert set(found) == {"retry-after-ignored"}
    early = found["retry-after-ignored"]
    assert (early["count"], early["evidence"], early["severity"]) == (1, seqs(client)[1:2], "error")
    assert "5.0 s after the answer" in early["message"]


@carried_out("connectionReset")
def test_retrying_more_than_five_times_in_ten_seconds_is_a_storm(client: Api) -> None:
    client.admin("POST", "/faults", {"operation": "getCase", "kind": "connectionReset", "times": 7}, expect=201)
    for _ in range(8):  # the call and 7 retries, no pause: the last one gets through
        try:
            client.get(CASE)
        except requests.ConnectionError:
            continue
    found = findings(client)
    assert set(found) == {"retry-storm"}
    storm = found["retry-storm"]
    assert (storm["count"], storm["retries"], storm["evidence"]) == (1, 7, seqs(client)[1:])


def test_retries_whose_pauses_never_grow_are_a_storm(client: Api, clock: JournalClock) -> None:
    client.admin("POST", "/faults", {"operation": "getCase", "status": 503, "times": 3}, expect=201)
    for _ in range(4):
        client.get(CASE)
        clock.sleep(2)  # 2 s each time: few retries, but no backoff
    assert findings(client)["retry-storm"]["count"] == 1


def test_retries_with_growing_pauses_are_no_storm(client: Api, clock: JournalClock) -> None:
    client.admin("POST", "/faults", {"operation": "getCase", "status": 503, "times": 4}, expect=201)
    for pause in (0.5, 1, 2, 4, 0):
        client.get(CASE)
        clock.sleep(pause)
    assert findings(client) == {}


@carried_out("emptyResponse")
def test_a_transient_fault_never_retried_is_noted(client: Api) -> None:
    client.admin("POST", "/faults", {"operation": "getCase", "kind": "emptyResponse", "times": 1}, expect=201)
    with pytest.raises(requests.ConnectionError):
        client.get(CASE)
    client.search()  # carries on with something else
    found = findings(client)
    assert set(found) == {"no-retry-after-fault"}
    given_up = found["no-retry-after-fault"]
    assert (given_up["count"], given_up["evidence"], given_up["severity"]) == (1, seqs(client, "getCase"), "info")


def test_the_same_page_past_the_end_twice_is_named(client: Api) -> None:
    last = client.search(pageSize=10)["totalPages"]
    client.search(pageSize=10, pageNumber=last)  # one past the end: how some clients learn it is the end
    client.search(pageSize=20, pageNumber=last)  # another search, past its end once
    assert findings(client) == {}
    client.search(pageSize=10, pageNumber=last + 1)
    found = findings(client)
    assert set(found) == {"page-past-end"}
    assert (found["page-past-end"]["count"], found["page-past-end"]["evidence"]) == (2, [seqs(client)[i] for i in (1, 3)])


def test_the_other_api_version_of_a_path_is_named(client: Api) -> None:
    assert client.get(f"/crs/api/v1/cases/{BREAST_CASE}").status_code == 405
    found = findings(client)
    assert set(found) == {"wrong-api-version"}
    assert found["wrong-api-version"]["count"] == 1
    assert "GET /crs/api/v2/cases/{caseId}" in found["wrong-api-version"]["message"]


def test_client_errors_are_grouped_by_cause(client: Api) -> None:
    for _ in range(2):
        client.get(CASE, headers={"X-ILMN-Domain": ""})
    client.get(SEARCH, params={"pageSize": -1})
    client.get("/crs/api/v2/cases/no-such-case")
    found = findings(client)
    assert set(found) == {"client-errors"}
    errors = found["client-errors"]
    assert errors["count"] == 4 and errors["evidence"] == seqs(client)
    assert [(c["status"], c["cause"], c["count"]) for c in errors["causes"]] == [
        (401, "missing header X-ILMN-Domain", 2), (400, "field pageSize", 1), (404, "NOT_FOUND", 1)]


def test_a_key_in_the_query_string_is_named_and_never_kept(client: Api) -> None:
    client.get(CASE, params={"apiKey": "s3cret-in-url"})
    found = findings(client)
    assert set(found) == {"credential-in-url"} and found["credential-in-url"]["count"] == 1
    assert "s3cret" not in client.get("/_mock/client-report").text + client.get("/_mock/requests").text


def test_each_client_is_its_key_and_user_agent_and_filters_narrow(client: Api, server: ServerThread) -> None:
    other = Api(server, key="someone-else")
    other.session.headers["User-Agent"] = "lab-sync/2.1"
    client.get(CASE)
    other.get(CASE)
    other.get(CASE, headers={"X-ILMN-Workgroup": "wg-nobody"})
    both = report(client)
    assert [(c["userAgent"], c["requests"]) for c in both] == [
        (client.session.headers["User-Agent"], 1), ("lab-sync/2.1", 2)]
    assert all(c["key"].startswith("key-") and len(c["key"]) == 12 for c in both)
    assert "someone-else" not in client.get("/_mock/client-report").text
    assert both[1]["operations"] == {"getCase": {"200": 1, "403": 1}}
    assert [(c["firstSeq"], c["lastSeq"]) for c in both] == [(seqs(client)[0],) * 2, tuple(seqs(client)[1:])]
    assert [c["requests"] for c in report(client, key=both[1]["key"])] == [2]
    assert [c["requests"] for c in report(client, workgroup="wg-nobody")] == [1]
    assert [c["requests"] for c in report(client, since=seqs(client)[0])] == [2]


def test_the_text_report_reads_in_a_ci_log(client: Api) -> None:
    client.get(f"/crs/api/v1/cases/{BREAST_CASE}")
    client.get(CASE)
    response = client.get("/_mock/client-report", params={"format": "text"})
    assert response.headers["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[0] == "ICI mock client report: 1 client, 1 finding"
    first, last = seqs(client)
    assert lines[2].endswith(f" · 2 requests (journal #{first} to #{last})")
    assert lines[3] == "  (no operation) 405×1 · getCase 200×1"
    assert lines[4].startswith("  ERROR   wrong-api-version ×1 (first ")
    assert lines[6].startswith("          Advice: Use the path the 405's message names")


def test_bad_report_and_rule_settings_are_refused(client: Api) -> None:
    for params in ({"format": "xml"}, {"since": "-1"}, {"limit": "3"}, {"key": ""}):
        response = client.get("/_mock/client-report", params=params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "BAD_REQUEST"
    for body in ({"pollIntervalSeconds": -1}, {"stormRetries": 0}, {"rules": []}, {"stormSeconds": "x"}):
        assert client.admin("PUT", "/client-rules", body, expect=400)["details"], body
    assert client.admin("GET", "/client-rules")["pollIntervalSeconds"] == 1.0


def test_the_rules_table_is_served_and_reset_puts_the_settings_back(client: Api) -> None:
    table = client.admin("GET", "/client-rules")
    assert [r["id"] for r in table["rules"]] == [
        "poll-too-fast", "retry-after-ignored", "retry-storm", "no-retry-after-fault", "page-past-end",
        "wrong-api-version", "client-errors", "credential-in-url"]
    assert {r["severity"] for r in table["rules"]} == {"error", "warning", "info"}
    changed = client.admin("PUT", "/client-rules", {"stormRetries": 2})
    assert (changed["stormRetries"], changed["pollIntervalSeconds"]) == (2, 1.0)
    client.admin("POST", "/reset/server")
    assert client.admin("GET", "/client-rules")["stormRetries"] == 5


def test_the_poll_interval_is_a_start_up_setting() -> None:
    server = start_server(settings=Settings(port=0, access_log=False, client_poll_interval=0.25))
    try:
        assert Api(server).admin("GET", "/client-rules")["pollIntervalSeconds"] == 0.25
    finally:
        server.stop()

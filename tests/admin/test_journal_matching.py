"""Journal queries match by header, query parameter and JSON body field (equal, or an RE2
expression), control-plane calls are journaled apart, and a miss names the nearest requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import BREAST_CASE, THYROID_CASE, Api, start_server

from mockserver.serving.runner import ServerThread
from mockserver.testing.clients import MockControl, RequestAssertionError

DISEASES = f"/crs/api/v1/cases/{THYROID_CASE}/diseases"
SNOMED = {"externalid": "363346000", "ontologytype": "SNOMEDCT"}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    server = start_server()
    api = Api(server)
    api.get(f"/crs/api/v2/cases/{BREAST_CASE}", headers={"X-Trace-Id": "trace-0042"})
    api.get("/crs/api/v1/cases/search", params={"tags": ["onc", "rush"], "pageSize": 5})
    api.put(DISEASES, json=SNOMED)
    api.put(DISEASES, json={"externalid": "254837009", "ontologytype": "SNOMEDCT"})
    api.admin("POST", "/clock/advance", {"seconds": 1})
    api.close()
    yield server
    server.stop()


@pytest.fixture
def control(server: ServerThread) -> MockControl:
    return MockControl(server.url)


@pytest.mark.parametrize(("matcher", "count"), [
    ({"headers": {"x-trace-id": "trace-0042"}}, 1),
    ({"headers": {"X-Trace-Id": {"matches": "trace-\\d+"}}}, 1),
    ({"headers": {"X-Trace-Id": {"matches": "trace"}}}, 0),  # the whole value must match
    ({"headers": {"Authorization": "ApiKey"}}, 4),  # its scheme only: the key is never kept
    ({"query": {"tags": "rush"}}, 1),
    ({"query": {"pageSize": {"equalTo": "5"}}, "operation": "searchCases"}, 1),
    ({"query": {"pageNumber": "0"}}, 0),
    ({"query": {"pageSize": 5}}, 1),  # a number equals the text it is sent as
    ({"body": {"externalid": "363346000"}}, 1),
    ({"body": {"ontologytype": {"matches": "SNOMED.*"}}, "method": "put"}, 2),
    ({"body": {"missing.path": "x"}}, 0),
    ({"plane": "control"}, 1),
    ({"plane": "control", "operation": "mockAdvanceClock", "body": {"seconds": 1}}, 1),
    ({"plane": "all"}, 5),
    ({}, 4),  # vendor requests unless asked
])
def test_count_matches_header_query_and_body(control: MockControl, matcher: dict, count: int) -> None:
    assert control.count_requests(**matcher) == count


def test_body_paths_reach_into_arrays(server: ServerThread, control: MockControl) -> None:
    from mockserver.admin.journal import Pattern, differences

    entry = {"plane": "vendor", "path": "/x", "bodySize": 30, "bodyPreview": '{"a": [{"b": 7}], "c": null}',
             "headers": [], "queryString": ""}
    assert differences(entry, {"body": {"a.0.b": Pattern(7)}}) == []
    assert differences(entry, {"body": {"c": Pattern(None)}}) == []
    assert differences(entry, {"body": {"a.0.b": Pattern(True)}}) == ["body a.0.b: expected True, was 7"]
    assert differences(entry, {"body": {"a.1.b": Pattern(7)}}) == ["body a.1.b: expected 7, was absent"]


def test_control_calls_are_journaled_apart(control: MockControl) -> None:
    (advance,) = control.requests(plane="control")
    assert (advance["operation"], advance["method"], advance["path"], advance["status"]) == (
        "mockAdvanceClock", "POST", "/_mock/clock/advance", 200)
    assert all(e["plane"] == "vendor" for e in control.requests())
    assert len(control.requests(plane="all")) == 5


def test_a_miss_lists_the_nearest_requests_and_how_each_differs(control: MockControl) -> None:
    with pytest.raises(RequestAssertionError) as caught:
        control.assert_requested(operation="updateCaseDiseases", body={"externalid": "254837009", "ontologytype": "ICD10"})
    message = str(caught.value)
    assert "found 0" in message and "nearest requests in the journal:" in message
    lines = message.splitlines()
    first = lines.index("nearest requests in the journal:") + 1
    assert lines[first].endswith(f"PUT {DISEASES} -> 200 (updateCaseDiseases)")
    assert lines[first + 1].strip() == "body ontologytype: expected 'ICD10', was 'SNOMEDCT'"


def test_near_misses_rank_by_fewest_differences(control: MockControl) -> None:
    misses = control.near_misses(limit=2, method="GET", status=404, headers={"X-Trace-Id": "trace-0042"})
    assert [m["differences"] for m in misses] == [
        ["status: expected 404, was 200"],
        ["status: expected 404, was 200", "header X-Trace-Id: expected 'trace-0042', was absent"],
    ]


@pytest.mark.parametrize(("matcher", "field"), [
    ({"headers": {"X": {"matches": "(a)\\1"}}}, "headers"),  # a backreference: RE2 has none
    ({"headers": {"X": {"matches": "a" * 1001}}}, "headers"),
    ({"query": {"x": {"contains": "a"}}}, "query"),
    ({"body": {"x": [1]}}, "body"),
    ({"plane": "both"}, "plane"),
    ({"headers": {f"h{i}": "v" for i in range(21)}}, "headers"),
])
def test_bad_matchers_are_refused(control: MockControl, matcher: dict, field: str) -> None:
    response = control._session.post(control.base_url + "/_mock/requests/count", json=matcher)
    assert response.status_code == 400
    assert response.json()["details"][0]["field"].startswith(field)


def test_a_pathological_pattern_cannot_stall_the_server() -> None:
    """(a+)+$ against 40 a's and a "!" takes Python's backtracking re about 2**40 steps (hours);
    RE2 answers at once, within the call's timeout."""
    server = start_server()
    try:
        api = Api(server)
        api.get(f"/crs/api/v2/cases/{BREAST_CASE}", headers={"X-Probe": "a" * 40 + "!"})
        response = api.post("/_mock/requests/count", json={"headers": {"X-Probe": {"matches": "(a+)+$"}}}, timeout=10)
        assert response.json() == {"count": 0}
    finally:
        server.stop()

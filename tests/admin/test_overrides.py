"""Overrides: a response the test chooses for the vendor requests that match, checked against
the served document, run out after ``times``, listed, removed, cleared, and reset."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import BREAST_CASE, THYROID_CASE, WG, Api, start_server

from mockserver.serving.runner import ServerThread
from mockserver.testing.clients import MockControl, MockControlError

CASE = f"/crs/api/v2/cases/{BREAST_CASE}"
DISEASES = f"/crs/api/v1/cases/{THYROID_CASE}/diseases"
SNOMED = {"externalid": "363346000", "ontologytype": "SNOMEDCT"}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def api(server: ServerThread) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.admin("POST", "/reset", expect=200)
    client.close()


@pytest.fixture
def control(server: ServerThread) -> MockControl:
    return MockControl(server.url)


def odd_case(api: Api, **changes: Any) -> dict[str, Any]:
    """The breast fixture case as GET case serves it, with some fields changed."""
    return {**api.case(BREAST_CASE), **changes}


def error(status: int, message: str, code: str = "CONFLICT", **headers: str) -> dict[str, Any]:
    """A response in the vendor's error shape."""
    return {"status": status, "body": {"code": code, "message": message, "details": []}, "headers": headers}


@pytest.mark.parametrize(("match", "hit", "miss"), [
    ({}, {}, None),
    ({"query": {"includeQcOverviewMetrics": "true"}}, {"params": {"includeQcOverviewMetrics": "true"}}, {}),
    ({"query": {"directIdentifiers": {"matches": "(?i)true"}}}, {"params": {"directIdentifiers": "TRUE"}},
     {"params": {"directIdentifiers": "false"}}),
    ({"headers": {"X-Trace-Id": {"matches": "trace-\\d+"}}}, {"headers": {"X-Trace-Id": "trace-7"}},
     {"headers": {"X-Trace-Id": "trace-x"}}),
    ({"headers": {"User-Agent": "lab-export/2"}}, {"headers": {"User-Agent": "lab-export/2"}}, {}),
])
def test_a_get_case_override_answers_only_the_requests_it_matches(api: Api, control: MockControl, match: dict,
                                                                  hit: dict, miss: dict | None) -> None:
    chosen = odd_case(api, displayId="ODD-CASE-1", tags=["never", "generated"])
    control.add_override(operation="getCase", match=match, response={"status": 200, "body": chosen})
    answered = api.get(CASE, **hit)
    assert answered.status_code == 200
    assert answered.json() == chosen
    assert answered.headers["Content-Type"] == "application/json"
    if miss is not None:
        assert api.get(CASE, **miss).json()["displayId"] == "FIXTURE_001_BREAST"


@pytest.mark.parametrize(("body_match", "sent", "matches"), [
    ({"externalid": "363346000"}, SNOMED, True),
    ({"externalid": "363346000"}, {**SNOMED, "externalid": "254837009"}, False),
    ({"ontologytype": {"matches": "SNOMED.*"}}, SNOMED, True),
    ({"0.externalid": "363346000"}, [SNOMED], True),  # array items by index
    ({"externalid": 363346000}, SNOMED, False),  # a number is not its text in a body
])
def test_an_override_matches_the_json_body(api: Api, control: MockControl, body_match: dict, sent: Any,
                                           matches: bool) -> None:
    control.add_override(method="PUT", path="/crs/api/v1/cases/*/diseases", match={"body": body_match},
                         response=error(409, "Chosen by the test."), validate=False)
    answered = api.put(DISEASES, json=sent)
    assert (answered.status_code == 409) is matches, answered.text
    if matches:
        assert answered.json()["message"] == "Chosen by the test."
        assert api.case(THYROID_CASE)["status"] != "PROCESSING"  # the domain never saw it


def test_an_override_runs_out_after_times_and_counts_what_it_answered(api: Api, control: MockControl) -> None:
    [added] = control.add_overrides([{"operation": "getCase", "times": 2,
                                      "response": error(503, "down", "UNAVAILABLE", **{"Retry-After": "3"})}])
    assert added["times"] == 2 and added["matched"] == 0
    first = api.get(CASE)
    assert (first.status_code, first.headers["Retry-After"]) == (503, "3")
    assert control.overrides()[0]["matched"] == 1 and control.overrides()[0]["times"] == 1
    assert api.get(CASE).status_code == 503
    assert api.get(CASE).status_code == 200
    assert control.overrides() == []
    marked = [e["override"] for e in control.requests(operation="getCase")[-3:]]
    assert marked == [added["id"], added["id"], None]


def test_the_first_matching_override_wins_and_one_can_be_removed(api: Api, control: MockControl) -> None:
    narrow = control.add_override(operation="getCase", match={"query": {"includeQcOverviewMetrics": "true"}},
                                  response={"status": 200, "body": odd_case(api, displayId="NARROW")})
    control.add_override(operation="getCase", response={"status": 200, "body": odd_case(api, displayId="BROAD")})
    assert api.get(CASE, params={"includeQcOverviewMetrics": "true"}).json()["displayId"] == "NARROW"
    assert api.get(CASE).json()["displayId"] == "BROAD"
    control.remove_override(narrow["id"])
    assert api.get(CASE, params={"includeQcOverviewMetrics": "true"}).json()["displayId"] == "BROAD"
    with pytest.raises(MockControlError) as gone:
        control.remove_override(narrow["id"])
    assert gone.value.status == 404


def test_a_workgroup_override_answers_that_workgroup_only(api: Api, control: MockControl) -> None:
    other = control.create_workgroup(id="override-other", name="Other lab", cases=3)
    try:
        control.bound(other["id"]).add_override(operation="listWorkgroups", response={"status": 200, "body": {
            "workgroupRoles": []}})
        elsewhere = Api(api.server, workgroup=other["id"])
        assert elsewhere.get("/crs/api/v1/session/workgroups").json() == {"workgroupRoles": []}
        assert api.get("/crs/api/v1/session/workgroups").json()["workgroupRoles"] != []
        assert control.bound(other["id"]).overrides()[0]["workgroup"] == other["id"]
    finally:
        control.delete_workgroup(other["id"])
    assert control.overrides() == []  # they go with the workgroup


def test_a_text_body_answers_an_operation_that_is_not_json(api: Api, control: MockControl) -> None:
    control.add_override(operation="getDraftReportPdf", response={
        "status": 200, "bodyText": "%PDF-1.4 chosen", "headers": {"Content-Type": "application/pdf"}})
    answered = api.get(f"/drs/v1/draftreport/case/{BREAST_CASE}/reports/any/pdf")
    assert (answered.status_code, answered.headers["Content-Type"], answered.content) == (
        200, "application/pdf", b"%PDF-1.4 chosen")


@pytest.mark.parametrize(("override", "field", "reason"), [
    ({"operation": "getCase", "response": {"status": 200, "body": {"id": 1}}}, "response",
     "the body breaks getCase's 200 schema at (body): 'createdDate' is a required property"),
    ({"operation": "getCase", "response": {"status": 200, "body": {"displayId": 7}}}, "response", "breaks getCase's 200"),
    ({"operation": "updateCaseDiseases", "response": error(409, "x")}, "response",
     "updateCaseDiseases documents no 409 answer; it answers 200, 400"),
    ({"operation": "getCase", "response": {"status": 200}}, "response", "answers 200 with a JSON body; give body"),
    ({"operation": "getDraftReportPdf", "response": {"status": 200, "body": {}}}, "response",
     "answers 200 with application/pdf, not JSON"),
    ({"method": "GET", "path": "/crs/api/v1/cases/*", "response": {"status": 200}}, "path",
     "GET /crs/api/v1/cases/* is no vendor operation of this server"),
    ({"method": "GET", "path": "/_mock/overrides", "response": {"status": 200}}, "path", "no vendor operation"),
    ({"operation": "getCase", "method": "GET", "path": CASE, "response": {"status": 200}}, "body",
     "give operation, or method and path; not both"),
    ({"response": {"status": 200}}, "body", "give operation, or method and path"),
    ({"operation": "getCases", "response": {"status": 200}}, "operation", "Must be one of"),
    ({"operation": "getCase"}, "response", "Missing data"),
    ({"operation": "getCase", "response": {"status": 200, "body": {}, "bodyText": ""}}, "response",
     "give body or bodyText, not both"),
    ({"operation": "getCase", "response": {"status": 200, "headers": {"Content-Length": "5"}}, "validate": False},
     "response.headers", "may not set Content-Length"),
    ({"operation": "getCase", "response": {"status": 200, "headers": {"X-A": "one\r\nX-B: two"}}, "validate": False},
     "response.headers", "on one line"),
    ({"operation": "getCase", "response": {"status": 200}, "times": 0}, "times", "greater than or equal to 1"),
    ({"operation": "getCase", "response": {"status": 200}, "match": {"query": {"a": {"matches": "(a)\\1"}}}},
     "match.query", "RE2"),
])
def test_an_invalid_override_is_refused_with_its_reason_and_nothing_is_added(control: MockControl, override: dict,
                                                                             field: str, reason: str) -> None:
    with pytest.raises(MockControlError) as refused:
        control.add_override(**override)
    assert refused.value.status == 400
    details = refused.value.body["details"]
    assert any(d["field"].startswith(field) and reason in d["message"] for d in details), details
    assert control.overrides() == []


def test_validate_false_lets_a_payload_the_document_does_not_describe_through(api: Api, control: MockControl) -> None:
    control.add_override(operation="getCase", validate=False, response={"status": 200, "body": {"id": 1, "extra": [1]}})
    assert api.get(CASE).json() == {"id": 1, "extra": [1]}


def test_a_list_is_added_whole_or_not_at_all(control: MockControl) -> None:
    good = {"operation": "getCase", "response": error(404, "gone", "NOT_FOUND")}
    with pytest.raises(MockControlError) as refused:
        control.add_overrides([good, {"operation": "getCase", "response": {"status": 299}}])
    assert refused.value.body["details"][0]["field"].startswith("1.")
    assert control.overrides() == []


def test_overrides_are_listed_as_given_and_cleared_by_reset_or_by_delete(api: Api, control: MockControl) -> None:
    control.add_override(method="get", path="/crs/api/v2/cases/*", match={"query": {"a": 5}, "body": {"x.0": {"equalTo": [1]}}},
                         response=error(404, "gone", "NOT_FOUND"))
    [listed] = control.overrides()
    assert listed["method"] == "GET" and listed["match"] == {"query": {"a": 5}, "body": {"x.0": {"equalTo": [1]}}}
    assert listed["validate"] is True and listed["workgroup"] is None
    api.admin("POST", "/reset")
    assert control.overrides() == []
    control.add_override(operation="getCase", response=error(404, "gone", "NOT_FOUND"))
    control.clear_overrides()
    assert control.overrides() == []
    assert api.get(CASE).status_code == 200


def test_credentials_are_checked_before_any_override(api: Api, control: MockControl) -> None:
    control.add_override(operation="getCase", response={"status": 200, "body": odd_case(api)})
    anonymous = api.session.get(api.url + CASE, headers={"Authorization": ""})
    assert anonymous.status_code == 401


def test_overrides_at_start_come_back_after_a_server_reset() -> None:
    body = {"workgroupRoles": [{"orgid": WG, "orgName": "Recorded lab", "domain": "test-domain", "roles": ["API Access"]}]}
    server = start_server(overrides=[{"operation": "listWorkgroups", "response": {"status": 200, "body": body}}])
    try:
        api, control = Api(server), MockControl(server.url)
        assert api.get("/crs/api/v1/session/workgroups").json() == body
        control.clear_overrides()
        assert api.get("/crs/api/v1/session/workgroups").json() != body
        control.reset_server()
        assert api.get("/crs/api/v1/session/workgroups").json() == body
    finally:
        server.stop()


@pytest.mark.parametrize(("override", "reason"), [
    ({"operation": "getCase", "response": {"status": 299}}, r"0\.response: getCase documents no 299 answer"),
    ({"operation": "getCase"}, r"0\.response: Missing data for required field\.$"),
])
def test_an_invalid_override_at_start_is_refused_naming_it(override: dict, reason: str) -> None:
    from mockserver import create_app

    with pytest.raises(ValueError, match=r"^invalid overrides setting: " + reason):
        create_app(cases=0, overrides=[override])

"""Sign-off through the control plane (POST /_mock/cases/{id}/sign-off), the signOff lifecycle
plan, the workgroup's users, and MockControl's sign-off and audit-log helpers, over HTTP."""

from __future__ import annotations

import pytest
from conftest import FROZEN_AT, THYROID_CASE, Api, start_server

from mockserver.testing.clients import MockControl, MockControlError

MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}


def ready_case(api: Api) -> dict:
    return api.search(status="READY_FOR_INTERPRETATION", pageSize=1)["content"][0]


def test_the_workgroup_has_six_named_users_the_same_for_the_same_seed(api: Api, fresh_api: Api) -> None:
    users = api.admin("GET", "/users")
    assert len(users) == 6 and len({u["email"] for u in users}) == 6
    for user in users:
        first, last = user["name"].lower().split(" ", 1)
        assert user["email"] == f"{first}.{last}@lab.example.org"
    assert fresh_api.admin("GET", "/users") == users
    assert api.admin("GET", "/users", params={"workgroup": "no-such"}, expect=404)["code"] == "NOT_FOUND"


def test_sign_off_moves_a_ready_case_and_logs_its_approver(frozen_api: Api) -> None:
    api = frozen_api
    case = ready_case(api)
    user = api.admin("GET", "/users")[4]
    signed = api.admin("POST", f"/cases/{case['id']}/sign-off", {"approver": user["email"].upper()})
    assert signed["status"] == "REPORTS_SIGNED_OFF" and signed["updatedDate"] == "2026-06-01T12:00:00+0000"
    [entry] = api.get("/als/api/v1/auditlogs/search", params={"caseId": case["id"], "fromDate": "2026-06-01T12:00:00Z",
                                                             "toDate": "2026-06-01T12:00:00Z"}).json()["content"]
    assert (entry["eventName"], entry["userDisplayId"], entry["userName"], entry["message"]) == (
        "case.status.updated", user["email"], user["name"],
        f"Case ID {case['displayId']} status updated from READY_FOR_INTERPRETATION to REPORTS_SIGNED_OFF")
    last = api.admin("GET", f"/cases/{case['id']}/history")[-1]
    assert (last["from"], last["to"], last["cause"]) == (
        "READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF", "report signed off")


def test_sign_off_at_a_time_in_the_past_is_logged_then(frozen_api: Api) -> None:
    api = frozen_api
    case = ready_case(api)
    signed = api.admin("POST", f"/cases/{case['id']}/sign-off", {"at": "2026-05-30T08:00:00Z"})
    assert signed["updatedDate"] == "2026-05-30T08:00:00+0000"
    window = api.get("/als/api/v1/auditlogs/search", params={
        "eventName": "case.status.updated", "fromDate": "2026-05-30T08:00:00Z", "toDate": "2026-05-30T08:00:00Z"}).json()
    assert [e["caseId"] for e in window["content"]] == [case["id"]]


def test_without_an_approver_a_user_drawn_from_the_case_signs(frozen_api: Api) -> None:
    other = start_server()
    try:
        approvers = []
        for api in (frozen_api, Api(other)):
            api.state.clock.freeze(FROZEN_AT)
            case = ready_case(api)
            api.admin("POST", f"/cases/{case['id']}/sign-off", {})
            [entry] = api.get("/als/api/v1/auditlogs/search", params={
                "caseId": case["id"], "fromDate": "2026-06-01T12:00:00Z", "toDate": "2026-06-01T12:00:00Z",
            }).json()["content"]
            approvers.append(entry["userDisplayId"])
    finally:
        other.stop()
    emails = {u["email"] for u in frozen_api.admin("GET", "/users")}
    assert approvers[0] == approvers[1] and approvers[0] in emails


@pytest.mark.parametrize(("body", "field", "detail"), [
    ({"approver": "nobody@example.org"}, "approver", "unknown user"),
    ({"approver": "not an e-mail"}, "approver", "Not a valid email address."),
    ({"at": "2026-06-02T00:00:00Z"}, "at", "in the future"),  # after the frozen clock
    ({"at": "yesterday"}, "at", None),
    ({"approved": "x@y.org"}, "approved", None),
])
def test_a_bad_sign_off_is_a_400_and_changes_nothing(frozen_api: Api, body: dict, field: str, detail: str | None) -> None:
    api = frozen_api
    case = ready_case(api)
    before = api.get("/als/api/v1/auditlogs/search").json()["totalElements"]
    error = api.admin("POST", f"/cases/{case['id']}/sign-off", body, expect=400)
    assert field in error["message"]
    assert [d["field"] for d in error["details"]] == [field]
    if detail is not None:
        assert error["details"][0]["message"] == detail
    if detail == "unknown user":  # the message lists who may sign
        users = [u["email"] for u in api.admin("GET", "/users")]
        assert error["message"].endswith(f"(its users: {', '.join(users)}).")
    assert api.case(case["id"])["status"] == "READY_FOR_INTERPRETATION"
    assert api.get("/als/api/v1/auditlogs/search").json()["totalElements"] == before


@pytest.mark.parametrize("status", ["AWAITING_MOLECULAR_DATA", "PROCESSING", "HAS_ISSUE", "REPORTS_SIGNED_OFF"])
def test_only_a_case_ready_for_interpretation_can_be_signed_off(api: Api, status: str) -> None:
    case = api.search(status=status, pageSize=1)["content"][0]
    error = api.admin("POST", f"/cases/{case['id']}/sign-off", {}, expect=400)
    assert status in error["message"] and "READY_FOR_INTERPRETATION" in error["message"]
    assert error["details"] == [{"field": "status", "message": f"{status} has no draft report to sign off"}]
    assert api.admin("POST", "/cases/no-such-case/sign-off", {}, expect=404)["code"] == "NOT_FOUND"


def test_a_sign_off_plan_carries_processed_cases_on(frozen_api: Api) -> None:
    api = frozen_api
    plans = api.admin("GET", "/lifecycle")
    assert plans["signOff"] == {"mode": "manual", "outcome": "REPORTS_SIGNED_OFF", "failureRate": 0.0}
    api.admin("PUT", "/lifecycle", {"signOff": {"mode": "time", "seconds": 60}})
    assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    api.advance_clock(5)
    assert api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"
    api.advance_clock(60)
    signed = api.case(THYROID_CASE)
    assert (signed["status"], signed["updatedDate"]) == ("REPORTS_SIGNED_OFF", "2026-06-01T12:01:03+0000")
    entry = api.get("/als/api/v1/auditlogs/search", params={"caseId": THYROID_CASE, "pageSize": 1}).json()["content"][0]
    assert entry["message"].endswith("from READY_FOR_INTERPRETATION to REPORTS_SIGNED_OFF")
    assert entry["userDisplayId"] in {u["email"] for u in api.admin("GET", "/users")}


def test_under_the_shipped_manual_plan_a_processed_case_waits_for_a_person(frozen_api: Api) -> None:
    api = frozen_api
    assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    api.advance_clock(3600)
    assert api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"


def test_a_sign_off_plan_that_always_fails_leaves_the_report_to_a_person(frozen_api: Api) -> None:
    api = frozen_api
    api.admin("PUT", "/lifecycle", {"signOff": {"mode": "immediate", "failureRate": 1}})
    assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    api.advance_clock(10)
    assert api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"
    assert api.admin("POST", f"/cases/{THYROID_CASE}/sign-off", {})["status"] == "REPORTS_SIGNED_OFF"


def test_a_sign_off_plan_refuses_other_outcomes(api: Api) -> None:
    error = api.admin("PUT", "/lifecycle", {"signOff": {"mode": "manual", "outcome": "HAS_ISSUE"}}, expect=400)
    assert "REPORTS_SIGNED_OFF" in error["message"]


def test_mock_control_signs_off_and_reads_the_audit_log(frozen_api: Api) -> None:
    control = MockControl(frozen_api.url)
    case = ready_case(frozen_api)
    user = control.users()[1]
    assert control.sign_off(case["id"], approver=user["email"], at="2026-06-01T11:00:00Z")["status"] == "REPORTS_SIGNED_OFF"
    page = control.audit_log(caseId=case["displayId"], eventName="case.status.updated", toDate="2026-06-01T11:00:00Z",
                             pageSize=1)
    assert page["content"][0]["userName"] == user["name"]
    everything = control.events(caseId=case["id"])
    assert page["content"][0] in everything and "case.added" in {e["eventName"] for e in everything}
    assert len(everything) == control.audit_log(caseId=case["id"])["totalElements"]
    with pytest.raises(MockControlError) as error:
        control.audit_log(eventName="no.such.event")
    assert error.value.status == 400
    with pytest.raises(MockControlError):
        control.sign_off(case["id"])  # already signed off
    plans = control.set_lifecycle(sign_off={"mode": "time", "seconds": 5})
    assert plans["signOff"]["mode"] == "time"

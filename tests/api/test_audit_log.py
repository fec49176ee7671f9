"""GET /als/api/v1/auditlogs/search over HTTP: every parameter, every event the mock records, the
page envelope, auth and errors. Expected values are written out, not read from the code."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from conftest import BREAST_CASE, THYROID_CASE, Api, start_server

AUDIT = "/als/api/v1/auditlogs/search"
MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}  # medullary thyroid carcinoma
MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ENTRY_KEYS = ["id", "caseId", "caseDisplayId", "eventName", "entityType", "entityId", "userDisplayId", "userName",
              "message", "createdDate"]


def audit(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get(AUDIT, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def entries(api: Api, **params: Any) -> list[dict[str, Any]]:
    return audit(api, pageSize=1000, **params)["content"]


# -- the page and its items ----------------------------------------------------------------
def test_a_page_is_the_spring_envelope_of_entries_newest_first(api: Api) -> None:
    page = audit(api, pageSize=7)
    assert list(page) == ["content", "pageable", "last", "totalPages", "totalElements", "sort", "size", "number",
                          "numberOfElements", "first", "empty"]
    assert page["size"] == 7 and page["number"] == 0 and page["numberOfElements"] == 7 and page["first"] is True
    assert page["totalElements"] > 100  # 100 seeded cases, each with a history
    for entry in page["content"]:
        assert list(entry) == ENTRY_KEYS
        assert MILLIS.match(entry["createdDate"]), entry["createdDate"]
    dates = [e["createdDate"] for e in entries(api)]
    assert dates == sorted(dates, reverse=True)


def test_the_default_page_holds_20_and_a_page_may_hold_2000(api: Api) -> None:
    first = audit(api)
    assert first["size"] == 20 and len(first["content"]) == 20
    whole = audit(api, pageSize=2000)
    assert whole["size"] == 2000 and whole["numberOfElements"] == whole["totalElements"] == first["totalElements"]


def test_pages_walk_through_every_entry_once(api: Api) -> None:
    total = audit(api)["totalElements"]
    seen = []
    for number in range(total // 250 + 2):
        page = audit(api, pageSize=250, pageNumber=number)
        seen += [e["id"] for e in page["content"]]
        if page["last"]:
            break
    assert len(seen) == total and len(set(seen)) == total
    assert audit(api, pageSize=250, pageNumber=total // 250 + 1)["content"] == []


def test_the_same_seed_gives_the_same_log(api: Api, fresh_api: Api) -> None:
    assert audit(api, pageSize=300) == audit(fresh_api, pageSize=300)


# -- every parameter -------------------------------------------------------------------------
def test_case_id_is_a_display_id_or_a_uuid(api: Api) -> None:
    display_id = api.case(BREAST_CASE)["displayId"]
    by_uuid, by_display = entries(api, caseId=BREAST_CASE), entries(api, caseId=display_id)
    assert by_uuid and by_uuid == by_display
    assert {e["caseId"] for e in by_uuid} == {BREAST_CASE}
    assert {e["caseDisplayId"] for e in by_uuid} == {display_id}
    assert entries(api, caseId="NO-SUCH-CASE") == []


def test_the_seeded_history_of_a_signed_off_case_reads_like_the_real_log(api: Api) -> None:
    case = api.search(status="REPORTS_SIGNED_OFF", pageSize=1)["content"][0]
    found = [(e["eventName"], e["message"]) for e in reversed(entries(api, caseId=case["id"]))]
    d = case["displayId"]
    assert found == [
        ("case.added", f"Created case ID {d}"),
        ("case.status.updated", f"Case ID {d} status updated from AWAITING_MOLECULAR_DATA to MISSING_REQUIRED_DATA"),
        ("case.status.updated", f"Case ID {d} status updated from MISSING_REQUIRED_DATA to PROCESSING"),
        ("case.status.updated", f"Case ID {d} status updated from PROCESSING to READY_FOR_INTERPRETATION"),
        ("case.report.added", f"Created report for case ID {d}"),
        ("case.status.updated", f"Case ID {d} status updated from READY_FOR_INTERPRETATION to REPORTS_SIGNED_OFF"),
    ]
    log = list(reversed(entries(api, caseId=case["id"])))
    assert log[0]["createdDate"][:19] == case["createdDate"][:19]  # added when created
    assert log[-1]["createdDate"][:19] == case["updatedDate"][:19]  # signed off at its last update
    assert log[3]["userName"] == "System" and log[3]["userDisplayId"] is None  # processing ends by itself
    assert log[-1]["userDisplayId"].endswith("@lab.example.org")


def test_event_name_and_entity_type_narrow_the_log(api: Api) -> None:
    added = entries(api, eventName="case.added")
    assert added and {e["eventName"] for e in added} == {"case.added"}
    assert len(added) == api.search()["totalElements"]  # one per seeded case
    cases = entries(api, entityType="case")
    assert cases and {e["entityType"] for e in cases} == {"case"}
    metadata = entries(api, entityType="custom-case-data")
    assert metadata and {e["eventName"] for e in metadata} == {"case.metadata.updated"}
    assert entries(api, entityType="report") == []  # documented, nothing recorded under it
    assert entries(api, eventName="molecular-data.deleted") == []


def test_user_display_id_is_an_email_matched_in_any_letter_case(api: Api) -> None:
    users = api.admin("GET", "/users")
    assert len(users) == 6 and all(u["email"].endswith("@lab.example.org") for u in users)
    user = users[0]
    theirs = entries(api, userDisplayId=user["email"].upper())
    assert theirs and {(e["userDisplayId"], e["userName"]) for e in theirs} == {(user["email"], user["name"])}
    assert entries(api, userDisplayId="nobody@example.org") == []


def test_from_and_to_date_include_the_instants_themselves(api: Api) -> None:
    newest = audit(api, eventName="case.added", pageSize=1)["content"][0]
    instant = newest["createdDate"][:19] + "Z"  # seeded times are whole seconds
    at_instant = entries(api, eventName="case.added", fromDate=instant, toDate=instant)
    assert newest in at_instant
    assert all(e["createdDate"][:19] + "Z" == instant for e in at_instant)
    assert newest in entries(api, eventName="case.added", fromDate=instant)
    assert newest in entries(api, eventName="case.added", toDate=instant)
    assert entries(api, fromDate="2026-11-01T00:00:00Z", toDate="2026-10-31T00:00:00Z") == []


def test_parameters_combine_with_and(api: Api) -> None:
    display_id = api.case(BREAST_CASE)["displayId"]
    everything = entries(api, caseId=display_id)
    status = entries(api, caseId=display_id, eventName="case.status.updated")
    assert status == [e for e in everything if e["eventName"] == "case.status.updated"]
    user = everything[0]["userDisplayId"] or everything[-1]["userDisplayId"]
    assert entries(api, caseId=display_id, userDisplayId=user) == [e for e in everything if e["userDisplayId"] == user]
    assert entries(api, caseId=display_id, entityId=BREAST_CASE, entityType="case") == [
        e for e in everything if e["entityType"] == "case"]


# -- what vendor calls record ------------------------------------------------------------------
def test_vendor_calls_act_as_their_api_keys_user(frozen_api: Api) -> None:
    api = frozen_api
    assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    emails = {u["email"]: u["name"] for u in api.admin("GET", "/users")}
    mine = entries(api, caseId=THYROID_CASE, fromDate="2026-06-01T12:00:00Z")
    assert [e["eventName"] for e in mine] == ["case.status.updated", "case.disease.added"]
    assert len({e["userDisplayId"] for e in mine}) == 1 and mine[0]["userDisplayId"] in emails
    assert mine[0]["userName"] == emails[mine[0]["userDisplayId"]]
    assert mine[0]["createdDate"] == "2026-06-01T12:00:00.000Z"
    again = Api(api.server, key="test-key")
    assert again.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    latest = entries(api, caseId=THYROID_CASE, eventName="case.disease.updated")
    assert latest[0]["userDisplayId"] == mine[0]["userDisplayId"]  # the same key, the same user


def test_a_status_change_of_any_cause_names_both_statuses(frozen_api: Api) -> None:
    api = frozen_api
    display_id = api.case(THYROID_CASE)["displayId"]
    assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    api.advance_clock(5)  # processing completes
    api.admin("POST", f"/cases/{THYROID_CASE}/sign-off", {})
    api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "READY_FOR_INTERPRETATION"})
    messages = [e["message"] for e in entries(api, caseId=THYROID_CASE, eventName="case.status.updated",
                                               fromDate="2026-06-01T12:00:00Z")]
    assert messages == [
        f"Case ID {display_id} status updated from REPORTS_SIGNED_OFF to READY_FOR_INTERPRETATION",
        f"Case ID {display_id} status updated from READY_FOR_INTERPRETATION to REPORTS_SIGNED_OFF",
        f"Case ID {display_id} status updated from PROCESSING to READY_FOR_INTERPRETATION",
        f"Case ID {display_id} status updated from MISSING_REQUIRED_DATA to PROCESSING",
    ]
    report = entries(api, caseId=THYROID_CASE, eventName="case.report.added", fromDate="2026-06-01T12:00:00Z")
    assert [(e["message"], e["createdDate"]) for e in report] == [
        (f"Created report for case ID {display_id}", "2026-06-01T12:00:03.000Z")]


def test_a_disease_set_again_is_an_update(frozen_api: Api) -> None:
    api = frozen_api
    assert api.put(f"/crs/api/v1/cases/{BREAST_CASE}/diseases", json=MTC).status_code == 200
    names = [e["eventName"] for e in entries(api, caseId=BREAST_CASE, fromDate="2026-06-01T12:00:00Z")]
    assert "case.disease.updated" in names and "case.disease.added" not in names  # it had a disease


def test_a_deleted_case_keeps_its_earlier_events(frozen_api: Api) -> None:
    api = frozen_api
    case = api.case(BREAST_CASE)
    before = entries(api, caseId=BREAST_CASE)
    assert api.delete(f"/crs/api/v1/cases/{BREAST_CASE}").status_code == 204
    after = entries(api, caseId=BREAST_CASE)
    assert after[0]["eventName"] == "case.deleted"
    assert after[0]["message"] == f"Deleted case ID {case['displayId']}"
    assert after[1:] == before
    assert entries(api, caseId=case["displayId"]) == after  # its displayId still finds it


def test_an_upload_records_custom_case_data_and_the_cases_it_creates(frozen_api: Api) -> None:
    api = frozen_api
    csv = "Sample_ID,Case_ID,Tumor_Type\nNEW-S1,NEW-CASE-1,255032005\n"
    response = api.post("/crs/api/v2/custom-case-data/files", files={"files": ("new.csv", csv, "text/csv")})
    assert response.status_code == 200, response.text
    upload_id = response.json()[0]["id"]
    api.advance_clock(3)
    assert api.upload_status(upload_id)["status"] == "COMPLETED"
    new = api.search(displayId="NEW-CASE-1", isExactMatch="true")["content"][0]
    of_case = [(e["eventName"], e["entityType"]) for e in reversed(entries(api, caseId="NEW-CASE-1"))]
    assert of_case == [("case.added", "case"), ("case.metadata.added", "custom-case-data"),
                       ("case.disease.added", "case")]
    of_upload = entries(api, entityId=upload_id)
    assert {e["eventName"] for e in of_upload} == {"custom-case-data.added", "custom-case-data.status.updated",
                                                    "case.metadata.added"}
    metadata = next(e for e in of_upload if e["eventName"] == "case.metadata.added")
    assert (metadata["caseId"], metadata["entityId"]) == (new["id"], upload_id)
    assert metadata["message"] == "Added custom case data for case ID NEW-CASE-1"
    uploader = next(e for e in of_upload if e["eventName"] == "custom-case-data.added")["userDisplayId"]
    assert uploader and metadata["userDisplayId"] == uploader  # the job's changes are the uploader's
    progress = [e for e in of_upload if e["eventName"] == "custom-case-data.status.updated"]
    assert progress and {(e["userName"], e["userDisplayId"]) for e in progress} == {("System", None)}  # the service's
    assert all(e["message"].startswith("Custom case data file new.csv status updated from ") for e in progress)
    changed = "Sample_ID,Case_ID,Custom_Field\nNEW-S1,NEW-CASE-1,x\n"
    response = api.post("/crs/api/v2/custom-case-data/files", files={"files": ("again.csv", changed, "text/csv")})
    api.advance_clock(3)
    assert api.upload_status(response.json()[0]["id"])["status"] == "COMPLETED"
    assert entries(api, caseId="NEW-CASE-1", eventName="case.metadata.updated")[0]["entityType"] == "custom-case-data"


def test_each_api_key_acts_as_its_own_user(fresh_api: Api) -> None:
    """A vendor call acts as its key's user: the same key always the same user, different keys
    different users (six keys over six seeded users cannot all land on one)."""
    users = {u["email"] for u in fresh_api.admin("GET", "/users")}
    cases = fresh_api.search(status="MISSING_REQUIRED_DATA", pageSize=12)["content"]
    acting = {}
    for n, case in enumerate(cases):
        key = f"key-{n % 6}"
        response = Api(fresh_api.server, key=key).put(f"/crs/api/v1/cases/{case['id']}/diseases", json=MTC)
        assert response.status_code == 200, response.text
        [event] = entries(fresh_api, caseId=case["id"], eventName="case.disease.added")
        acting.setdefault(key, set()).add(event["userDisplayId"])
    assert all(len(by) == 1 for by in acting.values()), acting
    assert len(set().union(*acting.values())) > 1 and set().union(*acting.values()) <= users


def test_a_case_added_by_the_control_plane_is_logged_with_its_report(frozen_api: Api) -> None:
    api = frozen_api
    [added] = api.admin("POST", "/cases", [{"displayId": "INJECTED-1", "status": "READY_FOR_INTERPRETATION"}],
                        expect=201)
    names = [e["eventName"] for e in reversed(entries(api, caseId="INJECTED-1"))]
    assert names == ["case.added", "case.report.added"]
    assert api.get(f"/drs/v1/draftreport/case/{added['id']}/reportjson").status_code == 200


def test_a_reset_rewinds_the_log(frozen_api: Api) -> None:
    api = frozen_api
    total = audit(api)["totalElements"]
    assert api.delete(f"/crs/api/v1/cases/{BREAST_CASE}").status_code == 204
    assert audit(api)["totalElements"] == total + 1
    api.admin("POST", "/reset", {})
    assert audit(api)["totalElements"] == total


# -- auth, scoping and errors ----------------------------------------------------------------
def test_the_same_credentials_as_the_case_apis(api: Api) -> None:
    assert requests.get(api.url + AUDIT, timeout=10).status_code == 401
    other = requests.get(api.url + AUDIT, timeout=10, headers={
        "Authorization": "ApiKey k", "X-ILMN-Domain": "d", "X-ILMN-Workgroup": "no-such-workgroup"})
    assert other.status_code == 403 and other.json()["code"]


def test_each_workgroup_has_its_own_log(fresh_api: Api) -> None:
    fresh_api.admin("POST", "/workgroups", {"id": "wg-audit", "cases": 3}, expect=201)
    other = Api(fresh_api.server, workgroup="wg-audit")
    assert audit(other)["totalElements"] < audit(fresh_api)["totalElements"]
    assert entries(other, caseId=BREAST_CASE) == []  # a fixture case of the default workgroup only


@pytest.mark.parametrize(("params", "field"), [
    ({"fromDate": "2026-01-30"}, "fromDate"),
    ({"toDate": "2026-01-30T08:30:00+00:00"}, "toDate"),
    ({"fromDate": "2026-02-30T00:00:00Z"}, "fromDate"),
    ({"entityType": "cases"}, "entityType"),
    ({"eventName": "case.signed"}, "eventName"),
    ({"pageSize": "0"}, "pageSize"),
    ({"pageSize": "2001"}, "pageSize"),
    ({"pageNumber": "-1"}, "pageNumber"),
])
def test_bad_parameters_are_a_400_naming_the_field(api: Api, params: dict[str, str], field: str) -> None:
    response = api.get(AUDIT, params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "BAD_REQUEST" and field in body["message"]
    assert [d["field"] for d in body["details"]] == [field]


def test_the_date_format_is_the_documented_one(api: Api) -> None:
    message = api.get(AUDIT, params={"toDate": "yesterday"}).json()["message"]
    assert "yyyy-MM-dd'T'HH:mm:ss'Z'" in message


def test_every_documented_entity_type_and_event_name_is_accepted(api: Api) -> None:
    types = ["actionability-classifications", "assertion", "biomarker", "case", "cli-log", "custom-annotation",
             "custom-case-data", "data-upload", "disease-configuration", "domain", "filter", "flag-groups",
             "ici-uploader", "molecular-data", "pipeline-configuration", "preferred-transcript", "qc-configuration",
             "report", "report-automation", "report-category", "report-footer", "report-summary",
             "report-template", "sample", "subject"]
    names = ["case.added", "case.analysis.linked", "case.assertion.updated", "case.biomarker.status.updated",
             "case.deleted", "case.disease.added", "case.disease.updated", "case.metadata.added",
             "case.metadata.updated", "case.status.updated", "case.report.added", "molecular-data.deleted"]
    assert len(types) == 25
    for value in types:
        assert api.get(AUDIT, params={"entityType": value}).status_code == 200, value
    for value in names:
        assert api.get(AUDIT, params={"eventName": value}).status_code == 200, value


def test_the_log_travels_with_an_exported_state(frozen_api: Api) -> None:
    api = frozen_api
    assert api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    api.advance_clock(5)
    api.admin("POST", f"/cases/{THYROID_CASE}/sign-off", {})
    csv = "Sample_ID,Case_ID\nS-1,MOVED-1\n"
    assert api.post("/crs/api/v2/custom-case-data/files", files={"files": ("m.csv", csv, "text/csv")}).status_code == 200
    api.advance_clock(3)
    exported = api.admin("GET", "/state")
    other = start_server(seed=99, cases=3)
    try:
        copy = Api(other)
        copy.admin("PUT", "/state", exported)
        assert audit(copy, pageSize=2000) == audit(api, pageSize=2000)
        assert copy.get(f"/drs/v1/draftreport/case/{THYROID_CASE}/reportjson").json() == \
            api.get(f"/drs/v1/draftreport/case/{THYROID_CASE}/reportjson").json()
    finally:
        other.stop()


def test_display_ids_with_quotes_and_accents_come_back_intact(frozen_api: Api) -> None:
    api = frozen_api
    display_id = 'Ünïcode "quoted" \\ case'
    csv = f'Sample_ID,Case_ID\nS-1,"{display_id.replace(chr(34), chr(34) * 2)}"\n'
    response = api.post("/crs/api/v2/custom-case-data/files", files={"files": ("u.csv", csv.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    api.advance_clock(3)
    [added] = entries(api, caseId=display_id, eventName="case.added")
    assert added["caseDisplayId"] == display_id and added["message"] == f"Created case ID {display_id}"

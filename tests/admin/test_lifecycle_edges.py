"""Lifecycle paths the mutation run showed untested: waking at a due time, deletion during a
wait, plans replaced under way, advance and workgroup scoping of uploads, exact refusals."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from conftest import THYROID_CASE, WG, Api

MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}
CSV = "Sample_ID,Case_ID\nS1,EDGE-CASE\n"


def set_disease(api: Api, case_id: str = THYROID_CASE) -> dict:
    response = api.put(f"/crs/api/v1/cases/{case_id}/diseases", json=MTC)
    assert response.status_code == 200, response.text
    return response.json()


def test_wait_wakes_at_the_due_time_of_a_step_in_real_time(fresh_api: Api) -> None:
    fresh_api.admin("PUT", "/lifecycle", {"processing": {"mode": "time", "seconds": 0.5}})
    set_disease(fresh_api)
    started = time.monotonic()
    case = fresh_api.admin("GET", f"/cases/{THYROID_CASE}/wait",
                           params={"status": "READY_FOR_INTERPRETATION", "timeout": 30})
    assert case["status"] == "READY_FOR_INTERPRETATION"
    assert time.monotonic() - started < 20  # woken at the due time, not at the end of the timeout


def test_wait_succeeds_for_a_step_due_in_its_last_second(fresh_api: Api) -> None:
    fresh_api.admin("PUT", "/lifecycle", {"processing": {"mode": "time", "seconds": 1.2}})
    set_disease(fresh_api)
    case = fresh_api.admin("GET", f"/cases/{THYROID_CASE}/wait",
                           params={"status": "READY_FOR_INTERPRETATION", "timeout": 2})
    assert case["status"] == "READY_FOR_INTERPRETATION"


def test_a_case_deleted_during_a_wait_ends_it_with_404(frozen_api: Api) -> None:
    answers: list = []
    waiting = threading.Thread(target=lambda: answers.append(frozen_api.get(
        f"/_mock/cases/{THYROID_CASE}/wait", params={"status": "HAS_ISSUE", "timeout": 30})))
    waiting.start()
    holding = frozen_api.server.app.extensions["mockserver.control"].holding
    deadline = time.monotonic() + 10
    while holding.held < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert frozen_api.delete(f"/crs/api/v1/cases/{THYROID_CASE}").status_code == 204
    waiting.join(timeout=30)
    (answer,) = answers
    assert answer.status_code == 404
    assert answer.json()["message"] == f"Case {THYROID_CASE} was not found in workgroup {WG}."


def test_a_new_case_plan_replans_a_step_under_way(frozen_api: Api) -> None:
    set_disease(frozen_api)  # default plan: due in 3 s
    body = frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "time", "seconds": 10}})
    assert body["pending"]["plan"] == {"mode": "time", "seconds": 10.0, "outcome": "READY_FOR_INTERPRETATION", "failureRate": 0.0}
    assert body["pending"]["dueAt"] == "2026-06-01T12:00:10Z"
    frozen_api.admin("POST", "/clock/advance", {"seconds": 5})
    assert frozen_api.case(THYROID_CASE)["status"] == "PROCESSING"
    frozen_api.admin("POST", "/clock/advance", {"seconds": 5})
    assert frozen_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"


def test_clearing_a_case_plan_goes_back_to_the_default(frozen_api: Api) -> None:
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "manual"}})
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": None})
    assert frozen_api.admin("GET", f"/cases/{THYROID_CASE}/lifecycle") == {"processing": None, "pending": None}
    set_disease(frozen_api)
    frozen_api.admin("POST", "/clock/advance", {"seconds": 3})
    assert frozen_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"


def test_advancing_a_seeded_processing_case_follows_its_own_plan(frozen_api: Api) -> None:
    case = frozen_api.all_cases(status="PROCESSING")[0]
    frozen_api.admin("PUT", f"/cases/{case['id']}/lifecycle", {"processing": {"mode": "manual", "outcome": "HAS_ISSUE"}})
    assert frozen_api.admin("POST", f"/cases/{case['id']}/advance")["status"] == "HAS_ISSUE"


def test_a_deleted_case_leaves_no_plan_or_step_behind(frozen_api: Api) -> None:
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "manual", "outcome": "HAS_ISSUE"}})
    set_disease(frozen_api)
    assert frozen_api.delete(f"/crs/api/v1/cases/{THYROID_CASE}").status_code == 204
    frozen_api.admin("POST", "/cases", {"id": THYROID_CASE, "displayId": "BACK", "status": "READY_FOR_PROCESSING"}, expect=201)
    assert frozen_api.admin("GET", f"/cases/{THYROID_CASE}/lifecycle") == {"processing": None, "pending": None}
    set_disease(frozen_api)
    frozen_api.admin("POST", "/clock/advance", {"seconds": 3})  # the default plan, not the old manual one
    assert frozen_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"


def test_advancing_a_finished_upload_says_its_status(frozen_api: Api) -> None:
    upload_id = frozen_api.upload(CSV)
    assert frozen_api.admin("POST", f"/uploads/{upload_id}/advance")["status"] == "COMPLETED"
    error = frozen_api.admin("POST", f"/uploads/{upload_id}/advance", expect=400)
    assert error["message"] == f"Custom case data file {upload_id} has no pending step: it is COMPLETED."


def test_an_upload_is_found_only_in_the_workgroup_named(frozen_api: Api) -> None:
    other = frozen_api.admin("POST", "/workgroups", {"name": "Other"}, expect=201)["id"]
    upload_id = frozen_api.upload(CSV)
    error = frozen_api.admin("POST", f"/uploads/{upload_id}/advance", params={"workgroup": other}, expect=404)
    assert error["message"].startswith(f"Custom case data file {upload_id} ")
    assert frozen_api.admin("POST", f"/uploads/{upload_id}/advance", params={"workgroup": WG})["status"] == "COMPLETED"


def test_the_default_workgroup_cannot_be_deleted(fresh_api: Api) -> None:
    error = fresh_api.admin("DELETE", f"/workgroups/{WG}", expect=400)
    assert error["message"] == "The default workgroup cannot be deleted; reset it instead."


def test_signed_off_refusal_names_the_status(frozen_api: Api) -> None:
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "REPORTS_SIGNED_OFF"})
    response = frozen_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    assert response.status_code == 400
    assert response.json() == {
        "code": "BAD_REQUEST",
        "message": f"Case {THYROID_CASE} is in status REPORTS_SIGNED_OFF (Report(s) Signed Off); its disease cannot be changed.",
        "details": [{"field": "status", "message": "REPORTS_SIGNED_OFF does not allow a disease change"}],
    }


def test_an_unknown_test_definition_is_a_row_error(frozen_api: Api) -> None:
    text = b"Sample_ID,Case_ID,Test_Definition\nS1,TD-CASE,No Such Test\n"
    response = frozen_api.post("/crs/api/v2/custom-case-data/files", files=[("files", ("t.csv", text, "text/csv"))])
    assert response.status_code == 200, response.text
    upload_id = response.json()[0]["id"]
    frozen_api.admin("POST", "/clock/advance", {"seconds": 2})
    job = frozen_api.get(f"/crs/api/v1/custom-case-data/{upload_id}/status").json()
    assert job["status"] == "FAILED" and job["failedRows"] == 1
    assert "No Such Test" in job["errors"][0]["message"]


def tag_upload(api: Api, tags: str) -> str:
    text = f"Sample_ID,Case_ID,Tags\nS1,FIXTURE_002_THYROID,{tags}\n".encode()
    response = api.post("/crs/api/v2/custom-case-data/files", files=[("files", ("tags.csv", text, "text/csv"))])
    assert response.status_code == 200, response.text
    return response.json()[0]["id"]


def test_an_upload_advanced_early_is_stamped_when_advanced(frozen_api: Api) -> None:
    upload_id = tag_upload(frozen_api, "early")
    frozen_api.admin("POST", "/clock/advance", {"seconds": 0.5})
    assert frozen_api.admin("POST", f"/uploads/{upload_id}/advance")["status"] == "COMPLETED"
    case = frozen_api.case(THYROID_CASE)
    assert case["tags"] == ["early"] and case["updatedDate"] == "2026-06-01T12:00:00+0000"  # 12:00:00.5, whole seconds
    frozen_api.admin("POST", "/clock/advance", {"seconds": 1})
    upload_id = tag_upload(frozen_api, "later")
    frozen_api.admin("POST", f"/uploads/{upload_id}/advance")
    assert frozen_api.case(THYROID_CASE)["updatedDate"] == "2026-06-01T12:00:01+0000"


def test_a_case_changed_between_upload_and_job_keeps_both_changes(frozen_api: Api) -> None:
    upload_id = tag_upload(frozen_api, "from-csv")
    set_disease(frozen_api)  # changes the case the file names, after the file was read
    frozen_api.admin("POST", "/clock/advance", {"seconds": 2})
    job = frozen_api.get(f"/crs/api/v1/custom-case-data/{upload_id}/status").json()
    assert job["status"] == "COMPLETED"
    case = frozen_api.case(THYROID_CASE)
    assert case["tags"] == ["from-csv"]
    assert case["status"] == "PROCESSING"
    assert case["subjects"][0]["samples"][0]["tumorType"][0]["externalid"] == MTC["externalid"]


def test_a_taken_workgroup_id_is_409_naming_the_field(fresh_api: Api) -> None:
    fresh_api.admin("POST", "/workgroups", {"id": "lab-1"}, expect=201)
    error = fresh_api.admin("POST", "/workgroups", {"id": "lab-1"}, expect=409)
    assert error == {"code": "CONFLICT", "message": "Workgroup lab-1 already exists.",
                     "details": [{"field": "id", "message": "already used"}]}


def test_advancing_seeded_processing_cases_draws_their_first_attempt(frozen_api: Api) -> None:
    """A seeded PROCESSING case's step is its first attempt: the seeded draws are pinned."""
    wg = frozen_api.admin("POST", "/workgroups", {"id": "draws", "cases": 300}, expect=201)["id"]
    lab = Api(frozen_api.server, workgroup=wg)
    outcomes = []
    for case in sorted(lab.all_cases(status="PROCESSING"), key=lambda c: c["displayId"]):
        lab.admin("PUT", f"/cases/{case['id']}/lifecycle", {"processing": {"mode": "manual", "failureRate": 0.5}})
        outcomes.append(lab.admin("POST", f"/cases/{case['id']}/advance")["status"][0])
    # H: HAS_ISSUE, R: READY_FOR_INTERPRETATION; recorded when generated cases became a function
    # of their index alone.
    assert "".join(outcomes) == "RHHRHRHHHRHH"


def test_waits_in_real_time_with_nothing_due_or_only_a_cancelled_step_time_out(fresh_api: Api) -> None:
    args = {"status": "REPORTS_SIGNED_OFF", "timeout": 0.2}
    assert fresh_api.get(f"/_mock/cases/{THYROID_CASE}/wait", params=args).status_code == 408  # nothing scheduled
    set_disease(fresh_api)  # a step scheduled 3 s ahead ...
    fresh_api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "READY_FOR_INTERPRETATION"})  # ... and cancelled
    assert fresh_api.get(f"/_mock/cases/{THYROID_CASE}/wait", params=args).status_code == 408


def test_an_advanced_step_leaves_nothing_scheduled_behind(frozen_api: Api) -> None:
    set_disease(frozen_api)  # due in 3 s
    frozen_api.admin("POST", "/clock/advance", {"seconds": 1})
    assert frozen_api.admin("POST", f"/cases/{THYROID_CASE}/advance")["status"] == "READY_FOR_INTERPRETATION"
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": {"mode": "polls", "count": 2}})
    set_disease(frozen_api)  # a polls step: only reads complete it
    frozen_api.admin("POST", "/clock/advance", {"seconds": 5})  # past the advanced step's old due time
    assert frozen_api.search(id=THYROID_CASE)["content"][0]["status"] == "PROCESSING"  # searches do not count


def test_an_unknown_upload_is_not_found_in_any_workgroup(fresh_api: Api) -> None:
    error = fresh_api.admin("POST", "/uploads/no-such-upload/advance", expect=404)
    assert error["message"] == "Custom case data file no-such-upload was not found in any workgroup."


def test_an_ingestion_plan_outcome_is_the_reported_status(frozen_api: Api) -> None:
    frozen_api.admin("PUT", "/lifecycle", {"ingestion": {"mode": "immediate", "outcome": "PARTIALLY_COMPLETED"}})
    body = frozen_api.get(f"/crs/api/v1/custom-case-data/{frozen_api.upload(CSV)}/status").json()
    assert (body["status"], body["appliedRows"], body["failedRows"]) == ("PARTIALLY_COMPLETED", 1, 0)


def test_cases_added_by_the_control_plane(frozen_api: Api) -> None:
    added = frozen_api.admin("POST", "/cases", {"id": "added-1", "displayId": "ADDED-1", "status": "PROCESSING"}, expect=201)
    assert added[0]["status"] == "PROCESSING"
    assert frozen_api.admin("GET", "/cases/added-1/history") == [
        {"at": "2026-06-01T12:00:00Z", "from": None, "to": "PROCESSING", "cause": "created by the control plane"}]
    frozen_api.admin("POST", "/clock/advance", {"seconds": 3})  # added in PROCESSING: a step under the default plan
    assert frozen_api.case("added-1")["status"] == "READY_FOR_INTERPRETATION"
    again = frozen_api.admin("POST", "/cases", [{"displayId": "OK"}, {"id": "added-1", "displayId": "DUP"}], expect=409)
    assert again["details"] == [{"field": "[1].id", "message": "already used"}]
    assert again["message"] == f"[1].id: case id added-1 is already used in workgroup {WG}."
    assert frozen_api.search(displayId="OK", isExactMatch="true")["totalElements"] == 0  # the list was refused whole
    assert frozen_api.admin("POST", "/cases", [], expect=400)["message"] == "No case given: send one case or a non-empty list."
    frozen_api.admin("PUT", "/cases/added-1/lifecycle", {"processing": {"mode": "manual"}})
    assert frozen_api.admin("GET", "/cases/added-1/lifecycle")["processing"]["mode"] == "manual"


def test_disease_refusals_name_the_field_and_why(fresh_api: Api) -> None:
    cases = [({"externalid": "255032005", "ontologytype": "ICD10"}, "ontologytype", "must be SNOMEDCT"),
             ({"externalid": "999999999", "ontologytype": "SNOMEDCT"}, "externalid", "unknown SNOMEDCT id")]
    for body, field, why in cases:
        response = fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=body)
        assert response.status_code == 400
        assert response.json()["details"] == [{"field": field, "message": why}]


def test_history_says_why_each_status_changed(frozen_api: Api) -> None:
    set_disease(frozen_api)
    frozen_api.admin("POST", "/clock/advance", {"seconds": 3})
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "HAS_ISSUE"})
    history = frozen_api.admin("GET", f"/cases/{THYROID_CASE}/history")
    assert [(h["to"], h["cause"]) for h in history] == [
        ("PROCESSING", "disease set"),
        ("READY_FOR_INTERPRETATION", "processing completed (time plan)"),
        ("HAS_ISSUE", "set by the control plane"),
    ]


def test_leaving_processing_by_a_jump_ends_the_pending_step(frozen_api: Api) -> None:
    set_disease(frozen_api)
    assert frozen_api.admin("GET", f"/cases/{THYROID_CASE}/lifecycle")["pending"] is not None
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "HAS_ISSUE"})
    assert frozen_api.admin("GET", f"/cases/{THYROID_CASE}/lifecycle")["pending"] is None


def test_a_case_without_samples_cannot_carry_a_disease(frozen_api: Api) -> None:
    [added] = frozen_api.admin("POST", "/cases", {"displayId": "NO-SAMPLES", "status": "READY_FOR_PROCESSING",
                                                  "subjects": [{"samples": []}]}, expect=201)
    response = frozen_api.put(f"/crs/api/v1/cases/{added['id']}/diseases", json=MTC)
    assert response.status_code == 400, response.text
    assert response.json()["message"] == f"Case {added['id']} has no sample to carry a disease."


def test_a_case_is_looked_for_only_in_the_workgroup_named(frozen_api: Api) -> None:
    frozen_api.admin("POST", "/workgroups", {"id": "lab-y", "cases": 2}, expect=201)
    error = frozen_api.admin("GET", f"/cases/{THYROID_CASE}/history?workgroup=lab-y", expect=404)
    assert error["message"] == f"Case {THYROID_CASE} was not found in workgroup lab-y."
    error = frozen_api.admin("GET", "/cases/no-such-case/history", expect=404)
    assert error["message"] == "Case no-such-case was not found in any workgroup."


def test_clearing_a_plan_a_case_never_had_is_no_error(fresh_api: Api) -> None:
    body = fresh_api.admin("PUT", f"/cases/{THYROID_CASE}/lifecycle", {"processing": None})
    assert body == {"processing": None, "pending": None}


def test_advancing_a_real_clock_twice_adds_both(fresh_api: Api) -> None:
    assert fresh_api.admin("GET", "/clock")["mode"] == "real"
    for _ in range(2):
        fresh_api.admin("POST", "/clock/advance", {"seconds": 3600})
    shown = datetime.fromisoformat(fresh_api.admin("GET", "/clock")["now"].replace("Z", "+00:00"))
    ahead = shown - datetime.now(UTC)
    assert timedelta(hours=2) - timedelta(seconds=30) < ahead < timedelta(hours=2) + timedelta(seconds=30)

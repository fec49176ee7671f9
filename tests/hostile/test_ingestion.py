"""Metadata CSV ingestion under hostile sizes, over real HTTP: linear work done away from the
workgroup's lock, results as the rows say, and nothing of the file kept once applied."""

from __future__ import annotations

import time

import requests
from conftest import THYROID_CASE, Api

UPLOAD = "/crs/api/v2/custom-case-data/files"
#: A poll loop's bound: a large job finishes in seconds; this only stops a broken one.
POLL_SECONDS = 120




def finished(api: Api, upload_id: str) -> dict:
    """The upload's status once its job is done (the clock is moved past its plan first)."""
    api.admin("POST", "/clock/advance", {"seconds": 10})
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        body = api.get(f"/crs/api/v1/custom-case-data/{upload_id}/status").json()
        if body["status"] not in ("QUEUED", "IN_PROGRESS") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_thousands_of_samples_for_one_case(frozen_api: Api) -> None:
    rows = "".join(f"S{n},ONE-CASE,{'RNA' if n % 2 else 'DNA'}\n" for n in range(8000))
    body = finished(frozen_api, frozen_api.upload("Sample_ID,Case_ID,Sample_Type\n" + rows + "S0,ONE-CASE,RNA\n"))
    assert (body["status"], body["totalRows"], body["appliedRows"], body["failedRows"]) == ("COMPLETED", 8001, 8001, 0)
    (case_id,) = body["casesCreated"]
    samples = frozen_api.case(case_id)["subjects"][0]["samples"]
    assert len(samples) == 8000
    assert samples[0]["externalSampleId"] == "S0" and samples[0]["sampleType"] == "RNA"  # the last row won
    assert samples[7999]["externalSampleId"] == "S7999"


def test_a_large_file_answers_at_once_and_creates_every_case(frozen_api: Api) -> None:
    count = 20_000
    started = frozen_api.search()["totalElements"]
    upload_id = frozen_api.upload("Sample_ID,Case_ID\n" + "".join(f"S{n},NEW-{n:05d}\n" for n in range(count)))
    body = finished(frozen_api, upload_id)
    assert (body["status"], body["appliedRows"], len(body["casesCreated"])) == ("COMPLETED", count, count)
    assert frozen_api.search()["totalElements"] == started + count
    found = frozen_api.search(displayId="NEW-19999", isExactMatch="true")["content"]
    assert [c["status"] for c in found] == ["AWAITING_MOLECULAR_DATA"]


def test_row_errors_are_counted_exactly_and_listed_up_to_a_bound(frozen_api: Api) -> None:
    bad = "".join(f"S{n},BAD-{n},Martian\n" for n in range(1500))
    body = finished(frozen_api, frozen_api.upload("Sample_ID,Case_ID,Sex\nOK,GOOD,Female\n" + bad))
    assert (body["status"], body["totalRows"], body["appliedRows"], body["failedRows"]) == ("PARTIALLY_COMPLETED", 1501, 1, 1500)
    assert len(body["errors"]) == 1000
    assert body["errors"][0] == {"lineNumber": 3, "caseId": "BAD-0", "sampleId": "S0",
                                 "message": "Sex 'Martian' is not one of FEMALE, MALE, UNKNOWN"}


def test_the_file_is_not_kept_once_applied(frozen_api: Api) -> None:
    upload_id = frozen_api.upload("Sample_ID,Case_ID\nS1,KEPT-1\n")
    pending = frozen_api.admin("GET", "/state")["workgroups"][0]["uploads"]
    assert [u["text"] for u in pending if u["id"] == upload_id] == ["Sample_ID,Case_ID\nS1,KEPT-1\n"]
    finished(frozen_api, upload_id)
    done = frozen_api.admin("GET", "/state")["workgroups"][0]["uploads"]
    assert [(u["text"], u["totalRows"]) for u in done if u["id"] == upload_id] == [(None, 1)]


def test_a_case_changed_after_the_upload_is_read_again_when_the_job_runs(frozen_api: Api) -> None:
    """The job is worked out when the file arrives; a change to a case it touches before it
    runs makes it work the rows out again against the case as it is then."""
    display_id = frozen_api.case(THYROID_CASE)["displayId"]
    upload_id = frozen_api.upload(f"Sample_ID,Case_ID,Tumor_Type\nLATE-SAMPLE,{display_id},363358000\n")
    frozen_api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": "REPORTS_SIGNED_OFF"})
    body = finished(frozen_api, upload_id)
    assert (body["status"], body["failedRows"]) == ("FAILED", 1)
    assert "REPORTS_SIGNED_OFF" in body["errors"][0]["message"]
    samples = frozen_api.case(THYROID_CASE)["subjects"][0]["samples"]
    assert "LATE-SAMPLE" not in [s["externalSampleId"] for s in samples]


def test_a_case_created_meanwhile_under_the_same_display_id_is_updated_not_duplicated(frozen_api: Api) -> None:
    upload_id = frozen_api.upload("Sample_ID,Case_ID\nS-UPLOADED,RACE-1\n")
    created = frozen_api.admin("POST", "/cases", {"displayId": "RACE-1"}, expect=201)[0]
    body = finished(frozen_api, upload_id)
    assert body["casesCreated"] == [] and body["casesUpdated"] == [created["id"]]
    assert frozen_api.search(displayId="RACE-1", isExactMatch="true")["totalElements"] == 1


def test_state_format_1_with_a_pending_upload_still_imports(frozen_api: Api) -> None:
    upload_id = frozen_api.upload("Sample_ID,Case_ID\nS1,OLD-FORMAT\n")
    state = frozen_api.admin("GET", "/state")
    state["format"] = "ici-mock-state/1"
    for workgroup in state["workgroups"]:
        assert workgroup.pop("ownPlans") == []
        workgroup["casePlans"] = {}
    for item in state["workgroups"][0]["uploads"]:
        text = item.pop("text")
        item.pop("totalRows")
        item["rows"] = [[2, ["S1", "OLD-FORMAT"]]] if text else []
    response = requests.put(frozen_api.url + "/_mock/state", json=state, timeout=30)
    assert response.status_code == 200, response.text
    body = finished(frozen_api, upload_id)
    assert body["status"] == "COMPLETED" and len(body["casesCreated"]) == 1


def test_a_case_id_of_thousands_of_digits_is_a_new_case_not_an_error(frozen_api: Api) -> None:
    """A display id's number is read as an index only up to 7 digits (int() of more than 4,300
    digits raises): a longer one names no seeded case, so the row creates a case."""
    long_id = "ILM-ONC-" + "1" * 5000
    body = finished(frozen_api, frozen_api.upload(f"Sample_ID,Case_ID,Sample_Type\nS1,{long_id},DNA\n"))
    assert (body["status"], body["appliedRows"], body["failedRows"]) == ("COMPLETED", 1, 0), body
    (case_id,) = body["casesCreated"]
    assert frozen_api.case(case_id)["displayId"] == long_id

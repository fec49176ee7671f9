"""The status table of the README's Fidelity notes, row by row, over HTTP.

Every status × every way a case's status can be driven: PUT diseases, a metadata CSV with
``Tumor_Type``, the control plane's jump, and the control plane's advance. The expected
outcomes are written out here as the README states them, not read from ``statuses.py``.
"""

from __future__ import annotations

import pytest
from conftest import THYROID_CASE, Api

MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT"}  # medullary thyroid carcinoma
DISPLAY_ID = "FIXTURE_002_THYROID"
UPLOAD = "/crs/api/v2/custom-case-data/files"

STATUSES = [
    "AWAITING_MOLECULAR_DATA", "MISSING_REQUIRED_DATA", "READY_FOR_PROCESSING", "PROCESSING",
    "HAS_ISSUE", "READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF",
]
#: Setting a disease: the status the case moves to, or None for a 400 that changes nothing.
AFTER_DISEASE_SET = {
    "AWAITING_MOLECULAR_DATA": "AWAITING_MOLECULAR_DATA",  # recorded; keeps waiting
    "MISSING_REQUIRED_DATA": "PROCESSING",
    "READY_FOR_PROCESSING": "PROCESSING",
    "PROCESSING": "PROCESSING",  # processing restarts
    "HAS_ISSUE": "PROCESSING",
    "READY_FOR_INTERPRETATION": "PROCESSING",
    "REPORTS_SIGNED_OFF": None,
}


def put_status(api: Api, status: str) -> dict:
    return api.admin("PUT", f"/cases/{THYROID_CASE}/status", {"status": status})


def disease_of(case: dict) -> str | None:
    tumor_types = case["subjects"][0]["samples"][0].get("tumorType") or []
    return tumor_types[0]["externalid"] if tumor_types else None


def start_in(api: Api, status: str) -> dict:
    """The thyroid fixture case in ``status``, under the frozen clock, with no disease."""
    case = put_status(api, status)
    assert case["status"] == status
    assert disease_of(api.case(THYROID_CASE)) != MTC["externalid"]
    return case



@pytest.mark.parametrize("status", STATUSES)
def test_put_diseases_from_each_status(frozen_api: Api, status: str) -> None:
    start_in(frozen_api, status)
    response = frozen_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    expected = AFTER_DISEASE_SET[status]
    if expected is None:
        assert response.status_code == 400, response.text
        assert "REPORTS_SIGNED_OFF" in response.json()["message"]
        case = frozen_api.case(THYROID_CASE)
        assert case["status"] == status and disease_of(case) != MTC["externalid"]
        return
    assert response.status_code == 200, response.text
    assert response.json()["status"] == expected
    assert disease_of(response.json()) == MTC["externalid"]
    frozen_api.advance_clock(2.9)
    assert frozen_api.case(THYROID_CASE)["status"] == expected
    frozen_api.advance_clock(0.1)  # processing takes 3 s on the mock's clock
    after = "READY_FOR_INTERPRETATION" if expected == "PROCESSING" else expected
    assert frozen_api.case(THYROID_CASE)["status"] == after


@pytest.mark.parametrize("status", STATUSES)
def test_csv_tumor_type_from_each_status(frozen_api: Api, status: str) -> None:
    start_in(frozen_api, status)
    sample = "9f5b2d4a-6e7c-4f8d-8a9b-1c2d3e4f5a6b"
    text = f"Sample_ID,Case_ID,Tumor_Type\n{sample},{DISPLAY_ID},{MTC['externalid']}\n"
    response = frozen_api.post(UPLOAD, files=[("files", ("t.csv", text.encode(), "text/csv"))])
    assert response.status_code == 200, response.text
    upload_id = response.json()[0]["id"]
    frozen_api.advance_clock(2)  # 1 s QUEUED, 1 s IN_PROGRESS
    job = frozen_api.upload_status(upload_id)
    case = frozen_api.case(THYROID_CASE)
    expected = AFTER_DISEASE_SET[status]
    if expected is None:
        assert job["status"] == "FAILED" and job["failedRows"] == 1 and job["appliedRows"] == 0
        assert job["errors"][0]["lineNumber"] == 2 and job["errors"][0]["caseId"] == DISPLAY_ID
        assert case["status"] == status and disease_of(case) != MTC["externalid"]
        return
    assert job["status"] == "COMPLETED" and job["casesUpdated"] == [THYROID_CASE], job
    assert case["status"] == expected and disease_of(case) == MTC["externalid"]
    history = frozen_api.admin("GET", f"/cases/{THYROID_CASE}/history")
    if expected == "PROCESSING":  # recorded at the job's due time, 2 s after the upload
        assert history[-1] == {"at": "2026-06-01T12:00:02Z", "from": status, "to": "PROCESSING", "cause": "disease set"}
    frozen_api.advance_clock(3)
    after = "READY_FOR_INTERPRETATION" if expected == "PROCESSING" else expected
    assert frozen_api.case(THYROID_CASE)["status"] == after


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_control_plane_jumps_from_any_status_to_any(frozen_api: Api, status: str, target: str) -> None:
    start_in(frozen_api, status)
    assert put_status(frozen_api, target)["status"] == target
    assert frozen_api.case(THYROID_CASE)["status"] == target
    frozen_api.advance_clock(3)
    # A jump to PROCESSING starts a step under the default plan (3 s); other statuses stay.
    settled = "READY_FOR_INTERPRETATION" if target == "PROCESSING" else target
    assert frozen_api.case(THYROID_CASE)["status"] == settled
    jumps = [(h["from"], h["to"]) for h in frozen_api.admin("GET", f"/cases/{THYROID_CASE}/history")]
    recorded = status != target or target == "PROCESSING"  # a jump to PROCESSING (re)starts a step
    assert recorded == ((status, target) in jumps), jumps


@pytest.mark.parametrize("status", STATUSES)
def test_advance_from_each_status(frozen_api: Api, status: str) -> None:
    start_in(frozen_api, status)
    response = frozen_api.post(f"/_mock/cases/{THYROID_CASE}/advance")
    if status == "PROCESSING":
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "READY_FOR_INTERPRETATION"
        assert frozen_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"
        return
    assert response.status_code == 400, response.text
    assert f"it is {status}, not PROCESSING" in response.json()["message"]
    assert frozen_api.case(THYROID_CASE)["status"] == status


def test_setting_a_disease_while_processing_restarts_the_step(frozen_api: Api) -> None:
    assert frozen_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC).status_code == 200
    frozen_api.advance_clock(2)
    again = frozen_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    assert again.status_code == 200 and again.json()["status"] == "PROCESSING"
    frozen_api.advance_clock(2)  # 4 s after the first PUT: the first step would have ended
    assert frozen_api.case(THYROID_CASE)["status"] == "PROCESSING"
    frozen_api.advance_clock(1)  # 3 s after the second
    assert frozen_api.case(THYROID_CASE)["status"] == "READY_FOR_INTERPRETATION"


def test_a_seeded_processing_case_waits_for_advance(frozen_api: Api) -> None:
    """Seeded PROCESSING cases have no pending step: time alone does not move them."""
    (case,) = frozen_api.search(status="PROCESSING", pageSize=1)["content"]
    frozen_api.advance_clock(3600)
    assert frozen_api.case(case["id"])["status"] == "PROCESSING"
    response = frozen_api.post(f"/_mock/cases/{case['id']}/advance")
    assert response.status_code == 200 and response.json()["status"] == "READY_FOR_INTERPRETATION"

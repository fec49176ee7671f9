"""PUT /crs/api/v1/cases/{caseId}/diseases, the processing step, and DELETE /cases/{id}."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from conftest import BREAST_CASE, FROZEN_AT, THYROID_CASE, Api

CASE_DATE = "%Y-%m-%dT%H:%M:%S%z"  # 2024-11-05T12:26:06+0000, as the real payload writes dates

MTC = {"externalid": "255032005", "ontologytype": "SNOMEDCT", "name": "Medullary thyroid carcinoma"}


def set_disease(api: Api, case_id: str, body: object, **kwargs: object):
    return api.put(f"/crs/api/v1/cases/{case_id}/diseases", json=body, **kwargs)


def get_case(api: Api, case_id: str) -> dict:
    response = api.get(f"/crs/api/v2/cases/{case_id}")
    assert response.status_code == 200, response.text
    return response.json()


def case_diseases(case: dict) -> set[str]:
    return {t["externalid"] for s in case["subjects"] for sm in s["samples"] for t in sm["tumorType"]}


def test_update_case_diseases__sets_disease_and_processes(frozen_api: Api) -> None:
    fresh_api = frozen_api
    before = get_case(fresh_api, THYROID_CASE)
    assert before["status"] == "MISSING_REQUIRED_DATA" and case_diseases(before) == set()
    response = set_disease(fresh_api, THYROID_CASE, MTC)
    assert response.status_code == 200
    assert response.json()["status"] == "PROCESSING"
    now = get_case(fresh_api, THYROID_CASE)
    assert now["status"] == "PROCESSING" and case_diseases(now) == {"255032005"}
    assert now["subjects"][0]["samples"][0]["tumorType"][0]["name"] == "Medullary thyroid carcinoma"
    assert fresh_api.search(status="PROCESSING", id=THYROID_CASE)["totalElements"] == 1

    assert now["updatedDate"] == FROZEN_AT.strftime(CASE_DATE)
    fresh_api.state.clock.advance(3 - 1)
    assert get_case(fresh_api, THYROID_CASE)["status"] == "PROCESSING"
    fresh_api.state.clock.advance(1)
    done = get_case(fresh_api, THYROID_CASE)
    assert done["status"] == "READY_FOR_INTERPRETATION"
    due = FROZEN_AT + timedelta(seconds=3)
    assert done["updatedDate"] == due.strftime(CASE_DATE)  # stamped with the due time


def test_update_case_diseases__search_sees_the_transition_too(frozen_api: Api) -> None:
    fresh_api = frozen_api
    assert set_disease(fresh_api, BREAST_CASE, MTC).status_code == 200
    fresh_api.state.clock.advance(3)
    page = fresh_api.search(id=BREAST_CASE)
    assert page["content"][0]["status"] == "READY_FOR_INTERPRETATION"


def test_update_case_diseases__processing_completes_in_real_time(fresh_api: Api) -> None:
    """Without touching the clock: the step completes 3 s later on the real clock, seen by the
    control plane's wait (woken by the change, not by polling)."""
    response = set_disease(fresh_api, THYROID_CASE, MTC)
    assert response.status_code == 200 and response.json()["status"] == "PROCESSING"
    done = fresh_api.admin("GET", f"/cases/{THYROID_CASE}/wait",
                           params={"status": "READY_FOR_INTERPRETATION", "timeout": 30})
    assert done["status"] == "READY_FOR_INTERPRETATION"
    started, finished = fresh_api.admin("GET", f"/cases/{THYROID_CASE}/history")[-2:]
    assert (started["to"], finished["to"]) == ("PROCESSING", "READY_FOR_INTERPRETATION")
    elapsed = datetime.fromisoformat(finished["at"]) - datetime.fromisoformat(started["at"])
    assert elapsed == timedelta(seconds=3)  # stamped with the due time, on the mock's clock


@pytest.mark.parametrize("body, field", [
    ({}, "externalid"),
    ({"externalid": "255032005"}, "ontologytype"),
    ({"externalid": "", "ontologytype": "SNOMEDCT"}, "externalid"),
    ({"externalid": 255032005, "ontologytype": "SNOMEDCT"}, "externalid"),
    ({"externalId": "255032005", "ontologyType": "SNOMEDCT"}, "externalid"),
    ({"externalid": "999999999", "ontologytype": "SNOMEDCT"}, "externalid"),
    ({"externalid": "255032005", "ontologytype": "ICD10"}, "ontologytype"),
    ([MTC], "body"),
    ("text", "body"),
])
def test_update_case_diseases__bad_body_is_400_and_changes_nothing(fresh_api: Api, body: object, field: str) -> None:
    before = get_case(fresh_api, THYROID_CASE)
    response = set_disease(fresh_api, THYROID_CASE, body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "BAD_REQUEST" and error["message"]
    assert any(d["field"] == field for d in error["details"]), error
    assert get_case(fresh_api, THYROID_CASE) == before


def test_update_case_diseases__malformed_json_is_400(fresh_api: Api) -> None:
    before = get_case(fresh_api, THYROID_CASE)
    response = fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", data="{not json",
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == "BAD_REQUEST"
    assert get_case(fresh_api, THYROID_CASE) == before


def test_update_case_diseases__a_chunked_body_is_answered_as_a_sized_one(frozen_api: Api) -> None:
    """The server's fast path takes a body of a declared size; Flask takes a chunked one (waitress
    sizes it before the app sees it, granian does not): the client sees the same answer, and
    the journal the size each request declared to the app."""
    body = json.dumps(MTC).encode()
    path = f"/crs/api/v1/cases/{THYROID_CASE}/diseases"
    sized = frozen_api.put(path, data=body, headers={"Content-Type": "application/json"})
    chunked = frozen_api.put(path, data=iter([body[:9], body[9:]]), headers={"Content-Type": "application/json"})
    assert sized.status_code == chunked.status_code == 200
    assert sized.content == chunked.content and sized.json()["status"] == "PROCESSING"
    entries = frozen_api.admin("GET", "/requests", params={"operation": "updateCaseDiseases"})
    assert len(entries) == 2
    for entry in entries:
        declared = int(entry["headers"].get("Content-Length", 0))
        assert (entry["bodySize"], entry["bodyPreview"]) == (declared, body.decode() if declared else None)
    assert len(body) in [int(e["headers"].get("Content-Length", 0)) for e in entries]


def test_update_case_diseases__wrong_content_type_is_415(fresh_api: Api) -> None:
    response = fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", data="externalid=1",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415 and response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_update_case_diseases__oversized_body_is_413(fresh_api: Api) -> None:
    body = {**MTC, "padding": "x" * (2 * 1024 * 1024)}
    response = set_disease(fresh_api, THYROID_CASE, body)
    assert response.status_code == 413 and response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_update_case_diseases__unknown_case_is_404(fresh_api: Api) -> None:
    response = set_disease(fresh_api, "no-such-case", MTC)
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_update_case_diseases__signed_off_case_is_refused(fresh_api: Api) -> None:
    signed = fresh_api.all_cases(status="REPORTS_SIGNED_OFF")[0]
    response = set_disease(fresh_api, signed["id"], MTC)
    assert response.status_code == 400
    assert "REPORTS_SIGNED_OFF" in response.json()["message"]
    assert get_case(fresh_api, signed["id"]) == signed


def test_update_case_diseases__awaiting_molecular_data_records_disease_only(fresh_api: Api) -> None:
    waiting = fresh_api.all_cases(status="AWAITING_MOLECULAR_DATA")[0]
    response = set_disease(fresh_api, waiting["id"], MTC)
    assert response.status_code == 200
    after = get_case(fresh_api, waiting["id"])
    assert after["status"] == "AWAITING_MOLECULAR_DATA" and case_diseases(after) == {"255032005"}


def test_delete_case__204_then_gone_everywhere(fresh_api: Api) -> None:
    total = fresh_api.search()["totalElements"]
    response = fresh_api.delete(f"/crs/api/v1/cases/{BREAST_CASE}")
    assert response.status_code == 204 and response.content == b""
    assert fresh_api.get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 404
    assert fresh_api.search(id=BREAST_CASE)["totalElements"] == 0
    assert fresh_api.search()["totalElements"] == total - 1
    assert fresh_api.delete(f"/crs/api/v1/cases/{BREAST_CASE}").status_code == 404


def test_delete_case__unknown_id_is_404(fresh_api: Api) -> None:
    total = fresh_api.search()["totalElements"]
    response = fresh_api.delete("/crs/api/v1/cases/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
    assert fresh_api.search()["totalElements"] == total


def test_delete_case__while_processing_cancels_the_step(fresh_api: Api) -> None:
    assert set_disease(fresh_api, THYROID_CASE, MTC).status_code == 200
    assert fresh_api.delete(f"/crs/api/v1/cases/{THYROID_CASE}").status_code == 204
    fresh_api.state.clock.advance(3 + 1)
    assert fresh_api.get(f"/crs/api/v2/cases/{THYROID_CASE}").status_code == 404
    assert fresh_api.search(id=THYROID_CASE)["totalElements"] == 0

"""GET /crs/api/v2/cases/{caseId}: shape, PHI and QC toggles, unknown ids."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import BREAST_CASE, Api

CASE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$")
#: The key names of a real payload (DEMO_002_BREAST), copied into the repo with their source.
REAL_KEYS = json.loads((Path(__file__).resolve().parents[1] / "reference" / "real_case_payload_keys.json").read_text())
PHI_KEYS = {"firstName", "lastName", "dateOfBirth", "mrn"}


def get_case(api: Api, case_id: str, **params: object):
    return api.get(f"/crs/api/v2/cases/{case_id}", params=params)


def test_get_case__fixture_case_fields_follow_real_payload(api: Api) -> None:
    response = get_case(api, BREAST_CASE)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    case = response.json()
    assert case["id"] == BREAST_CASE
    assert case["displayId"] == "FIXTURE_001_BREAST"
    assert case["status"] == "READY_FOR_INTERPRETATION"
    assert case["createdDate"] == "2024-11-05T12:26:06+0000"
    assert CASE_DATE.match(case["updatedDate"])
    sample = case["subjects"][0]["samples"][0]
    assert sample["tumorType"][0]["externalid"] == "254837009"
    assert sample["tmb"] == "188.19" and isinstance(sample["msi"], str)


def test_get_case__keys_match_real_payload_names(api: Api) -> None:
    """Every key we serve at case, subject and sample level exists in the real payload (plus status)."""
    case = get_case(api, BREAST_CASE).json()
    assert set(case) - {"status"} <= set(REAL_KEYS["case"])
    assert set(case["subjects"][0]) <= set(REAL_KEYS["subject"])
    assert set(case["subjects"][0]["samples"][0]) <= set(REAL_KEYS["sample"])
    assert set(case["subjects"][0]["samples"][0]["tumorType"][0]) == set(REAL_KEYS["tumorType"])
    assert list(case)[:4] == REAL_KEYS["case"][:4] == ["tags", "id", "displayId", "updatedDate"]  # payload order


def test_get_case__direct_identifiers_left_out_by_default(api: Api) -> None:
    subject = get_case(api, BREAST_CASE).json()["subjects"][0]
    assert not PHI_KEYS & set(subject)
    subject = get_case(api, BREAST_CASE, directIdentifiers="false").json()["subjects"][0]
    assert not PHI_KEYS & set(subject)


def test_get_case__direct_identifiers_when_true(api: Api) -> None:
    subject = get_case(api, BREAST_CASE, directIdentifiers="true").json()["subjects"][0]
    assert subject["firstName"] == "Ada" and subject["lastName"] == "Fixture"
    assert subject["dateOfBirth"] == "1968-04-12" and subject["mrn"] == "MRN00000001"


def test_get_case__qc_overview_only_when_asked(api: Api) -> None:
    assert "preferredQcMetrics" not in get_case(api, BREAST_CASE).json()
    qc = get_case(api, BREAST_CASE, includeQcOverviewMetrics="true").json()["preferredQcMetrics"]
    assert len(qc) == 1
    entry = qc[0]
    assert entry["caseDisplayId"] == "FIXTURE_001_BREAST"
    assert entry["workflowType"] == "DNA+RNA"
    assert entry["sampleIds"] == ["FIXTURE_001_BREAST_DNA", "FIXTURE_001_BREAST_RNA"]
    run = entry["qcMetrics"]["runQcMetrics"]["metrics"]
    assert run[0]["metric"] == "% Reads Passing Filter" and isinstance(run[0]["value"], str)
    sections = [s["sectionName"] for s in entry["qcMetrics"]["sampleQcMetrics"]["sections"]]
    assert "DNA Library QC Metrics" in sections and "RNA Library QC Metrics" in sections
    again = get_case(api, BREAST_CASE, includeQcOverviewMetrics="true").json()["preferredQcMetrics"]
    assert again == qc


def test_get_case__both_toggles_together(api: Api) -> None:
    case = get_case(api, BREAST_CASE, directIdentifiers="true", includeQcOverviewMetrics="true").json()
    assert "mrn" in case["subjects"][0] and case["preferredQcMetrics"]


def test_get_case__accept_language_is_accepted(api: Api) -> None:
    response = api.get(f"/crs/api/v2/cases/{BREAST_CASE}", headers={"Accept-Language": "fr-FR"})
    assert response.status_code == 200


def test_get_case__unknown_id_is_404_in_error_format(api: Api) -> None:
    response = get_case(api, "00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "NOT_FOUND" and "00000000-0000-4000-8000-000000000000" in body["message"]
    assert body["details"] == []


def test_get_case__bad_boolean_is_400(api: Api) -> None:
    response = get_case(api, BREAST_CASE, directIdentifiers="maybe")
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "directIdentifiers"


def test_get_case__every_seeded_case_is_served(api: Api) -> None:
    for summary in api.all_cases():
        response = get_case(api, summary["id"], includeQcOverviewMetrics="true", directIdentifiers="true")
        assert response.status_code == 200
        assert response.json()["id"] == summary["id"]

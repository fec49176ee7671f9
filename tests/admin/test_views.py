"""The control plane's reads for watching the mock (what the dashboard polls): the overview,
one workgroup, one case, case search, uploads and the audit log's tail. None is journaled, and
none counts as a read under a polls plan."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import THYROID_CASE, WG, Api

from mockserver.domain.statuses import UI_LABELS

MTC = {"externalid": "254837009", "ontologytype": "SNOMEDCT"}
BAD_ROWS = "Sample_ID,Tumor_Type,Case_ID,Sample_Type,Sex\n" + "".join(f"S{i}_DNA,999,ROW-{i},DNA,Male\n" for i in range(8))


def test_overview__version_seed_clock_counts_per_status_and_newest_requests(frozen_api: Api) -> None:
    api = frozen_api
    api.get("/crs/api/v1/session/workgroups")
    api.get("/cfg/api/v1/disease-config", headers={"X-Mock-Delay-Ms": "5"})
    body = api.admin("GET", "/overview", params={"requests": 1})
    assert body["seed"] == 42 and body["version"] == api.admin("GET", "/health")["version"]
    assert body["clock"] == {"mode": "frozen", "now": "2026-06-01T12:00:00Z", "offsetSeconds": 0.0}
    assert body["statusLabels"] == {s.value: label for s, label in UI_LABELS.items()}
    [wg] = body["workgroups"]
    recount = Counter(c["status"] for c in api.all_cases())
    assert wg["statusCounts"] == {s.value: recount[s.value] for s in UI_LABELS}  # all seven, zero included
    assert wg["id"] == WG and wg["cases"] == sum(recount.values())
    [newest] = body["requests"]
    assert newest["operation"] == "getDiseaseConfig" and newest["delayMs"] == 5.0
    assert api.admin("GET", "/requests")[0]["delayMs"] == 0.0


def test_overview__the_change_token_moves_with_every_change_and_only_then(frozen_api: Api) -> None:
    api = frozen_api
    token = api.admin("GET", "/overview")["workgroups"][0]["changes"]
    api.search()
    api.case(THYROID_CASE)
    assert api.admin("GET", "/overview")["workgroups"][0]["changes"] == token  # reads change nothing
    api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    after = api.admin("GET", "/overview")["workgroups"][0]
    assert after["changes"] != token and after["statusCounts"]["PROCESSING"] >= 1


def test_overview__settles_due_steps_and_counts_the_result(frozen_api: Api) -> None:
    api = frozen_api
    api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    before = api.admin("GET", "/overview")["workgroups"][0]["statusCounts"]
    api.advance_clock(60)
    after = api.admin("GET", "/overview")["workgroups"][0]["statusCounts"]
    assert after["PROCESSING"] == before["PROCESSING"] - 1
    assert after["READY_FOR_INTERPRETATION"] == before["READY_FOR_INTERPRETATION"] + 1


def test_reads_are_not_journaled_and_do_not_count_as_polls(frozen_api: Api) -> None:
    api = frozen_api
    api.admin("PUT", "/lifecycle", {"processing": {"mode": "polls", "count": 1}})
    api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    assert api.admin("GET", f"/cases/{THYROID_CASE}/lifecycle")["pending"]["kind"] == "processing"
    api.admin("DELETE", "/requests", expect=204)
    for _ in range(3):
        api.admin("GET", "/overview")
        assert api.admin("GET", f"/cases/{THYROID_CASE}")["status"] == "PROCESSING"
        api.admin("GET", f"/workgroups/{WG}/cases", params={"id": THYROID_CASE})
        api.admin("GET", "/audit", params={"case": THYROID_CASE})
        api.admin("GET", "/uploads")
    assert api.admin("GET", "/requests") == []
    assert [api.case(THYROID_CASE)["status"] for _ in range(2)] == ["PROCESSING", "READY_FOR_INTERPRETATION"]


def test_workgroup__counts_and_diseases(api: Api) -> None:
    body = api.admin("GET", f"/workgroups/{WG}")
    assert sum(body["statusCounts"].values()) == body["cases"]
    config = api.get("/cfg/api/v1/disease-config").json()
    assert len(body["diseases"]) > 10 and {"externalid": "254837009", "name": "Malignant tumor of breast"} in body["diseases"]
    assert config  # the same workgroup's disease configuration, through the vendor
    assert api.admin("GET", "/workgroups/nope", expect=404)["message"]


def test_search__the_vendors_parameters_and_page(api: Api) -> None:
    params = {"status": ["PROCESSING", "HAS_ISSUE"], "pageSize": 3, "pageNumber": 1, "orderBy": "ASC"}
    ours = api.admin("GET", f"/workgroups/{WG}/cases", params=params)
    vendor = api.search(**params)
    assert [c["id"] for c in ours["content"]] == [c["id"] for c in vendor["content"]]
    assert {k: v for k, v in ours.items() if k != "content"} == {k: v for k, v in vendor.items() if k != "content"}
    refused = api.admin("GET", f"/workgroups/{WG}/cases", params={"pageSize": 0}, expect=400)
    assert refused["details"][0]["field"] == "pageSize"


def test_case__with_direct_identifiers_found_anywhere_or_404(api: Api) -> None:
    case = api.admin("GET", f"/cases/{THYROID_CASE}")
    assert case["id"] == THYROID_CASE and "firstName" in case["subjects"][0]
    assert api.admin("GET", f"/cases/{THYROID_CASE}", params={"workgroup": "nope"}, expect=404)
    assert "was not found" in api.admin("GET", "/cases/nope", expect=404)["message"]


def test_uploads__newest_first_with_counts_and_the_first_errors_only(frozen_api: Api) -> None:
    api = frozen_api
    first = api.upload("Sample_ID,Tumor_Type,Case_ID,Sample_Type,Sex\nA_DNA,363358000,ROW-A,DNA,Male\n", "one.csv")
    second = api.upload(BAD_ROWS, "bad.csv")
    api.admin("POST", f"/uploads/{second}/advance")
    listed = api.admin("GET", "/uploads")
    assert [u["id"] for u in listed] == [second, first]
    assert listed[0]["status"] == "FAILED" and listed[0]["failedRows"] == 8 and len(listed[0]["errors"]) == 5
    assert "casesCreated" not in listed[0]
    assert [u["id"] for u in api.admin("GET", "/uploads", params={"limit": 1})] == [second]


def test_audit_tail__newest_first_of_a_workgroup_or_a_case(frozen_api: Api) -> None:
    api = frozen_api
    api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=MTC)
    [newest] = api.admin("GET", "/audit", params={"limit": 1})
    vendor = api.get("/als/api/v1/auditlogs/search", params={"pageSize": 1}).json()["content"]
    assert [newest] == vendor
    display_id = api.case(THYROID_CASE)["displayId"]
    for name in (THYROID_CASE, display_id):
        entries = api.admin("GET", "/audit", params={"case": name, "limit": 100})
        assert entries and {e["caseId"] for e in entries} == {THYROID_CASE}


@pytest.mark.parametrize("path, params, field", [
    ("/overview", {"requests": 101}, "requests"),
    ("/overview", {"other": 1}, "other"),
    ("/uploads", {"limit": 0}, "limit"),
    ("/audit", {"limit": "many"}, "limit"),
    ("/audit", {"case": ""}, "case"),
])
def test_bad_parameters_are_400_naming_the_field(api: Api, path: str, params: dict, field: str) -> None:
    assert api.admin("GET", path, params=params, expect=400)["details"][0]["field"] == field


def test_overview__lists_the_default_then_the_newest_and_the_one_asked_for(fresh_api: Api) -> None:
    api = fresh_api
    made = [api.admin("POST", "/workgroups", {"name": f"wg-{n}"}, expect=201)["id"] for n in range(4)]
    body = api.admin("GET", "/overview", params={"workgroups": 3})
    assert body["workgroupCount"] == 5
    assert [w["id"] for w in body["workgroups"]] == [WG, made[3], made[2]]
    asked = api.admin("GET", "/overview", params={"workgroups": 0, "workgroup": made[0]})
    assert [w["id"] for w in asked["workgroups"]] == [made[0]]
    assert len(api.admin("GET", "/overview")["workgroups"]) == 5

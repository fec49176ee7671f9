"""Credentials, workgroup isolation, and the one error format for every failure."""

from __future__ import annotations

import pytest
import requests
from conftest import BREAST_CASE, WG, Api, start_server

CASE_PATH = f"/crs/api/v2/cases/{BREAST_CASE}"


def raw(api: Api, method: str, path: str, headers: dict[str, str], **kwargs: object) -> requests.Response:
    return requests.request(method, api.url + path, headers=headers, timeout=30, **kwargs)


def good_headers(**changes: str | None) -> dict[str, str]:
    headers = {"Authorization": "ApiKey k1", "X-ILMN-Domain": "d", "X-ILMN-Workgroup": WG}
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return headers


@pytest.mark.parametrize("authorization", ["ApiKey k1", "apikey k1", "APIKey k1", "APIKEY   k1", "raw-ps-token"])
def test_auth__accepted_forms(api: Api, authorization: str) -> None:
    response = raw(api, "GET", CASE_PATH, good_headers(Authorization=authorization))
    assert response.status_code == 200


@pytest.mark.parametrize("changes", [
    {"Authorization": None},
    {"Authorization": ""},
    {"Authorization": "Bearer k1"},
    {"Authorization": "ApiKey"},
    {"Authorization": "ApiKey a b"},
    {"X_ILMN_Domain": None},
    {"X_ILMN_Domain": ""},
    {"X_ILMN_Workgroup": None},
])
def test_auth__missing_or_malformed_is_401(api: Api, changes: dict) -> None:
    response = raw(api, "GET", CASE_PATH, good_headers(**changes))
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "UNAUTHORIZED" and body["message"] and body["details"] == []


def test_auth__unknown_workgroup_is_403(api: Api) -> None:
    response = raw(api, "GET", CASE_PATH, good_headers(X_ILMN_Workgroup="no-such-workgroup"))
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"


def test_auth__every_vendor_operation_checks_credentials(api: Api) -> None:
    calls = [
        ("GET", CASE_PATH), ("PUT", f"/crs/api/v1/cases/{BREAST_CASE}/diseases"),
        ("DELETE", f"/crs/api/v1/cases/{BREAST_CASE}"), ("GET", "/crs/api/v1/cases/search"),
        ("POST", "/crs/api/v2/custom-case-data/files"), ("GET", "/crs/api/v1/custom-case-data/x/status"),
        ("GET", "/crs/api/v1/session/workgroups"), ("GET", "/cfg/api/v1/disease-config"),
    ]
    for method, path in calls:
        response = raw(api, method, path, good_headers(Authorization=None))
        assert response.status_code == 401, (method, path)
    assert api.get(CASE_PATH).status_code == 200  # the DELETE above was refused


def test_auth__configured_keys_restrict_access() -> None:
    server = start_server(api_keys=("good", "limited=other-workgroup"))
    try:
        assert Api(server, key="good").get(CASE_PATH).status_code == 200
        assert Api(server, key="bad").get(CASE_PATH).status_code == 401
        assert Api(server, key="limited").get(CASE_PATH).status_code == 403
        roles = Api(server, key="limited").get("/crs/api/v1/session/workgroups").json()["workgroupRoles"]
        assert roles == []
        roles = Api(server, key="good").get("/crs/api/v1/session/workgroups").json()["workgroupRoles"]
        assert [r["orgid"] for r in roles] == [WG]
    finally:
        server.stop()


def test_workgroups__listed_without_workgroup_header(api: Api) -> None:
    response = raw(api, "GET", "/crs/api/v1/session/workgroups", good_headers(X_ILMN_Workgroup=None))
    assert response.status_code == 200
    roles = response.json()["workgroupRoles"]
    assert roles[0]["orgid"] == WG and roles[0]["orgName"] == "ICI Mock Workgroup"
    assert roles[0]["domain"] == "d" and roles[0]["roles"]


def test_workgroup_isolation__one_workgroup_never_sees_another() -> None:
    from mockserver.datagen.world import build_workgroup

    server = start_server()
    try:
        other = build_workgroup("7d0e1f2a-3b4c-3d5e-8f6a-7b8c9d0e1f2a", "Other lab", seed=5, cases=30)
        server.app.extensions["mockserver"]._workgroups[other.id] = other
        mine, theirs = Api(server), Api(server, workgroup=other.id)
        my_ids = {c["id"] for c in mine.all_cases()}
        their_ids = {c["id"] for c in theirs.all_cases()}
        assert len(their_ids) == 30 and not my_ids & their_ids
        assert theirs.get(CASE_PATH).status_code == 404
        assert theirs.delete(f"/crs/api/v1/cases/{BREAST_CASE}").status_code == 404
        assert mine.get(CASE_PATH).status_code == 200
        names = {r["orgName"] for r in mine.get("/crs/api/v1/session/workgroups").json()["workgroupRoles"]}
        assert names == {"ICI Mock Workgroup", "Other lab"}
    finally:
        server.stop()


def test_errors__unknown_route_is_404_in_error_format(api: Api) -> None:
    response = api.get("/crs/api/v9/nothing-here")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "details"}


def test_errors__wrong_method_is_405_with_allow(api: Api) -> None:
    response = api.post(CASE_PATH)
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in response.headers["Allow"]


def test_disease_config__catalogue_shape(api: Api) -> None:
    response = api.get("/cfg/api/v1/disease-config")
    assert response.status_code == 200
    items = response.json()
    assert isinstance(items, list) and len(items) >= 20
    terms = {t["externalId"]: t for item in items for t in item["associatedDiseasesTerms"]}
    assert "255032005" in terms and "254837009" in terms
    assert "Medullary thyroid carcinoma" in terms["255032005"]["synonym"]
    assert all(isinstance(t["synonym"], list) and t["synonym"] for t in terms.values())


def test_disease_config__covers_every_generated_disease(api: Api) -> None:
    configured = {t["externalId"] for i in api.get("/cfg/api/v1/disease-config").json() for t in i["associatedDiseasesTerms"]}
    used = {t["externalid"] for c in api.all_cases() for s in c["subjects"] for sm in s["samples"] for t in sm["tumorType"]}
    assert used and used <= configured


@pytest.mark.parametrize("method, path", [("GET", CASE_PATH), ("DELETE", "/crs/api/v1/cases/no-such-case"),
                                          ("GET", "/crs/api/v1/session/workgroups")])
def test_a_request_resolves_its_credentials_once(api: Api, monkeypatch: pytest.MonkeyPatch, method: str,
                                                 path: str) -> None:
    """The hooks check them before any delay, the route uses them, the journal and caller read
    them: one parse of the key and one look-up of the workgroup in all."""
    from mockserver.http import credentials

    calls: list[str] = []
    for name in ("_read_key", "_read_workgroup"):
        original = getattr(credentials, name)
        monkeypatch.setattr(credentials, name,
                            lambda *args, original=original, name=name: calls.append(name) or original(*args))
    api.request(method, path)
    assert calls.count("_read_key") == 1 and calls.count("_read_workgroup") <= 1


def test_get_case_looks_its_case_up_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.domain.case_table import CaseTable

    calls: list[str] = []
    original = CaseTable.get
    monkeypatch.setattr(CaseTable, "get", lambda table, case_id: calls.append(case_id) or original(table, case_id))
    assert api.get(CASE_PATH).status_code == 200
    assert calls == [BREAST_CASE]

"""What a new user runs into in the first hour: each mistake gets an answer that says what to do."""

from __future__ import annotations

import requests
from conftest import BREAST_CASE, THYROID_CASE, WG, Api, start_server

CASE_PATH = f"/crs/api/v2/cases/{BREAST_CASE}"


def test_a_body_that_is_not_json_says_so(fresh_api: Api) -> None:
    response = fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", data="externalid=255032005",
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "BAD_REQUEST"
    assert body["message"].startswith("The request body is not valid JSON (")
    assert "browser (or proxy)" not in body["message"]
    assert fresh_api.get(f"/crs/api/v2/cases/{THYROID_CASE}").json()["status"] == "MISSING_REQUIRED_DATA"


def test_control_plane_body_that_is_not_json_says_so(api: Api) -> None:
    response = requests.put(api.url + "/_mock/clock", data="{mode: frozen}",
                            headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
    assert response.json()["message"].startswith("The request body is not valid JSON (")


def test_get_case_under_v1_names_the_v2_route(api: Api) -> None:
    response = api.get(f"/crs/api/v1/cases/{BREAST_CASE}")
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE"
    message = response.json()["message"]
    assert message == (f"GET is not allowed on /crs/api/v1/cases/{BREAST_CASE}; allowed: DELETE. "
                       "GET is served at /crs/api/v2/cases/{caseId}.")


def test_delete_under_v2_names_the_v1_route(api: Api) -> None:
    response = api.delete(CASE_PATH)
    assert response.status_code == 405
    assert response.json()["message"].endswith("DELETE is served at /crs/api/v1/cases/{caseId}.")


def test_a_405_without_a_twin_route_names_only_the_allowed_methods(api: Api) -> None:
    response = api.post("/crs/api/v1/cases/search")
    assert response.status_code == 405
    assert response.json()["message"] == "POST is not allowed on /crs/api/v1/cases/search; allowed: GET, HEAD."


def test_camel_case_disease_keys_name_the_key_meant(fresh_api: Api) -> None:
    body = {"externalId": "255032005", "ontologyType": "SNOMEDCT"}
    response = fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", json=body)
    assert response.status_code == 400
    details = {d["field"]: d["message"] for d in response.json()["details"]}
    assert details == {
        "externalid": "The body has 'externalId'; this API spells the key 'externalid' (all lower case).",
        "ontologytype": "The body has 'ontologyType'; this API spells the key 'ontologytype' (all lower case).",
    }
    assert fresh_api.get(f"/crs/api/v2/cases/{THYROID_CASE}").json()["status"] == "MISSING_REQUIRED_DATA"


def test_unknown_workgroup_says_it_does_not_exist_and_how_to_list_them(api: Api) -> None:
    headers = {"Authorization": "ApiKey k", "X-ILMN-Domain": "d", "X-ILMN-Workgroup": "my-lab"}
    response = requests.get(api.url + CASE_PATH, headers=headers, timeout=10)
    assert response.status_code == 403
    assert response.json()["message"] == ("Workgroup 'my-lab' does not exist; GET /crs/api/v1/session/workgroups "
                                          "lists the workgroups this API key may use.")


def test_key_without_access_to_an_existing_workgroup_is_told_so() -> None:
    server = start_server(api_keys=("limited=other",))
    try:
        response = Api(server, key="limited").get(CASE_PATH)
        assert response.status_code == 403
        assert response.json()["message"] == (f"This API key may not use workgroup '{WG}'; "
                                              "GET /crs/api/v1/session/workgroups lists the workgroups it may use.")
    finally:
        server.stop()


def test_the_root_points_to_the_dashboard_the_api_page_and_the_document(api: Api) -> None:
    response = requests.get(api.url + "/", timeout=10)
    assert response.status_code == 200
    index = response.json()
    assert index["dashboard"] == "/_mock/ui"
    assert index["apiPage"] == "/api-docs" and index["openapi"] == "/openapi.json"
    assert requests.get(api.url + index["openapi"], timeout=10).status_code == 200
    assert requests.get(api.url + index["apiPage"] + "/", timeout=10).status_code == 200
    page = requests.get(api.url + index["dashboard"], timeout=10)
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_pages_without_data_stay_open_under_an_admin_token() -> None:
    server = start_server(admin_token="s3cret")
    try:
        for path in ("/", "/openapi.json", "/api-docs/", "/_mock/ui", "/_mock/ui/assets/dashboard.js",
                     "/_mock/ui/assets/dashboard.css"):
            assert requests.get(server.url + path, timeout=10).status_code == 200, path
        for path in ("/_mock/clock", "/_mock/overview", "/_mock/uix"):
            assert requests.get(server.url + path, timeout=10).status_code == 401, path
        assert requests.get(server.url + "/_mock/ui/assets/other.js", timeout=10).status_code == 404
    finally:
        server.stop()

"""A wrong turn is answered with the way: a path no route serves names the nearest served
route and its method, a JSON body sent as a form says which header to send, a refused key says
that this server accepts only its configured keys, and ``GET /`` lists what is served."""

from __future__ import annotations

import pytest
import requests
from conftest import BREAST_CASE, THYROID_CASE, Api, start_server

NEAREST = "The nearest served route is"
INDEX_HINT = " GET / lists the served APIs and pages."


@pytest.mark.parametrize(("method", "path", "nearest"), [
    ("GET", f"/crs/api/v3/cases/{BREAST_CASE}", "GET /crs/api/v2/cases/{caseId} (getCase)"),
    ("POST", "/crs/api/v1/custom-case-data/files", "POST /crs/api/v2/custom-case-data/files (uploadCustomCaseData)"),
    ("GET", "/crs/api/v1/case/search", "GET /crs/api/v1/cases/search (searchCases)"),
    ("PUT", f"/crs/api/v2/cases/{THYROID_CASE}/diseases", "PUT /crs/api/v1/cases/{caseId}/diseases (updateCaseDiseases)"),
    ("GET", "/cfg/api/v2/disease-config", "GET /cfg/api/v1/disease-config (getDiseaseConfig)"),
    ("GET", "/als/api/v1/auditlog/search", "GET /als/api/v1/auditlogs/search (searchAuditLogs)"),
    ("GET", f"/drs/v2/draftreport/case/{BREAST_CASE}/reportjson",
     "GET /drs/v1/draftreport/case/{caseId}/reportjson (getDraftReportJson)"),
    ("GET", "/_mock/clocks", "GET /_mock/clock (mockGetClock)"),
])
def test_a_path_no_route_serves_names_the_nearest_route(api: Api, method: str, path: str, nearest: str) -> None:
    response = api.request(method, path)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "NOT_FOUND"
    assert body["message"] == f"No route serves {method} {path}. {NEAREST} {nearest}.{INDEX_HINT}"


@pytest.mark.parametrize("path", ["/crs/nothing", "/favicon.ico", "/crs" + "/x" * 3000])
def test_a_path_near_no_route_points_to_the_index(api: Api, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    message = response.json()["message"]
    assert NEAREST not in message and message.endswith(INDEX_HINT)
    assert len(message) < 400  # a long path is echoed cut short


def test_the_search_path_under_v2_names_the_search_route(fresh_api: Api) -> None:
    """GET case takes "search" for a case id; a case may have that id, so the 404 names the search."""
    response = fresh_api.get("/crs/api/v2/cases/search", params={"displayId": "x"})
    assert response.status_code == 404
    assert response.json()["message"].endswith(" Did you mean GET /crs/api/v1/cases/search (searchCases)?")
    missing = fresh_api.get("/crs/api/v2/cases/no-such-case").json()["message"]
    assert "Did you mean" not in missing
    fresh_api.admin("POST", "/cases", {"id": "search", "displayId": "CALLED-SEARCH"}, expect=201)
    assert fresh_api.case("search")["displayId"] == "CALLED-SEARCH"


def test_a_json_body_sent_as_a_form_says_which_header_to_send(fresh_api: Api) -> None:
    """``curl -d`` sends application/x-www-form-urlencoded."""
    body = '{"externalid": "255032005", "ontologytype": "SNOMEDCT"}'
    response = fresh_api.put(f"/crs/api/v1/cases/{THYROID_CASE}/diseases", data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.json() == {"code": "UNSUPPORTED_MEDIA_TYPE", "details": [], "message": (
        "This endpoint takes a JSON body, sent with Content-Type: application/json (this request's Content-Type: "
        "application/x-www-form-urlencoded). With curl, add -H 'Content-Type: application/json' to -d, or use --json.")}
    assert fresh_api.case(THYROID_CASE)["status"] == "MISSING_REQUIRED_DATA"
    control = requests.put(fresh_api.url + "/_mock/clock", data='{"mode": "frozen"}', timeout=10)
    assert control.status_code == 415 and "Content-Type: none" in control.json()["message"]


def test_a_key_refused_under_configured_keys_says_only_those_are_accepted() -> None:
    server = start_server(api_keys=("right",))
    try:
        response = Api(server, key="wrong").get(f"/crs/api/v2/cases/{BREAST_CASE}")
        assert response.status_code == 401
        assert response.json()["message"] == ("The API key is not valid: this server accepts only the keys it was "
                                              "started with (--api-key or MOCKSERVER_API_KEYS).")
        assert Api(server, key="right").get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 200
    finally:
        server.stop()


def test_the_index_lists_every_served_prefix_and_the_control_pages(api: Api) -> None:
    index = requests.get(api.url + "/", timeout=10).json()
    assert index["service"] == "ICI mock server (Illumina Connected Insights Case, Report and Audit Log APIs)"
    assert index["vendorApi"] == ["/als/api/v1/...", "/cfg/api/v1/...", "/crs/api/v1/...", "/crs/api/v2/...", "/drs/v1/..."]
    assert index["controlPlane"] == "/_mock/..."
    assert {"/_mock/health", "/_mock/requests", "/_mock/clock", "/_mock/state"} <= set(index["controlPlanePages"])
    for page in index["controlPlanePages"]:
        assert requests.get(api.url + page, timeout=10).status_code == 200, page


def test_the_api_page_names_the_apis_it_serves(api: Api) -> None:
    info = requests.get(api.url + "/openapi.json", timeout=10).json()["info"]
    assert info["title"] == "Illumina Connected Insights Case, Report and Audit Log APIs (mock)"
    assert "Case, Report and Audit Log APIs" in info["description"]

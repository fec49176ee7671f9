"""The served OpenAPI document: valid, complete, exact, and enforced by --validate-responses."""

from __future__ import annotations

import pytest
import requests
from conftest import BREAST_CASE, Api
from openapi_spec_validator import validate

from mockserver import create_app
from mockserver.apidoc import openapi_path

#: Pages a person opens, not API operations: the API page, its document and the dashboard.
DOC_ROUTES = ("/openapi.json", "/api-docs", "/_mock/ui")


@pytest.fixture(scope="module")
def document() -> dict:
    return create_app(cases=0).test_client().get("/openapi.json").get_json()


def test_document_is_valid_openapi(api: Api) -> None:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    validate(doc)
    assert doc["openapi"].startswith("3.")


def test_every_served_route_is_documented_and_nothing_else(document: dict) -> None:
    app = create_app(cases=0)
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule == "/" or rule.rule.startswith(DOC_ROUTES):
            continue
        path = openapi_path(rule.rule)
        served |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert served == documented


def test_vendor_operations_carry_the_control_plane_names(document: dict) -> None:
    vendor = {op["operationId"] for ops in document["paths"].values() for op in ops.values() if "Mock control plane" not in op["tags"]}
    control = {op["operationId"] for ops in document["paths"].values() for op in ops.values() if "Mock control plane" in op["tags"]}
    assert vendor == {  # the vendor operation names other tools rely on
        "getCase", "searchCases", "updateCaseDiseases", "deleteCase",
        "uploadCustomCaseData", "getCustomCaseDataStatus", "listWorkgroups", "getDiseaseConfig",
        "searchAuditLogs", "getDraftReportJson", "getDraftReportPdf",
    }
    assert control and all(name.startswith("mock") for name in control)


def test_parameters_formats_defaults_and_security(document: dict) -> None:
    search = document["paths"]["/crs/api/v1/cases/search"]["get"]
    params = {p["name"]: p for p in search["parameters"] if "name" in p}
    assert params["pageSize"]["schema"]["default"] == 20
    assert params["pageSize"]["schema"]["maximum"] == 2000
    assert params["isExactMatch"]["schema"] == {"type": "boolean", "default": False}
    assert params["creationDateBefore"]["schema"]["pattern"].endswith("Z$")
    assert params["tags"]["schema"]["type"] == "array"
    assert params["orderBy"]["schema"]["enum"] == ["ASC", "DESC"]
    refs = [p.get("$ref") for p in search["parameters"]]
    assert "#/components/parameters/X-ILMN-Domain" in refs and "#/components/parameters/X-ILMN-Workgroup" in refs
    assert search["security"] == [{"ApiKey": []}]
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "ApiKey <key> (the scheme is matched case-insensitively; a raw psToken is accepted too)"}
    page = document["components"]["schemas"]["CasePage"]
    assert {"content", "pageable", "totalElements", "totalPages", "number", "size", "numberOfElements",
            "first", "last", "sort", "empty"} == set(page["properties"])
    error = search["responses"]["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    get_case = document["paths"]["/crs/api/v2/cases/{caseId}"]["get"]
    names = {p["name"] for p in get_case["parameters"] if "name" in p}
    assert names >= {"caseId", "directIdentifiers", "includeQcOverviewMetrics", "Accept-Language"}


def test_validate_responses_names_the_field_that_breaks_the_document() -> None:
    from mockserver.serving.runner import ServerThread

    app = create_app(validate_responses=True)
    app.extensions["mockserver"].qc_overview = lambda case: [{"sampleIds": "not a list"}]
    server = ServerThread(app).start()
    try:
        response = Api(server).get(f"/crs/api/v2/cases/{BREAST_CASE}", params={"includeQcOverviewMetrics": "true"})
        assert response.status_code == 500
        body = response.json()
        assert body["code"] == "INTERNAL_SERVER_ERROR" and "preferredQcMetrics[0]" in body["message"]
        assert body["details"][0]["field"].startswith("preferredQcMetrics[0]")
        assert Api(server).get(f"/crs/api/v2/cases/{BREAST_CASE}").status_code == 200
    finally:
        server.stop()


def test_api_page_is_served_with_its_assets(api: Api) -> None:
    page = requests.get(api.url + "/api-docs/", timeout=10)
    assert page.status_code == 200 and "swagger-ui" in page.text and "/openapi.json" in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert requests.get(f"{api.url}/api-docs/{asset}", timeout=10).status_code == 200


LEAP_DAYS = ["2024-02-29", "2000-02-29", "2400-02-29", "1996-02-29", "8796-02-29"]
NOT_DATES = ["2023-02-29", "1900-02-29", "2100-02-29", "2023-02-30", "2023-04-31", "2023-13-01", "0000-01-01"]
#: Real days outside the range of instants the mock keeps (1000-01-01 to 9000-01-01, UTC).
OUT_OF_RANGE = ["0400-02-29", "0999-12-31", "9000-01-02", "9999-12-31"]


@pytest.mark.parametrize("day", LEAP_DAYS + NOT_DATES + OUT_OF_RANGE + ["2023-02-28", "2023-12-31", "1000-01-01", "9000-01-01"])
def test_date_pattern_and_server_agree_on_every_day(api: Api, document: dict, day: str) -> None:
    import re

    search = document["paths"]["/crs/api/v1/cases/search"]["get"]
    pattern = next(p for p in search["parameters"] if p.get("name") == "creationDateBefore")["schema"]["pattern"]
    value = f"{day}T00:00:00Z"
    documented = re.search(pattern, value) is not None
    status = api.get("/crs/api/v1/cases/search", params={"creationDateBefore": value}).status_code
    assert documented == (day not in NOT_DATES + OUT_OF_RANGE)
    assert status == (200 if documented else 400)


def test_search_parameters_prefill_nothing_that_filters(document: dict) -> None:
    search = document["paths"]["/crs/api/v1/cases/search"]["get"]
    params = {p["name"]: p for p in search["parameters"] if "name" in p}
    for name in ("creationDateBefore", "creationDateAfter", "displayId", "tags"):
        assert "example" not in params[name]["schema"] and "example" not in params[name]
    assert params["status"]["schema"]["items"]["enum"] == [
        "AWAITING_MOLECULAR_DATA", "MISSING_REQUIRED_DATA", "READY_FOR_PROCESSING", "PROCESSING", "HAS_ISSUE",
        "READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF"]
    workgroup = document["components"]["parameters"]["X-ILMN-Workgroup"]
    assert workgroup["example"] == "3c5e1b9a-7f42-3d1e-8a6b-2f0c4d9e7a11"

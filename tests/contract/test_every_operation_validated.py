"""Every vendor operation, called once for its success and once for an error, against a server
that checks each of its responses against its own OpenAPI document (``validate_responses``): a
response that breaks the document comes back as a 500 naming the field.

The contract is proved here, once per operation; the other test servers leave the check off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from conftest import BREAST_CASE, Api, start_server

from mockserver import fidelity

CSV = b"Sample_ID,Case_ID,Tumor_Type\nS-1,VALIDATED-1,254837009\n"


@pytest.fixture(scope="module")
def validating_api() -> Iterator[Api]:
    server = start_server(cases=30, validate_responses=True)
    client = Api(server)
    yield client
    client.close()
    server.stop()


def _first(api: Api, status: str) -> str:
    return api.search(status=status, pageSize=1)["content"][0]["id"]


def _subject_report(api: Api, case_id: str) -> str:
    return api.case(case_id)["subjects"][0]["reports"][0]["subjectReportId"]


def _upload(api: Api) -> str:
    response = api.post("/crs/api/v2/custom-case-data/files", files=[("files", ("cases.csv", CSV, "text/csv"))])
    assert response.status_code == 200, response.text
    return response.json()[0]["id"]


#: operationId: (a call that succeeds, a call refused with a 4xx), each returning the response.
CALLS: dict[str, tuple[Callable[[Api], object], Callable[[Api], object]]] = {
    "getCase": (lambda api: api.get(f"/crs/api/v2/cases/{BREAST_CASE}"),
                lambda api: api.get("/crs/api/v2/cases/no-such-case")),
    "searchCases": (lambda api: api.get("/crs/api/v1/cases/search", params={"pageSize": 30}),
                    lambda api: api.get("/crs/api/v1/cases/search", params={"pageSize": -1})),
    "updateCaseDiseases": (
        lambda api: api.put(f"/crs/api/v1/cases/{_first(api, 'AWAITING_MOLECULAR_DATA')}/diseases",
                            json={"externalid": "255032005", "ontologytype": "SNOMEDCT"}),
        lambda api: api.put(f"/crs/api/v1/cases/{BREAST_CASE}/diseases", json={"externalid": "255032005"})),
    "deleteCase": (lambda api: api.delete(f"/crs/api/v1/cases/{_first(api, 'HAS_ISSUE')}"),
                   lambda api: api.delete("/crs/api/v1/cases/no-such-case")),
    "uploadCustomCaseData": (
        lambda api: api.post("/crs/api/v2/custom-case-data/files", files=[("files", ("cases.csv", CSV, "text/csv"))]),
        lambda api: api.post("/crs/api/v2/custom-case-data/files", files=[("files", ("cases.txt", CSV, "text/plain"))])),
    "getCustomCaseDataStatus": (lambda api: api.get(f"/crs/api/v1/custom-case-data/{_upload(api)}/status"),
                                lambda api: api.get("/crs/api/v1/custom-case-data/no-such-upload/status")),
    "listWorkgroups": (lambda api: api.get("/crs/api/v1/session/workgroups"),
                       lambda api: api.get("/crs/api/v1/session/workgroups", headers={"Authorization": ""})),
    "getDiseaseConfig": (lambda api: api.get("/cfg/api/v1/disease-config"),
                         lambda api: api.get("/cfg/api/v1/disease-config", headers={"X-ILMN-Workgroup": ""})),
    "searchAuditLogs": (lambda api: api.get("/als/api/v1/auditlogs/search", params={"pageSize": 50}),
                        lambda api: api.get("/als/api/v1/auditlogs/search", params={"pageSize": "many"})),
    "getDraftReportJson": (lambda api: api.get(f"/drs/v1/draftreport/case/{BREAST_CASE}/reportjson"),
                           lambda api: api.get(f"/drs/v1/draftreport/case/{_first(api, 'PROCESSING')}/reportjson")),
    "getDraftReportPdf": (
        lambda api: api.get(f"/drs/v1/draftreport/case/{BREAST_CASE}/reports/{_subject_report(api, BREAST_CASE)}/pdf"),
        lambda api: api.get(f"/drs/v1/draftreport/case/{BREAST_CASE}/reports/no-such-report/pdf")),
}


def test_the_table_names_every_vendor_operation(validating_api: Api) -> None:
    document = validating_api.get("/openapi.json").json()
    served = {op["operationId"] for path, ops in document["paths"].items() if not path.startswith("/_mock")
              for op in ops.values()}
    assert set(CALLS) == served == set(fidelity.OPERATIONS)


@pytest.mark.parametrize("operation", list(CALLS))
def test_every_vendor_operation_answers_as_documented(validating_api: Api, operation: str) -> None:
    succeeds, refused = CALLS[operation]
    ok = succeeds(validating_api)
    assert 200 <= ok.status_code < 300, ok.text  # a response breaking the document would be a 500
    error = refused(validating_api)
    assert 400 <= error.status_code < 500, error.text
    if error.headers.get("Content-Type", "").startswith("application/json"):
        assert {"code", "message"} <= set(error.json())

"""Property-based fuzzing (Hypothesis) of the two inputs with the largest space: the search
parameters and the metadata CSV body. The property: never a 5xx, never a stall (every call
answers within a request timeout far above its normal time). Derandomized, so CI repeats it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from conftest import Api, start_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEARCH = "/crs/api/v1/cases/search"
TIMEOUT = 10
FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)

#: Letters that make partial matches work hard: the wildcard, the letters of seeded ids.
_pattern_text = st.text(alphabet="%_aeiAB01-!", max_size=60) | st.text(max_size=40)
_search_values = {
    "displayId": _pattern_text, "id": _pattern_text, "externalSampleId": _pattern_text, "diseaseName": _pattern_text,
    "analysisId": st.text(max_size=30), "isExactMatch": st.sampled_from(["true", "false", "yes", "", "2"]),
    "status": st.sampled_from(["PROCESSING", "Ready for Interpretation", "HAS_ISSUE,PROCESSING", "nope", ""]),
    "creationDateBefore": st.sampled_from(["2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "x", "9999-12-31T23:59:59Z"]),
    "creationDateAfter": st.sampled_from(["2020-01-01T00:00:00Z", "2026-13-01T00:00:00Z", ""]),
    "pageNumber": st.integers(-5, 10**20).map(str) | st.text(max_size=5),
    "pageSize": st.integers(-5, 5000).map(str),
    "orderBy": st.sampled_from(["ASC", "desc", "sideways"]),
}


@pytest.fixture(scope="module")
def fuzz_api() -> Iterator[Api]:
    server = start_server(cases=300, clock={"mode": "frozen", "now": "2026-06-01T00:00:00Z"},
                          lifecycle={"ingestion": {"mode": "immediate"}})
    api = Api(server)
    api.admin("POST", "/cases", [{"displayId": "a" * 200}, {"displayId": "%_%" * 20}], expect=201)
    yield api
    api.close()
    server.stop()


@settings(FUZZ, max_examples=150)
@given(params=st.fixed_dictionaries({}, optional=_search_values),
       tags=st.lists(_pattern_text, max_size=4))
def test_search_parameters_never_5xx_never_stall(fuzz_api: Api, params: dict, tags: list) -> None:
    query = [*params.items(), *(("tags", t) for t in tags)]
    response = fuzz_api.get(SEARCH, params=query, timeout=TIMEOUT)
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 400), response.status_code
    body = response.json()
    assert set(body) >= ({"content", "totalElements"} if response.status_code == 200 else {"code", "message", "details"})


_cell = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["363358000", "DNA", "rna", "Female", "x;y;z", "Default Report", '"', ",", "\n", "\r\n", ""])
_header = st.lists(st.sampled_from(["Sample_ID", "Case_ID", "Tumor_Type", "Sample_Type", "Sex", "Tags",
                                    "Test_Definition", "Extra", "Sample_ID"]), min_size=1, max_size=7)


@st.composite
def csv_bodies(draw: st.DrawFn) -> bytes:
    """Mostly CSV with the right columns and odd cells; sometimes any bytes at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    header = draw(_header)
    rows = draw(st.lists(st.lists(_cell, min_size=0, max_size=len(header) + 1), max_size=12))
    quote = draw(st.booleans())

    def line(cells: list[str]) -> str:
        return ",".join('"' + c.replace('"', '""') + '"' if quote else c for c in cells)

    return ("\n".join([line(header), *(line(r) for r in rows)]) + "\n").encode()


@settings(FUZZ, max_examples=60)
@given(body=csv_bodies(), name=st.sampled_from(["m.csv", "M.CSV", "notes.txt", ".csv"]))
def test_csv_uploads_never_5xx_and_always_end(fuzz_api: Api, body: bytes, name: str) -> None:
    response = fuzz_api.post("/crs/api/v2/custom-case-data/files", files=[("files", (name, body, "text/csv"))],
                             timeout=TIMEOUT)
    assert response.status_code in (200, 400), response.text
    if response.status_code != 200:
        return
    upload_id = response.json()[0]["id"]
    status = requests.get(f"{fuzz_api.url}/crs/api/v1/custom-case-data/{upload_id}/status",
                          headers=fuzz_api.session.headers, timeout=TIMEOUT)
    assert status.status_code == 200, status.text
    body_json = status.json()
    assert body_json["status"] in ("COMPLETED", "PARTIALLY_COMPLETED", "FAILED")
    assert body_json["appliedRows"] + body_json["failedRows"] == body_json["totalRows"]

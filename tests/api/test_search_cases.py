"""GET /crs/api/v1/cases/search: every parameter alone and combined, paging, ordering, errors.

Expected results are computed from the full list the server returns (one page of 2000), so
each assertion compares a filtered search with an independent filter over the same data.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import BREAST_CASE, Api


def ids(cases: list[dict]) -> list[str]:
    return [c["id"] for c in cases]


def created(case: dict) -> datetime:
    return datetime.strptime(case["createdDate"], "%Y-%m-%dT%H:%M:%S%z")


def diseases(case: dict) -> set[str]:
    return {t["name"] for s in case["subjects"] for sm in s["samples"] for t in sm["tumorType"]}


@pytest.fixture
def everything(api: Api) -> list[dict]:
    cases = api.all_cases()
    assert len(cases) == 102  # 100 generated + 2 fixture cases
    return cases


class TestEnvelope:
    def test_search_cases__spring_page_envelope(self, api: Api) -> None:
        page = api.search(pageNumber=1, pageSize=10)
        assert set(page) == {
            "content", "pageable", "totalElements", "totalPages", "number", "size",
            "numberOfElements", "first", "last", "sort", "empty",
        }
        assert page["totalElements"] == 102 and page["totalPages"] == 11
        assert page["number"] == 1 and page["size"] == 10 and page["numberOfElements"] == 10
        assert page["first"] is False and page["last"] is False and page["empty"] is False
        assert page["pageable"] == {
            "sort": {"sorted": True, "unsorted": False, "empty": False},
            "offset": 10, "pageNumber": 1, "pageSize": 10, "paged": True, "unpaged": False,
        }

    def test_search_cases__default_page_size(self, api: Api) -> None:
        page = api.search()
        assert page["size"] == 20 == len(page["content"])
        assert page["number"] == 0 and page["first"] is True

    def test_search_cases__last_partial_page(self, api: Api) -> None:
        page = api.search(pageNumber=10, pageSize=10)
        assert page["numberOfElements"] == 2 and page["last"] is True and page["first"] is False

    def test_search_cases__page_past_the_end_is_empty(self, api: Api) -> None:
        page = api.search(pageNumber=50, pageSize=10)
        assert page["content"] == [] and page["empty"] is True and page["totalElements"] == 102
        assert page["numberOfElements"] == 0

    def test_search_cases__single_page_is_first_and_last(self, api: Api) -> None:
        page = api.search(pageSize=1000)
        assert page["first"] is True and page["last"] is True and page["totalPages"] == 1
        assert len(page["content"]) == 102

    def test_search_cases__no_match_is_an_empty_page(self, api: Api) -> None:
        page = api.search(displayId="no-such-case-anywhere")
        assert page["totalElements"] == 0 and page["totalPages"] == 0
        assert page["empty"] is True and page["first"] is True and page["last"] is True

    def test_search_cases__pages_cover_everything_once(self, api: Api, everything: list[dict]) -> None:
        seen: list[str] = []
        for number in range(11):
            seen += ids(api.search(pageNumber=number, pageSize=10)["content"])
        assert seen == ids(everything)

    def test_search_cases__client_loop_with_page_size_1000(self, api: Api) -> None:
        """The loop real clients run: pageSize=1000 until pages * size >= totalElements."""
        seen, number = [], 0
        while True:
            page = api.search(pageNumber=number, pageSize=1000)
            seen += ids(page["content"])
            number += 1
            if number * 1000 >= page["totalElements"]:
                break
        assert len(seen) == len(set(seen)) == 102

    def test_search_cases__content_is_the_case_without_phi(self, api: Api) -> None:
        content = api.search(id=BREAST_CASE)["content"]
        direct = api.get(f"/crs/api/v2/cases/{BREAST_CASE}").json()
        assert content == [direct]


class TestOrdering:
    def test_search_cases__default_newest_first(self, everything: list[dict]) -> None:
        dates = [created(c) for c in everything]
        assert dates == sorted(dates, reverse=True)

    def test_search_cases__order_asc_and_desc(self, api: Api, everything: list[dict]) -> None:
        ascending = api.all_cases(orderBy="ASC")
        assert ids(ascending) == ids(everything)[::-1]
        assert ids(api.all_cases(orderBy="desc")) == ids(everything)

    def test_search_cases__bad_order_is_400(self, api: Api) -> None:
        response = api.get("/crs/api/v1/cases/search", params={"orderBy": "SIDEWAYS"})
        assert response.status_code == 400
        assert response.json()["details"][0]["field"] == "orderBy"


class TestFilters:
    def test_search_cases__by_status_api_value(self, api: Api, everything: list[dict]) -> None:
        expected = [c["id"] for c in everything if c["status"] == "READY_FOR_INTERPRETATION"]
        assert expected and ids(api.all_cases(status="READY_FOR_INTERPRETATION")) == expected

    def test_search_cases__by_status_ui_label(self, api: Api, everything: list[dict]) -> None:
        expected = [c["id"] for c in everything if c["status"] == "REPORTS_SIGNED_OFF"]
        assert expected and ids(api.all_cases(status="Report(s) Signed Off")) == expected

    def test_search_cases__several_statuses(self, api: Api, everything: list[dict]) -> None:
        wanted = {"HAS_ISSUE", "PROCESSING"}
        expected = [c["id"] for c in everything if c["status"] in wanted]
        assert ids(api.all_cases(status=["HAS_ISSUE", "PROCESSING"])) == expected
        assert ids(api.all_cases(status="HAS_ISSUE,PROCESSING")) == expected

    def test_search_cases__unknown_status_is_400(self, api: Api) -> None:
        response = api.get("/crs/api/v1/cases/search", params={"status": "DONE"})
        assert response.status_code == 400
        body = response.json()
        assert body["details"][0]["field"] == "status" and "READY_FOR_INTERPRETATION" in body["message"]

    def test_search_cases__display_id_partial_case_insensitive(self, api: Api, everything: list[dict]) -> None:
        expected = [c["id"] for c in everything if "breast" in c["displayId"].lower()]
        assert ids(api.all_cases(displayId="BrEaSt")) == expected == [BREAST_CASE]

    def test_search_cases__display_id_exact(self, api: Api) -> None:
        assert ids(api.all_cases(displayId="FIXTURE_001_BREAST", isExactMatch="true")) == [BREAST_CASE]
        assert api.all_cases(displayId="FIXTURE_001", isExactMatch="true") == []
        assert api.all_cases(displayId="fixture_001_breast", isExactMatch="true") == []
        assert ids(api.all_cases(displayId="FIXTURE_001", isExactMatch="false")) == [BREAST_CASE]

    def test_search_cases__percent_is_a_wildcard(self, api: Api, everything: list[dict]) -> None:
        assert len(api.all_cases(displayId="%")) == len(everything)
        expected = [c["id"] for c in everything if c["displayId"].startswith("FIXTURE_") and c["displayId"].endswith("THYROID")]
        assert ids(api.all_cases(displayId="FIXTURE%THYROID")) == expected and len(expected) == 1

    def test_search_cases__id_partial(self, api: Api, everything: list[dict]) -> None:
        fragment = BREAST_CASE.split("-")[2]  # a middle group, as in the vendor's "11e8" example
        expected = [c["id"] for c in everything if fragment in c["id"]]
        assert BREAST_CASE in expected and ids(api.all_cases(id=fragment.upper())) == expected

    def test_search_cases__external_sample_id_partial(self, api: Api, everything: list[dict]) -> None:
        target = everything[5]["subjects"][0]["samples"][0]["externalSampleId"]
        fragment = target[2:6]
        expected = [
            c["id"] for c in everything
            if any(fragment.lower() in s["externalSampleId"].lower() for s in c["subjects"][0]["samples"])
        ]
        assert everything[5]["id"] in expected
        assert ids(api.all_cases(externalSampleId=fragment.lower())) == expected

    def test_search_cases__analysis_id_exact(self, api: Api, everything: list[dict]) -> None:
        target = next(c for c in everything if c["analysisId"])
        assert ids(api.all_cases(analysisId=target["analysisId"])) == [target["id"]]
        assert api.all_cases(analysisId=target["analysisId"][:-3]) == []

    def test_search_cases__tags_partial(self, api: Api, everything: list[dict]) -> None:
        expected = [c["id"] for c in everything if any("onc" in t.lower() for t in c["tags"])]
        found = api.all_cases(tags="onc")
        assert ids(found) == expected
        tags = {t for c in found for t in c["tags"] if "onc" in t.lower()}
        assert {"oncogenic", "oncology"} <= tags  # the vendor's own example

    def test_search_cases__several_tags_match_any(self, api: Api, everything: list[dict]) -> None:
        expected = [c["id"] for c in everything if {"urgent", "rerun"} & set(c["tags"])]
        assert expected and ids(api.all_cases(tags=["urgent", "rerun"])) == expected

    def test_search_cases__disease_name_partial(self, api: Api, everything: list[dict]) -> None:
        expected = [c["id"] for c in everything if any("lung" in d.lower() for d in diseases(c))]
        assert expected and ids(api.all_cases(diseaseName="LUNG")) == expected

    def test_search_cases__creation_date_bounds_inclusive(self, api: Api, everything: list[dict]) -> None:
        pivot = everything[40]
        stamp = created(pivot).strftime("%Y-%m-%dT%H:%M:%SZ")
        before = api.all_cases(creationDateBefore=stamp)
        after = api.all_cases(creationDateAfter=stamp)
        assert pivot["id"] in ids(before) and pivot["id"] in ids(after)
        assert ids(before) == [c["id"] for c in everything if created(c) <= created(pivot)]
        assert ids(after) == [c["id"] for c in everything if created(c) >= created(pivot)]
        only = api.all_cases(creationDateBefore=stamp, creationDateAfter=stamp)
        assert pivot["id"] in ids(only)

    @pytest.mark.parametrize(
        "value", ["2021-01-30", "2021-01-30T08:30:00", "2021-01-30T08:30:00+0000", "2021-01-30 08:30:00Z",
                  "2021-13-30T08:30:00Z", "yesterday", ""],
    )
    def test_search_cases__other_date_formats_are_400(self, api: Api, value: str) -> None:
        for name in ("creationDateBefore", "creationDateAfter"):
            response = api.get("/crs/api/v1/cases/search", params={name: value})
            assert response.status_code == 400, value
            body = response.json()
            assert body["details"][0]["field"] == name
            assert "yyyy-MM-dd'T'HH:mm:ss'Z'" in body["message"]

    def test_search_cases__dates_in_wrong_order_match_nothing(self, api: Api) -> None:
        page = api.search(creationDateAfter="2025-01-01T00:00:00Z", creationDateBefore="2024-01-01T00:00:00Z")
        assert page["totalElements"] == 0 and page["content"] == []

    def test_search_cases__parameters_combine_with_and(self, api: Api, everything: list[dict]) -> None:
        stamp = "2026-01-01T00:00:00Z"
        pivot = datetime(2026, 1, 1, tzinfo=UTC)
        expected = [
            c["id"] for c in everything
            if c["status"] == "READY_FOR_INTERPRETATION"
            and any("lung" in d.lower() for d in diseases(c))
            and created(c) >= pivot
        ]
        found = api.all_cases(status="READY_FOR_INTERPRETATION", diseaseName="lung", creationDateAfter=stamp)
        assert ids(found) == expected
        singles = [
            set(ids(api.all_cases(status="READY_FOR_INTERPRETATION"))),
            set(ids(api.all_cases(diseaseName="lung"))),
            set(ids(api.all_cases(creationDateAfter=stamp))),
        ]
        assert set(expected) == set.intersection(*singles)

    def test_search_cases__combined_filters_page_consistently(self, api: Api) -> None:
        full = ids(api.all_cases(status="READY_FOR_INTERPRETATION", orderBy="ASC"))
        paged: list[str] = []
        for number in range(-(-len(full) // 7)):
            page = api.search(status="READY_FOR_INTERPRETATION", orderBy="ASC", pageSize=7, pageNumber=number)
            assert page["totalElements"] == len(full)
            paged += ids(page["content"])
        assert paged == full

    def test_search_cases__unknown_parameters_are_ignored(self, api: Api) -> None:
        assert api.search(foo="bar", pageSize=5)["numberOfElements"] == 5


class TestPagingErrors:
    @pytest.mark.parametrize("params, field", [
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 2001}, "pageSize"),
        ({"pageSize": "ten"}, "pageSize"),
        ({"pageNumber": -1}, "pageNumber"),
        ({"pageNumber": "1.5"}, "pageNumber"),
        ({"isExactMatch": "perhaps"}, "isExactMatch"),
    ])
    def test_search_cases__bad_paging_is_400(self, api: Api, params: dict, field: str) -> None:
        response = api.get("/crs/api/v1/cases/search", params=params)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "BAD_REQUEST" and body["details"][0]["field"] == field

    def test_search_cases__max_page_size_works(self, api: Api) -> None:
        assert api.search(pageSize=2000)["size"] == 2000


def test_search_cases__only_the_last_page_is_last(api: Api) -> None:
    pages = [api.search(pageNumber=n, pageSize=25) for n in range(5)]  # 102 cases: pages 0..4
    assert [p["last"] for p in pages] == [False, False, False, False, True]
    assert [p["totalPages"] for p in pages] == [5] * 5


def test_search_cases__date_bounds_include_a_changed_case_created_at_the_bound(frozen_api: Api) -> None:
    """A changed case is searched apart from the seeded ones: its bounds must be as inclusive."""
    case = frozen_api.case(BREAST_CASE)
    assert frozen_api.admin("PUT", f"/cases/{BREAST_CASE}/status", {"status": "HAS_ISSUE"})["status"] == "HAS_ISSUE"
    instant = created(case).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for bound in ("creationDateBefore", "creationDateAfter"):
        found = frozen_api.search(**{bound: instant, "status": "HAS_ISSUE", "pageSize": 2000})["content"]
        assert BREAST_CASE in ids(found), bound


def test_loaded_queries_are_kept_within_bounds_and_refusals_never(api: Api) -> None:
    from mockserver.api.routes import cases

    cases._loaded_queries.clear()
    for _ in range(2):  # a refusal is not kept: it is refused again
        assert api.get("/crs/api/v1/cases/search", params={"pageSize": 0}).status_code == 400
    first = api.get("/crs/api/v1/cases/search", params={"pageSize": 3, "orderBy": "desc"}).json()
    assert list(cases._loaded_queries) == [b"pageSize=3&orderBy=desc"]
    assert api.get("/crs/api/v1/cases/search", params={"pageSize": 3, "orderBy": "desc"}).json() == first
    assert api.get("/crs/api/v1/cases/search", params={"ignored": "x" * cases.KEPT_QUERY_BYTES}).status_code == 200
    assert len(cases._loaded_queries) == 1  # too long to keep
    for n in range(cases.KEPT_QUERIES + 1):
        assert api.get("/crs/api/v1/cases/search", params={"pageNumber": n}).status_code == 200
    assert 0 < len(cases._loaded_queries) <= cases.KEPT_QUERIES

"""Seeded cases are made when first read, and what a client reads never depends on what was
read before: two servers of the same seed, read in different orders, answer byte for byte alike."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from conftest import Api, start_server

CASES = 3000
PAGE = "/crs/api/v1/cases/search"


@pytest.fixture
def twins() -> Iterator[tuple[Api, Api]]:
    # Checking every 500-case page against the OpenAPI document would take most of the time here.
    servers = [start_server(seed=9, cases=CASES) for _ in range(2)]
    clients = [Api(s) for s in servers]
    yield clients[0], clients[1]
    for client, server in zip(clients, servers, strict=True):
        client.close()
        server.stop()


def page_bytes(api: Api, number: int, **params: object) -> bytes:
    response = api.get(PAGE, params={"pageNumber": number, "pageSize": 500, **params})
    assert response.status_code == 200, response.text
    return response.content


def test_pages_and_cases_are_byte_identical_whatever_was_read_before(twins: tuple[Api, Api]) -> None:
    first, second = twins
    pages = [page_bytes(first, n) for n in range(7)]
    ids = [c["id"] for n in range(7) for c in first.search(pageNumber=n, pageSize=500)["content"]]
    assert len(ids) == CASES + 2  # and the two fixture cases

    # The second server is read backwards, after random cases, filtered searches and deep pages.
    picked = random.Random(5).sample(ids, 200)
    cases_second = {case_id: second.get(f"/crs/api/v2/cases/{case_id}").content for case_id in picked}
    filtered_second = page_bytes(second, 1, status="HAS_ISSUE", tags="urgent")
    assert [page_bytes(second, n) for n in reversed(range(7))] == pages[::-1]
    assert page_bytes(second, 3, orderBy="ASC") == page_bytes(first, 3, orderBy="ASC")

    assert {case_id: first.get(f"/crs/api/v2/cases/{case_id}").content for case_id in picked} == cases_second
    assert page_bytes(first, 1, status="HAS_ISSUE", tags="urgent") == filtered_second
    phi = {"directIdentifiers": "true", "includeQcOverviewMetrics": "true"}
    assert first.get(f"/crs/api/v2/cases/{ids[-1]}", params=phi).content == \
        second.get(f"/crs/api/v2/cases/{ids[-1]}", params=phi).content


def test_a_deep_page_of_a_changed_table_is_the_slice_of_the_whole_listing(twins: tuple[Api, Api]) -> None:
    """With seeded cases deleted and changed, and cases added among them, a page far in is what
    the full listing holds there, in either order."""
    api = twins[0]
    listing = api.search(pageNumber=0, pageSize=2000)["content"] + api.search(pageNumber=1, pageSize=2000)["content"]
    for case in listing[10:2900:97]:
        assert api.delete(f"/crs/api/v1/cases/{case['id']}").status_code == 204
    ready = [c for c in listing[2000:] if c["status"] == "READY_FOR_INTERPRETATION"][0]
    changed = api.put(f"/crs/api/v1/cases/{ready['id']}/diseases",
                      json={"externalid": "254837009", "ontologytype": "SNOMEDCT"})
    assert changed.status_code == 200 and changed.json()["status"] == "PROCESSING"
    added = [{"displayId": f"ADDED-{n}", "createdDate": listing[n * 600 + 5]["createdDate"]} for n in range(5)]
    api.admin("POST", "/cases", added, expect=201)
    whole = [c["id"] for n in range(2) for c in api.search(pageNumber=n, pageSize=2000)["content"]]
    assert len(whole) == len(listing) - 30 + 5 and ready["id"] in whole
    for number in (0, 3, 5):
        assert [c["id"] for c in api.search(pageNumber=number, pageSize=500)["content"]] == \
            whole[number * 500 : (number + 1) * 500]
        ascending = [c["id"] for c in api.search(pageNumber=number, pageSize=500, orderBy="ASC")["content"]]
        assert ascending == whole[::-1][number * 500 : (number + 1) * 500]

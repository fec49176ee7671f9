"""Every instant the mock takes is checked once in UTC against one range (years 1000 to 9000):
an instant that cannot even convert to UTC, or one the mock could not write back with four
digits, is a 400 naming the field, wherever it is sent, and changes nothing."""

from __future__ import annotations

import pytest
from conftest import Api

#: Near year 1 and 9999, an offset takes these out of what datetime can hold once in UTC.
UNCONVERTIBLE = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
BEFORE_1000 = ["0999-06-01T00:00:00Z", "1000-01-01T00:30:00+01:00"]
RANGE = "Dates must lie between 1000-01-01 and 9000-01-01 (UTC): the mock keeps no other date."


def ready_case(api: Api) -> dict:
    return api.search(status="READY_FOR_INTERPRETATION", pageSize=1)["content"][0]


@pytest.mark.parametrize("at", UNCONVERTIBLE + BEFORE_1000)
def test_a_sign_off_outside_the_range_is_refused_and_changes_nothing(fresh_api: Api, at: str) -> None:
    case = ready_case(fresh_api)
    response = fresh_api.post(f"/_mock/cases/{case['id']}/sign-off", json={"at": at})
    assert response.status_code == 400, response.text
    assert response.json()["details"] == [{"field": "at", "message": RANGE}]
    after = fresh_api.case(case["id"])
    assert (after["status"], after["updatedDate"]) == ("READY_FOR_INTERPRETATION", case["updatedDate"])


@pytest.mark.parametrize("now", UNCONVERTIBLE + BEFORE_1000)
def test_the_clock_takes_no_instant_outside_the_range(fresh_api: Api, now: str) -> None:
    before = fresh_api.admin("GET", "/clock")
    body = fresh_api.admin("PUT", "/clock", {"mode": "frozen", "now": now}, expect=400)
    assert body["details"] == [{"field": "now", "message": RANGE}]
    assert fresh_api.admin("GET", "/clock")["mode"] == before["mode"] == "real"


@pytest.mark.parametrize("since", UNCONVERTIBLE)
def test_the_journal_since_outside_the_range_is_a_400(api: Api, since: str) -> None:
    body = api.admin("GET", "/requests", params={"since": since}, expect=400)
    assert RANGE in body["message"]


@pytest.mark.parametrize("parameter", ["creationDateAfter", "creationDateBefore"])
def test_a_search_bound_before_year_1000_is_a_400(api: Api, parameter: str) -> None:
    response = api.get("/crs/api/v1/cases/search", params={parameter: "0999-06-01T00:00:00Z"})
    assert response.status_code == 400
    assert response.json()["details"] == [{"field": parameter, "message": RANGE}]


def test_the_served_dates_always_read_back(frozen_api: Api) -> None:
    """At both ends of the range a sign-off is kept, served in four digits, and re-imported. (The
    clock stands still: a running one can tick a second between the two exports.)"""
    case = ready_case(frozen_api)
    frozen_api.admin("POST", f"/cases/{case['id']}/sign-off", {"at": "1000-01-01T00:00:00Z"})
    assert frozen_api.case(case["id"])["updatedDate"] == "1000-01-01T00:00:00+0000"
    exported = frozen_api.admin("GET", "/state")
    frozen_api.admin("PUT", "/state", exported)
    assert frozen_api.admin("GET", "/state") == exported

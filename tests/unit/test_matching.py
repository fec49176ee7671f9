"""Each search test in both of its forms (one case's value, and a whole column at once), and
the choices fidelity makes for them (inclusive date bounds, all tags) in both settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mockserver import fidelity
from mockserver.domain.matching import AllOf, AnyOf, Bound, Contains, Equals, OneOf, each_of
from mockserver.domain.models import SEPARATOR

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = [T0 + timedelta(days=d) for d in range(5)]  # a sorted column


def test_equals_and_one_of_agree_in_both_forms() -> None:
    assert [Equals("a").one(v) for v in "abc"] == list(map(bool, Equals("a").many("abc"))) == [True, False, False]
    wanted = OneOf(["a", "c"])
    assert [wanted.one(v) for v in "abcd"] == list(wanted.many("abcd")) == [True, False, True, False]


def test_one_of_within_a_column_index_keeps_positions_in_range_in_order() -> None:
    index = {"a": [0, 3, 6, 9], "b": [1, 4], "c": [2, 5, 8]}
    assert OneOf(["a", "c"]).within(index, 2, 9) == [2, 3, 5, 6, 8]
    assert OneOf(["b"]).within(index, 0, 4) == [1]  # hi is not included
    assert OneOf(["z"]).within(index, 0, 10) == []
    assert OneOf(["a", "z"]).within(index, 4, 10) == [6, 9]


@pytest.mark.parametrize(("needle", "text", "found"), [
    ("BRCA", "tp53" + SEPARATOR + "brca2", True),
    ("br%2", "brca2", True),
    ("br%2", "br" + SEPARATOR + "2", False),  # % stays within one value
    ("x", "brca2", False),
])
def test_contains_in_both_forms(needle: str, text: str, found: bool) -> None:
    match = Contains(needle)
    assert match.one(text) is found
    assert [bool(r) for r in match.many([text, "nothing"])] == [found, False]


def test_all_of_and_any_of_in_both_forms() -> None:
    both = [Contains("a"), Contains("b")]
    values = ["ab", "a", "b", ""]
    assert [AllOf(both).one(v) for v in values] == list(AllOf(both).many(values)) == [True, False, False, False]
    assert [AnyOf(both).one(v) for v in values] == list(AnyOf(both).many(values)) == [True, True, True, False]


@pytest.mark.parametrize("match_all", [True, False])
def test_each_of_follows_fidelity(monkeypatch: pytest.MonkeyPatch, match_all: bool) -> None:
    monkeypatch.setattr(fidelity, "TAGS_MATCH_ALL", match_all)
    assert isinstance(each_of(["a"]), Contains)
    several = each_of(["a", "b"])
    assert type(several) is (AllOf if match_all else AnyOf)
    assert several.one("a") is not match_all


@pytest.mark.parametrize("inclusive", [True, False])
def test_date_bounds_in_all_three_forms(monkeypatch: pytest.MonkeyPatch, inclusive: bool) -> None:
    monkeypatch.setattr(fidelity, "DATE_BOUNDS_INCLUSIVE", inclusive)
    upper, lower = Bound(DAYS[2], upper=True), Bound(DAYS[2], upper=False)
    kept_upper = [d < DAYS[2] or (inclusive and d == DAYS[2]) for d in DAYS]
    kept_lower = [d > DAYS[2] or (inclusive and d == DAYS[2]) for d in DAYS]
    assert [upper.one(d) for d in DAYS] == list(upper.many(DAYS)) == kept_upper
    assert [lower.one(d) for d in DAYS] == list(lower.many(DAYS)) == kept_lower
    assert upper.narrow(DAYS, 0, 5) == (0, kept_upper.count(True))
    assert lower.narrow(DAYS, 0, 5) == (5 - kept_lower.count(True), 5)
    assert upper.narrow(DAYS, 1, 2) == (1, 2) and lower.narrow(DAYS, 4, 5) == (4, 5)  # never wider than given

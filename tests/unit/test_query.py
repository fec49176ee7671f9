"""Search filters and paging over domain records, without HTTP."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import timedelta

import pytest
from conftest import T0

from mockserver.domain.case_table import CaseTable
from mockserver.domain.matching import Contains
from mockserver.domain.models import Case, Disease, Sample, Subject
from mockserver.domain.query import CaseQuery, predicates, run_query
from mockserver.domain.statuses import CaseStatus, parse_status

LUNG = Disease("363358000", "Malignant tumor of lung")


def make(n: int, *, status=CaseStatus.READY_FOR_INTERPRETATION, tags=(), disease=None, sample="S") -> Case:
    sample_record = Sample(id=f"s{n}", external_sample_id=f"{sample}-{n}", sample_type="DNA", pair_id=None,
                           tumor_type=(disease,) if disease else ())
    at = T0 + timedelta(hours=n)
    return Case(id=f"case-{n}", display_id=f"ILM-ABC-{n}", status=status, created_date=at, updated_date=at,
                subjects=(Subject(id=f"sub{n}", gender="MALE", samples=(sample_record,)),),
                tags=tuple(tags), analysis_id=f"RUN_{n}")


def search(cases: list[Case], **fields) -> list[str]:
    query = CaseQuery(page_size=1000, **fields)
    return [c.id for c in run_query(CaseTable(cases), query).content]


@pytest.mark.parametrize("needle, text, expected", [
    ("abc", "ILM-ABC-234", True),
    ("234", "ILM-ABC-234", True),
    ("ILM%234", "ILM-ABC-234", True),
    ("%", "anything", True),
    ("I%Z", "ILM-ABC-234", False),
    ("a.c", "ILM-ABC-234", False),  # regex characters are literal
    ("a%c", "xa\x00cx", False),  # a wildcard never spans two values of one key
])
def test_contains_matches_a_lower_cased_key(needle: str, text: str, expected: bool) -> None:
    """The matcher takes a lower-cased key (see SearchKeys), the needle in any case."""
    assert Contains(needle).one(text.lower()) is expected


def test_search_keys_join_values_lower_cased() -> None:
    keys = make(1, tags=["Oncology", "TEST"], disease=LUNG).search_keys
    assert keys.tags == "oncology\x00test" and keys.disease_names == "malignant tumor of lung"
    assert keys.external_sample_ids == "s-1" and keys.display_id == "ilm-abc-1"


def test_several_tags_match_any_value_but_wildcards_stay_within_one() -> None:
    cases = [make(1, tags=["alpha", "beta"]), make(2, tags=["gamma"])]
    assert search(cases, tags=("alp", "gam"), descending=False) == ["case-1", "case-2"]
    assert search(cases, tags=("a%b",)) == []  # "alpha" then "beta": not one tag


def test_status_labels_and_values_parse() -> None:
    assert parse_status("Ready for Interpretation") is CaseStatus.READY_FOR_INTERPRETATION
    assert parse_status("reports_signed_off") is CaseStatus.REPORTS_SIGNED_OFF
    assert parse_status("Report(s) Signed Off") is CaseStatus.REPORTS_SIGNED_OFF
    assert parse_status("done") is None


def test_filters_combine_with_and() -> None:
    cases = [make(1, tags=["oncology"], disease=LUNG), make(2, tags=["oncology"]),
             make(3, status=CaseStatus.HAS_ISSUE, tags=["oncogenic"], disease=LUNG)]
    assert search(cases, tags=("onc",), descending=False) == ["case-1", "case-2", "case-3"]
    assert search(cases, tags=("onc",), disease_name="lung", descending=False) == ["case-1", "case-3"]
    assert search(cases, tags=("onc",), disease_name="lung", statuses=(CaseStatus.HAS_ISSUE,)) == ["case-3"]


def test_exact_display_id_is_case_sensitive() -> None:
    cases = [make(1), make(11)]
    assert search(cases, display_id="ILM-ABC-1", is_exact_match=True) == ["case-1"]
    assert search(cases, display_id="ilm-abc-1", is_exact_match=True) == []
    assert search(cases, display_id="ilm-abc-1", descending=False) == ["case-1", "case-11"]


def test_date_bounds_are_inclusive() -> None:
    cases = [make(1), make(2), make(3)]
    pivot = T0 + timedelta(hours=2)
    assert search(cases, created_before=pivot, descending=False) == ["case-1", "case-2"]
    assert search(cases, created_after=pivot, descending=False) == ["case-2", "case-3"]


def test_paging_counts_all_matches() -> None:
    table = CaseTable([make(n) for n in range(25)])
    page = run_query(table, CaseQuery(page_number=2, page_size=10))
    assert page.total_elements == 25 and page.total_pages == 3 and len(page.content) == 5
    filtered = run_query(table, CaseQuery(page_number=1, page_size=3, display_id="ILM-ABC-1", descending=False))
    # in order ILM-ABC-1, -10, -11, ..., -19 match: 11 in all; page 1 holds matches 3..5
    assert filtered.total_elements == 11 and [c.id for c in filtered.content] == ["case-12", "case-13", "case-14"]


#: A value for each filter parameter of CaseQuery; paging and ordering are not filters.
FILTER_VALUES = {
    "statuses": (CaseStatus.PROCESSING,), "display_id": "ILM", "id": "case", "external_sample_id": "S-",
    "analysis_id": "RUN_1", "tags": ("a",), "disease_name": "lung", "created_before": T0, "created_after": T0,
}


def test_every_filter_parameter_has_exactly_one_row_in_the_filter_table() -> None:
    not_filters = {"page_number", "page_size", "descending", "is_exact_match"}
    assert {f.name for f in dataclass_fields(CaseQuery)} - not_filters == set(FILTER_VALUES)
    assert predicates(CaseQuery()) == []
    for name, value in FILTER_VALUES.items():
        assert len(predicates(CaseQuery(**{name: value}))) == 1, name
    assert len(predicates(CaseQuery(display_id="ILM", is_exact_match=True))) == 1

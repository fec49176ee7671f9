"""A seeded case's id hides its index and gives it back: exactly the id served reads back to its
index, and any other text to none (an id in upper case or with its dashes moved is not found,
as the real service finds no such case)."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from mockserver.datagen.cases import _CaseIds

IDS = _CaseIds(b"seed:workgroup:case-ids".ljust(32, b"."))


@given(st.integers(0, 2**32 - 1))
def test_an_id_is_a_version_4_uuid_that_reads_back_to_its_index(index: int) -> None:
    case_id = IDS.of(index)
    assert str(uuid.UUID(case_id)) == case_id and uuid.UUID(case_id).version == 4
    assert IDS.index_of(case_id) == index


@given(st.integers(0, 10**6), st.data())
def test_only_the_served_text_reads_back(index: int, data: st.DataObject) -> None:
    served = IDS.of(index)
    position = data.draw(st.integers(0, 35))
    other = data.draw(st.sampled_from("0123456789abcdefABCDEF- "))
    changed = served[:position] + other + served[position + 1:]
    assert IDS.index_of(changed) == (index if changed == served else None)


@given(st.text(st.sampled_from("0123456789abcdefABCDEF- {}"), min_size=30, max_size=40))
def test_any_text_reads_back_to_none_or_to_the_index_it_is_the_id_of(text: str) -> None:
    index = IDS.index_of(text)
    assert index is None or IDS.of(index) == text


def test_other_spellings_of_an_id_are_not_found() -> None:
    served = IDS.of(7)
    moved_dash = served[:8] + served[9] + "-" + served[10:]
    for form in (served.upper(), "{" + served[1:-1] + "}", served.replace("-", ""), uuid.UUID(served).urn, moved_dash):
        assert IDS.index_of(form) is None

"""CaseTable: overlay over a frozen seeded base, ordering, reset."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from conftest import T0
from hypothesis import given
from hypothesis import strategies as st

from mockserver.domain.case_table import CaseTable, NewCases, merged_updates
from mockserver.domain.models import Case
from mockserver.domain.query import status_counts
from mockserver.domain.statuses import CaseStatus


def case(n: int, minutes: int | None = None) -> Case:
    at = T0 + timedelta(minutes=n if minutes is None else minutes)
    return Case(id=f"id-{n:03d}", display_id=f"D-{n:03d}", status=CaseStatus.READY_FOR_INTERPRETATION,
                created_date=at, updated_date=at, subjects=())


def order(table: CaseTable, descending: bool = False) -> list[str]:
    return [c.id for c in table.ordered(descending)]


def test_seeded_cases_in_creation_order() -> None:
    table = CaseTable([case(3), case(1), case(2)])
    assert order(table) == ["id-001", "id-002", "id-003"]
    assert order(table, descending=True) == ["id-003", "id-002", "id-001"]
    assert len(table) == 3


def test_duplicate_seeded_ids_are_refused() -> None:
    with pytest.raises(ValueError):
        CaseTable([case(1), case(1)])


def test_replace_keeps_position_and_reset_restores() -> None:
    table = CaseTable([case(1), case(2), case(3)])
    changed = replace(table.get("id-002"), status=CaseStatus.HAS_ISSUE)
    table.put(changed)
    assert table.get("id-002").status is CaseStatus.HAS_ISSUE
    assert order(table) == ["id-001", "id-002", "id-003"]
    assert [c.status for c in table.ordered()][1] is CaseStatus.HAS_ISSUE
    table.reset()
    assert table.get("id-002").status is CaseStatus.READY_FOR_INTERPRETATION


def test_added_cases_merge_into_order_both_ways() -> None:
    table = CaseTable([case(10), case(30)])
    table.put(case(20))
    table.put(case(40))
    table.put(case(5))
    assert order(table) == ["id-005", "id-010", "id-020", "id-030", "id-040"]
    assert order(table, True) == ["id-040", "id-030", "id-020", "id-010", "id-005"]
    assert len(table) == 5


def test_delete_seeded_and_added() -> None:
    table = CaseTable([case(1), case(2)])
    table.put(case(3))
    assert table.delete("id-001").id == "id-001"
    assert table.delete("id-003").id == "id-003"
    assert table.delete("id-003") is None
    assert table.get("id-001") is None and "id-001" not in table
    assert order(table) == ["id-002"] and len(table) == 1
    table.reset()
    assert order(table) == ["id-001", "id-002"] and len(table) == 2


def test_replace_with_new_creation_date_moves_the_case() -> None:
    table = CaseTable([case(1), case(2), case(3)])
    table.put(replace(table.get("id-001"), created_date=T0 + timedelta(days=1)))
    assert order(table) == ["id-002", "id-003", "id-001"] and len(table) == 3
    assert table.deleted_ids() == ["id-001"]  # its seeded position is left empty
    table.put(replace(table.get("id-001"), created_date=T0 + timedelta(minutes=1)))
    assert order(table) == ["id-001", "id-002", "id-003"] and len(table) == 3
    # Back at its seeded key: at its seeded position again, no longer added.
    assert table.deleted_ids() == [] and [c.id for c in table.overlay()] == ["id-001"]
    table.put(replace(table.get("id-001"), status=CaseStatus.HAS_ISSUE))
    assert len(table) == 3 and table.get("id-001").status is CaseStatus.HAS_ISSUE


def test_ties_broken_by_display_id_then_id() -> None:
    table = CaseTable([case(2, minutes=0), case(1, minutes=0), case(3, minutes=0)])
    assert order(table) == ["id-001", "id-002", "id-003"]


def test_seeded_base_is_never_mutated() -> None:
    seeded = [case(1), case(2)]
    table = CaseTable(seeded)
    table.put(replace(seeded[0], status=CaseStatus.HAS_ISSUE))
    table.delete("id-002")
    assert tuple(table.seeded) == tuple(seeded)
    assert seeded[0].status is CaseStatus.READY_FOR_INTERPRETATION


def test_new_cases_merge_in_order_whether_they_sort_last_or_among_the_old() -> None:
    table = CaseTable()
    table.add_new(NewCases.of([case(n) for n in (10, 20, 30)]))
    table.add_new(NewCases.of([case(n) for n in (40, 50)]))  # all after: the concatenation path
    assert order(table) == ["id-010", "id-020", "id-030", "id-040", "id-050"]
    table.add_new(NewCases.of([case(n) for n in (5, 25, 35)]))  # interleaved: the merge path
    assert order(table) == ["id-005", "id-010", "id-020", "id-025", "id-030", "id-035", "id-040", "id-050"]
    equal = CaseTable()
    equal.add_new(NewCases.of([case(1, minutes=0)]))
    equal.add_new(NewCases.of([case(2, minutes=0)]))  # same instant: ties by display id
    assert order(equal) == ["id-001", "id-002"] and len(equal) == 2


def test_add_new_and_merged_with_count_versions() -> None:
    table = CaseTable([case(1)])
    start = table.version
    table.add_new(NewCases.of([case(2)]))
    assert table.version == start + 1
    merged = table.merged_with(NewCases.of([case(3)]))
    assert table.swap_in(merged) and table.version == start + 2 and len(table) == 3
    stale = table.merged_with(NewCases.of([case(4)]))
    table.put(case(5))
    assert not table.swap_in(stale) and table.get("id-004") is None  # changed meanwhile: refused


def test_a_display_id_shared_by_old_and_new_cases_keeps_both() -> None:
    table = CaseTable()
    table.add_new(NewCases.of([case(1)]))
    twin = replace(case(2), display_id="D-001")
    table.add_new(NewCases.of([twin]))
    assert table.find_by_display_id("D-001").id == "id-001"  # the earliest created
    table.delete("id-001")
    assert table.find_by_display_id("D-001").id == "id-002"  # the other one was indexed too
    merged_table = CaseTable()
    merged_table.add_new(NewCases.of([case(1)]))
    assert merged_table.swap_in(merged_table.merged_with(NewCases.of([replace(case(2), display_id="D-001")])))
    merged_table.delete("id-001")
    assert merged_table.find_by_display_id("D-001").id == "id-002"


def test_merged_updates_copies_every_entry_past_one_slice() -> None:
    source = {n: n * 2 for n in range(12_345)}
    target = {"kept": 1}
    merged_updates(target, source)
    assert target == {"kept": 1, **source}


def test_batches_larger_than_a_slice_keep_their_order() -> None:
    many = [case(n, minutes=(n * 7919) % 12_001) for n in range(12_001)]
    table = CaseTable()
    table.add_new(NewCases.of(many))
    assert order(table) == [c.id for c in sorted(many, key=lambda c: c.sort_key)]
    assert len(table) == 12_001


def test_find_by_display_id_takes_the_earliest_created_wherever_it_is() -> None:
    table = CaseTable([case(5), replace(case(6), display_id="D-005")])  # seeded twins
    assert table.find_by_display_id("D-005").id == "id-005"
    table.delete("id-005")
    assert table.find_by_display_id("D-005").id == "id-006"
    table.put(replace(case(1), display_id="D-005"))  # added later, but created earlier
    assert table.find_by_display_id("D-005").id == "id-001"
    assert table.find_by_display_id("D-404") is None


def test_a_batch_with_twin_display_ids_indexes_both() -> None:
    table = CaseTable()
    table.add_new(NewCases.of([case(1), replace(case(2), display_id="D-001")]))
    table.delete("id-001")
    assert table.find_by_display_id("D-001").id == "id-002"


_STATUSES = list(CaseStatus)
_change = st.one_of(
    st.tuples(st.just("put"), st.integers(0, 12), st.sampled_from(_STATUSES)),
    st.tuples(st.just("delete"), st.integers(0, 12)),
    st.tuples(st.just("add"), st.lists(st.tuples(st.integers(13, 20), st.sampled_from(_STATUSES)), max_size=3)),
    st.tuples(st.just("swap"), st.lists(st.tuples(st.integers(21, 28), st.sampled_from(_STATUSES)), max_size=3)),
    st.tuples(st.just("reset")),
)


@given(st.lists(_change, max_size=25))
def test_status_counts_equal_a_recount_after_any_changes(changes: list[tuple]) -> None:
    def with_status(n: int, status: CaseStatus) -> Case:
        return replace(case(n), status=status)

    seeded = [with_status(n, _STATUSES[n % 7]) for n in range(6)]
    table = CaseTable(seeded)
    for change in changes:
        if change[0] == "put":
            table.put(with_status(change[1], change[2]))
        elif change[0] == "delete":
            table.delete(f"id-{change[1]:03d}")
        elif change[0] == "add":
            fresh = [with_status(n, s) for n, s in change[1] if f"id-{n:03d}" not in table]
            table.add_new(NewCases.of(fresh))
        elif change[0] == "swap":
            fresh = [with_status(n, s) for n, s in change[1] if f"id-{n:03d}" not in table]
            assert table.swap_in(table.merged_with(NewCases.of(fresh)))
        else:
            table.reset()
    recount = Counter(c.status.value for c in table.ordered())
    assert status_counts(table) == {s.value: recount[s.value] for s in CaseStatus}


def test_added_cases_sharing_a_display_id_are_all_found_earliest_first() -> None:
    """A CSV may name a display id that another added case has: both stay findable."""
    first, second, third = (replace(case(n), display_id="SHARED") for n in (5, 6, 7))
    by_put = CaseTable([case(1)])
    by_put.put(first)
    by_put.put(second)
    assert by_put.find_by_display_id("SHARED").id == first.id
    by_batch = CaseTable([case(1)])
    by_batch.add_new(NewCases.of([first, second]))
    assert by_batch.find_by_display_id("SHARED").id == first.id
    by_batch.add_new(NewCases.of([third]))
    by_batch.delete(first.id)
    assert by_batch.find_by_display_id("SHARED").id == second.id


def test_the_visible_positions_read_by_index_and_by_slice() -> None:
    from mockserver.domain.case_table import _Without

    visible = _Without(6, [1, 4])
    assert len(visible) == 4 and list(visible) == [0, 2, 3, 5]
    assert visible[1:3] == [2, 3] and visible[::-1] == [5, 3, 2, 0]
    with pytest.raises(IndexError):
        visible[4]

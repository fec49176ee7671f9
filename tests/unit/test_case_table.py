"""CaseTable: overlay over a frozen seeded base, ordering, reset."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mockserver.domain.case_table import CaseTable
from mockserver.domain.models import Case
from mockserver.domain.statuses import CaseStatus

T0 = datetime(2025, 1, 1, tzinfo=UTC)


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
    table.put(replace(table.get("id-001"), created_date=T0 + timedelta(minutes=1)))
    assert order(table) == ["id-001", "id-002", "id-003"] and len(table) == 3
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
    assert table.seeded == tuple(seeded)
    assert seeded[0].status is CaseStatus.READY_FOR_INTERPRETATION

"""A workgroup owns its state: writes go through its methods, and what it shows is read-only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from mockserver.datagen.world import build_workgroup
from mockserver.domain.case_table import NewCases
from mockserver.domain.models import Transition, Upload
from mockserver.domain.statuses import CaseStatus
from mockserver.domain.workgroup import Workgroup

T0 = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def wg() -> Workgroup:
    return build_workgroup("wg", "Workgroup", seed=3, cases=5)


def test_ids_are_the_same_for_the_same_seed_and_sequence(wg: Workgroup) -> None:
    again = build_workgroup("wg", "Workgroup", seed=3, cases=5)
    assert [wg.new_id("case"), wg.new_id("case")] == [again.new_id("case"), again.new_id("case")]
    assert wg.new_id("case") != wg.new_id("case")
    assert wg.minted == 4


def test_a_failed_transaction_puts_the_id_counter_back(wg: Workgroup) -> None:
    wg.new_id("case")
    with pytest.raises(ValueError), wg.transaction():
        wg.new_id("case")
        wg.next_serial()
        raise ValueError("refused")
    assert wg.minted == 1
    with wg.transaction():
        wg.new_id("case")
    assert wg.minted == 2


def test_uploads_are_shown_read_only_and_reset_forgets_them(wg: Workgroup) -> None:
    upload = Upload(id="u1", file_name="a.csv", size_bytes=1, header=("Sample_ID", "Case_ID"), text="",
                    total_rows=0, status="QUEUED", created_date=T0, updated_date=T0)
    wg.put_upload(upload)
    assert wg.uploads["u1"] is upload
    with pytest.raises(TypeError):
        wg.uploads["u2"] = upload  # type: ignore[index]
    wg.reset()
    assert dict(wg.uploads) == {}


def test_a_history_is_a_copy(wg: Workgroup) -> None:
    wg.record_transition("c1", None, CaseStatus.PROCESSING, T0, "test")
    wg.history_of("c1").clear()
    assert [t.to_status for t in wg.history_of("c1")] == [CaseStatus.PROCESSING]


def test_a_merge_made_ahead_is_refused_once_the_cases_changed(wg: Workgroup) -> None:
    seeded = next(iter(wg.cases.ordered()))
    new = NewCases.of([replace(seeded, id="new-1", display_id="NEW-1")])
    created = Transition(T0, None, CaseStatus.AWAITING_MOLECULAR_DATA, "test")
    histories = wg.history_with({"new-1": [created]})
    overlay = wg.cases.merged_with(new)
    wg.cases.put(replace(seeded, tags=("changed",)))
    assert wg.swap_in(overlay, histories) is False
    assert "new-1" not in wg.cases and wg.history_of("new-1") == []
    assert wg.swap_in(wg.cases.merged_with(new), histories) is True
    assert "new-1" in wg.cases and wg.history_of("new-1") == [created]

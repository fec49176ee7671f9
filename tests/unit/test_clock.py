"""The mock's clock, on a wall clock the test holds still: modes, offsets, range, restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mockserver.domain import clock as clock_module
from mockserver.domain.clock import Clock, check_in_range, check_restorable
from mockserver.domain.errors import InvalidRequest

WALL = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def still_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock_module.time, "time", lambda: WALL.timestamp() + 0.25)


def test_a_new_clock_is_real_with_no_offset() -> None:
    clock = Clock()
    assert clock.mode == "real" and clock.offset_seconds == 0.0
    assert clock.now() == WALL  # whole seconds


def test_a_clock_made_frozen_shows_its_instant() -> None:
    clock = Clock(frozen_at=datetime(2030, 1, 1, tzinfo=UTC))
    assert clock.mode == "frozen" and clock.now() == datetime(2030, 1, 1, tzinfo=UTC)


def test_seconds_until_on_a_real_clock_counts_the_offset() -> None:
    clock = Clock()
    clock.advance(10)
    assert clock.offset_seconds == 10.0
    assert clock.seconds_until(WALL + timedelta(seconds=100)) == pytest.approx(89.75)
    assert clock.seconds_until(WALL) == pytest.approx(-10.25)


def test_seconds_until_on_a_frozen_clock_is_none() -> None:
    clock = Clock(frozen_at=WALL)
    assert clock.seconds_until(WALL + timedelta(seconds=5)) is None


def test_restore_frozen() -> None:
    clock = Clock()
    clock.restore(datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC), 0.0)
    assert clock.mode == "frozen" and clock.now() == datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_restore_real_with_an_offset() -> None:
    clock = Clock(frozen_at=datetime(2031, 1, 1, tzinfo=UTC))
    clock.restore(None, 3600.0)
    assert clock.mode == "real" and clock.offset_seconds == 3600.0
    assert clock.now() == WALL + timedelta(hours=1)


def test_restore_refuses_a_frozen_instant_out_of_range_and_changes_nothing() -> None:
    clock = Clock()
    with pytest.raises(InvalidRequest) as refused:
        clock.restore(datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC), 0.0)
    assert refused.value.message == ("The clock would show 0999-12-31T23:59:59+00:00; the mock's clock stays "
                                     "between 1000-01-01 and 9000-01-01 (UTC).")
    assert clock.mode == "real" and clock.offset_seconds == 0.0


def test_restore_refuses_an_offset_out_of_range_and_changes_nothing() -> None:
    clock = Clock(frozen_at=WALL)
    too_far = LATEST.timestamp() - WALL.timestamp() + 3600
    with pytest.raises(InvalidRequest) as refused:
        clock.restore(None, too_far)
    assert refused.value.message == (f"An offset of {too_far:g} s would take the clock outside "
                                     "1000-01-01 to 9000-01-01.")
    assert clock.mode == "frozen" and clock.now() == WALL


@pytest.mark.parametrize("instant, ok", [
    (EARLIEST, True), (LATEST, True),
    (EARLIEST - timedelta(seconds=1), False), (LATEST + timedelta(seconds=1), False),
])
def test_range_includes_both_ends(instant: datetime, ok: bool) -> None:
    if ok:
        assert check_in_range(instant) == instant
    else:
        with pytest.raises(InvalidRequest, match="stays between 1000-01-01 and 9000-01-01"):
            check_in_range(instant, "The clock")


def test_offsets_to_either_end_of_the_range_are_allowed() -> None:
    wall = WALL.timestamp() + 0.25
    check_restorable(None, LATEST.timestamp() - wall)
    check_restorable(None, EARLIEST.timestamp() - wall)
    for beyond in (LATEST.timestamp() - wall + 1, EARLIEST.timestamp() - wall - 1):
        with pytest.raises(InvalidRequest):
            check_restorable(None, beyond)


def test_check_restorable_checks_the_frozen_instant_not_the_offset() -> None:
    check_restorable(WALL, 10**15)  # the offset does not matter when frozen
    with pytest.raises(InvalidRequest):
        check_restorable(LATEST + timedelta(days=1), 0.0)


def test_advance_a_frozen_clock_up_to_the_end_of_the_range() -> None:
    clock = Clock(frozen_at=LATEST - timedelta(seconds=10))
    with pytest.raises(InvalidRequest, match="Advancing 11 s would take the clock past 9000-01-01."):
        clock.advance(11)
    assert clock.now() == LATEST - timedelta(seconds=10)
    assert clock.advance(10) == LATEST


def test_advance_a_real_clock_beyond_the_range_changes_nothing() -> None:
    clock = Clock()
    with pytest.raises(InvalidRequest, match="An offset of"):
        clock.advance(LATEST.timestamp())
    assert clock.offset_seconds == 0.0


def test_freeze_converts_to_utc_and_drops_microseconds() -> None:
    clock = Clock()
    clock.freeze(datetime(2030, 1, 1, 14, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now() == datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_unfreeze_drops_the_offset() -> None:
    clock = Clock()
    clock.advance(120)
    clock.freeze(WALL)
    clock.unfreeze()
    assert clock.mode == "real" and clock.offset_seconds == 0.0 and clock.now() == WALL

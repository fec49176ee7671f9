"""Schedule (due steps, replace, cancel, order) and Clock (real, frozen, advance)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import T0

from mockserver.domain.clock import LATEST, Clock
from mockserver.domain.errors import InvalidRequest
from mockserver.domain.lifecycle.schedule import Schedule


def test_steps_pop_in_due_order_only_when_due() -> None:
    schedule = Schedule()
    schedule.add("a", "x", T0 + timedelta(seconds=5))
    schedule.add("a", "y", T0 + timedelta(seconds=1))
    schedule.add("b", "x", T0 + timedelta(seconds=3))
    assert schedule.pop_due(T0) is None
    popped = []
    while (step := schedule.pop_due(T0 + timedelta(seconds=10))) is not None:
        popped.append((step.kind, step.target))
    assert popped == [("a", "y"), ("b", "x"), ("a", "x")]
    assert len(schedule) == 0


def test_same_due_time_keeps_insertion_order() -> None:
    """Among many tied steps, interleaved with earlier ones (a heap alone would reorder them)."""
    schedule = Schedule()
    targets = [f"t{n:02d}" for n in range(40)]
    for n, target in enumerate(targets):
        schedule.add("k", target, T0)
        if n % 3 == 0:
            schedule.add("early", target, T0 - timedelta(seconds=n + 1))
    popped = [step.target for _ in range(54) if (step := schedule.pop_due(T0)) is not None and step.kind == "k"]
    assert popped == targets


def test_adding_again_replaces_and_cancel_removes() -> None:
    schedule = Schedule()
    schedule.add("k", "x", T0 + timedelta(seconds=1))
    schedule.add("k", "x", T0 + timedelta(seconds=9))
    assert schedule.pop_due(T0 + timedelta(seconds=5)) is None
    assert (len(schedule), schedule.next_due()) == (1, T0 + timedelta(seconds=9))
    schedule.cancel("k", "x")
    assert (len(schedule), schedule.next_due()) == (0, None)
    assert schedule.pop_due(T0 + timedelta(days=1)) is None


def test_frozen_clock_only_moves_when_advanced() -> None:
    clock = Clock(frozen_at=T0)
    assert clock.mode == "frozen" and clock.now() == T0
    assert clock.advance(90) == T0 + timedelta(seconds=90)
    assert clock.now() == T0 + timedelta(seconds=90)


def test_real_clock_follows_wall_time_plus_offset() -> None:
    clock = Clock()
    wall = datetime.now(UTC)
    assert clock.mode == "real" and abs((clock.now() - wall).total_seconds()) < 2
    clock.advance(3600)
    assert abs((clock.now() - wall).total_seconds() - 3600) < 2
    clock.freeze(T0)
    assert clock.now() == T0
    clock.unfreeze()
    assert abs((clock.now() - wall).total_seconds()) < 2


def test_clock_has_whole_seconds() -> None:
    assert Clock().now().microsecond == 0


def test_a_real_clock_adds_up_its_advances_and_refuses_one_past_its_range() -> None:
    clock = Clock()
    wall = datetime.now(UTC)
    clock.advance(3600)
    clock.advance(1800)
    assert abs((clock.now() - wall).total_seconds() - 5400) < 2
    to_the_end = (LATEST - datetime.now(UTC)).total_seconds()
    with pytest.raises(InvalidRequest, match="outside"):
        clock.advance(to_the_end - 5400 + 60)  # within range alone, past it after the advances so far
    assert abs((clock.now() - wall).total_seconds() - 5400) < 2  # a refused advance changes nothing

"""The lifecycle engine without HTTP: a made-up kind of step with two events, on explicit times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from conftest import at

from mockserver.domain.errors import Conflict
from mockserver.domain.lifecycle.engine import Steps
from mockserver.domain.lifecycle.kinds import StepKind, StepKinds
from mockserver.domain.lifecycle.plans import Pending, Plan
from mockserver.domain.step_kinds import SHIPPED_KINDS


class Review(StepKind[Any]):
    """Opens a quarter of the way through its time, closes at the end; records every call."""

    name = "review"
    events = ("review.opens", "review.closes")
    default_plan = Plan("time", seconds=8)
    outcomes = ("APPROVED",)

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def timeline(self, pending: Pending, due: datetime) -> tuple[tuple[str, datetime], ...]:
        return (("review.opens", pending.started + (due - pending.started) / 4), ("review.closes", due))

    def on_event(self, wg: Any, event: str, target: str, when: datetime) -> None:
        self.calls.append(("event", event, target, when))

    def on_read(self, wg: Any, pending: Pending, now: datetime) -> None:
        self.calls.append(("read", pending.target, pending.reads))

    def complete(self, wg: Any, pending: Pending, when: datetime) -> None:
        self.calls.append(("complete", pending.target, when, pending.attempt, pending.plan.mode))


class Owner:
    def __init__(self, kind: StepKind[Any]) -> None:
        self.defaults = StepKinds(kind).shipped_defaults()


@pytest.fixture
def review() -> Review:
    return Review()


@pytest.fixture
def steps(review: Review) -> Steps:
    return Steps(Owner(review), StepKinds(review))


def test_events_come_due_in_order_each_stamped_with_its_due_time(steps: Steps, review: Review) -> None:
    steps.start("review", "a", at(0))
    steps.start("review", "b", at(1))
    steps.settle(at(1.9))
    assert review.calls == []
    steps.settle(at(2))
    assert review.calls == [("event", "review.opens", "a", at(2))]
    steps.settle(at(100))
    assert review.calls == [
        ("event", "review.opens", "a", at(2)),
        ("event", "review.opens", "b", at(3)),
        ("complete", "a", at(8), 1, "time"),
        ("complete", "b", at(9), 1, "time"),
    ]
    assert steps.pending("review", "a") is None and steps.next_due() is None


def test_a_restart_replaces_the_schedule_and_counts_an_attempt(steps: Steps, review: Review) -> None:
    steps.start("review", "a", at(0))
    steps.start("review", "a", at(4))
    steps.settle(at(100))
    assert review.calls == [("event", "review.opens", "a", at(6)), ("complete", "a", at(12), 2, "time")]


def test_cancel_stops_every_event_and_returns_the_step(steps: Steps, review: Review) -> None:
    started = steps.start("review", "a", at(0))
    assert steps.cancel("review", "a") is started
    assert steps.cancel("review", "a") is None
    steps.settle(at(100))
    assert review.calls == [] and steps.next_due() is None


def test_a_polls_plan_completes_on_the_read_after_count(steps: Steps, review: Review) -> None:
    steps.set_own_plan("review", "a", Plan("polls", count=2))
    steps.start("review", "a", at(0))
    assert steps.next_due() is None
    steps.on_read("review", "a", at(1))
    steps.on_read("review", "a", at(2))
    assert review.calls == [("read", "a", 1), ("read", "a", 2)]
    steps.on_read("review", "a", at(3))
    assert review.calls[-2:] == [("read", "a", 3), ("complete", "a", at(3), 1, "polls")]
    steps.on_read("review", "a", at(4))  # nothing pending: not counted
    assert len(review.calls) == 4


def test_reads_do_not_count_under_a_time_plan(steps: Steps, review: Review) -> None:
    steps.start("review", "a", at(0))
    steps.on_read("review", "a", at(1))
    assert review.calls == [] and steps.pending("review", "a").reads == 0  # type: ignore[union-attr]


def test_a_manual_step_completes_only_when_told(steps: Steps, review: Review) -> None:
    steps.set_own_plan("review", "a", Plan("manual"))
    steps.start("review", "a", at(0))
    steps.settle(at(10_000))
    assert review.calls == []
    steps.complete_now("review", "a", at(5))
    assert review.calls == [("complete", "a", at(5), 1, "manual")]
    with pytest.raises(Conflict, match="a has no pending review step"):
        steps.complete_now("review", "a", at(6))


def test_completing_now_cancels_what_was_scheduled(steps: Steps, review: Review) -> None:
    steps.start("review", "a", at(0))
    steps.complete_now("review", "a", at(1))
    steps.settle(at(100))
    assert review.calls == [("complete", "a", at(1), 1, "time")]


def test_an_own_plan_applies_from_the_start_time_and_none_restores_the_default(steps: Steps, review: Review) -> None:
    steps.start("review", "a", at(0))
    steps.set_own_plan("review", "a", Plan("time", seconds=40))
    assert steps.own_plan("review", "a") == Plan("time", seconds=40)
    assert steps.next_due() == at(10)
    steps.set_own_plan("review", "a", None)
    assert steps.own_plan("review", "a") is None
    assert steps.next_due() == at(2)
    steps.set_own_plan("review", "b", Plan("manual"))
    steps.forget("review", "b")
    assert steps.plan_for("review", "b") == Plan("time", seconds=8)


def test_the_default_plan_in_force_when_a_step_starts_is_the_one_it_follows(review: Review) -> None:
    owner = Owner(review)
    steps = Steps(owner, StepKinds(review))
    owner.defaults.set("review", Plan("time", seconds=100))
    steps.start("review", "a", at(0))
    owner.defaults.reset()
    steps.settle(at(99))
    assert review.calls[-1:] == [("event", "review.opens", "a", at(25))]


def test_a_deferred_step_stays_pending_and_unscheduled(steps: Steps, review: Review) -> None:
    pending = Pending("review", "a", Plan("time", seconds=1), at(0), 1)
    steps.defer(pending)
    assert steps.pending("review", "a") is pending and steps.next_due() is None


def test_export_and_restore_keep_due_times_attempts_and_own_plans(steps: Steps, review: Review) -> None:
    steps.set_own_plan("review", "a", Plan("time", seconds=20))
    steps.start("review", "a", at(0))
    steps.start("review", "a", at(1))
    pending, attempts, own = steps.export()
    other_kind = Review()
    copy = Steps(Owner(other_kind), StepKinds(other_kind))
    copy.restore(pending, attempts, own)
    assert copy.next_due() == at(6)
    copy.settle(at(100))
    assert other_kind.calls[-1] == ("complete", "a", at(21), 2, "time")
    copy.start("review", "a", at(200))
    assert copy.pending("review", "a").attempt == 3  # type: ignore[union-attr]


def test_the_registry_refuses_a_name_or_an_event_used_twice() -> None:
    class Other(Review):
        name = "other"

    with pytest.raises(ValueError, match="distinct"):
        StepKinds(Review(), Review())
    with pytest.raises(ValueError, match="distinct"):
        StepKinds(Review(), Other())


def test_the_registry_refuses_two_kinds_started_by_one_status() -> None:
    class Opened(Review):
        starts_on = ("PROCESSING",)

    class AlsoOpened(Opened):
        name = "also"
        events = ("also.closes",)

    with pytest.raises(ValueError, match="one step kind at most"):
        StepKinds(Opened(), AlsoOpened())
    assert StepKinds(Opened()).started_by("PROCESSING") == "review"


def test_default_plans_refuse_an_unknown_kind_and_reset_to_what_kinds_ship() -> None:
    defaults = SHIPPED_KINDS.shipped_defaults()
    assert defaults.for_kind("processing") == Plan("time", seconds=3.0, outcome="READY_FOR_INTERPRETATION")
    assert defaults.for_kind("ingestion") == Plan("time", seconds=2.0)
    defaults.set("processing", Plan("manual"))
    with pytest.raises(KeyError):
        defaults.set("review", Plan("manual"))
    defaults.reset()
    assert defaults.for_kind("processing").mode == "time"


def test_the_shipped_kinds_and_their_events() -> None:
    assert {name: kind.events for name, kind in SHIPPED_KINDS.items()} == {
        "processing": ("processing",),
        "ingestion": ("ingestion.start", "ingestion.finish"),
        "signOff": ("signOff",),
    }


def test_a_registry_is_equal_only_to_itself() -> None:
    """Schemas derived from a registry are cached by it: another registry of the same kinds is
    another server's, and gets its own."""
    kinds = StepKinds(Review())
    assert kinds == kinds and hash(kinds) == hash(kinds)
    assert kinds != StepKinds(Review())

"""One workgroup's asynchronous steps: started, re-planned, cancelled, settled when due.

No background thread moves anything: every operation first settles what is due under the
workgroup's lock (in due order, each stamped with its due time), so each transition happens
once, whichever request sees it first. What a step does is its kind's (``kinds``): the engine
only keeps the pending steps, their attempts, the targets' own plans and the schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from .kinds import StepKind, StepKinds
from .plans import DefaultPlans, Pending, Plan
from .schedule import Schedule


class StepOwner(Protocol):
    """What the engine reads of the owner of its steps (a workgroup), which its kinds are told."""

    @property
    def defaults(self) -> DefaultPlans: ...


OwnerT = TypeVar("OwnerT", bound=StepOwner)


class Steps(Generic[OwnerT]):
    def __init__(self, owner: OwnerT, kinds: StepKinds[OwnerT]) -> None:
        self._owner = owner
        self._kinds = kinds
        self._kind_of_event = {event: kind for kind in kinds.values() for event in kind.events}
        self._pending: dict[tuple[str, str], Pending] = {}
        self._attempts: dict[tuple[str, str], int] = {}
        self._own_plans: dict[tuple[str, str], Plan] = {}
        self._schedule = Schedule()

    # -- reading ---------------------------------------------------------------------------
    def pending(self, kind: str, target: str) -> Pending | None:
        return self._pending.get((kind, target))

    def own_plan(self, kind: str, target: str) -> Plan | None:
        return self._own_plans.get((kind, target))

    def plan_for(self, kind: str, target: str) -> Plan:
        """The target's own plan, else the default plan of its kind."""
        return self._own_plans.get((kind, target)) or self._owner.defaults.for_kind(kind)

    def next_due(self) -> datetime | None:
        return self._schedule.next_due()

    # -- starting and stopping ---------------------------------------------------------------
    def start(self, kind: str, target: str, at: datetime) -> Pending:
        """Start (or restart) a step under the plan in force for it now."""
        attempt = self._attempts.get((kind, target), 0) + 1
        self._attempts[(kind, target)] = attempt
        pending = Pending(kind, target, self.plan_for(kind, target), at, attempt)
        self._pending[(kind, target)] = pending
        self._schedule_step(pending)
        return pending

    def set_own_plan(self, kind: str, target: str, plan: Plan | None) -> None:
        """Give a target its own plan (None: back to the default); a step already under way
        follows it from its start time."""
        if plan is None:
            self._own_plans.pop((kind, target), None)
        else:
            self._own_plans[(kind, target)] = plan
        pending = self._pending.get((kind, target))
        if pending is not None:
            pending.plan = self.plan_for(kind, target)
            self._schedule_step(pending)

    def cancel(self, kind: str, target: str) -> Pending | None:
        """Stop a step; the one stopped, if any."""
        self._unschedule(kind, target)
        return self._pending.pop((kind, target), None)

    def forget(self, kind: str, target: str) -> None:
        """A target going away: its step and its own plan."""
        self.cancel(kind, target)
        self._own_plans.pop((kind, target), None)

    def defer(self, pending: Pending) -> None:
        """Keep a step that came due pending, unscheduled: whoever deferred it completes it."""
        self._pending[(pending.kind, pending.target)] = pending

    # -- completing ----------------------------------------------------------------------
    def settle(self, now: datetime) -> None:
        """Apply every event due at or before ``now``. Call with the owner's lock held."""
        while (entry := self._schedule.pop_due(now)) is not None:
            kind = self._kind_of_event[entry.kind]
            if entry.kind == kind.events[-1]:
                self._complete(kind, entry.target, entry.due)
            else:
                kind.on_event(self._owner, entry.kind, entry.target, entry.due)

    def on_read(self, kind: str, target: str, now: datetime) -> bool:
        """Count a client's read of a step's target, for ``polls`` plans: the read after
        ``count`` of them completes the step. Whether the read counted (and so may have changed
        the target)."""
        pending = self._pending.get((kind, target))
        if pending is None or pending.plan.mode != "polls":
            return False
        pending.reads += 1
        self._kinds[kind].on_read(self._owner, pending, now)
        if pending.reads > pending.plan.count:
            self._unschedule(kind, target)
            self._complete(self._kinds[kind], target, now)
        return True

    def complete_now(self, kind: str, target: str, now: datetime) -> None:
        """Complete a target's pending step at once (or what its kind does when there is none)."""
        step_kind = self._kinds[kind]
        if (kind, target) not in self._pending:
            self._pending[(kind, target)] = step_kind.without_step(self._owner, target, now)
        self._unschedule(kind, target)
        self._complete(step_kind, target, now)

    def _complete(self, kind: StepKind[OwnerT], target: str, at: datetime) -> None:
        pending = self._pending.pop((kind.name, target), None)
        if pending is not None:
            kind.complete(self._owner, pending, at)

    # -- the state file ------------------------------------------------------------------
    def export(self) -> tuple[list[Pending], list[tuple[str, str, int]], dict[tuple[str, str], Plan]]:
        """The pending steps, the attempts made and the own plans, to restore elsewhere."""
        attempts = [(kind, target, n) for (kind, target), n in self._attempts.items()]
        return list(self._pending.values()), attempts, dict(self._own_plans)

    def restore(self, pending: Iterable[Pending], attempts: Iterable[tuple[str, str, int]],
                own_plans: Mapping[tuple[str, str], Plan]) -> None:
        """Put back steps exported from another server, each due when it was due there."""
        self._attempts = {(kind, target): n for kind, target, n in attempts}
        self._own_plans = dict(own_plans)
        for step in pending:
            self._pending[(step.kind, step.target)] = step
            self._schedule_step(step)

    # -- the schedule --------------------------------------------------------------------
    def _schedule_step(self, pending: Pending) -> None:
        self._unschedule(pending.kind, pending.target)
        due = pending.plan.due(pending.started)
        if due is None:
            return
        for event, when in self._kinds[pending.kind].timeline(pending, due):
            self._schedule.add(event, pending.target, when)

    def _unschedule(self, kind: str, target: str) -> None:
        for event in self._kinds[kind].events:
            self._schedule.cancel(event, target)

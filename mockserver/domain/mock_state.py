"""Everything one server holds: the clock, the default plans and the workgroups."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from .clock import Clock
from .errors import AlreadyExists, InvalidRequest, NotFound
from .lifecycle.kinds import StepKinds
from .lifecycle.plans import DefaultPlans, Plan
from .models import Case
from .workgroup import Workgroup


class MockState:
    def __init__(
        self,
        *,
        clock: Clock,
        workgroups: Iterable[Workgroup],
        qc_overview: Callable[[Case], list[dict[str, Any]]],
        default_workgroup_id: str,
        step_kinds: StepKinds[Workgroup],
        report_variants: Callable[[Case], list[dict[str, Any]]] = lambda case: [],
        defaults: DefaultPlans | None = None,
        event_log_size: int | None = None,
    ) -> None:
        self.clock = clock
        self.qc_overview = qc_overview
        #: A case's reported variants: the data generator's, given by the app.
        self.report_variants = report_variants
        self.default_workgroup_id = default_workgroup_id
        #: The kinds of step its workgroups run; the control plane's plans are derived from them.
        self.step_kinds = step_kinds
        self.defaults = defaults or step_kinds.shipped_defaults()
        #: Logged events each workgroup keeps (None: all of them).
        self.event_log_size = event_log_size
        self._lock = threading.Lock()
        self._workgroups: dict[str, Workgroup] = {}
        for wg in workgroups:
            self.put_workgroup(wg)

    def workgroup(self, workgroup_id: str) -> Workgroup | None:
        return self._workgroups.get(workgroup_id)

    def workgroup_or_404(self, workgroup_id: str | None) -> Workgroup:
        """The named workgroup, or the default one when no name is given."""
        wanted = workgroup_id or self.default_workgroup_id
        wg = self._workgroups.get(wanted)
        if wg is None:
            raise NotFound(f"Workgroup {wanted} does not exist.")
        return wg

    def workgroups(self) -> list[Workgroup]:
        with self._lock:
            return list(self._workgroups.values())

    def _adopt(self, wg: Workgroup) -> None:
        """A workgroup joining this server follows its default plans and its event log bound."""
        wg.follow(self.defaults)
        wg.keep_events(self.event_log_size)

    def put_workgroup(self, wg: Workgroup) -> None:
        """Add a workgroup, or replace the one with its id; it follows the shared default plans."""
        self._adopt(wg)
        with self._lock:
            self._workgroups[wg.id] = wg

    def check_id_free(self, workgroup_id: str) -> None:
        """AlreadyExists when a workgroup has this id: checked before building one, which can
        take seconds, and again when adding it."""
        if workgroup_id in self._workgroups:
            raise AlreadyExists(f"Workgroup {workgroup_id} already exists.", [{"field": "id", "message": "already used"}])

    def add_workgroup(self, wg: Workgroup) -> None:
        self._adopt(wg)
        with self._lock:
            self.check_id_free(wg.id)
            self._workgroups[wg.id] = wg

    def remove_workgroup(self, workgroup_id: str) -> None:
        if workgroup_id == self.default_workgroup_id:
            raise InvalidRequest("The default workgroup cannot be deleted; reset it instead.")
        with self._lock:
            wg = self._workgroups.pop(workgroup_id, None)
        if wg is None:
            raise NotFound(f"Workgroup {workgroup_id} does not exist.")
        wg.wake_waiters()

    def workgroup_of_case(self, case_id: str, workgroup_id: str | None) -> Workgroup:
        """The workgroup holding a case: the named one, else the first that has it."""
        return self._holding(lambda wg: case_id in wg.cases, workgroup_id, f"Case {case_id}")

    def workgroup_of_upload(self, upload_id: str, workgroup_id: str | None) -> Workgroup:
        """The workgroup holding an upload: the named one, else the first that has it."""
        return self._holding(lambda wg: upload_id in wg.uploads, workgroup_id,
                             f"Custom case data file {upload_id}")

    def _holding(self, holds: Callable[[Workgroup], bool], workgroup_id: str | None, what: str) -> Workgroup:
        if workgroup_id:
            return self.workgroup_or_404(workgroup_id)
        found = next((wg for wg in self.workgroups() if holds(wg)), None)
        if found is None:
            raise NotFound(f"{what} was not found in any workgroup.")
        return found

    def replace_all(self, workgroups: Iterable[Workgroup], default_workgroup_id: str | None = None) -> None:
        """Swap in a whole new set of workgroups (and default workgroup) at once: a reader sees
        the old set or the new one, never a workgroup missing between them."""
        new = {}
        for wg in workgroups:
            self._adopt(wg)
            new[wg.id] = wg
        with self._lock:
            old, self._workgroups = self._workgroups, new
            if default_workgroup_id is not None:
                self.default_workgroup_id = default_workgroup_id
        for wg in old.values():
            if new.get(wg.id) is not wg:
                wg.wake_waiters()

    # -- the clock and the default plans: each change wakes every waiter --------------------
    def freeze_clock(self, at: datetime) -> None:
        self.clock.freeze(at)
        self.notify_all()

    def unfreeze_clock(self) -> None:
        self.clock.unfreeze()
        self.notify_all()

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.notify_all()

    def restore_clock(self, frozen_at: datetime | None, offset_seconds: float) -> None:
        self.clock.restore(frozen_at, offset_seconds)
        self.notify_all()

    def set_default_plans(self, plans: Mapping[str, Plan | None]) -> None:
        """New default plans by kind (None: keep that kind's)."""
        for kind, plan in plans.items():
            if plan is not None:
                self.defaults.set(kind, plan)
        self.notify_all()

    def reset_server_wide(self) -> None:
        """The clock back to real time and the default plans back to the shipped ones."""
        self.clock.unfreeze()
        self.defaults.reset()
        self.notify_all()

    def notify_all(self) -> None:
        """Wake every waiter (after the clock changed, for instance)."""
        for wg in self.workgroups():
            wg.wake_waiters()

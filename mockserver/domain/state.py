"""Everything one server holds: the clock and the workgroups (each an isolated partition)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from .clock import Clock
from .models import Case
from .workgroup import Workgroup


class MockState:
    def __init__(
        self,
        *,
        clock: Clock,
        workgroups: Iterable[Workgroup],
        qc_overview: Callable[[Case], list[dict[str, Any]]],
    ) -> None:
        self.clock = clock
        self.qc_overview = qc_overview
        self._lock = threading.Lock()
        self._workgroups = {wg.id: wg for wg in workgroups}

    def workgroup(self, workgroup_id: str) -> Workgroup | None:
        return self._workgroups.get(workgroup_id)

    def workgroups(self) -> list[Workgroup]:
        with self._lock:
            return list(self._workgroups.values())

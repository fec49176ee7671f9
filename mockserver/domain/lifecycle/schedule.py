"""Due steps of one workgroup, in due-time order; settled by whichever request comes first.

No background thread moves anything: every operation first settles what is due under the
workgroup's lock, so each step happens once, in order, at its due time (as the timestamp).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(order=True, slots=True)
class Step:
    due: datetime
    seq: int
    kind: str = field(compare=False)
    target: str = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Schedule:
    def __init__(self) -> None:
        self._heap: list[Step] = []
        self._current: dict[tuple[str, str], Step] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self._current)

    def add(self, kind: str, target: str, due: datetime) -> Step:
        """Schedule a step, replacing any pending step of the same kind for the same target."""
        self.cancel(kind, target)
        self._seq += 1
        step = Step(due, self._seq, kind, target)
        heapq.heappush(self._heap, step)
        self._current[(kind, target)] = step
        return step

    def cancel(self, kind: str, target: str) -> None:
        step = self._current.pop((kind, target), None)
        if step is not None:
            step.cancelled = True

    def next_due(self) -> datetime | None:
        """The due time of the earliest step still pending."""
        heap = self._heap
        while heap and heap[0].cancelled:
            heapq.heappop(heap)
        return heap[0].due if heap else None

    def pop_due(self, now: datetime) -> Step | None:
        """The earliest step due at or before ``now``, removed from the schedule."""
        heap = self._heap
        while heap and heap[0].due <= now:
            step = heapq.heappop(heap)
            if not step.cancelled:
                del self._current[(step.kind, step.target)]
                return step
        return None

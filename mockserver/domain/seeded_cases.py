"""A workgroup's seeded cases, in creation order, each made when it is first read.

Generated cases come from a ``CaseSource``: case ``i`` is made from the seed and ``i`` alone,
so start-up only puts the cases in order, which needs nothing but each one's creation time. A
bounded cache keeps the cases read lately; a case made again equals the one made before, so
what a client reads never depends on what was read before it. Cases given whole (the fixtures)
are held as they are.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import groupby
from typing import Protocol, overload

from .models import Case, Summary

SortKey = tuple[datetime, str, str]



class DuplicateCaseId(ValueError):
    """Two seeded cases (given, or given and generated) with one id."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"seeded cases have duplicate ids: {case_id}")
        self.case_id = case_id

class CaseSource(Protocol):
    """Cases made on demand, each from its index alone."""

    def __len__(self) -> int: ...

    def created_seconds(self) -> Sequence[int]:
        """Each case's creation time in whole seconds (from any fixed origin), by index."""
        ...

    def sort_key(self, index: int) -> SortKey: ...

    def summary(self, index: int) -> Summary: ...

    def case(self, index: int) -> Case: ...

    def index_of_id(self, case_id: str) -> int | None: ...

    def index_of_display_id(self, display_id: str) -> int | None: ...


class _NoCases:
    """The source of a workgroup with held cases only."""

    def __len__(self) -> int:
        return 0

    def created_seconds(self) -> Sequence[int]:
        return ()

    def sort_key(self, index: int) -> SortKey:
        raise IndexError(index)

    def summary(self, index: int) -> Summary:
        raise IndexError(index)

    def case(self, index: int) -> Case:
        raise IndexError(index)

    def index_of_id(self, case_id: str) -> int | None:
        return None

    def index_of_display_id(self, display_id: str) -> int | None:
        return None


def _sort_key(case: Case) -> SortKey:
    return case.sort_key


class SeededCases(Sequence[Case]):
    """The held cases and the source's, merged by creation date (then displayId, then id)."""

    def __init__(self, cases: Iterable[Case] = (), generated: CaseSource | None = None,
                 cache_size: int = 2048) -> None:
        self._held = sorted(cases, key=_sort_key)
        self._source: CaseSource = generated if generated is not None else _NoCases()
        self._held_position: dict[str, int] = {}
        order = self._generated_order()
        #: Position -> the case there: an index of the source (>= 0), or -1 - j for held case j.
        refs = array("i")
        start = 0
        for j, case in enumerate(self._held):
            if generated is not None:
                cut = bisect_left(order, case.sort_key, lo=start, key=generated.sort_key)
                refs.extend(order[start:cut])
                start = cut
            if case.id in self._held_position or (generated is not None and generated.index_of_id(case.id) is not None):
                raise DuplicateCaseId(case.id)
            self._held_position[case.id] = len(refs)
            refs.append(-1 - j)
        refs.extend(order[start:])
        self._refs = refs
        #: Source index -> position.
        self._position_of_index = array("i", [0]) * len(order)
        for position, ref in enumerate(refs):
            if ref >= 0:
                self._position_of_index[ref] = position
        self._held_by_display_id: dict[str, tuple[int, ...]] = {}
        for case in self._held:
            position = self._held_position[case.id]
            self._held_by_display_id[case.display_id] = (*self._held_by_display_id.get(case.display_id, ()), position)
        self._cache: OrderedDict[int, Case] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _generated_order(self) -> array[int]:
        """The source's indexes by creation date; cases created in the same second (a few in
        100,000) by their whole sort key."""
        source = self._source
        if not len(source):
            return array("i")
        created = source.created_seconds()
        order = sorted(range(len(source)), key=created.__getitem__)
        shared = {second for second, n in Counter(created).items() if n > 1}
        if shared:
            tied = [position for position, index in enumerate(order) if created[index] in shared]
            for _, run in groupby(tied, key=lambda position: created[order[position]]):
                positions = list(run)
                order[positions[0] : positions[-1] + 1] = sorted(order[positions[0] : positions[-1] + 1],
                                                                 key=source.sort_key)
        return array("i", order)

    def __len__(self) -> int:
        return len(self._refs)

    @overload
    def __getitem__(self, position: int) -> Case: ...

    @overload
    def __getitem__(self, position: slice) -> list[Case]: ...

    def __getitem__(self, position: int | slice) -> Case | list[Case]:
        if isinstance(position, slice):
            return [self[p] for p in range(*position.indices(len(self)))]
        ref = self._refs[position]
        if ref < 0:
            return self._held[-1 - ref]
        with self._lock:
            case = self._cache.get(ref)
            if case is not None:
                self._cache.move_to_end(ref)
                return case
        case = self._source.case(ref)
        with self._lock:
            kept = self._cache.setdefault(ref, case)
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return kept

    def __iter__(self) -> Iterator[Case]:
        return map(self.__getitem__, range(len(self)))

    def summary(self, position: int) -> Summary:
        """What search, order and history read of the case at ``position``; a held case is its
        own summary."""
        ref = self._refs[position]
        return self._held[-1 - ref] if ref < 0 else self._source.summary(ref)

    def summaries(self) -> Iterator[Summary]:
        """Every case's summary, in order, without making the cases."""
        return map(self.summary, range(len(self)))

    def sort_key(self, position: int) -> SortKey:
        ref = self._refs[position]
        return self._held[-1 - ref].sort_key if ref < 0 else self._source.sort_key(ref)

    def position_of(self, case_id: str) -> int | None:
        position = self._held_position.get(case_id)
        if position is not None:
            return position
        index = self._source.index_of_id(case_id)
        return None if index is None else self._position_of_index[index]

    def get(self, case_id: str) -> Case | None:
        position = self.position_of(case_id)
        return None if position is None else self[position]

    def positions_of_display_id(self, display_id: str) -> tuple[int, ...]:
        found = self._held_by_display_id.get(display_id, ())
        index = self._source.index_of_display_id(display_id)
        return found if index is None else (*found, self._position_of_index[index])

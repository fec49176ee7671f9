"""The cases of one workgroup: the seeded base (``SeededCases``) under an overlay of changes.

Reads see the overlay first. Reset drops the overlay, so it costs the same for 100 or 100,000
seeded cases. Cases are kept in creation order so searches page without sorting, and a page
makes only the seeded cases on it.

Cases can also be found by display id (the earliest created wins), and a batch of new cases
can be prepared away from the workgroup's lock and added in one step that costs a few C-level
merges, whatever its size.
"""

from __future__ import annotations

import heapq
import threading
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from .columns import Columns
from .models import Case, Summary
from .pacing import Pacer
from .seeded_cases import SeededCases, SortKey

_DELETED = None
#: Work on 100,000 items is cut into slices of this many, so no one C-level call holds the GIL long.
_SLICE = 5000


@dataclass(frozen=True, slots=True)
class NewCases:
    """New cases, ready to add: by id, their order keys sorted, and by display id."""

    by_id: dict[str, Case]
    sorted_keys: list[tuple[object, ...]]
    by_display_id: dict[str, tuple[str, ...]]
    statuses: Counter[str]

    @classmethod
    def of(cls, cases: Iterable[Case]) -> NewCases:
        """A third of a second of Python for 100,000 cases: paced (``Pacer``), so that other
        requests keep their GIL while an upload's job is worked out."""
        pacer = Pacer()
        by_id: dict[str, Case] = {}
        for c in cases:
            pacer.tick()
            by_id[c.id] = c
        by_display_id: dict[str, tuple[str, ...]] = {}
        keys: list[tuple[object, ...]] = []
        statuses: Counter[str] = Counter()
        for c in by_id.values():
            pacer.tick()
            by_display_id[c.display_id] = (*by_display_id.get(c.display_id, ()), c.id)
            keys.append((*c.sort_key,))
            statuses[c.status.value] += 1
        # Sorted in slices merged by a generator: one sort of 100,000 keys would hold the GIL
        # (and so every other request) for a tenth of a second.
        runs = [sorted(part) for part in pacer.slices(keys, _SLICE)]
        merged: list[tuple[object, ...]] = []
        for key in heapq.merge(*runs):
            pacer.tick()
            merged.append(key)
        return cls(by_id, merged, by_display_id, statuses)


def _merged_keys(old: list[tuple[object, ...]], new: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Two sorted key lists as one; new cases usually all sort after the old ones (they were
    created now), which is a plain concatenation."""
    if not old or not new or old[-1] <= new[0]:
        return [*old, *new]
    return list(heapq.merge(old, new))


def merged_updates(target: dict[Any, Any], source: dict[Any, Any]) -> None:
    """``target.update(source)`` in paced slices: one C-level update of 100,000 entries would
    hold the GIL, and so every other request, for tens of milliseconds."""
    for part in Pacer().slices(list(source.items()), _SLICE):
        target.update(part)


def _merge_display_ids(index: dict[str, tuple[str, ...]], new: dict[str, tuple[str, ...]]) -> None:
    """Add ``new``'s display ids to ``index``, joining the ids of a display id both hold."""
    shared = {d: index[d] + new[d] for d in new.keys() & index.keys()}
    merged_updates(index, new)
    index.update(shared)


@dataclass(frozen=True, slots=True)
class MergedOverlay:
    """The added cases and their indexes with a batch merged in, as of ``version``."""

    version: int
    added: dict[str, Case]
    added_keys: list[tuple[object, ...]]
    by_display_id: dict[str, tuple[str, ...]]
    count: int
    status_changes: Counter[str]


class CaseTable:
    def __init__(self, seeded: SeededCases | Iterable[Case] = ()) -> None:
        self._seeded = seeded if isinstance(seeded, SeededCases) else SeededCases(seeded)
        self._columns: Columns | None = None
        self._columns_lock = threading.Lock()
        #: Counts every change: equal numbers mean nothing changed in between.
        self.version = 0
        self.reset()

    def reset(self) -> None:
        """Forget every change since seeding."""
        self._changed: dict[str, Case | None] = {}
        #: Seeded positions changed (-> the case now) or deleted (-> None) since seeding.
        self._hidden: dict[int, Case | None] = {}
        self._added: dict[str, Case] = {}
        self._added_keys: list[tuple[object, ...]] = []
        self._overlay_by_display_id: dict[str, tuple[str, ...]] = {}
        self._count = len(self._seeded)
        #: Cases per status now, less the seeded cases per status: kept as cases change, so
        #: counting by status never walks the changes.
        self._status_changes: Counter[str] = Counter()
        self.version += 1

    def base_columns(self, readers: Mapping[str, Callable[[Summary], Any]]) -> Columns:
        """Columns of the seeded cases (one per reader), each built on first use."""
        if self._columns is None:
            with self._columns_lock:
                if self._columns is None:
                    self._columns = Columns(self._seeded, readers)
        return self._columns

    def hidden_base_positions(self) -> Collection[int]:
        """Positions in ``seeded`` of the cases that were changed or deleted since seeding."""
        return self._hidden.keys()

    def deleted_ids(self) -> list[str]:
        """Ids of seeded cases deleted since seeding."""
        return [case_id for case_id, case in self._changed.items() if case is None]

    def overlay(self) -> list[Case]:
        """The current cases that are not seeded ones as seeded: changed and added cases."""
        return [c for c in self._changed.values() if c is not None] + list(self._added.values())

    @property
    def seeded(self) -> SeededCases:
        return self._seeded

    def status_changes(self) -> dict[str, int]:
        """Cases per status (API value) now, less the seeded cases per status."""
        return dict(self._status_changes)

    def seeded_case(self, case_id: str) -> Case | None:
        """The case as seeded (changed or deleted since, or not)."""
        return self._seeded.get(case_id)

    def __len__(self) -> int:
        return self._count

    def __contains__(self, case_id: str) -> bool:
        return self.get(case_id) is not None

    def get(self, case_id: str) -> Case | None:
        if case_id in self._added:
            return self._added[case_id]
        if case_id in self._changed:
            return self._changed[case_id]
        return self._seeded.get(case_id)

    def find_by_display_id(self, display_id: str) -> Case | None:
        """The earliest created case with this display id, if any."""
        hidden = self._hidden
        found = [self._seeded[p] for p in self._seeded.positions_of_display_id(display_id) if p not in hidden]
        found += (c for i in self._overlay_by_display_id.get(display_id, ()) if (c := self.get(i)) is not None)
        return min(found, key=lambda c: c.sort_key, default=None)

    def put(self, case: Case) -> None:
        """Add a case or replace the one with the same id."""
        was_added = case.id in self._added
        replaced = self.delete(case.id)
        self._count += 1
        self._status_changes[case.status.value] += 1
        position = self._seeded.position_of(case.id)
        if position is not None and self._seeded_key(position, None if was_added else replaced) == case.sort_key:
            self._changed[case.id] = case
            self._hidden[position] = case
        else:
            insort(self._added_keys, (*case.sort_key,))
            self._added[case.id] = case
        index = self._overlay_by_display_id
        index[case.display_id] = (*index.get(case.display_id, ()), case.id)
        self.version += 1

    def _seeded_key(self, position: int, at_position: Case | None) -> SortKey:
        """The sort key of the seeded case at ``position``: that of the case stored there, when
        there is one (a case stays at its seeded position only with the seeded key), as reading
        it from the seed costs about 30 us."""
        return at_position.sort_key if at_position is not None else self._seeded.sort_key(position)

    def merged_with(self, new: NewCases) -> MergedOverlay:
        """The overlay with ``new`` added, built from copies without the workgroup's lock (each
        copy is one C-level step); ``swap_in`` then installs it in constant time, if nothing
        changed meanwhile."""
        version = self.version
        added = dict(self._added)
        merged_updates(added, new.by_id)
        keys = _merged_keys(self._added_keys, new.sorted_keys)
        index = dict(self._overlay_by_display_id)
        _merge_display_ids(index, new.by_display_id)
        status_changes = Counter(self._status_changes)
        status_changes.update(new.statuses)  # not ``+``, which drops the counts below one
        return MergedOverlay(version, added, keys, index, self._count + len(new.by_id), status_changes)

    def swap_in(self, merged: MergedOverlay) -> bool:
        """Install an overlay from ``merged_with``; False, changing nothing, if the table
        changed since it was built."""
        if merged.version != self.version:
            return False
        self._added, self._added_keys = merged.added, merged.added_keys
        self._overlay_by_display_id, self._count = merged.by_display_id, merged.count
        self._status_changes = merged.status_changes
        self.version += 1
        return True

    def add_new(self, new: NewCases) -> None:
        """Add cases whose ids are in no table yet, prepared beforehand with ``NewCases.of``."""
        self._added.update(new.by_id)
        self._added_keys = _merged_keys(self._added_keys, new.sorted_keys)
        _merge_display_ids(self._overlay_by_display_id, new.by_display_id)
        self._count += len(new.by_id)
        self._status_changes.update(new.statuses)
        self.version += 1

    def delete(self, case_id: str) -> Case | None:
        case = self.get(case_id)
        if case is None:
            return None
        self._count -= 1
        self._status_changes[case.status.value] -= 1
        if case_id in self._added:
            del self._added[case_id]
            keys = self._added_keys
            del keys[bisect_left(keys, (*case.sort_key,))]
        else:
            self._changed[case_id] = _DELETED
            position = self._seeded.position_of(case_id)
            assert position is not None  # neither added nor missing: a seeded case
            self._hidden[position] = _DELETED
        index = self._overlay_by_display_id
        left = tuple(i for i in index.get(case.display_id, ()) if i != case_id)
        if left:
            index[case.display_id] = left
        else:
            index.pop(case.display_id, None)
        self.version += 1
        return case

    def page(self, start: int, stop: int, descending: bool = False) -> list[Case]:
        """Cases ``start`` to ``stop`` (exclusive) of every case by creation date (then
        displayId, then id); only the seeded cases on the page are made."""
        deleted = sorted(p for p, c in self._hidden.items() if c is None)
        visible: Sequence[int] = range(len(self._seeded)) if not deleted else _Without(len(self._seeded), deleted)
        seeded, changed, added, added_keys = self._seeded, self._hidden, self._added, self._added_keys
        picked = merged_slice(len(visible), lambda k: seeded.sort_key(visible[k]), added_keys, start, stop, descending)
        return [(changed.get(visible[i]) or seeded[visible[i]]) if from_base else added[added_keys[i][-1]]  # type: ignore[index]
                for from_base, i in picked]

    def ordered(self, descending: bool = False) -> list[Case]:
        """Every case, by creation date (then displayId, then id)."""
        return self.page(0, self._count, descending)


class _Without(Sequence[int]):
    """``range(n)`` without the positions in ``removed`` (sorted), read by index."""

    def __init__(self, n: int, removed: list[int]) -> None:
        self._n, self._removed = n, removed

    def __len__(self) -> int:
        return self._n - len(self._removed)

    @overload
    def __getitem__(self, k: int) -> int: ...
    @overload
    def __getitem__(self, k: slice) -> list[int]: ...

    def __getitem__(self, k: int | slice) -> int | list[int]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if not 0 <= k < len(self):
            raise IndexError(k)
        # The smallest position p with k + 1 kept positions up to it.
        lo, hi = k, k + len(self._removed)
        while lo < hi:
            mid = (lo + hi) // 2
            if mid + 1 - bisect_right(self._removed, mid) >= k + 1:
                hi = mid
            else:
                lo = mid + 1
        return lo


def merged_slice(base_len: int, base_key: Callable[[int], Any], extra_keys: Sequence[Any], start: int, stop: int,
                 descending: bool = False) -> list[tuple[bool, int]]:
    """Items ``start`` to ``stop`` of two sorted sequences merged by key (no key in both): each
    as (from the base?, its index there). Descending reads both from their ends. Finding the
    start reads a logarithmic number of base keys, so a deep page costs what a first one does."""
    nb, ne = base_len, len(extra_keys)
    stop = min(stop, nb + ne)
    if start >= stop:
        return []
    if not ne:
        return [(True, nb - 1 - k if descending else k) for k in range(start, stop)]

    def base_at(k: int) -> Any:
        return base_key(nb - 1 - k if descending else k)

    def extra_at(e: int) -> Any:
        return extra_keys[ne - 1 - e if descending else e]

    def extra_before(key: Any) -> int:
        return ne - bisect_right(extra_keys, key) if descending else bisect_left(extra_keys, key)

    lo, hi = 0, min(nb, start)  # base items among the first ``start``: the first k with k + extra_before >= start
    while lo < hi:
        mid = (lo + hi) // 2
        if mid + extra_before(base_at(mid)) >= start:
            hi = mid
        else:
            lo = mid + 1
    k, e = lo, start - lo
    picked: list[tuple[bool, int]] = []
    key_k = base_at(k) if k < nb else None
    while len(picked) < stop - start:
        if e < ne and (k >= nb or ((extra_at(e) > key_k) if descending else (extra_at(e) < key_k))):
            picked.append((False, ne - 1 - e if descending else e))
            e += 1
        else:
            picked.append((True, nb - 1 - k if descending else k))
            k += 1
            key_k = base_at(k) if k < nb else None
    return picked

"""How a search parameter tests a value: on one case's value (``one``, for changed cases) and
over a whole column of seeded values at once (``many``: C-level ``map`` where possible, one
truthy result per value). Both forms of each test are written side by side, so they agree."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from itertools import chain, repeat
from operator import contains, eq
from typing import Any, Protocol

from .. import fidelity
from .models import SEPARATOR


class Match(Protocol):
    def one(self, value: Any) -> bool: ...

    def many(self, values: Iterable[Any]) -> Iterable[Any]: ...


class Equals:
    def __init__(self, wanted: object) -> None:
        self.wanted = wanted

    def one(self, value: Any) -> bool:
        return bool(value == self.wanted)

    def many(self, values: Iterable[Any]) -> Iterable[Any]:
        return map(eq, values, repeat(self.wanted))


class OneOf:
    def __init__(self, wanted: Iterable[object]) -> None:
        self.wanted = frozenset(wanted)

    def one(self, value: Any) -> bool:
        return value in self.wanted

    def many(self, values: Iterable[Any]) -> Iterable[Any]:
        return map(self.wanted.__contains__, values)

    def within(self, positions_by_value: Mapping[Any, Sequence[int]], lo: int, hi: int) -> list[int]:
        """Over a column's index (each value's positions, ascending), the positions in
        ``lo``..``hi`` whose value is wanted, ascending."""
        found = [p[bisect_left(p, lo):bisect_left(p, hi)] for v in self.wanted if (p := positions_by_value.get(v))]
        return sorted(chain.from_iterable(found)) if len(found) > 1 else list(found[0]) if found else []


def like_search(needle: str) -> Callable[[str], re.Match[str] | None]:
    """``search`` for a lower-cased ``%`` pattern over SEPARATOR-joined values, in time linear in
    the text for each of the pattern's parts: each part is taken at its earliest place after the
    previous one (atomic groups, so a failed attempt never backtracks into earlier choices), and
    an attempt starts only at the start of a value. A greedy first match is right for "contains"
    with only ``%`` wildcards: if any placement of the parts fits, the earliest ones do."""
    any_run = f"[^{SEPARATOR}]*?"
    parts = (re.escape(p) for p in needle.split(fidelity.LIKE_WILDCARD))
    return re.compile(f"(?:^|{SEPARATOR})" + "".join(f"(?>{any_run}{p})" for p in parts)).search


class Contains:
    """Case-insensitive "contains" over a lower-cased text of one or more SEPARATOR-joined
    values, where ``%`` stands for any run of characters within one value (SQL LIKE)."""

    def __init__(self, text: str) -> None:
        self.needle = text.lower()
        self._search = like_search(self.needle) if fidelity.LIKE_WILDCARD in self.needle else None

    def one(self, value: str) -> bool:
        if self._search is None:
            return self.needle in value
        return self._search(value) is not None

    def many(self, values: Iterable[str]) -> Iterable[Any]:
        if self._search is None:
            return map(contains, values, repeat(self.needle))
        return map(self._search, values)


class AllOf:
    def __init__(self, matches: Sequence[Match]) -> None:
        self.matches = matches

    def one(self, value: Any) -> bool:
        return all(m.one(value) for m in self.matches)

    def many(self, values: Iterable[Any]) -> Iterable[Any]:
        return map(self.one, values)


class AnyOf(AllOf):
    def one(self, value: Any) -> bool:
        return any(m.one(value) for m in self.matches)


def each_of(texts: Sequence[str]) -> Match:
    """Several texts to find (``tags``): all of them or any, as fidelity says."""
    matches = [Contains(t) for t in texts]
    if len(matches) == 1:
        return matches[0]
    return AllOf(matches) if fidelity.TAGS_MATCH_ALL else AnyOf(matches)


class Bound:
    """A date bound; over a sorted column, the range of positions within it (a bisection)."""

    def __init__(self, limit: datetime, upper: bool) -> None:
        self.limit = limit
        self.upper = upper

    def one(self, value: datetime) -> bool:
        if self.upper:
            return value <= self.limit if fidelity.DATE_BOUNDS_INCLUSIVE else value < self.limit
        return value >= self.limit if fidelity.DATE_BOUNDS_INCLUSIVE else value > self.limit

    def many(self, values: Iterable[datetime]) -> Iterable[Any]:
        return map(self.one, values)

    def narrow(self, column: Sequence[datetime], lo: int, hi: int) -> tuple[int, int]:
        inclusive = fidelity.DATE_BOUNDS_INCLUSIVE
        if self.upper:
            return lo, min(hi, (bisect_right if inclusive else bisect_left)(column, self.limit))
        return max(lo, (bisect_left if inclusive else bisect_right)(column, self.limit)), hi

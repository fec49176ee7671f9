"""The request journal: a bounded record of every request to the vendor surface."""

from __future__ import annotations

import fnmatch
import threading
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from typing import Any

PREVIEW_BYTES = 1024


class Journal:
    """Newest last; past ``size`` entries the oldest drop first."""

    def __init__(self, size: int) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._seq = 0

    @property
    def size(self) -> int:
        return self._entries.maxlen or 0

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            self._entries.append({"seq": self._seq, **entry})

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def select(self, operation: str | None = None, since: int | datetime | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        """Entries oldest first; ``since`` is a sequence number (after it) or a time (at or after)."""
        chosen: Iterable[dict[str, Any]] = self.entries()
        if operation:
            chosen = (e for e in chosen if e["operation"] == operation)
        if isinstance(since, int):
            chosen = (e for e in chosen if e["seq"] > since)
        elif isinstance(since, datetime):
            chosen = (e for e in chosen if e["time"] >= since)
        found = list(chosen)
        return found[-limit:] if limit else found

    def count(self, matcher: dict[str, Any]) -> int:
        return sum(1 for e in self.entries() if matches(e, matcher))


def matches(entry: dict[str, Any], matcher: dict[str, Any]) -> bool:
    """Every given field equal; ``path`` may use ``*`` wildcards."""
    for key, wanted in matcher.items():
        if key == "path" and "*" in wanted:
            if not fnmatch.fnmatchcase(entry["path"], wanted):
                return False
        elif entry.get(key) != wanted:
            return False
    return True


def redact(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Request headers with the Authorization value cut to its scheme (a raw token: ``<token>``)."""
    shown = {}
    for name, value in headers:
        if name.lower() == "authorization":
            parts = value.split()
            value = parts[0] if len(parts) > 1 else "<token>"
        shown[name] = value
    return shown

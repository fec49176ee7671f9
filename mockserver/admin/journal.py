"""The request journal: a bounded record of every request to the vendor surface."""

from __future__ import annotations

import fnmatch
import threading
import time
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import Any
from urllib.parse import parse_qs

from ..domain.clock import EPOCH, MICROSECOND
from ..serving import redaction

PREVIEW_BYTES = 1024
#: Bounds on what one entry keeps (characters), so the journal is bounded in bytes as well as
#: entries; an entry that was cut says so (``truncated``).
MAX_HEADER_CHARS = 1024
MAX_HEADERS_CHARS = 8 * 1024
MAX_PATH_CHARS = 2048


def now_microseconds() -> int:
    """An entry's time: whole microseconds since the clock's ``EPOCH``, so that printing and
    filtering (``select``'s ``since``) agree exactly."""
    return time.time_ns() // 1000


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
            entry["seq"] = self._seq
            self._entries.append(entry)

    def clear(self, workgroup: str | None = None) -> None:
        """Forget every entry, or only the requests that named ``workgroup``."""
        with self._lock:
            if workgroup is None:
                self._entries.clear()
            else:
                kept = [e for e in self._entries if e["workgroup"] != workgroup]
                self._entries.clear()
                self._entries.extend(kept)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def newest(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` newest entries, newest first (read without copying the journal)."""
        with self._lock:
            return list(islice(reversed(self._entries), limit))

    def select(self, operation: str | None = None, since: int | datetime | None = None,
               limit: int | None = None, workgroup: str | None = None) -> list[dict[str, Any]]:
        """Entries oldest first; ``since`` is a sequence number (after it) or a time (at or after)."""
        chosen: Iterable[dict[str, Any]] = self.entries()
        if operation:
            chosen = (e for e in chosen if e["operation"] == operation)
        if workgroup:
            chosen = (e for e in chosen if e["workgroup"] == workgroup)
        if isinstance(since, int):
            chosen = (e for e in chosen if e["seq"] > since)
        elif isinstance(since, datetime):
            cutoff = (since - EPOCH) // MICROSECOND
            chosen = (e for e in chosen if e["time"] >= cutoff)
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


def kept_request(environ: dict[str, Any], path: str) -> dict[str, Any]:
    """What an entry keeps of the request line and headers: credentials redacted, each part cut
    to its bound, and ``truncated`` when anything was cut."""
    headers, cut = _redacted_headers(environ)
    query = redaction.query_string(environ.get("QUERY_STRING", ""))
    if len(path) > MAX_PATH_CHARS or len(query) > MAX_PATH_CHARS:
        path, query, cut = path[:MAX_PATH_CHARS], query[:MAX_PATH_CHARS], True
    return {"path": path, "queryString": query, "headers": headers, "truncated": cut}


def _redacted_headers(environ: dict[str, Any]) -> tuple[list[tuple[str, str]], bool]:
    headers: list[tuple[str, str]] = []
    used, cut = 0, False
    for key, value in environ.items():
        if not (key.startswith("HTTP_") or key in _CONTENT_KEYS):
            continue
        value = redaction.header_value(key, value)
        if len(value) > MAX_HEADER_CHARS:
            value, cut = value[:MAX_HEADER_CHARS] + "…", True
        used += len(key) + len(value)
        if used > MAX_HEADERS_CHARS:
            return headers, True
        headers.append((key, value))
    return headers, cut


_CONTENT_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH")


def _header_name(environ_key: str) -> str:
    name = environ_key[5:] if environ_key.startswith("HTTP_") else environ_key
    return "-".join(part.capitalize() for part in name.split("_"))


def entry_json(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as ``GET /_mock/requests`` shows it."""
    shown = {k: v for k, v in entry.items() if k != "queryString"}
    shown["time"] = (EPOCH + entry["time"] * MICROSECOND).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    shown["query"] = parse_qs(entry["queryString"], keep_blank_values=True)
    shown["headers"] = {_header_name(k): v for k, v in entry["headers"] if v != ""}
    return shown

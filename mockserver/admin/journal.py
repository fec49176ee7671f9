"""The request journal: a bounded record of every request to the vendor surface, and of each
control-plane call that changes something (``plane``); and the matching of its entries by
what a test asks (operation, method, path, status, header, query parameter, JSON body field),
with the differences that make an entry a near miss."""

from __future__ import annotations

import fnmatch
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from ..domain.clock import EPOCH, MICROSECOND
from ..http.answered import Noted
from ..serving import redaction

VENDOR = "vendor"
CONTROL = "control"
#: ``plane`` in a query: both planes.
ALL_PLANES = "all"
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


class Facts(NamedTuple):
    """What a request hands the journal: raw, so that it costs the request a tuple; ``entry_of``
    makes it the entry the journal's readers see, once, when it is first read. With the entry's
    dict built in the request, ``hooks.record`` took 37-39 us of a 350 us GET case; with this
    tuple, made by keyword, 32-35 (in process, ``perf_counter_ns`` around it, 3 runs each). Credentials are redacted and every
    part bounded before it is kept."""

    time: int
    received: int
    plane: str
    method: str
    path: str
    query_string: str
    headers: KeptHeaders
    truncated: bool
    body_size: int
    body_preview: str | None
    operation: str | None
    workgroup: str | None
    client: str | None
    status: int | None
    duration_s: float
    fault: str | None
    override: str | None
    delay_ms: float
    retry_after: str | None
    noted: Noted


def entry_of(facts: Facts, seq: int) -> dict[str, Any]:
    """An entry as the journal's readers see it."""
    noted = facts.noted
    return {"time": facts.time, "received": facts.received, "plane": facts.plane, "method": facts.method,
            "path": facts.path, "queryString": facts.query_string, "headers": list(facts.headers),
            "truncated": facts.truncated, "bodySize": facts.body_size, "bodyPreview": facts.body_preview,
            "operation": facts.operation, "workgroup": facts.workgroup, "client": facts.client,
            "status": facts.status, "durationMs": round(facts.duration_s * 1000, 3), "fault": facts.fault,
            "override": facts.override, "delayMs": facts.delay_ms, "retryAfter": facts.retry_after,
            "error": noted.error, "page": noted.page, "resource": noted.resource, "cause": noted.cause,
            "otherVersion": noted.other_version, "seq": seq}


class _Kept:
    """A journal's place for one request: its facts until they are first read, then its entry."""

    __slots__ = ("seq", "workgroup", "facts", "entry")

    def __init__(self, seq: int, facts: Facts) -> None:
        self.seq, self.workgroup = seq, facts.workgroup
        self.facts: Facts | None = facts
        self.entry: dict[str, Any] | None = None

    def read(self) -> dict[str, Any]:
        # Two readers may build it at once: each builds the same entry, and the facts are let
        # go only after it is in place.
        facts = self.facts
        if facts is None:
            assert self.entry is not None  # set before the facts were let go
            return self.entry
        built = self.entry = entry_of(facts, self.seq)
        self.facts = None
        return built


class Journal:
    """Newest last; past ``size`` entries the oldest drop first. Entries are built outside the
    lock, when first read, and kept as built."""

    def __init__(self, size: int, now: Callable[[], int] = now_microseconds) -> None:
        self._entries: deque[_Kept] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._seq = 0
        #: An entry's times (whole microseconds since ``EPOCH``); a test may give its own clock.
        self.now = now

    @property
    def size(self) -> int:
        return self._entries.maxlen or 0

    def record(self, facts: Facts) -> None:
        with self._lock:
            self._seq += 1
            self._entries.append(_Kept(self._seq, facts))

    def clear(self, workgroup: str | None = None) -> None:
        """Forget every entry, or only the requests that named ``workgroup``."""
        with self._lock:
            if workgroup is None:
                self._entries.clear()
            else:
                kept = [e for e in self._entries if e.workgroup != workgroup]
                self._entries.clear()
                self._entries.extend(kept)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            kept = list(self._entries)
        return [k.entry or k.read() for k in kept]

    def newest(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` newest entries, newest first (read without copying the journal)."""
        with self._lock:
            kept = list(islice(reversed(self._entries), limit))
        return [k.entry or k.read() for k in kept]

    def select(self, operation: str | None = None, since: int | datetime | None = None,
               limit: int | None = None, workgroup: str | None = None, plane: str = VENDOR) -> list[dict[str, Any]]:
        """Entries oldest first; ``since`` is a sequence number (after it) or a time (at or after)."""
        chosen: Iterable[dict[str, Any]] = self.entries()
        if plane != ALL_PLANES:
            chosen = (e for e in chosen if e["plane"] == plane)
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
        return sum(1 for e in self.entries() if not differences(e, matcher))

    def near_misses(self, matcher: dict[str, Any], limit: int) -> list[tuple[dict[str, Any], list[str]]]:
        """The ``limit`` entries that differ from ``matcher`` in the fewest ways (newest first
        among equals), with those ways; entries that match are not near misses."""
        scored = []
        plane = matcher.get("plane", VENDOR)
        for entry in reversed(self.entries()):
            if plane != ALL_PLANES and entry["plane"] != plane:
                continue  # another plane's requests are never what was meant
            found = differences(entry, matcher)
            if found:
                scored.append((len(found), entry["seq"], entry, found))
        scored.sort(key=lambda s: (s[0], -s[1]))
        return [(entry, found) for _, _, entry, found in scored[:limit]]


class Pattern:
    """What a header, query parameter or body field must be: equal to a value, or (``matches``)
    wholly matched by a regular expression. The expressions run on RE2, in time linear in the
    text: no pattern a test sends can stall the server (Python's ``re`` backtracks)."""

    def __init__(self, equal_to: Any = None, regex: Any = None) -> None:
        self.equal_to, self.regex = equal_to, regex

    def test(self, value: Any) -> bool:
        """A JSON body's value: equal in type too (``true`` is not ``1``), or a string matched."""
        if self.regex is not None:
            return isinstance(value, str) and self.regex.fullmatch(value) is not None
        return isinstance(value, bool) == isinstance(self.equal_to, bool) and bool(value == self.equal_to)

    def test_text(self, value: str) -> bool:
        """A header's or query parameter's text: a number or boolean to equal is compared as the
        JSON text it would be sent as (``5`` equals ``"5"``, ``true`` equals ``"true"``)."""
        if self.regex is not None or isinstance(self.equal_to, str):
            return self.test(value)
        return value == json.dumps(self.equal_to)

    def __str__(self) -> str:
        return f"matching /{self.regex.pattern}/" if self.regex is not None else repr(self.equal_to)

    def to_json(self) -> Any:
        """As a matcher is written: the value, ``{"equalTo": ...}`` for an object or list, or ``{"matches": ...}``."""
        if self.regex is not None:
            return {"matches": self.regex.pattern}
        return {"equalTo": self.equal_to} if isinstance(self.equal_to, dict | list) else self.equal_to


#: Plain fields of an entry a matcher may name, compared for equality.
_EQUAL_FIELDS = ("operation", "method", "status", "workgroup", "plane", "client")


def differences(entry: dict[str, Any], matcher: dict[str, Any], body_limit: int = PREVIEW_BYTES) -> list[str]:
    """How ``entry`` differs from ``matcher`` (empty: it matches). ``path`` may use ``*``
    wildcards; ``headers``, ``query`` and ``body`` map names (a dotted path into the JSON body)
    to a ``Pattern``. ``plane`` defaults to vendor requests. A body is matched when the entry
    keeps it whole: up to ``body_limit`` bytes (the journal's preview; an override sees more)."""
    found = []
    for key in _EQUAL_FIELDS:
        wanted = matcher.get(key, VENDOR if key == "plane" else None)
        if key in matcher or key == "plane":
            if wanted != ALL_PLANES and entry.get(key) != wanted:
                found.append(f"{key}: expected {wanted!r}, was {entry.get(key)!r}")
    path = matcher.get("path")
    if path is not None and not (fnmatch.fnmatchcase(entry["path"], path) if "*" in path else entry["path"] == path):
        found.append(f"path: expected {path!r}, was {entry['path']!r}")
    for name, pattern in matcher.get("headers", {}).items():
        value = header_of(entry, name)
        if value is None or not pattern.test_text(value):
            found.append(f"header {name}: expected {pattern}, " + ("was absent" if value is None else f"was {value!r}"))
    if matcher.get("query"):
        query = parse_qs(entry["queryString"], keep_blank_values=True)
        for name, pattern in matcher["query"].items():
            values = query.get(name)
            if not values or not any(pattern.test_text(v) for v in values):
                found.append(f"query {name}: expected {pattern}, " + (f"was {values!r}" if values else "was absent"))
    if matcher.get("body"):
        found.extend(_body_differences(entry, matcher["body"], body_limit))
    return found


def header_of(entry: dict[str, Any], name: str) -> str | None:
    key = name.upper().replace("-", "_")
    key = key if key in _CONTENT_KEYS else "HTTP_" + key
    return next((v for k, v in entry["headers"] if k == key), None)


_ABSENT = object()


def _body_differences(entry: dict[str, Any], wanted: dict[str, Pattern], body_limit: int) -> list[str]:
    preview = entry.get("bodyPreview")
    if preview is None or entry["bodySize"] > body_limit:
        why = "no body" if not entry["bodySize"] else f"a body of {entry['bodySize']} bytes the journal does not keep whole"
        return [f"body: expected a JSON body, the request had {why}"]
    body = entry["parsedBody"] if "parsedBody" in entry else parsed_body(preview)
    if body is NOT_JSON:
        return ["body: expected a JSON body, the request's body is not JSON"]
    found = []
    for dotted, pattern in wanted.items():
        value = _at(body, dotted)
        if value is _ABSENT or not pattern.test(value):
            found.append(f"body {dotted}: expected {pattern}, " + ("was absent" if value is _ABSENT else f"was {value!r}"))
    return found


#: ``parsed_body`` of a body that is not JSON.
NOT_JSON = object()


def parsed_body(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return NOT_JSON


def _at(value: Any, dotted: str) -> Any:
    """``a.b.0.c`` in a JSON value: object members by name, array items by index."""
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _ABSENT
    return value


def kept_request(environ: dict[str, Any], path: str) -> dict[str, Any]:
    """What an entry keeps of the request line and headers, as its fields."""
    path, query, headers, cut = kept_request_line(environ, path)
    return {"path": path, "queryString": query, "headers": headers, "truncated": cut}


def kept_request_line(environ: dict[str, Any], path: str) -> tuple[str, str, KeptHeaders, bool]:
    """The path, query string and headers an entry keeps: credentials redacted, each part cut to
    its bound; and whether anything was cut (``truncated``)."""
    headers, cut = _redacted_headers(environ)
    query = redaction.query_string(environ.get("QUERY_STRING", ""))
    if len(path) > MAX_PATH_CHARS or len(query) > MAX_PATH_CHARS:
        path, query, cut = path[:MAX_PATH_CHARS], query[:MAX_PATH_CHARS], True
    return path, query, headers, cut


class PairedHeaders:
    """Headers as an entry keeps them within their bounds: its plan's keys and the request's
    values, paired only when the entry is first read rather than in every request."""

    __slots__ = ("keys", "values")

    def __init__(self, keys: tuple[str, ...], values: Sequence[str]) -> None:
        self.keys, self.values = keys, values

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return zip(self.keys, self.values)  # noqa: B905 (as many values as keys: read by them)


#: Header names (environ keys) and values, in the request's order.
KeptHeaders = PairedHeaders | list[tuple[str, str]]


class _HeaderPlan(NamedTuple):
    """Where an environ with these keys has its request headers."""

    keys: tuple[str, ...]  # the header keys, in the environ's order
    read: Callable[[dict[str, Any]], Sequence[str]]  # their values, at once
    credentials: tuple[int, ...]  # positions of the headers that carry credentials
    keys_chars: int


#: Plans by the environ's keys. A client sends the same headers request after request, so
#: an environ's keys repeat; past ``_MAX_PLANS`` (random header names, say) a request works its
#: plan out again rather than adding one.
_plans: dict[tuple[str, ...], _HeaderPlan] = {}
_MAX_PLANS = 256


def _header_plan(environ_keys: tuple[str, ...]) -> _HeaderPlan:
    keys = tuple(key for key in environ_keys if key.startswith(_HEADER_KEYS))
    read = itemgetter(*keys) if len(keys) > 1 else lambda environ: tuple(environ[key] for key in keys)
    credentials = tuple(position for position, key in enumerate(keys) if key in redaction.CREDENTIAL_HEADERS)
    return _HeaderPlan(keys, read, credentials, sum(map(len, keys)))


def _redacted_headers(environ: dict[str, Any]) -> tuple[KeptHeaders, bool]:
    # This runs on every request with the journal on: on a 28-key environ, looping over it
    # took 10.7 us, a plan looked up by its keys 5.7 us (timeit, 2 CPUs).
    environ_keys = tuple(environ)
    plan = _plans.get(environ_keys)
    if plan is None:
        plan = _header_plan(environ_keys)
        if len(_plans) < _MAX_PLANS:
            _plans[environ_keys] = plan
    values: Sequence[str] = plan.read(environ)
    if plan.credentials:
        values = list(values)
        for position in plan.credentials:
            values[position] = redaction.header_value(plan.keys[position], values[position])
    headers = PairedHeaders(plan.keys, values)
    values_chars = sum(map(len, values))
    if values_chars <= MAX_HEADER_CHARS and plan.keys_chars + values_chars <= MAX_HEADERS_CHARS:
        return headers, False  # no value can be over its bound, nor all of them over theirs
    return _within_bounds(headers)


def _within_bounds(headers: Iterable[tuple[str, str]]) -> tuple[list[tuple[str, str]], bool]:
    """Each value cut to its bound, and the headers to theirs; whether anything was cut."""
    kept: list[tuple[str, str]] = []
    used, cut = 0, False
    for key, value in headers:
        if len(value) > MAX_HEADER_CHARS:
            value, cut = value[:MAX_HEADER_CHARS] + "…", True
        used += len(key) + len(value)
        if used > MAX_HEADERS_CHARS:
            return kept, True
        kept.append((key, value))
    return kept, cut


_CONTENT_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH")
#: The environ's request headers: HTTP_*, and the two that CGI keeps apart (a server sets no
#: other key starting with these).
_HEADER_KEYS = ("HTTP_", *_CONTENT_KEYS)


def _header_name(environ_key: str) -> str:
    name = environ_key[5:] if environ_key.startswith("HTTP_") else environ_key
    return "-".join(part.capitalize() for part in name.split("_"))


#: What ``GET /_mock/requests`` shows of an entry as it is kept, in this order (an entry is
#: built in whatever order is cheapest); then ``query``, ``page`` and ``resource`` in their JSON
#: forms. ``queryString`` and ``received`` are kept for the client report and the matchers.
_SHOWN = ("plane", "method", "path", "headers", "truncated", "bodySize", "bodyPreview", "operation", "workgroup",
          "client", "status", "durationMs", "fault", "override", "delayMs", "retryAfter", "error", "cause",
          "otherVersion", "seq")


def entry_json(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as ``GET /_mock/requests`` shows it."""
    shown = {"time": (EPOCH + entry["time"] * MICROSECOND).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    shown.update((k, entry[k]) for k in _SHOWN)
    shown["headers"] = {_header_name(k): v for k, v in entry["headers"] if v != ""}
    shown["query"] = parse_qs(entry["queryString"], keep_blank_values=True)
    page, resource = entry["page"], entry["resource"]
    shown["page"] = {"number": page.number, "totalPages": page.total_pages} if page else None
    shown["resource"] = resource._asdict() if resource else None
    return shown

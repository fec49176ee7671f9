"""Writing vendor responses as JSON text: cases as served by default, kept while each case
record is unchanged; bodies built from parts already encoded; long lists encoded in slices.

Case records and events are immutable: a change stores a new record. A cached rendering is
reused only while the record it was made from *is* the current record, so it can never be stale. Serving
a case then costs a dictionary look-up instead of a dump (``schemas.compiled``, about 90 us a case).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import orjson
from flask import Flask, Response, current_app, jsonify

from ..domain.models import Case
from ..http import answered
from ..schemas.cases import CaseSchema, TestDefinitionSchema, TumorTypeSchema
from ..schemas.compiled import dumper

EXTENSION = "mockserver.rendered"
ENTRIES = "mockserver.rendered-entries"
#: Lists longer than this are encoded a slice at a time.
SLICE = 5000


class RenderedCases:
    def __init__(self, dump: Callable[[Case], Any], encode: Callable[[Any], str], max_entries: int = 2048) -> None:
        self._dump = dump
        self._encode = encode
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[Case, str]] = OrderedDict()
        self._lock = threading.Lock()

    def json(self, case: Case) -> str:
        hit = self._entries.get(case.id)
        if hit is not None and hit[0] is case:
            return hit[1]
        text = self._encode(self._dump(case))
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.popitem(last=False)  # O(1), where a dict's first key is a scan
            self._entries[case.id] = (case, text)
        return text

    def json_list(self, cases: Iterable[Case]) -> str:
        return "[" + ",".join(self.json(c) for c in cases) + "]"


class RenderedItems:
    """JSON texts of immutable items (audit entries of events), each kept while the item and
    its owner (the workgroup) are the very objects it was rendered from: never stale."""

    def __init__(self, max_entries: int = 16384) -> None:
        self._max = max_entries
        self._entries: OrderedDict[int, tuple[object, object, str]] = OrderedDict()
        self._lock = threading.Lock()

    def texts(self, owner: object, items: Sequence[Any], render: Callable[[list[Any]], list[str]]) -> list[str]:
        """The items' texts, rendering (all at once) only those not kept."""
        found: list[str | None] = []
        missing: list[int] = []
        for index, item in enumerate(items):
            hit = self._entries.get(id(item))
            found.append(hit[2] if hit is not None and hit[0] is item and hit[1] is owner else None)
            if found[-1] is None:
                missing.append(index)
        if missing:
            made = render([items[i] for i in missing])
            with self._lock:
                for index, text in zip(missing, made, strict=True):
                    if len(self._entries) >= self._max:
                        self._entries.popitem(last=False)  # O(1), where a dict's first key is a scan
                    self._entries[id(items[index])] = (items[index], owner, text)
                    found[index] = text
        return found  # type: ignore[return-value]  # every gap was filled


def install(app: Flask) -> None:
    """Give the app its caches of default case renderings and of audit entries, written with
    the app's JSON settings."""
    # Bound to the app: a case is also rendered outside Flask's app context (``fast_path``).
    # The dump is encoded at once and never changed: test definitions and diseases, records
    # shared by many cases, are dumped once each.
    dump = dumper(CaseSchema(), shared=(TestDefinitionSchema, TumorTypeSchema))
    app.extensions[EXTENSION] = RenderedCases(dump, partial(float_free_json, app=app))
    app.extensions[ENTRIES] = RenderedItems()


def rendered(app: Flask | None = None) -> RenderedCases:
    """The app's (the current app's unless given)."""
    return (current_app if app is None else app).extensions[EXTENSION]


def rendered_entries() -> RenderedItems:
    return current_app.extensions[ENTRIES]


def compact_json(value: object, app: Flask | None = None) -> str:
    """JSON as Flask's compact responses write it (its plain dumps() keeps the spaces), with the
    app's settings (the current app's unless given)."""
    return (current_app if app is None else app).json.dumps(value, separators=(",", ":"))


#: Types orjson writes otherwise than Flask's provider does (dates, dataclasses, subclasses
#: of str, int, dict and list) raise TypeError instead: ``float_free_json`` then uses the provider.
_AS_THE_PROVIDER_DOES = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def float_free_json(value: object, app: Flask | None = None) -> str:
    """``compact_json(value)``, for a value without floats (a case as ``CaseSchema`` writes it:
    strings, integers, booleans, nulls, lists and objects), written by orjson: 5 us a case
    against the provider's 60. orjson writes such a value byte for byte as the provider does
    while its text is ASCII without DEL (the provider escapes both); any other text, an integer
    beyond 64 bits or a key that is not a string goes to the provider. Floats may differ (orjson
    writes 1e-7 where the provider writes 1e-07): a value that may hold one must not come here."""
    try:
        text: str = orjson.dumps(value, option=_AS_THE_PROVIDER_DOES).decode()
    except TypeError:
        return compact_json(value, app)
    return text if text.isascii() and "\x7f" not in text else compact_json(value, app)


def json_response(text: str) -> Response:
    return current_app.response_class(text, mimetype="application/json")


def object_json(members: Iterable[tuple[str, str]]) -> str:
    """A JSON object from its members' names and their values' JSON, in order."""
    return "{" + ",".join(f"{compact_json(name)}:{value}" for name, value in members) + "}"


def case_page_response(cases: list[Case], envelope: dict[str, Any]) -> Response:
    """A page of cases: the cases from their cached renderings, then the envelope's fields."""
    return page_response(rendered().json_list(cases), envelope)


def page_response(content: str, envelope: dict[str, Any]) -> Response:
    """A page envelope whose ``content`` is already JSON text."""
    answered.note_page(envelope["number"], envelope["totalPages"])
    # The other fields in one encoding (an encoding a field cost a fifth of a search page).
    rest = compact_json({name: value for name, value in envelope.items() if name != "content"})
    return json_response('{"content":' + content + ("}" if rest == "{}" else "," + rest[1:]))


def sliced_json_response(body: dict[str, Any]) -> Response:
    """``body`` as compact JSON; its long lists (a job may have created 100,000 cases) encoded a
    slice at a time, as one encoding call for all of them would hold the GIL (and so every other
    request) for ~45 ms."""
    if not any(isinstance(v, list) and len(v) > SLICE for v in body.values()):
        return jsonify(body)
    return json_response(object_json((name, _sliced(value)) for name, value in body.items()))


def _sliced(value: Any) -> str:
    if not (isinstance(value, list) and len(value) > SLICE):
        return compact_json(value)
    return "[" + ",".join(compact_json(value[i : i + SLICE])[1:-1] for i in range(0, len(value), SLICE)) + "]"

"""Overrides: the response a test chose for the vendor requests that match it.

An ordered list, first match wins, as fault rules are; ``times`` counts down and the override
goes when it runs out. An override names an operation, or a method and a path (``*`` matches
any characters), and may narrow by workgroup and by the request's query, headers and JSON body
with the journal's matchers. Requests it does not match get the domain's behaviour.
"""

from __future__ import annotations

import fnmatch
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from .. import fidelity
from ..apidoc import RESPONSE_CHECK
from ..http.limits import JSON_BODY_LIMIT
from .journal import NOT_JSON, VENDOR, Pattern, differences, kept_request, parsed_body

#: Overrides held at once (a recording with --overrides holds one per GET it saw). A request
#: tests those for its exact method and path (an index) and those by operation or wildcard.
MAX_OVERRIDES = 100_000
#: Headers an override may not set: they frame the HTTP message, which the server writes.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
                             "trailer"})


@dataclass
class Override:
    id: int
    operation: str | None
    method: str | None
    path: str | None
    workgroup: str | None
    #: ``{"query"|"headers"|"body": {name: Pattern}}``; empty parts left out.
    match: dict[str, dict[str, Pattern]]
    #: ``{"status", "headers"?, "body"? | "bodyText"?}``, checked when it was added.
    response: dict[str, Any]
    times: int | None
    validate: bool
    matched: int = 0
    response_body: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        if "body" in self.response:
            self.response_body = json.dumps(self.response["body"], separators=(",", ":")).encode()
        elif "bodyText" in self.response:
            self.response_body = self.response["bodyText"].encode()

    @property
    def request_line(self) -> tuple[str, str] | None:
        """Its exact method and path, when it names them without a wildcard."""
        if self.method is None or self.path is None or "*" in self.path:
            return None
        return self.method, self.path

    def selects(self, operation: str | None, method: str, path: str, workgroup: str | None) -> bool:
        """Whether the request line and workgroup are this override's (its matchers aside)."""
        if self.workgroup is not None and self.workgroup != workgroup:
            return False
        if self.operation is not None:
            return self.operation == operation
        assert self.method is not None and self.path is not None
        return self.method == method and (fnmatch.fnmatchcase(path, self.path) if "*" in self.path else path == self.path)

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"id": self.id}
        if self.operation is not None:
            shown["operation"] = self.operation
        else:
            shown["method"], shown["path"] = self.method, self.path
        shown.update({
            "workgroup": self.workgroup,
            "match": {part: {name: p.to_json() for name, p in patterns.items()} for part, patterns in self.match.items()},
            "response": self.response, "times": self.times, "validate": self.validate, "matched": self.matched,
        })
        return shown

    def answer(self) -> Response:
        response = Response(self.response_body, status=self.response["status"])
        headers = self.response.get("headers") or {}
        if "body" in self.response:
            response.mimetype = "application/json"
        elif "bodyText" in self.response:
            response.mimetype = "text/plain"
        else:
            response.headers.pop("Content-Type", None)
        for name, value in headers.items():
            response.headers[name] = value
        return response


class Overrides:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: By id, in the order they were added.
        self._overrides: dict[int, Override] = {}
        #: The same, by exact request line, and the rest (by operation, or a path with ``*``).
        self._by_request_line: dict[tuple[str, str], list[Override]] = {}
        self._general: list[Override] = []
        self._next_id = 0

    def __bool__(self) -> bool:
        return bool(self._overrides)

    def listing(self, workgroup: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [o.as_json() for o in self._overrides.values() if workgroup is None or o.workgroup == workgroup]

    def add(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append overrides (as ``OverrideSchema`` loaded them); ValueError past ``MAX_OVERRIDES``."""
        with self._lock:
            if len(self._overrides) + len(specs) > MAX_OVERRIDES:
                raise ValueError(f"at most {MAX_OVERRIDES} overrides at once; {len(self._overrides)} are held")
            added = []
            for spec in specs:
                self._next_id += 1
                override = Override(id=self._next_id, **spec)
                self._overrides[override.id] = override
                self._bucket(override).append(override)
                added.append(override.as_json())
            return added

    def remove(self, override_id: int) -> bool:
        with self._lock:
            override = self._overrides.get(override_id)
            if override is not None:
                self._drop(override)
            return override is not None

    def clear(self, workgroup: str | None = None) -> None:
        """Every override, or only those scoped to ``workgroup``."""
        with self._lock:
            for override in [o for o in self._overrides.values() if workgroup is None or o.workgroup == workgroup]:
                self._drop(override)

    def match(self, operation: str | None, method: str, path: str, workgroup: str | None,
              facts: Callable[[], dict[str, Any]]) -> Override | None:
        """The first override this request matches; it counts down and may run out. The
        matchers run outside the lock (``facts`` gives the request as a journal entry)."""
        with self._lock:
            candidates = [o for o in (*self._by_request_line.get((method, path), ()), *self._general)
                          if o.selects(operation, method, path, workgroup)]
        candidates.sort(key=lambda o: o.id)  # the order they were added in
        entry: dict[str, Any] | None = None
        for override in candidates:
            if override.match:
                entry = entry if entry is not None else facts()
                if differences(entry, override.match, body_limit=JSON_BODY_LIMIT):
                    continue
            with self._lock:
                if override.id not in self._overrides:
                    continue  # removed, or run out, meanwhile
                override.matched += 1
                if override.times is not None:
                    override.times -= 1
                    if override.times == 0:
                        self._drop(override)
                return override
        return None

    def _bucket(self, override: Override) -> list[Override]:
        line = override.request_line
        return self._by_request_line.setdefault(line, []) if line is not None else self._general

    def _drop(self, override: Override) -> None:
        del self._overrides[override.id]
        bucket = self._bucket(override)
        bucket.remove(override)
        if not bucket and override.request_line is not None:
            del self._by_request_line[override.request_line]


def request_facts(method: str, environ: dict[str, Any], path: str, body: str | None) -> dict[str, Any]:
    """The request as the journal's matchers read an entry; the body whole when it is text,
    parsed once for every override that matches on it."""
    return {"plane": VENDOR, "method": method, **kept_request(environ, path),
            "bodyPreview": body, "bodySize": len(body.encode()) if body is not None else 0,
            "parsedBody": parsed_body(body) if body is not None else NOT_JSON}


def check(spec: dict[str, Any], where: str = "") -> None:
    """Refuse (ValidationError naming the field) an override whose request line no vendor
    operation serves, or whose response breaks the document (unless it says validate false)."""
    rule, method = vendor_route(spec, where)
    if spec["validate"]:
        problem = current_app.extensions[RESPONSE_CHECK](rule, method, spec["response"])
        if problem:
            raise ValidationError({f"{where}response": [problem]})


def vendor_route(spec: dict[str, Any], where: str = "") -> tuple[str, str]:
    """The route (Flask rule) and method of the vendor operation the override answers for."""
    if spec["operation"] is not None:
        served = next(r for r in current_app.url_map.iter_rules() if _operation_of(r) == spec["operation"])
        return served.rule, sorted((served.methods or set()) - {"HEAD", "OPTIONS"})[0]
    path, method = spec["path"], spec["method"]
    found: Rule | None
    try:  # a wildcard stands for some text of a path segment
        found, _ = current_app.url_map.bind("mock").match(path.replace("*", "x"), method, return_rule=True)
    except HTTPException:
        found = None
    if found is None or _operation_of(found) not in fidelity.OPERATIONS:
        raise ValidationError({f"{where}path": [f"{method} {path} is no vendor operation of this server"]})
    return found.rule, method


def _operation_of(rule: Rule) -> str:
    return rule.endpoint.rsplit(".", 1)[-1]

"""Answers for a request that took a wrong turn: a path no route serves, or a method the path
does not serve. Each names the route meant, so the fix is in the message.

Bounded work on request data: at most ``MAX_SEGMENTS`` path segments, each compared by its
first ``MAX_SEGMENT_CHARS`` characters, against the few routes under the same first segment.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from flask import current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from ..apidoc import doc_of, openapi_path
from . import answered

MAX_SEGMENTS = 12
MAX_SEGMENT_CHARS = 64
MAX_ECHOED_PATH = 200
#: Below this share of the path's segments matched, a route is too far to suggest.
NEAREST_MIN_SHARE = 0.6
_VERSION_SEGMENT = re.compile(r"^v\d+$")
_API_VERSION = re.compile(r"/(api/)?v(\d+)/")
_NOT_ROUTES = frozenset({"static", "swagger_ui.show", "index"})
_HIDDEN_METHODS = frozenset({"HEAD", "OPTIONS"})


def _echoed(path: str) -> str:
    return path if len(path) <= MAX_ECHOED_PATH else path[:MAX_ECHOED_PATH] + "..."


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - _HIDDEN_METHODS)


def describe(rule: Rule) -> str:
    """``GET /crs/api/v2/cases/{caseId} (getCase)``: methods, path as the document writes it, operation."""
    doc = doc_of(current_app.view_functions[rule.endpoint])
    operation = doc.operation_id if doc else rule.endpoint.rsplit(".", 1)[-1]
    return f"{', '.join(_methods(rule))} {openapi_path(rule.rule)} ({operation})"


def method_not_allowed_message(allowed: list[str]) -> str:
    """Name the allowed methods, and the route serving this method under the API's other
    version (the vendor serves GET case under v2, delete under v1)."""
    message = f"{request.method} is not allowed on {_echoed(request.path)}; allowed: {', '.join(allowed) or 'none'}."
    adapter = current_app.url_map.bind("")
    for version in ("1", "2"):
        other = _API_VERSION.sub(f"/\\g<1>v{version}/", request.path, count=1)
        if other == request.path:
            continue
        try:
            rule, _ = adapter.match(other, method=request.method, return_rule=True)
        except HTTPException:
            continue
        message += f" {request.method} is served at {openapi_path(rule.rule)}."
        answered.note_other_version(openapi_path(rule.rule))
    return message


def _segment_score(segment: str, pattern: str | None) -> float:
    """How well one path segment fits one segment of a route (None: a path parameter)."""
    if pattern is None:
        return 0.8  # anything fits a parameter, but a literal that fits exactly is closer
    if segment == pattern:
        return 1.0
    if _VERSION_SEGMENT.match(segment) and _VERSION_SEGMENT.match(pattern):
        return 0.9  # the same API under another version
    ratio = SequenceMatcher(None, segment[:MAX_SEGMENT_CHARS], pattern).ratio()
    return ratio if ratio >= 0.75 else 0.0  # a typo ("case" for "cases"), not another word


def _rule_segments(rule: Rule) -> list[str | None]:
    return [None if part.startswith("<") else part for part in rule.rule.strip("/").split("/")]


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s][:MAX_SEGMENTS]


def _score(rule: Rule, method: str, segments: list[str]) -> float | None:
    """How near ``method segments`` is to ``rule``; None when too far to suggest."""
    pattern = _rule_segments(rule)
    if rule.endpoint in _NOT_ROUTES or pattern[0] != segments[0]:
        return None
    fit = sum(_segment_score(s, p) for s, p in zip(segments, pattern, strict=False))
    if fit < NEAREST_MIN_SHARE * max(len(segments), len(pattern)):
        return None
    return fit - abs(len(segments) - len(pattern)) + (0.5 if method in (rule.methods or ()) else 0.0)


def nearest_rule(method: str, path: str, exclude: Rule | None = None) -> Rule | None:
    """The served route closest to ``method path``: under the same first segment, the most
    segments fitting in place, the same method preferred; None when none is close."""
    segments = _segments(path)
    if not segments:
        return None
    best, best_score = None, 0.0
    for rule in current_app.url_map.iter_rules():
        score = _score(rule, method, segments) if rule is not exclude else None
        if score is not None and score > best_score:
            best, best_score = rule, score
    return best


def route_meant_hint() -> str:
    """For a 404 of a route that did match: another route may fit the path better, one whose
    literal segment this route took for an id (``GET /crs/api/v2/cases/search`` reads case
    "search"); then name it."""
    matched, segments = request.url_rule, _segments(request.path)
    other = nearest_rule(request.method, request.path, exclude=matched)
    if matched is None or other is None:
        return ""
    if (_score(other, request.method, segments) or 0.0) <= (_score(matched, request.method, segments) or 0.0):
        return ""
    return f" Did you mean {describe(other)}?"


def no_route_message() -> str:
    message = f"No route serves {request.method} {_echoed(request.path)}."
    rule = nearest_rule(request.method, request.path)
    if rule is not None:
        message += f" The nearest served route is {describe(rule)}."
    return message + " GET / lists the served APIs and pages."

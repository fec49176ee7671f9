"""Bounds on what the mock parses from a client or a file, so no input can exhaust the stack
or cost out of proportion to its size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

#: Nesting of a JSON body or state file; the mock's own documents nest fewer than 10 levels.
MAX_JSON_DEPTH = 64
#: A JSON body, unless its route declares more with ``body_limit``.
JSON_BODY_LIMIT = 1024 * 1024
#: ``PUT /_mock/state``: an export of ordinary use fits (1,000 PUT diseases make 1.5 MB; a
#: workgroup at its event-log bound of 100,000 events about 40 MB). A larger state travels as a
#: ``--state-file``, which has no limit.
STATE_BODY_LIMIT = 64 * 1024 * 1024
#: Generated cases one workgroup may have (``--cases``, seed, new workgroups), and that one
#: state import may ask for in all: a few bytes of a document must not cost minutes to build.
MAX_GENERATED_CASES = 1_000_000
#: The client report's poll interval (``--client-poll-interval``, ``PUT /_mock/client-rules``).
MAX_POLL_INTERVAL_SECONDS = 3600

View = TypeVar("View", bound=Callable[..., Any])


def body_limit(size: int) -> Callable[[View], View]:
    """Declare that a route takes a JSON body of up to ``size`` bytes (``JSON_BODY_LIMIT`` otherwise)."""
    def declare(view: View) -> View:
        view.__body_limit__ = size  # type: ignore[attr-defined]
        return view
    return declare


def body_limit_of(view: Callable[..., Any] | None) -> int:
    return getattr(view, "__body_limit__", JSON_BODY_LIMIT)


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests more than ``limit`` arrays and objects (iterative: no recursion)."""
    if not isinstance(value, (dict, list)):
        return False
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


class TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"nests more than {MAX_JSON_DEPTH} levels of arrays and objects")


def parsed(parse: Callable[[], Any]) -> Any:
    """``parse()``'s JSON, or TooDeep when it nests too deeply, whether the parser itself ran
    out of stack or the depth shows only after parsing."""
    try:
        value = parse()
    except RecursionError:
        raise TooDeep() from None
    if too_deep(value):
        raise TooDeep()
    return value

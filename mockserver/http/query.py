"""The query string as the routes' schemas load it."""

from __future__ import annotations

from flask import request


def query_args(list_fields: tuple[str, ...] = ()) -> dict[str, object]:
    """The request's query string as a dict, with repeatable parameters as lists."""
    args = request.args
    return {k: (args.getlist(k) if k in list_fields else args.get(k)) for k in args}

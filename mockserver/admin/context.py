"""What a control-plane route or hook works with: the server's state, the control plane, the
schemas of its kinds of step, and the request's JSON body and query."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..http.credentials import state
from .plane import EXTENSION, ControlPlane
from .schemas import KindSchemas, kind_schemas


def control() -> ControlPlane:
    return current_app.extensions[EXTENSION]


def kinds() -> KindSchemas:
    """The schemas of the server's kinds of step: its plans, default and per case."""
    return kind_schemas(state().step_kinds)


def json_body(default: Any = None) -> Any:
    """The JSON body; an empty body gives ``default`` (when there is one)."""
    if default is not None and not request.get_data(cache=True):
        return default
    return request.get_json()


def args(schema_class: type, **kwargs: Any) -> dict[str, Any]:
    return schema_class(**kwargs).load(request.args.to_dict())

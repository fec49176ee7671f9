"""What each route declares about itself for the OpenAPI document.

Routes of both HTTP layers decorate themselves with ``@documented(...)``, naming the same
marshmallow schemas that load their requests and dump their responses, so the document is
generated from the code that runs and cannot drift from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from marshmallow import Schema

View = TypeVar("View", bound=Callable[..., Any])

#: The vendor's APIs this server serves, as the document, the API page, ``GET /`` and the start-up line name them.
SERVED_APIS = "Case, Report and Audit Log APIs"

VENDOR = "Cases"
VENDOR_SESSION = "Session and configuration"
REPORTS = "Reports"
AUDIT = "Audit log"
CONTROL = "Mock control plane"


@dataclass(frozen=True)
class Media:
    """A response body that is not JSON: bytes of this media type."""

    type: str

@dataclass(frozen=True)
class Derived:
    """A schema each app derives when it is made (from its step kinds, say): the one its
    ``app.extensions[DERIVED]`` holds under this name."""

    name: str


DERIVED = "mockserver.derived_schemas"
#: ``app.extensions[RESPONSE_CHECK](rule, method, response)``: why a response (``{"status",
#: "body"?, "bodyText"?}``) breaks the served document for that route, or None. The layer that
#: serves the document installs it; the control plane checks overrides with it.
RESPONSE_CHECK = "mockserver.response_check"

#: A response: a schema (class or instance, ``many=True`` for arrays), a plain JSON type
#: name ("object", "array"), a derived schema, None for an empty body, or a tuple of these
#: for one answer in several media types (the query chooses).
Response = type[Schema] | Schema | str | dict[str, Any] | Media | Derived | tuple[Any, ...] | None

#: A body that may be one object or a list of them.
ANY_JSON: dict[str, Any] = {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}, "minItems": 1}]}


@dataclass(frozen=True)
class OperationDoc:
    operation_id: str
    summary: str
    tag: str
    responses: dict[int, Response]
    query: type[Schema] | None = None
    body: type[Schema] | Schema | str | Derived | None = None
    #: False for a body that may be left out (the route reads an empty body as ``{}``).
    body_required: bool = True
    multipart_files: str | None = None
    vendor_auth: bool = True
    needs_workgroup: bool = True
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def documented(**kwargs: Any) -> Callable[[View], View]:
    doc = OperationDoc(**kwargs)

    def attach(view: View) -> View:
        view.__apidoc__ = doc  # type: ignore[attr-defined]
        return view

    return attach


PATH_PARAMETER = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def openapi_path(flask_rule: str) -> str:
    """``/cases/<not_search:case_id>`` -> ``/cases/{caseId}``, as the document and messages write it."""
    return PATH_PARAMETER.sub(lambda m: "{" + camel(m.group(1)) + "}", flask_rule)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def doc_of(view: Callable[..., Any]) -> OperationDoc | None:
    return getattr(view, "__apidoc__", None)


#: Schemas that fields refer to by ``$ref``; the document builder adds them as components.
REFERENCED: dict[str, type[Schema]] = {}


def component_name(schema: type[Schema] | Schema) -> str:
    """A schema's name in the document: its class name, less "Schema"."""
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema") or cls.__name__


def ref(schema: type[Schema]) -> dict[str, str]:
    """A ``$ref`` to ``schema``'s component."""
    name = component_name(schema)
    REFERENCED[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def openapi(**prop: Any) -> dict[str, Any]:
    """Field metadata giving the field's OpenAPI property (for fields apispec cannot read)."""
    return {"openapi": prop}

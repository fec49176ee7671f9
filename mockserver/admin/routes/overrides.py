"""Control plane, overrides: a chosen response for matching vendor requests."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import NotFound

from ...apidoc import ANY_JSON, CONTROL, documented
from ..context import args, control, json_body
from ..overrides import check
from ..schemas import OverrideSchema, WorkgroupArgsSchema

bp = Blueprint("admin_overrides", __name__, url_prefix="/_mock")

_override = OverrideSchema()


@bp.get("/overrides")
@documented(operation_id="mockListOverrides", tag=CONTROL, summary="Overrides, in the order they are tried",
            query=WorkgroupArgsSchema, responses={200: OverrideSchema(many=True)})
def list_overrides() -> Response:
    return jsonify(control().overrides.listing(args(WorkgroupArgsSchema).get("workgroup")))


@bp.post("/overrides")
@documented(operation_id="mockAddOverrides", tag=CONTROL, summary="Append overrides (one, or a list)",
            description="A vendor request that matches an override gets its response; the first match wins. Each "
                        "response is checked against this document's schema for its operation and status, unless "
                        '"validate": false.',
            body=ANY_JSON, responses={201: OverrideSchema(many=True)})
def add_overrides() -> Response:
    body = json_body()
    if body == []:
        raise ValidationError("give an override, or a list of at least one")
    specs = _override.load(body, many=True) if isinstance(body, list) else [_override.load(body)]
    for index, spec in enumerate(specs):
        check(spec, f"{index}." if isinstance(body, list) else "")
    try:
        added = control().overrides.add(specs)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    response = jsonify(added)
    response.status_code = 201
    return response


@bp.delete("/overrides")
@documented(operation_id="mockClearOverrides", tag=CONTROL, summary="Remove every override (or one workgroup's)",
            query=WorkgroupArgsSchema, responses={204: None})
def clear_overrides() -> Response:
    control().overrides.clear(args(WorkgroupArgsSchema).get("workgroup"))
    return Response(status=204)


@bp.delete("/overrides/<int:override_id>")
@documented(operation_id="mockDeleteOverride", tag=CONTROL, summary="Remove one override",
            responses={204: None})
def delete_override(override_id: int) -> Response:
    if not control().overrides.remove(override_id):
        raise NotFound(f"Override {override_id} does not exist.")
    return Response(status=204)

"""The calls real clients make before touching cases: their workgroups and the disease configuration."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ... import fidelity
from ...apidoc import VENDOR_SESSION, documented
from ...http.credentials import api_key, key_may_use, state, workgroup
from ...schemas.config import DiseaseConfigItemSchema, WorkgroupRolesSchema

bp = Blueprint("config", __name__)

_roles = WorkgroupRolesSchema()
_diseases = DiseaseConfigItemSchema(many=True)


@bp.get("/crs/api/v1/session/workgroups", endpoint="listWorkgroups")
@documented(operation_id="listWorkgroups", tag=VENDOR_SESSION, summary="Workgroups the caller may use",
            needs_workgroup=False, responses={200: WorkgroupRolesSchema})
def list_workgroups() -> Response:
    key = api_key()
    domain = request.headers["X-ILMN-Domain"].strip()
    roles = [
        {"id": wg.id, "name": wg.name, "domain": domain, "roles": list(fidelity.WORKGROUP_ROLES)}
        for wg in state().workgroups()
        if key_may_use(key, wg.id)
    ]
    return jsonify(_roles.dump({"workgroupRoles": roles}))


@bp.get("/cfg/api/v1/disease-config", endpoint="getDiseaseConfig")
@documented(operation_id="getDiseaseConfig", tag=VENDOR_SESSION, summary="The disease configuration (SNOMED CT)",
            responses={200: DiseaseConfigItemSchema(many=True)})
def get_disease_config() -> Response:
    wg = workgroup()
    return jsonify(_diseases.dump(list(wg.diseases.values())))

"""Case endpoints: get, set disease, delete, search."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from marshmallow import ValidationError

from ...apidoc import VENDOR, documented
from ...domain import operations
from ...domain.errors import DomainError, NotFound
from ...domain.mock_state import MockState
from ...domain.models import Case
from ...domain.query import CaseQuery
from ...domain.workgroup import Workgroup
from ...http import answered, limits
from ...http.credentials import accepted_credentials, caller, state, workgroup
from ...http.query import query_args
from ...schemas.cases import (
    CaseSchema,
    GetCaseArgsSchema,
    SearchCasesArgsSchema,
    UpdateCaseDiseasesSchema,
)
from ...schemas.common import page_envelope, page_schema
from ...schemas.compiled import dumper, loader
from ..rendering import case_page_response, json_response, rendered

bp = Blueprint("cases", __name__)

_get_args = GetCaseArgsSchema()
_search_args = SearchCasesArgsSchema()
_load_diseases_body = loader(UpdateCaseDiseasesSchema())
_dump_case = dumper(CaseSchema())
#: GET case without a query: its defaults, loaded once rather than on every call.
_NO_ARGS = _get_args.load({})
_dump_case_with_phi = dumper(CaseSchema(direct_identifiers=True))
CasePageSchema = page_schema(CaseSchema, "CasePage")


@bp.get("/crs/api/v2/cases/<case_id>", endpoint="getCase")
@documented(operation_id="getCase", tag=VENDOR, summary="Get a case",
            description="Direct identifiers (subject names, date of birth, MRN) only with directIdentifiers=true; "
                        "the QC overview (preferredQcMetrics) only with includeQcOverviewMetrics=true.",
            query=GetCaseArgsSchema, responses={200: CaseSchema})
def get_case(case_id: str) -> Response:
    wg = workgroup()
    args = _get_args.load(query_args()) if request.query_string else _NO_ARGS
    found = _found_case(state(), wg, case_id, request.environ)
    if not (args["directIdentifiers"] or args["includeQcOverviewMetrics"]):
        return json_response(rendered().json(found))
    body = (_dump_case_with_phi if args["directIdentifiers"] else _dump_case)(found)
    if args["includeQcOverviewMetrics"]:
        body["preferredQcMetrics"] = state().qc_overview(found)
    return jsonify(body)


def plain_case_json(app: Flask, environ: dict[str, Any], case_id: str) -> str | None:
    """GET case without a query, read from the request's environ alone (``fast_path``): its
    body, as the route writes it; None where the route must answer (a refusal, an unknown case)."""
    accepted = accepted_credentials(app, environ)
    if accepted is None:
        return None
    try:
        found = _found_case(app.extensions["mockserver"], accepted[1], case_id, environ)
    except NotFound:  # no read was counted: the route looks again, and answers the 404
        return None
    return rendered(app).json(found)


def _found_case(mock: MockState, wg: Workgroup, case_id: str, environ: dict[str, Any]) -> Case:
    found = operations.get_case(wg, case_id, mock.clock.now())
    answered.note_resource("case", found.id, found.status.value, environ=environ)
    return found


@bp.put("/crs/api/v1/cases/<case_id>/diseases", endpoint="updateCaseDiseases")
@documented(operation_id="updateCaseDiseases", tag=VENDOR, summary="Add or update the disease of a case",
            description="Puts the case in PROCESSING; it then moves to READY_FOR_INTERPRETATION.",
            body=UpdateCaseDiseasesSchema, responses={200: CaseSchema})
def update_case_diseases(case_id: str) -> Response:
    wg = workgroup()
    answered.note_resource("case", case_id)
    body = _load_diseases_body(request.get_json())
    return json_response(_disease_set(current_app, wg, caller(wg), case_id, body))


def plain_disease_update_json(app: Flask, environ: dict[str, Any], case_id: str, data: bytes) -> str | None:
    """PUT diseases with a JSON body (``data``), read from the request's environ alone
    (``fast_path``): its body, as the route writes it, the disease set; None where the route
    must answer, nothing changed (a refusal, a body it rejects, a case it cannot update)."""
    accepted = accepted_credentials(app, environ)
    if accepted is None:
        return None
    key, wg = accepted
    answered.note_resource("case", case_id, environ=environ)
    try:
        body = _load_diseases_body(limits.parsed(lambda: json.loads(data)))
    except (ValueError, ValidationError):  # JSON's errors are ValueErrors
        return None
    try:
        return _disease_set(app, wg, caller(wg, key), case_id, body)
    except DomainError:  # refused before any change: the route refuses it again
        return None


def _disease_set(app: Flask, wg: Workgroup, user: str, case_id: str, body: dict[str, Any]) -> str:
    updated = operations.update_case_diseases(
        wg, case_id, body["externalid"], body["ontologytype"], app.extensions["mockserver"].clock.now(), user
    )
    # Rendered as GET case renders it, and kept: the client's next poll reads the same record.
    return rendered(app).json(updated)


@bp.delete("/crs/api/v1/cases/<not_search:case_id>", endpoint="deleteCase")
@documented(operation_id="deleteCase", tag=VENDOR, summary="Delete a case", responses={204: None})
def delete_case(case_id: str) -> Response:
    wg = workgroup()
    answered.note_resource("case", case_id)
    operations.delete_case(wg, case_id, state().clock.now(), caller(wg))
    return Response(status=204)


#: Queries as loaded, by query string: a client polls the same search, and loading its query
#: is an eighth of a search page. A query (``CaseQuery``) is immutable; one that fails to load is
#: not kept; past the bound the kept ones are dropped at once.
_loaded_queries: dict[bytes, CaseQuery] = {}
KEPT_QUERIES = 256
KEPT_QUERY_BYTES = 1024


def _search_query(query_string: bytes) -> CaseQuery:
    query = _loaded_queries.get(query_string)
    if query is None:
        query = _search_args.load(query_args(SearchCasesArgsSchema.LIST_FIELDS))
        if len(query_string) <= KEPT_QUERY_BYTES:
            if len(_loaded_queries) >= KEPT_QUERIES:
                _loaded_queries.clear()
            _loaded_queries[query_string] = query
    return query


@bp.get("/crs/api/v1/cases/search", endpoint="searchCases")
@documented(operation_id="searchCases", tag=VENDOR, summary="Search cases",
            description="Parameters combine with AND. Partial matches are case-insensitive; % is a wildcard.",
            query=SearchCasesArgsSchema, responses={200: CasePageSchema})
def search_cases() -> Response:
    wg = workgroup()
    query = _search_query(request.query_string)
    page = operations.search_cases(wg, query, state().clock.now())
    envelope = page_envelope(page.content, page.total_elements, page.page_number, page.page_size)
    return case_page_response(page.content, envelope)

"""Control plane, clients: the client report (each client's requests judged against the API's
rules) and the settings those rules are judged by."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Response, jsonify

from ...apidoc import CONTROL, Media, documented
from .. import client_report
from ..context import args, control, json_body
from ..schemas import ClientReportArgsSchema, ClientRuleSettingsSchema, ClientRulesSchema

bp = Blueprint("admin_clients", __name__, url_prefix="/_mock")

_rules = ClientRulesSchema()
_settings = ClientRuleSettingsSchema()


@bp.get("/client-report")
@documented(operation_id="mockClientReport", tag=CONTROL, summary="What each client did, judged against the API's rules",
            description="Vendor requests in the journal, per API key and User-Agent: counts per operation and "
                        "status, and findings (rule, severity, count, first, evidence: journal seq numbers, "
                        "message, advice). format=text answers the same as plain text for a CI log.",
            query=ClientReportArgsSchema, responses={200: ('object', Media("text/plain"))})
def get_client_report() -> Response:
    query = args(ClientReportArgsSchema)
    plane = control()
    entries = plane.journal.select(since=query.get("since"), workgroup=query.get("workgroup"))
    if "key" in query:
        entries = [e for e in entries if e["client"] == query["key"]]
    clients = client_report.report(entries, plane.client_rules)
    if query["format"] == "text":
        return Response(client_report.text(clients), mimetype="text/plain")
    return jsonify({"clients": clients})


def client_rules_body() -> dict[str, Any]:
    return _rules.dump({**dataclasses.asdict(control().client_rules), "rules": client_report.RULES})


@bp.get("/client-rules")
@documented(operation_id="mockGetClientRules", tag=CONTROL, summary="The client report's rules and their settings",
            responses={200: ClientRulesSchema})
def get_client_rules() -> Response:
    return jsonify(client_rules_body())


@bp.put("/client-rules")
@documented(operation_id="mockSetClientRules", tag=CONTROL, summary="Change the client report's settings",
            description="Fields left out keep their value; POST /_mock/reset/server puts back the start-up ones.",
            body=ClientRuleSettingsSchema, responses={200: ClientRulesSchema})
def set_client_rules() -> Response:
    changes = _settings.load(json_body())
    plane = control()
    plane.client_rules = dataclasses.replace(plane.client_rules, **changes)
    return jsonify(client_rules_body())

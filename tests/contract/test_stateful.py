"""Stateful fuzzing with schemathesis: sequences of calls linked by the ids their answers hold
(a search's case ids into GET case, PUT diseases, the report, sign-off, ...), over the vendor
operations and the control plane, against one live server. The checks are schemathesis's: no
5xx, every answer as the document says, no schema-valid request refused and no invalid one
accepted (where OpenAPI can say what is valid). Bounded: a fixed number of sequences of a few
steps each, derandomized, so it takes the same seconds every run.

Left out, each because a valid call would stall or break every later one: latency (a valid
delay holds a worker up to 10 minutes), faults (their purpose is to break answers), and the
wait for a status (up to 300 s).
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from conftest import WG, start_server
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import positive_data_acceptance

KEY = "fuzz-key"
AUTH = {"Authorization": f"ApiKey {KEY}", "X-ILMN-Domain": "fuzz", "X-ILMN-Workgroup": WG}
#: Left out as in test_fuzz: a delay or a wait holds a worker; faults and overrides change answers on purpose.
LEFT_OUT = ["mockSetLatency", "mockAddFaults", "mockAddOverrides", "mockWaitForCase"]
#: Valid by the document, refused by rules OpenAPI cannot state: a CSV's header and file name,
#: which case ids have a report (processed ones), which case a sign-off or status change may
#: apply to, that the default workgroup stays; and bodies the document leaves free-form (a
#: state document, cases in the vendor's shape), which the server checks field by field.
RULES_BEYOND_OPENAPI = {"uploadCustomCaseData", "getDraftReportJson", "getDraftReportPdf", "mockSignOffCase",
                        "mockSetCaseStatus", "mockImportState", "mockAdvanceCase", "mockAdvanceUpload",
                        "mockSetCaseLifecycle", "updateCaseDiseases", "mockSetLifecycle", "mockDeleteWorkgroup",
                        "mockAddCases"}


@pytest.fixture(scope="module")
def server():
    server = start_server(cases=30, api_keys=(KEY,), validate_responses=True)
    yield server
    server.stop()


def test_call_sequences_keep_to_the_document(server) -> None:
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    schema.config.base_url = server.url
    schema = schema.exclude(operation_id=LEFT_OUT)

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each sequence starts from the server as it started, so a failure replays the same
            # way while hypothesis shrinks it.
            assert requests.post(server.url + "/_mock/reset/server", json={}, timeout=30).status_code == 200

        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            headers = dict(case.headers or {})
            if "Authorization" in headers or case.operation.path.startswith(("/crs", "/cfg", "/drs", "/als")):
                headers["Authorization"] = AUTH["Authorization"]
            for name in ("X-ILMN-Domain", "X-ILMN-Workgroup"):
                if headers.get(name):
                    headers[name] = AUTH[name]
            return {"headers": headers, "timeout": 30}

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
            excluded = [positive_data_acceptance] if case.operation.definition.raw.get("operationId") in RULES_BEYOND_OPENAPI else []
            case.validate_response(response, additional_checks=additional_checks, excluded_checks=excluded,
                                   transport_kwargs=kwargs)

    run_state_machine_as_test(Workflow, settings=settings(
        max_examples=60, stateful_step_count=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)))

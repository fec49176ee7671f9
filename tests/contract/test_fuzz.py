"""Property-based fuzzing with schemathesis against the served document, over real HTTP.

Every vendor operation, with schemathesis's default data generation and checks: no 5xx, no
response that breaks the document (the server also checks itself with --validate-responses),
no schema-invalid request accepted, no valid request refused.
"""

from __future__ import annotations

import pytest
import schemathesis
from conftest import WG, start_server
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from mockserver import fidelity

KEY = "fuzz-key"
AUTH = {"Authorization": f"ApiKey {KEY}", "X-ILMN-Domain": "fuzz", "X-ILMN-Workgroup": WG}
#: A schema-valid upload may still be refused: OpenAPI cannot say "UTF-8 CSV whose header has
#: Sample_ID and Case_ID". Those rules are tested in tests/api/test_custom_case_data.py.
CONTENT_RULES_BEYOND_OPENAPI = {"uploadCustomCaseData"}


@pytest.fixture(scope="module")
def fuzz_server():
    server = start_server(cases=50, api_keys=(KEY,), validate_responses=True)  # so that a made-up key must get a 401
    yield server
    server.stop()


@pytest.fixture(scope="module")
def vendor_schema(fuzz_server):
    schema = schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")
    schema.config.base_url = fuzz_server.url
    return schema


schema = schemathesis.pytest.from_fixture("vendor_schema").include(operation_id=list(fidelity.OPERATIONS))
#: The control plane, less what a valid call would stall or break for every later one: latency
#: (a valid delay holds a worker up to 10 minutes), faults and overrides (they change answers on purpose), the
#: wait for a status (up to 300 s), and the resets (they would undo the other tests' setup).
CONTROL_LEFT_OUT = ["mockSetLatency", "mockAddFaults", "mockAddOverrides", "mockWaitForCase", "mockResetServer",
                    "mockImportState"]
#: Valid by the document, refused by rules OpenAPI cannot state: which case a sign-off, status
#: change or step applies to, that the default workgroup stays, the cases a body adds in the
#: vendor's free-form shape (checked field by field), fields that depend on each other (a
#: clock's ``now`` only when frozen, a plan's fields by its mode and kind), the journal's
#: ``since``, a sequence number or an ISO time in one string, and a matcher's regular
#: expressions, which RE2 must accept.
CONTROL_RULES_BEYOND_OPENAPI = {"mockSignOffCase", "mockSetCaseStatus", "mockAdvanceCase", "mockAdvanceUpload",
                                "mockSetCaseLifecycle", "mockDeleteWorkgroup", "mockAddCases", "mockSetClock",
                                "mockSetLifecycle", "mockListRequests", "mockCountRequests", "mockNearMisses"}
control_schema = (schemathesis.pytest.from_fixture("vendor_schema")
                  .exclude(operation_id=[*fidelity.OPERATIONS, *CONTROL_LEFT_OUT]))


@schema.parametrize()
@settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_vendor_operations(case) -> None:
    # Real credentials where schemathesis generated a valid value, so valid calls reach the
    # operation; a deliberately invalid (empty or missing) header is left as generated.
    headers = {"Authorization": AUTH["Authorization"]}
    generated = case.headers or {}
    for name in ("X-ILMN-Domain", "X-ILMN-Workgroup"):
        if generated.get(name):
            headers[name] = AUTH[name]
    excluded = [positive_data_acceptance] if case.operation.definition.raw.get("operationId") in CONTENT_RULES_BEYOND_OPENAPI else []
    case.call_and_validate(headers=headers, excluded_checks=excluded)


@control_schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_control_plane_operations(case) -> None:
    """What the document says of the control plane holds too: its integers are integers, its
    optional bodies optional, its required ones required."""
    operation_id = case.operation.definition.raw.get("operationId")
    excluded = [positive_data_acceptance] if operation_id in CONTROL_RULES_BEYOND_OPENAPI else []
    case.call_and_validate(excluded_checks=excluded)

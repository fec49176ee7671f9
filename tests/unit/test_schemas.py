"""The vendor's shapes without HTTP: what a case dump leaves out, how a test definition and a
case date load, and the one range every date must lie in. The HTTP tests cover these too, but
the schemas' own unit tests catch a change in seconds (the mutation run asked for them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from marshmallow import ValidationError

from mockserver.domain import clock
from mockserver.schemas import cases
from mockserver.schemas.common import checked_instant

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "cases" / "fixture_001_breast.json"
PHI = {"firstName", "lastName", "dateOfBirth", "mrn"}


@pytest.fixture(scope="module")
def case():  # noqa: ANN201 - a Case
    return cases.CaseSchema(direct_identifiers=True).load(json.loads(FIXTURE.read_text()))


def test_a_case_dump_leaves_out_direct_identifiers_unless_asked(case) -> None:  # noqa: ANN001
    assert not PHI & cases.CaseSchema().dump(case)["subjects"][0].keys()
    assert PHI <= cases.CaseSchema(direct_identifiers=True).dump(case)["subjects"][0].keys()
    trimmed = cases.CaseSchema(exclude=("tags",)).dump(case)  # a caller's exclusions add to them
    assert "tags" not in trimmed and not PHI & trimmed["subjects"][0].keys()


def test_a_test_definitions_pipeline_loads_with_the_vendors_defaults(case) -> None:  # noqa: ANN001
    dumped = cases.TestDefinitionSchema().dump(case.test_definition)
    given = {"workflowName": "wf", "workflowVersion": "9", "referenceGenomeBuild": "GRCh38", "sampleClassification": "GERMLINE"}
    loaded = cases.TestDefinitionSchema().load({**dumped, "analysisPipeline": given})
    assert (loaded.workflow_name, loaded.workflow_version, loaded.reference_genome_build, loaded.sample_classification) == (
        "wf", "9", "GRCh38", "GERMLINE")
    defaults = cases.TestDefinitionSchema().load({**dumped, "analysisPipeline": {}})
    assert (defaults.workflow_name, defaults.workflow_version, defaults.reference_genome_build,
            defaults.sample_classification) == ("from_onc_analysis", "5.0.1", "GRCh37", "TUMOR")
    with pytest.raises(ValidationError) as refused:
        cases.TestDefinitionSchema().load({**dumped, "analysisPipeline": "DRAGEN"})
    assert refused.value.messages == {"analysisPipeline": ["must be an object"]}


def test_a_case_date_keeps_its_offset_and_must_lie_in_the_range() -> None:
    assert cases.CaseDate().deserialize("2026-01-01T12:00:00+0200") == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert clock.in_range(datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))) == datetime(2026, 1, 1, 10, tzinfo=UTC)
    with pytest.raises(ValidationError) as refused:
        cases.CaseDate().deserialize("0999-01-01T00:00:00+0000")
    assert refused.value.messages == [f"Dates must lie {clock.RANGE}: the mock keeps no other date."]
    with pytest.raises(ValidationError, match="Dates must lie"):
        checked_instant(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))))

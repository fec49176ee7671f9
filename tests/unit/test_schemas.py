"""The vendor's shapes without HTTP: what a case dump leaves out, how a test definition and a
case date load, and the one range every date must lie in. The HTTP tests cover these too, but
the schemas' own unit tests catch a change in seconds (the mutation run asked for them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError, fields

from mockserver.domain import clock
from mockserver.schemas import cases
from mockserver.schemas.common import checked_instant, page_envelope, page_schema

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


@given(total=st.integers(0, 10**6), number=st.integers(0, 10**4), size=st.integers(1, 1000))
def test_a_page_envelope_is_already_in_its_schema_shape(total: int, number: int, size: int) -> None:
    """The vendor routes serve ``page_envelope`` as built, without dumping it each time: its
    schema dumps it unchanged, and it holds what the schema requires."""
    content = [object()] * min(size, max(total - number * size, 0))
    envelope = {k: v for k, v in page_envelope(content, total, number, size).items() if k != "content"}
    schema = page_schema(cases.CaseSchema, "Page")(exclude=("content",))
    assert json.dumps(schema.dump(envelope)) == json.dumps(envelope)
    assert schema.validate(envelope) == {}
    json_types = {fields.Boolean: bool, fields.Integer: int}  # exact: True is no integer, nor 1 a boolean
    assert all(type(envelope[name]) is json_types[type(field)]
               for name, field in schema.fields.items() if type(field) in json_types)

"""Case shapes: the case as served (field names, nesting and formats of the real payload),
the PUT diseases body, and the query strings of GET case and search."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from .. import fidelity
from ..domain.models import (
    Case,
    CustomField,
    Disease,
    DiseaseAncestor,
    Sample,
    Subject,
    TestDefinition,
)
from ..domain.query import CaseQuery
from ..domain.statuses import UI_LABELS, CaseStatus, parse_status

QUERY_DATE_HINT = "yyyy-MM-dd'T'HH:mm:ss'Z' (for example 2021-01-30T08:30:00Z)"


class ServedShape(Schema):
    """A shape that loads what it dumps: keys of dump-only fields (constants the service
    adds) are dropped before loading; any other unknown key is refused."""

    IGNORED_ON_LOAD: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._skip_on_load = frozenset(
            (f.data_key or name) for name, f in self.fields.items() if f.dump_only
        ) | frozenset(self.IGNORED_ON_LOAD)

    @pre_load
    def _drop_served_only(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in self._skip_on_load}
        return data


class CaseDate(fields.DateTime):
    """``2024-11-05T12:26:06+0000``: the case timestamp format of the real payload."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=fidelity.CASE_DATE_FORMAT, **kwargs)


class ConfigDataSchema(ServedShape):
    type = fields.String(load_default="Text")
    name = fields.String(required=True)
    restricted = fields.Boolean(load_default=False)
    value = fields.String(required=True)
    order = fields.Integer(load_default=1)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> CustomField:
        return CustomField(**data)


class CustomMetadata(fields.Field):
    """``{"configData": [...]}`` around a tuple of CustomField records."""

    _schema = ConfigDataSchema(many=True)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return {"configData": self._schema.dump(value or ())}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError("must be an object with a configData list")
        return tuple(self._schema.load(value.get("configData") or []))


class ClusterSchema(Schema):
    clusterId = fields.String(required=True)


_clusters = ClusterSchema(many=True)


class AncestorSchema(ServedShape):
    name = fields.String(required=True)
    clusters = fields.Method("_clusters", deserialize="_load_clusters")
    externalId = fields.String(attribute="external_id", required=True)
    ontologyType = fields.String(attribute="ontology_type", load_default="SNOMEDCT")

    def _clusters(self, obj: DiseaseAncestor) -> list[dict[str, str]]:
        return [{"clusterId": c} for c in obj.cluster_ids]

    def _load_clusters(self, value: Any) -> tuple[str, ...]:
        return tuple(c["clusterId"] for c in _clusters.load(value or []))

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> DiseaseAncestor:
        return DiseaseAncestor(
            name=data["name"], external_id=data["external_id"],
            cluster_ids=data.get("clusters", ()), ontology_type=data["ontology_type"],
        )


class TumorTypeSchema(ServedShape):
    """``samples[].tumorType[]``: lower-case top-level keys, camelCase inside ancestors."""

    ontologytype = fields.String(load_default="SNOMEDCT")
    name = fields.String(required=True)
    externalid = fields.String(required=True)
    version = fields.String(allow_none=True, load_default=None)
    keyGenes = fields.List(fields.String(), attribute="key_genes", load_default=())
    clusterid = fields.List(fields.String(), load_default=())
    customName = fields.String(attribute="custom_name", allow_none=True, load_default=None)
    ancestors = fields.List(fields.Nested(AncestorSchema), load_default=())

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Disease:
        data["key_genes"] = tuple(data["key_genes"])
        data["clusterid"] = tuple(data["clusterid"])
        data["ancestors"] = tuple(data["ancestors"])
        return Disease(**data)


class SampleSchema(ServedShape):
    tumorType = fields.List(fields.Nested(TumorTypeSchema), attribute="tumor_type", load_default=())
    updatedDate = fields.Constant(None, dump_only=True)
    externalSampleId = fields.String(attribute="external_sample_id", required=True)
    id = fields.String(required=True)
    createdDate = fields.Constant(None, dump_only=True)
    externalSampleName = fields.String(attribute="external_sample_name", allow_none=True, load_default=None)
    msi = fields.String(allow_none=True, load_default=None)
    tmb = fields.String(allow_none=True, load_default=None)
    gis = fields.String(allow_none=True, load_default=None)
    sampleType = fields.String(attribute="sample_type", validate=validate.OneOf(fidelity.SAMPLE_TYPES), load_default="DNA")
    specimenType = fields.String(attribute="specimen_type", allow_none=True, load_default=None)
    pairId = fields.String(attribute="pair_id", allow_none=True, load_default=None)
    purity = fields.String(allow_none=True, load_default=None)
    ploidy = fields.String(allow_none=True, load_default=None)
    sarjPath = fields.Constant(None, dump_only=True)
    customMetadata = CustomMetadata(attribute="custom_metadata", load_default=())
    sampleClassification = fields.String(attribute="sample_classification", load_default="TUMOR")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Sample:
        data["tumor_type"] = tuple(data["tumor_type"])
        return Sample(**data)


PHI_FIELDS = ("first_name", "last_name", "date_of_birth", "mrn")


class SubjectSchema(ServedShape):
    id = fields.String(required=True)
    updatedDate = fields.Constant(None, dump_only=True)
    gender = fields.String(validate=validate.OneOf(tuple(fidelity.SEX_VALUES.values())), load_default="UNKNOWN")
    createdDate = fields.Constant(None, dump_only=True)
    # Direct identifiers: dumped only when the caller asks with directIdentifiers=true.
    first_name = fields.String(data_key="firstName", allow_none=True, load_default=None)
    last_name = fields.String(data_key="lastName", allow_none=True, load_default=None)
    date_of_birth = fields.String(data_key="dateOfBirth", allow_none=True, load_default=None)
    mrn = fields.String(allow_none=True, load_default=None)
    samples = fields.List(fields.Nested(SampleSchema), load_default=())
    isAffected = fields.String(attribute="is_affected", load_default="AFFECTED")
    createdSystemVersion = fields.Constant(None, dump_only=True)
    relationshipToProband = fields.String(attribute="relationship_to_proband", load_default="PROBAND")
    otherRelationshipToProband = fields.Constant(None, dump_only=True)
    subject_report_id = fields.Method(
        None, "_load_report_id", data_key="reports", load_default=None, load_only=True
    )  # dumped by CaseSchema, which knows the test definition's report id

    def _load_report_id(self, value: Any) -> str | None:
        if not isinstance(value, list):
            raise ValidationError("must be a list of reports")
        if not value:
            return None
        first = value[0]
        if not isinstance(first, dict) or not isinstance(first.get("subjectReportId"), str):
            raise ValidationError("reports[0].subjectReportId must be a string")
        return first["subjectReportId"]
    customMetadata = CustomMetadata(attribute="custom_metadata", load_default=())

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Subject:
        data["samples"] = tuple(data["samples"])
        return Subject(**data)


class AnalysisPipelineSchema(Schema):
    sampleClassification = fields.String(attribute="sample_classification")
    referenceGenomeBuild = fields.String(attribute="reference_genome_build")
    workflowName = fields.String(attribute="workflow_name")
    workflowVersion = fields.String(attribute="workflow_version")
    exome = fields.Constant(False)
    fastQWorkflow = fields.Constant(False)
    variantsWorkflow = fields.Constant(False)


class TestReportSchema(Schema):
    id = fields.String(attribute="report_id")
    name = fields.Constant("Default Report")
    order = fields.Constant(1)
    type = fields.Constant("TSS_ONC_REPORT")
    subject = fields.Constant("PROBAND")
    optional = fields.Constant(False)
    timeCreated = fields.String(attribute="time_created")
    timeModified = fields.Function(lambda t: t.time_created)


_test_report = TestReportSchema()
_pipeline = AnalysisPipelineSchema()


class TestDefinitionSchema(ServedShape):
    """A trimmed ``testDefinition``: the identifying fields and the analysis pipeline."""

    reports = fields.Method("_reports", "_load_reports", attribute="report_id", required=True)
    status = fields.String(load_default="LIVE")
    timeCreated = fields.String(attribute="time_created", required=True)
    version = fields.String(load_default="1")
    id = fields.String(required=True)
    analysisPipeline = fields.Method("_pipeline", deserialize="_load_pipeline", required=True)
    name = fields.String(required=True)
    timeModified = fields.Function(lambda t: t.time_created, dump_only=True)
    allowedActions = fields.Constant(["VIEW"], dump_only=True)

    def _reports(self, obj: TestDefinition) -> list[dict[str, Any]]:
        return [_test_report.dump(obj)]

    def _load_reports(self, value: Any) -> str:
        if not isinstance(value, list) or not value or not isinstance(value[0], dict) or not isinstance(value[0].get("id"), str):
            raise ValidationError("must be a list whose first report has an id")
        return value[0]["id"]

    def _pipeline(self, obj: TestDefinition) -> dict[str, Any]:
        return _pipeline.dump(obj)

    def _load_pipeline(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationError("must be an object")
        return {
            "workflow_name": value.get("workflowName", "from_onc_analysis"),
            "workflow_version": value.get("workflowVersion", "5.0.1"),
            "reference_genome_build": value.get("referenceGenomeBuild", "GRCh37"),
            "sample_classification": value.get("sampleClassification", "TUMOR"),
        }

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> TestDefinition:
        pipeline = data.pop("analysisPipeline")
        return TestDefinition(**data, **pipeline)


_subjects_with_phi = SubjectSchema(many=True)


class CaseSchema(ServedShape):
    """The case as GET case serves it; key order follows the real payload."""

    IGNORED_ON_LOAD = ("preferredQcMetrics",)

    class Meta:
        ordered = True

    tags = fields.List(fields.String(), load_default=())
    id = fields.String(required=True)
    displayId = fields.String(attribute="display_id", required=True)
    updatedDate = CaseDate(attribute="updated_date", required=True)
    analysisId = fields.String(attribute="analysis_id", allow_none=True, load_default=None)
    workflowName = fields.String(attribute="workflow_name", allow_none=True, load_default=None)
    status = fields.Enum(CaseStatus, required=True)
    testDefinition = fields.Nested(TestDefinitionSchema, attribute="test_definition", allow_none=True, load_default=None)
    createdDate = CaseDate(attribute="created_date", required=True)
    createdBy = fields.String(attribute="created_by", allow_none=True, load_default=None)
    updatedBy = fields.String(attribute="updated_by", allow_none=True, load_default=None)
    subjects = fields.Method("_subjects", deserialize="_load_subjects", required=True)
    truSightSoftwareSuiteVersion = fields.Constant(fidelity.TRUSIGHT_SOFTWARE_SUITE_VERSION, dump_only=True)
    dragenVersion = fields.Constant(None, dump_only=True)
    dataSourceVersions = fields.Constant(fidelity.DATA_SOURCE_VERSIONS, dump_only=True)
    customMetadata = CustomMetadata(attribute="custom_metadata", load_default=())

    def __init__(self, *, direct_identifiers: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        exclude = () if direct_identifiers else PHI_FIELDS
        self._subject_schema = SubjectSchema(many=True, exclude=exclude)

    def _subjects(self, case: Case) -> list[dict[str, Any]]:
        subjects = self._subject_schema.dump(case.subjects)
        report_id = case.test_definition.report_id if case.test_definition else None
        for raw, dumped in zip(case.subjects, subjects, strict=True):
            dumped["reports"] = [
                {"subjectReportId": raw.subject_report_id, "reportType": "TSS_ONC_REPORT",
                 "testReportId": report_id}
            ] if raw.subject_report_id else []
        return subjects

    def _load_subjects(self, value: Any) -> tuple[Subject, ...]:
        if not isinstance(value, list) or not value:
            raise ValidationError("must be a non-empty list of subjects")
        return tuple(_subjects_with_phi.load(value))

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Case:
        data["tags"] = tuple(data["tags"])
        return Case(**data)


class UpdateCaseDiseasesSchema(Schema):
    """The PUT diseases body, with the vendor's lower-case keys; unknown keys are ignored (Jackson's default)."""

    class Meta:
        unknown = EXCLUDE

    externalid = fields.String(required=True, validate=validate.Length(min=1))
    ontologytype = fields.String(required=True, validate=validate.Length(min=1))
    name = fields.String(validate=validate.Length(min=1))


class GetCaseArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    directIdentifiers = fields.Boolean(load_default=False)
    includeQcOverviewMetrics = fields.Boolean(load_default=False)


class StatusList(fields.Field):
    """One or more statuses (repeated or comma-separated): API values or, leniently, UI labels."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        parsed = []
        for text in (part for v in values for part in str(v).split(",") if part.strip()):
            status = parse_status(text)
            if status is None:
                allowed = ", ".join(f"{s.value} ({UI_LABELS[s]})" for s in CaseStatus)
                raise ValidationError(f"'{text.strip()}' is not a case status; use one of {allowed}.")
            parsed.append(status)
        return tuple(parsed)


class QueryDate(fields.DateTime):
    default_error_messages = {"invalid": f"Not a valid date; use the format {QUERY_DATE_HINT}."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=fidelity.QUERY_DATE_FORMAT, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return super()._deserialize(value, attr, data, **kwargs).replace(tzinfo=UTC)


class SearchCasesArgsSchema(Schema):
    """Query string of GET /crs/api/v1/cases/search; unknown parameters are ignored, as Spring does."""

    class Meta:
        unknown = EXCLUDE

    LIST_FIELDS = ("status", "tags")

    status = StatusList()
    isExactMatch = fields.Boolean(load_default=False)
    displayId = fields.String()
    id = fields.String()
    externalSampleId = fields.String()
    analysisId = fields.String()
    tags = fields.List(fields.String())
    diseaseName = fields.String()
    creationDateBefore = QueryDate()
    creationDateAfter = QueryDate()
    pageNumber = fields.Integer(load_default=0, validate=validate.Range(min=0))
    pageSize = fields.Integer(
        load_default=fidelity.DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=fidelity.MAX_PAGE_SIZE)
    )
    orderBy = fields.String(load_default=fidelity.DEFAULT_ORDER, validate=validate.OneOf(("ASC", "DESC")))

    @pre_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if isinstance(data.get("orderBy"), str):
            data = {**data, "orderBy": data["orderBy"].upper()}
        return data

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **_: Any) -> None:
        before, after = data.get("creationDateBefore"), data.get("creationDateAfter")
        if before is not None and after is not None and after > before:
            raise ValidationError("creationDateAfter is later than creationDateBefore.", "creationDateAfter")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> CaseQuery:
        return CaseQuery(
            statuses=data.get("status", ()),
            display_id=data.get("displayId"),
            is_exact_match=data["isExactMatch"],
            id=data.get("id"),
            external_sample_id=data.get("externalSampleId"),
            analysis_id=data.get("analysisId"),
            tags=tuple(t for t in data.get("tags", ()) if t),
            disease_name=data.get("diseaseName"),
            created_before=data.get("creationDateBefore"),
            created_after=data.get("creationDateAfter"),
            page_number=data["pageNumber"],
            page_size=data["pageSize"],
            descending=data["orderBy"] == "DESC",
        )

"""Case shapes: the case as served (field names, nesting and formats of the real payload),
the PUT diseases body, and the query strings of GET case and search."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
)

from .. import fidelity
from ..apidoc import openapi, ref
from ..domain import clock
from ..domain.models import (
    Case,
    CustomField,
    Disease,
    DiseaseAncestor,
    Sample,
    Subject,
    SubjectReport,
    TestDefinition,
)
from ..domain.query import CaseQuery
from ..domain.statuses import UI_LABELS, CaseStatus, parse_status
from .common import checked_instant
from .compiled import dumper

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


class FormattedDate(fields.Field):
    """A date-time in one fixed strftime format (apispec documents it by OPENAPI)."""

    FORMAT = ""
    OPENAPI: dict[str, Any] = {}
    default_error_messages = {"invalid": "Not a valid date-time."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.strftime(self.FORMAT)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            parsed = datetime.strptime(value, self.FORMAT)
        except (TypeError, ValueError):
            raise self.make_error("invalid") from None
        return checked_instant(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


class CaseDate(FormattedDate):
    """``2024-11-05T12:26:06+0000``: the case timestamp format of the real payload."""

    FORMAT = fidelity.CASE_DATE_FORMAT
    OPENAPI = {"type": "string", "pattern": r"^[1-8]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$",
               "example": "2024-11-05T12:26:06+0000", "description": f"an instant {clock.RANGE}"}



class ConfigDataSchema(ServedShape):
    type = fields.String(load_default="Text")
    name = fields.String(required=True)
    restricted = fields.Boolean(load_default=False)
    value = fields.String(required=True)
    order = fields.Integer(load_default=1)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> CustomField:
        return CustomField(**data)


_dump_config_data = dumper(ConfigDataSchema(many=True))


class CustomMetadata(fields.Field):
    """``{"configData": [...]}`` around a tuple of CustomField records."""

    _schema = ConfigDataSchema(many=True)
    OPENAPI = {"type": "object", "required": ["configData"],
               "properties": {"configData": {"type": "array", "items": ref(ConfigDataSchema)}}}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return {"configData": _dump_config_data(value or ())}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError("must be an object with a configData list")
        return tuple(self._schema.load(value.get("configData") or []))


class ClusterSchema(Schema):
    clusterId = fields.String(required=True)


_clusters = ClusterSchema(many=True)


class AncestorSchema(ServedShape):
    name = fields.String(required=True)
    clusters = fields.Method("_clusters", deserialize="_load_clusters",
                             metadata=openapi(type="array", items=ref(ClusterSchema)))
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


class SubjectReportSchema(ServedShape):
    subjectReportId = fields.String(attribute="subject_report_id", required=True)
    reportType = fields.String(attribute="report_type", load_default="TSS_ONC_REPORT")
    testReportId = fields.String(attribute="test_report_id", allow_none=True, load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> SubjectReport:
        return SubjectReport(**data)


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
    customMetadata = CustomMetadata(attribute="custom_metadata", load_default=())
    reports = fields.List(fields.Nested(SubjectReportSchema), load_default=())

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Subject:
        data["samples"] = tuple(data["samples"])
        data["reports"] = tuple(data["reports"])
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


_dump_test_report = dumper(TestReportSchema())
_dump_pipeline = dumper(AnalysisPipelineSchema())


class TestDefinitionSchema(ServedShape):
    """A trimmed ``testDefinition``: the identifying fields and the analysis pipeline."""

    reports = fields.Method("_reports", "_load_reports", attribute="report_id", required=True,
                            metadata=openapi(type="array", items=ref(TestReportSchema)))
    status = fields.String(load_default="LIVE")
    timeCreated = fields.String(attribute="time_created", required=True)
    version = fields.String(load_default="1")
    id = fields.String(required=True)
    analysisPipeline = fields.Method("_pipeline", deserialize="_load_pipeline", required=True,
                                     metadata=openapi(**ref(AnalysisPipelineSchema)))
    name = fields.String(required=True)
    timeModified = fields.Function(lambda t: t.time_created, dump_only=True)
    allowedActions = fields.Constant(["VIEW"], dump_only=True)

    def _reports(self, obj: TestDefinition) -> list[dict[str, Any]]:
        return [_dump_test_report(obj)]

    def _load_reports(self, value: Any) -> str:
        if not isinstance(value, list) or not value or not isinstance(value[0], dict) or not isinstance(value[0].get("id"), str):
            raise ValidationError("must be a list whose first report has an id")
        return value[0]["id"]

    def _pipeline(self, obj: TestDefinition) -> dict[str, Any]:
        return _dump_pipeline(obj)

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


class QcMetricSchema(Schema):
    metric = fields.String(required=True)
    lsl = fields.String(required=True)
    usl = fields.String(required=True)
    passStatus = fields.String(required=True)
    value = fields.String(required=True)
    sampleId = fields.String(required=True, allow_none=True)


class QcSectionSchema(Schema):
    sectionName = fields.String(required=True)
    metrics = fields.List(fields.Nested(QcMetricSchema), required=True)


class QcMetricsSchema(Schema):
    runQcMetrics = fields.Nested(Schema.from_dict({"metrics": fields.List(fields.Nested(QcMetricSchema), required=True)},
                                                  name="RunQcMetrics"), required=True)
    sampleQcMetrics = fields.Nested(Schema.from_dict({"sections": fields.List(fields.Nested(QcSectionSchema), required=True)},
                                                     name="SampleQcMetrics"), required=True)


class QcOverviewSchema(Schema):
    """One entry of ``preferredQcMetrics``, as in the real payload."""

    sampleIds = fields.List(fields.String(), required=True)
    analysisId = fields.String(required=True)
    workflowType = fields.String(required=True)
    caseDisplayId = fields.String(required=True)
    qcMetrics = fields.Nested(QcMetricsSchema, required=True)


class CaseSchema(ServedShape):
    """The case as GET case serves it; key order follows the real payload."""

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
    subjects = fields.List(fields.Nested(SubjectSchema), required=True, validate=validate.Length(min=1))
    truSightSoftwareSuiteVersion = fields.Constant(fidelity.TRUSIGHT_SOFTWARE_SUITE_VERSION, dump_only=True)
    dragenVersion = fields.Constant(None, dump_only=True)
    dataSourceVersions = fields.Constant(fidelity.DATA_SOURCE_VERSIONS, dump_only=True)
    customMetadata = CustomMetadata(attribute="custom_metadata", load_default=())
    # Computed on request (includeQcOverviewMetrics=true); a Case record has no such attribute.
    preferredQcMetrics = fields.List(fields.Nested(QcOverviewSchema), dump_only=True)

    def __init__(self, *, direct_identifiers: bool = False, **kwargs: Any) -> None:
        if not direct_identifiers:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), *(f"subjects.{f}" for f in PHI_FIELDS))
        super().__init__(**kwargs)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Case:
        data["tags"] = tuple(data["tags"])
        data["subjects"] = tuple(data["subjects"])
        return Case(**data)


class UpdateCaseDiseasesSchema(Schema):
    """The PUT diseases body, with the vendor's lower-case keys; unknown keys are ignored (Jackson's default)."""

    class Meta:
        unknown = EXCLUDE

    externalid = fields.String(required=True, validate=validate.Length(min=1))
    #: SNOMEDCT in any letter case: the only ontology the service takes (any other is a 400).
    ontologytype = fields.String(required=True, validate=validate.Length(min=1),
                                 metadata={"pattern": "^[Ss][Nn][Oo][Mm][Ee][Dd][Cc][Tt]$", "example": "SNOMEDCT"})
    name = fields.String(validate=validate.Length(min=1))

    @pre_load
    def _name_misspelt_keys(self, data: Any, **_: Any) -> Any:
        """``externalId`` (disease-config's spelling) would be ignored; say which key was meant."""
        if not isinstance(data, dict):
            return data
        problems = {}
        for key in ("externalid", "ontologytype", "name"):
            if key in data:
                continue
            near = [k for k in data if isinstance(k, str) and k.replace("_", "").lower() == key]
            if near:
                problems[key] = [f"The body has '{near[0]}'; this API spells the key '{key}' (all lower case)."]
        if problems:
            raise ValidationError(problems)
        return data


class GetCaseArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    directIdentifiers = fields.Boolean(load_default=False)
    includeQcOverviewMetrics = fields.Boolean(load_default=False)


class StatusList(fields.Field):
    """One or more statuses (repeated or comma-separated): API values or, leniently, UI labels."""

    # The API page offers the statuses as a list; the server is more lenient than the document
    # (UI labels, any letter case, comma-separated), see the README's fidelity notes.
    OPENAPI = {"type": "array", "items": {"type": "string", "enum": [s.value for s in CaseStatus]}}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        parsed = []
        for text in (part for v in values for part in str(v).split(",")):
            status = parse_status(text) if text.strip() else None
            if status is None:
                allowed = ", ".join(f"{s.value} ({UI_LABELS[s]})" for s in CaseStatus)
                raise ValidationError(f"'{text.strip()}' is not a case status; use one of {allowed}.")
            parsed.append(status)
        return tuple(parsed)


#: Years the mock keeps (1000 to 8999; 9000-01-01T00:00:00Z itself is spelled out), and those
#: of them with a 29 February: divisible by 4, and not by 100 unless by 400. Spelled out, with
#: no look-ahead: with ``(?=[1-8]...|9000...)`` in front, schemathesis sent "0" as a valid value.
_YEAR = r"[1-8]\d{3}"
_LEAP_YEAR = r"(?:[1-8]\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[1357][26])00)"


class QueryDate(FormattedDate):
    FORMAT = fidelity.QUERY_DATE_FORMAT
    # Real calendar dates only, 29 February in leap years included, as the server's parser
    # decides. No example: the API page would pre-fill it, and the filter would hide every case.
    OPENAPI = {"type": "string", "pattern": (
        r"^(?:9000-01-01T00:00:00|(?:" + _YEAR + r"-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
        r"|02-(?:0[1-9]|1\d|2[0-8]))|" + _LEAP_YEAR + r"-02-29)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)Z$"),
        "description": f"yyyy-MM-dd'T'HH:mm:ss'Z', e.g. 2021-01-30T08:30:00Z, {clock.RANGE}"}
    default_error_messages = {"invalid": f"Not a valid date; use the format {QUERY_DATE_HINT}."}


class SearchText(fields.String):
    """A search filter's text, at most MAX_SEARCH_TEXT characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(max=fidelity.MAX_SEARCH_TEXT), **kwargs)


class SearchCasesArgsSchema(Schema):
    """Query string of GET /crs/api/v1/cases/search; unknown parameters are ignored, as Spring does."""

    class Meta:
        unknown = EXCLUDE

    LIST_FIELDS = ("status", "tags")

    status = StatusList()
    isExactMatch = fields.Boolean(load_default=False)
    displayId = SearchText()
    id = SearchText()
    externalSampleId = SearchText()
    analysisId = SearchText()
    tags = fields.List(SearchText(), validate=validate.Length(max=fidelity.MAX_SEARCH_TAGS))
    diseaseName = SearchText()
    creationDateBefore = QueryDate()
    creationDateAfter = QueryDate()
    pageNumber = fields.Integer(load_default=0, validate=validate.Range(min=0, max=fidelity.MAX_PAGE_NUMBER))
    pageSize = fields.Integer(
        load_default=fidelity.DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=fidelity.MAX_PAGE_SIZE)
    )
    orderBy = fields.String(load_default=fidelity.DEFAULT_ORDER, validate=validate.OneOf(("ASC", "DESC")))

    @pre_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if isinstance(data.get("orderBy"), str):
            data = {**data, "orderBy": data["orderBy"].upper()}
        return data

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

"""Request and response shapes of the control plane. Unknown keys are refused (400), so a
typo in a test's setup fails loudly instead of being ignored."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import re2
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from .. import fidelity
from ..domain.lifecycle.kinds import StepKind, StepKinds
from ..domain.lifecycle.plans import MODES, Plan
from ..domain.statuses import CaseStatus, parse_status
from ..http.limits import JSON_BODY_LIMIT, MAX_GENERATED_CASES, MAX_POLL_INTERVAL_SECONDS
from ..schemas.common import checked_instant
from .journal import ALL_PLANES, CONTROL, VENDOR, Pattern
from .overrides import FRAMING_HEADERS

PLANES = (VENDOR, CONTROL, ALL_PLANES)


class WholeNumber(fields.Integer):
    """A JSON integer, as the document says: 5.0 or 2.6e-42 is refused rather than truncated."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class Instant(fields.DateTime):
    """ISO 8601 date-time; a time without a zone is taken as UTC. Dumped as ``...Z``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed = checked_instant(super()._deserialize(value, attr, data, **kwargs))
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StatusField(fields.Field):
    """A case status by API value or UI label."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> CaseStatus:
        status = parse_status(str(value)) if isinstance(value, str) else None
        if status is None:
            raise ValidationError(f"not a case status; use one of {', '.join(s.value for s in CaseStatus)}")
        return status

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.value


class PlanSchema(StrictSchema):
    """A plan for one kind of step (``KIND``): the outcomes it may name are the kind's."""

    KIND: StepKind

    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    seconds = fields.Float(validate=validate.Range(min=0, max=7 * 86400))
    count = WholeNumber(validate=validate.Range(min=0, max=1_000_000))
    outcome = fields.String(allow_none=True)
    failureRate = fields.Float(attribute="failure_rate", validate=validate.Range(min=0, max=1))

    @validates_schema
    def _complete(self, data: dict[str, Any], **_: Any) -> None:
        if data["mode"] == "time" and "seconds" not in data:
            raise ValidationError("a time plan needs seconds", "seconds")
        if data["mode"] == "polls" and "count" not in data:
            raise ValidationError("a polls plan needs count", "count")
        outcome = data.get("outcome")
        if outcome is not None and outcome not in self.KIND.outcomes:
            raise ValidationError(f"must be one of {', '.join(self.KIND.outcomes)}", "outcome")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Plan:
        return Plan(
            mode=data["mode"],
            seconds=data.get("seconds", 0.0) if data["mode"] == "time" else 0.0,
            count=data.get("count", 0) if data["mode"] == "polls" else 0,
            outcome=data.get("outcome", self.KIND.unspecified_outcome),
            failure_rate=data.get("failure_rate", 0.0),
        )

    def dump_plan(self, plan: Plan) -> dict[str, Any]:
        body: dict[str, Any] = {"mode": plan.mode}
        if plan.mode == "time":
            body["seconds"] = plan.seconds
        if plan.mode == "polls":
            body["count"] = plan.count
        body["outcome"] = plan.outcome
        body["failureRate"] = plan.failure_rate
        return body


class KindSchemas:
    """The control plane's schemas for a server's kinds of step, derived from its registry: a
    plan schema per kind (``ProcessingPlan``, ...), the default plans (``Lifecycle``: a field per
    kind) and a case's own plans (``CaseLifecycle``: a field per kind a case may have a plan for).

    A kind a case may have a plan for has a nullable field: null is "the default" for a case and
    "keep it" for the default plans. A case's plans name that kind when it is the only one, and
    at least one kind when there are several."""

    def __init__(self, kinds: StepKinds[Any]) -> None:
        self.plans: dict[str, PlanSchema] = {
            name: type(f"{name[0].upper()}{name[1:]}PlanSchema", (PlanSchema,), {"KIND": kind})()
            for name, kind in kinds.items()
        }
        planned = kinds.case_planned
        self.lifecycle: type[StrictSchema] = type("LifecycleSchema", (StrictSchema,), {
            name: fields.Nested(type(schema), allow_none=name in planned) for name, schema in self.plans.items()
        })
        self.case_lifecycle: type[StrictSchema] = type("CaseLifecycleSchema", (_CasePlans,), {
            name: fields.Nested(type(self.plans[name]), required=len(planned) == 1, allow_none=True)
            for name in planned
        })

    def dump_plans(self, plans: Mapping[str, Plan | None]) -> dict[str, Any]:
        """Plans by kind, as the control plane shows them (None as null)."""
        return {kind: None if plan is None else self.plans[kind].dump_plan(plan) for kind, plan in plans.items()}


class _CasePlans(StrictSchema):
    @validates_schema
    def _names_a_kind(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError(f"name the plan of at least one of {', '.join(self.fields)}")


@functools.cache
def kind_schemas(kinds: StepKinds[Any]) -> KindSchemas:
    """One set of schemas per registry (schema classes are made once, not per app)."""
    return KindSchemas(kinds)


class PendingStepSchema(Schema):
    """A step under way, as the control plane shows it (dumped from a dict)."""

    kind = fields.String()
    plan = fields.Dict()
    startedAt = Instant(attribute="started")
    dueAt = Instant(attribute="due")
    reads = fields.Integer()


class TransitionSchema(Schema):
    """One status change of a case's history."""

    at = Instant()
    from_status = StatusField(data_key="from")
    to_status = StatusField(data_key="to")
    cause = fields.String()


class ClockSchema(StrictSchema):
    mode = fields.String(required=True, validate=validate.OneOf(("real", "frozen")))
    now = Instant()

    @validates_schema
    def _now_only_when_frozen(self, data: dict[str, Any], **_: Any) -> None:
        if data["mode"] == "real" and "now" in data:
            raise ValidationError("a real clock follows the wall clock; leave out now", "now")


class AdvanceClockSchema(StrictSchema):
    seconds = fields.Float(required=True, validate=validate.Range(min=0, max=10 * 365 * 86400))


class ResetSchema(StrictSchema):
    workgroup = fields.String()


class SeedSchema(StrictSchema):
    seed = WholeNumber(required=True)
    cases = WholeNumber(validate=validate.Range(min=0, max=MAX_GENERATED_CASES))
    workgroup = fields.String()


class NewWorkgroupSchema(StrictSchema):
    id = fields.String(validate=validate.Length(min=1, max=100))
    name = fields.String(validate=validate.Length(min=1, max=200))
    cases = WholeNumber(load_default=0, validate=validate.Range(min=0, max=MAX_GENERATED_CASES))
    seed = WholeNumber()


class WorkgroupSchema(Schema):
    id = fields.String()
    name = fields.String()
    seed = fields.Integer()
    seededCases = fields.Integer()
    cases = fields.Integer()
    uploads = fields.Integer()
    default = fields.Boolean()


class StatusJumpSchema(StrictSchema):
    status = StatusField(required=True)


class SignOffSchema(StrictSchema):
    """Who signs the report off (an e-mail of GET /_mock/users; default: one drawn from the
    case) and when (default: now)."""

    approver = fields.Email(validate=validate.Length(max=320))
    at = Instant()


class UserSchema(Schema):
    id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)


class WaitArgsSchema(StrictSchema):
    status = StatusField(required=True)
    timeout = fields.Float(load_default=5.0, validate=validate.Range(min=0, max=300))
    workgroup = fields.String()


class EmptySchema(StrictSchema):
    """A body with nothing to say: ``{}`` or none at all."""


class WorkgroupArgsSchema(StrictSchema):
    workgroup = fields.String()


class DelaySchema(StrictSchema):
    """Exactly one of fixedMs, uniform or lognormal."""

    fixedMs = fields.Float(validate=validate.Range(min=0, max=600_000))
    uniform = fields.Nested(Schema.from_dict({
        "minMs": fields.Float(required=True, validate=validate.Range(min=0, max=600_000)),
        "maxMs": fields.Float(required=True, validate=validate.Range(min=0, max=600_000)),
    }, name="UniformDelay"))
    lognormal = fields.Nested(Schema.from_dict({
        "medianMs": fields.Float(required=True, validate=validate.Range(min=0, max=600_000)),
        "sigma": fields.Float(required=True, validate=validate.Range(min=0, max=10)),
        "maxMs": fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=600_000)),
    }, name="LognormalDelay"))

    @validates_schema
    def _one_shape(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of fixedMs, uniform, lognormal")
        uniform = data.get("uniform")
        if uniform and uniform["minMs"] > uniform["maxMs"]:
            raise ValidationError("minMs is larger than maxMs", "uniform")


class LatencySchema(StrictSchema):
    default = fields.Nested(DelaySchema, allow_none=True, load_default=None)
    operations = fields.Dict(keys=fields.String(validate=validate.OneOf(fidelity.OPERATIONS)),
                             values=fields.Nested(DelaySchema), load_default=dict)


FAULT_KINDS = ("error", "connectionReset", "emptyResponse", "truncatedBody")


class FaultRuleSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    operation = fields.String(load_default="*", validate=validate.OneOf(("*", *fidelity.OPERATIONS)))
    #: Only requests to this workgroup (X-ILMN-Workgroup); every request when left out.
    workgroup = fields.String(load_default=None, allow_none=True)
    kind = fields.String(load_default="error", validate=validate.OneOf(FAULT_KINDS))
    status = WholeNumber(load_default=503, validate=validate.Range(min=400, max=599))
    times = WholeNumber(load_default=None, allow_none=True, validate=validate.Range(min=1))
    probability = fields.Float(load_default=1.0, validate=validate.Range(min=0, max=1))
    retryAfter = WholeNumber(load_default=None, allow_none=True, validate=validate.Range(min=0, max=86400))
    message = fields.String(load_default=None, allow_none=True)
    matched = fields.Integer(dump_only=True)


class PatternField(fields.Field):
    """A value to equal (a string, number, boolean or null), or ``{"equalTo": value}``, or
    ``{"matches": "<RE2 expression>"}`` that the whole text must match."""

    MAX_PATTERN_CHARS = 1000
    OPENAPI = {"oneOf": [
        {"type": "string"}, {"type": "number"}, {"type": "boolean"},
        {"type": "object", "required": ["equalTo"], "additionalProperties": False, "properties": {"equalTo": {}}},
        {"type": "object", "required": ["matches"], "additionalProperties": False,
         "properties": {"matches": {"type": "string", "maxLength": MAX_PATTERN_CHARS,
                                    "description": "an RE2 expression the whole value must match"}}},
    ]}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value.to_json() if isinstance(value, Pattern) else value

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Pattern:
        if not isinstance(value, dict):
            if isinstance(value, list):
                raise ValidationError('a value, {"equalTo": value} or {"matches": "regular expression"}; not a list')
            return Pattern(equal_to=value)
        if set(value) == {"equalTo"}:
            return Pattern(equal_to=value["equalTo"])
        if set(value) != {"matches"} or not isinstance(value["matches"], str):
            raise ValidationError('an object is {"equalTo": value} or {"matches": "regular expression"}')
        expression = value["matches"]
        if len(expression) > self.MAX_PATTERN_CHARS:
            raise ValidationError(f"a regular expression has at most {self.MAX_PATTERN_CHARS} characters")
        try:
            return Pattern(regex=re2.compile(expression, _RE2_OPTIONS))
        except re2.error as exc:
            reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            raise ValidationError(f"not a regular expression RE2 accepts ({reason}); RE2 has no backreferences "
                                  f"or lookarounds") from None


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is the caller's 400, not a line in the server's log
_RE2_OPTIONS.max_mem = 8 << 20  # bytes for one compiled expression


def _patterns(max_entries: int = 20) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)), values=PatternField(),
                       validate=validate.Length(max=max_entries))


class RequestMatcherSchema(StrictSchema):
    operation = fields.String()
    method = fields.String()
    path = fields.String()
    status = WholeNumber(allow_none=True)
    workgroup = fields.String()
    plane = fields.String(validate=validate.OneOf(PLANES))
    client = fields.String()
    headers = _patterns()
    query = _patterns()
    body = _patterns()

    @pre_load
    def _upper_method(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("method"), str):
            return {**data, "method": data["method"].upper()}
        return data


_HEADER_NAME = validate.Regexp(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$", error="not an HTTP header name")
_HEADER_VALUE = validate.Regexp(r"^[^\r\n\x00]{0,4096}$", error="a header value of at most 4096 characters, on one line")


class OverrideMatchSchema(StrictSchema):
    query = _patterns()
    headers = _patterns()
    body = _patterns()


class OverrideResponseSchema(StrictSchema):
    status = WholeNumber(load_default=200, validate=validate.Range(min=200, max=599))
    headers = fields.Dict(keys=fields.String(validate=_HEADER_NAME), values=fields.String(validate=_HEADER_VALUE),
                          validate=validate.Length(max=50))
    body = fields.Raw(allow_none=True, metadata={"description": "any JSON, sent as application/json"})
    bodyText = fields.String(validate=validate.Length(max=JSON_BODY_LIMIT),
                             metadata={"description": "text sent as it is (text/plain unless headers say otherwise)"})

    @validates_schema
    def _one_body(self, data: dict[str, Any], **_: Any) -> None:
        if "body" in data and "bodyText" in data:
            raise ValidationError("give body or bodyText, not both")
        framing = sorted(name for name in data.get("headers", {}) if name.lower() in FRAMING_HEADERS)
        if framing:
            raise ValidationError(f"an override may not set {', '.join(framing)}: these headers frame the message, "
                                  f"which the server writes", "headers")


class OverrideSchema(StrictSchema):
    """The response a test chooses for matching vendor requests: give ``operation``, or
    ``method`` and ``path`` (``*`` matches any characters)."""

    id = fields.Integer(dump_only=True)
    operation = fields.String(validate=validate.OneOf(fidelity.OPERATIONS))
    method = fields.String(validate=validate.OneOf(("GET", "PUT", "POST", "DELETE", "PATCH")))
    path = fields.String(validate=validate.Regexp(r"^/[^?#\s]{0,2047}$", error="a path starting with /, without query"))
    workgroup = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    match = fields.Nested(OverrideMatchSchema, load_default=dict)
    response = fields.Nested(OverrideResponseSchema, required=True)
    times = WholeNumber(load_default=None, allow_none=True, validate=validate.Range(min=1))
    # Named apart from Schema.validate, which a field called validate would hide.
    check_schema = fields.Boolean(data_key="validate", attribute="validate", load_default=True, metadata={
        "description": "check the response against the OpenAPI document's schema for its operation and status"})
    matched = fields.Integer(dump_only=True)

    @pre_load
    def _upper_method(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("method"), str):
            return {**data, "method": data["method"].upper()}
        return data

    @validates_schema
    def _operation_or_request_line(self, data: dict[str, Any], **_: Any) -> None:
        if "operation" in data:
            if "method" in data or "path" in data:
                raise ValidationError("give operation, or method and path; not both")
        elif "method" not in data or "path" not in data:
            raise ValidationError("give operation, or method and path")

    @post_load
    def _parts(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["match"] = {part: patterns for part, patterns in data["match"].items() if patterns}
        data.setdefault("operation", None)
        data.setdefault("method", None)
        data.setdefault("path", None)
        return data


class NearMissesSchema(RequestMatcherSchema):
    limit = WholeNumber(load_default=3, validate=validate.Range(min=1, max=50))


class JournalArgsSchema(StrictSchema):
    operation = fields.String()
    workgroup = fields.String()
    plane = fields.String(load_default=VENDOR, validate=validate.OneOf(PLANES))
    since = fields.String()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100_000))


class ClientReportArgsSchema(StrictSchema):
    workgroup = fields.String(validate=validate.Length(min=1, max=200))
    since = fields.Integer(validate=validate.Range(min=0, max=10**18),
                           metadata={"description": "only journal entries after this sequence number (seq)"})
    key = fields.String(validate=validate.Length(min=1, max=64),
                        metadata={"description": "one client's key id, as the report names it (key-...)"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "text")))


class ClientRuleSettingsSchema(StrictSchema):
    """Fields left out keep their value."""

    pollIntervalSeconds = fields.Float(attribute="poll_interval_seconds",
                                       validate=validate.Range(min=0, max=MAX_POLL_INTERVAL_SECONDS))
    stormRetries = WholeNumber(attribute="storm_retries", validate=validate.Range(min=1, max=1000))
    stormSeconds = fields.Float(attribute="storm_seconds", validate=validate.Range(min=0.001, max=3600))


class ClientRuleSchema(Schema):
    id = fields.String()
    severity = fields.String()
    judged = fields.String()
    advice = fields.String()


class ClientRulesSchema(ClientRuleSettingsSchema):
    rules = fields.List(fields.Nested(ClientRuleSchema), dump_only=True)


class OverviewArgsSchema(StrictSchema):
    requests = fields.Integer(load_default=20, validate=validate.Range(min=0, max=100))
    workgroups = fields.Integer(load_default=50, validate=validate.Range(min=0, max=1000))
    workgroup = fields.String(validate=validate.Length(min=1, max=200))


class TailArgsSchema(StrictSchema):
    workgroup = fields.String()
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class AuditTailArgsSchema(TailArgsSchema):
    case = fields.String(validate=validate.Length(min=1, max=200))


class CountedWorkgroupSchema(WorkgroupSchema):
    statusCounts = fields.Dict(keys=fields.String(), values=fields.Integer())
    changes = fields.String()


class DiseaseChoiceSchema(Schema):
    externalid = fields.String()
    name = fields.String()


class WorkgroupViewSchema(CountedWorkgroupSchema):
    diseases = fields.List(fields.Nested(DiseaseChoiceSchema))


class OverviewClockSchema(ClockSchema):
    offsetSeconds = fields.Float()


class OverviewSchema(Schema):
    version = fields.String()
    seed = fields.Integer()
    clock = fields.Nested(OverviewClockSchema)
    statusLabels = fields.Dict(keys=fields.String(), values=fields.String())
    reportStatuses = fields.List(fields.String())
    operations = fields.List(fields.String())
    faultKinds = fields.List(fields.String())
    workgroupCount = fields.Integer()
    workgroups = fields.List(fields.Nested(CountedWorkgroupSchema))
    requests = fields.List(fields.Dict())

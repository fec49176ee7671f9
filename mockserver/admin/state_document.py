"""Export and import of the whole state, so a failure seen in CI can be replayed exactly.

A workgroup is exported as the recipe of its seeded state (seed, number of generated cases,
fixture cases) plus everything since: changed and added cases, deleted case ids, uploads,
pending steps, per-case plans and the id counter. Import rebuilds the seeded state from the
recipe and re-applies the rest, so an export stays small at 100,000 cases and a reset after
import still returns to the seeded state.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from .. import fidelity
from ..datagen.fixture_folder import FixtureError, diseases_from_config
from ..datagen.world import build_workgroup
from ..domain.clock import check_restorable
from ..domain.events import Cause, Event, EventLog
from ..domain.lifecycle.kinds import StepKinds
from ..domain.lifecycle.plans import Pending, Plan
from ..domain.mock_state import MockState
from ..domain.models import Case, RowError, Upload
from ..domain.pacing import Pacer
from ..domain.statuses import CaseStatus
from ..domain.workgroup import Workgroup
from ..http.limits import MAX_GENERATED_CASES
from ..schemas.cases import CaseDate, CaseSchema
from ..schemas.config import DiseaseConfigItemSchema
from ..version import __version__
from .plane import ControlPlane
from .schemas import FaultRuleSchema, Instant, KindSchemas, LatencySchema, StrictSchema, WholeNumber, kind_schemas

FORMAT = "ici-mock-state/3"
#: Formats 1 and 2 keep a case's own processing plan in ``casePlans`` (case id: plan), where
#: format 3 keeps every own plan in ``ownPlans``; format 1 also keeps an upload not yet
#: ingested as rows, not text.
LEGACY_FORMATS = ("ici-mock-state/1", "ici-mock-state/2")
READABLE_FORMATS = (*LEGACY_FORMATS, FORMAT)
#: The kind of step a legacy ``casePlans`` plan is for.
LEGACY_CASE_PLAN_KIND = "processing"
_case = CaseSchema(direct_identifiers=True)
_disease_config = DiseaseConfigItemSchema(many=True)


_CASE_STATUSES = frozenset(s.value for s in CaseStatus)
_UPLOAD_STATUSES = frozenset({fidelity.UPLOAD_STATUS_QUEUED, fidelity.UPLOAD_STATUS_IN_PROGRESS,
                              fidelity.UPLOAD_STATUS_COMPLETED, fidelity.UPLOAD_STATUS_PARTIALLY_COMPLETED,
                              fidelity.UPLOAD_STATUS_FAILED})
_NONE = frozenset({None})
#: Each event the mock records: its entity type and the values its ``old`` and ``new`` may take,
#: as an audit page (its message) and a case's history (its statuses) read them back. A state
#: document may hold only these, so that an import is as strict as the API that made them.
EVENT_RULES: dict[str, tuple[str, frozenset[str | None], frozenset[str | None]]] = {
    fidelity.EVENT_CASE_ADDED: (fidelity.ENTITY_CASE, _NONE, _CASE_STATUSES),
    fidelity.EVENT_CASE_STATUS_UPDATED: (fidelity.ENTITY_CASE, _CASE_STATUSES, _CASE_STATUSES),
    fidelity.EVENT_CASE_DELETED: (fidelity.ENTITY_CASE, _CASE_STATUSES | _NONE, _NONE),
    fidelity.EVENT_CASE_DISEASE_ADDED: (fidelity.ENTITY_CASE, _NONE, _NONE),
    fidelity.EVENT_CASE_DISEASE_UPDATED: (fidelity.ENTITY_CASE, _NONE, _NONE),
    fidelity.EVENT_CASE_REPORT_ADDED: (fidelity.ENTITY_CASE, _NONE, _NONE),
    fidelity.EVENT_CASE_METADATA_ADDED: (fidelity.ENTITY_UPLOAD, _NONE, _NONE),
    fidelity.EVENT_CASE_METADATA_UPDATED: (fidelity.ENTITY_UPLOAD, _NONE, _NONE),
    fidelity.EVENT_UPLOAD_ADDED: (fidelity.ENTITY_UPLOAD, _NONE, _UPLOAD_STATUSES),
    fidelity.EVENT_UPLOAD_STATUS_UPDATED: (fidelity.ENTITY_UPLOAD, _UPLOAD_STATUSES, _UPLOAD_STATUSES),
}
#: Ids and serials a workgroup may have drawn: a drawn serial feeds a 32-bit index.
MAX_MINTED = 1_000_000_000


class RowErrorStateSchema(StrictSchema):
    lineNumber = WholeNumber(attribute="line", required=True)
    caseId = fields.String(attribute="case_id", allow_none=True, load_default=None)
    sampleId = fields.String(attribute="sample_id", allow_none=True, load_default=None)
    message = fields.String(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> RowError:
        return RowError(**data)


class UploadStateSchema(StrictSchema):
    id = fields.String(required=True)
    fileName = fields.String(attribute="file_name", required=True)
    sizeInBytes = WholeNumber(attribute="size_bytes", required=True)
    header = fields.List(fields.String(), required=True)
    #: The file, while its job has not run (null after).
    text = fields.String(allow_none=True, load_default=None)
    totalRows = WholeNumber(attribute="total_rows", validate=validate.Range(min=0))
    #: Format 1 kept the rows themselves; still read, written as text.
    rows = fields.List(fields.Tuple((WholeNumber(), fields.List(fields.String()))), load_only=True)
    status = fields.String(required=True, validate=validate.OneOf(sorted(_UPLOAD_STATUSES)))
    createdDate = CaseDate(attribute="created_date", required=True)
    updatedDate = CaseDate(attribute="updated_date", required=True)
    errors = fields.List(fields.Nested(RowErrorStateSchema), required=True)
    appliedRows = WholeNumber(attribute="applied_rows", required=True)
    casesCreated = fields.List(fields.String(), attribute="cases_created", required=True)
    casesUpdated = fields.List(fields.String(), attribute="cases_updated", required=True)
    createdBy = fields.String(attribute="created_by", allow_none=True, load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Upload:
        data["header"] = tuple(data["header"])
        old_rows = data.pop("rows", None)
        if old_rows is not None:
            data["text"] = _csv_text(data["header"], [cells for _, cells in old_rows]) if old_rows else None
            data["total_rows"] = len(old_rows)
        elif "total_rows" not in data:
            raise ValidationError({"totalRows": ["Missing data for required field."]})
        for key in ("errors", "cases_created", "cases_updated"):
            data[key] = tuple(data[key])
        return Upload(**data)


def _csv_text(header: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


class OwnPlanStateSchema(StrictSchema):
    """A target's own plan for a kind; checked against the server's kinds after loading."""

    kind = fields.String(required=True)
    target = fields.String(required=True)
    plan = fields.Dict(required=True)


class PendingStateSchema(OwnPlanStateSchema):
    """A pending step: a target's plan for a kind, and how far the step got."""

    startedAt = Instant(attribute="started", required=True)
    attempt = WholeNumber(required=True, validate=validate.Range(min=1))
    reads = WholeNumber(required=True, validate=validate.Range(min=0))


class EventStateSchema(StrictSchema):
    at = Instant(required=True)
    name = fields.String(required=True)
    entityType = fields.String(attribute="entity_type", required=True)
    entityId = fields.String(attribute="entity_id", required=True)
    caseId = fields.String(attribute="case_id", required=True, allow_none=True)
    cause = fields.Enum(Cause, by_value=True, required=True)
    reason = fields.String(required=True)
    old = fields.String(required=True, allow_none=True)
    new = fields.String(required=True, allow_none=True)
    #: Files written before the audit log kept them have neither.
    displayId = fields.String(attribute="display_id", allow_none=True, load_default=None)
    user = fields.String(allow_none=True, load_default=None)

    @validates_schema
    def _as_recorded(self, data: dict[str, Any], **_: Any) -> None:
        rule = EVENT_RULES.get(data["name"])
        if rule is None:
            raise ValidationError(f"not an event the mock records; one of {', '.join(EVENT_RULES)}", "name")
        entity_type, olds, news = rule
        if data["entity_type"] != entity_type:
            raise ValidationError(f"a {data['name']} event is about a {entity_type}", "entityType")
        for field, allowed in (("old", olds), ("new", news)):
            if data[field] not in allowed:
                values = ", ".join(sorted(str(v) for v in allowed))
                raise ValidationError(f"a {data['name']} event's {field} is one of {values}", field)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Event:
        return Event(**data)


_event_states = EventStateSchema(many=True)


class WorkgroupStateSchema(StrictSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    seed = WholeNumber(required=True)
    generatedCases = WholeNumber(required=True, validate=validate.Range(min=0, max=MAX_GENERATED_CASES))
    fixtureCases = fields.List(fields.Dict(), required=True)
    #: A fixture folder's disease configuration, as GET disease-config serves it; left out: the catalogue's.
    diseaseConfig = fields.List(fields.Dict(), load_default=None)
    minted = WholeNumber(required=True, validate=validate.Range(min=0, max=MAX_MINTED))
    changedCases = fields.List(fields.Dict(), required=True)
    deletedCaseIds = fields.List(fields.String(), required=True)
    uploads = fields.List(fields.Nested(UploadStateSchema), required=True)
    pending = fields.List(fields.Nested(PendingStateSchema), required=True)
    attempts = fields.List(fields.Tuple((fields.String(), fields.String(), WholeNumber())), required=True)
    #: Format 3 (``ownPlans``) or formats 1 and 2 (``casePlans``): ``StateSchema`` checks which.
    ownPlans = fields.List(fields.Nested(OwnPlanStateSchema))
    casePlans = fields.Dict(keys=fields.String(), values=fields.Dict())
    #: Since seeding, in order; files written before events were kept have none.
    events = fields.List(fields.Nested(EventStateSchema), load_default=list)


class ClockStateSchema(StrictSchema):
    mode = fields.String(required=True, validate=validate.OneOf(("real", "frozen")))
    now = Instant(required=True)
    offsetSeconds = fields.Float(required=True)


class StateSchema(StrictSchema):
    format = fields.String(required=True, validate=validate.OneOf(READABLE_FORMATS))
    version = fields.String(required=True)
    defaultWorkgroup = fields.String(required=True)
    clock = fields.Nested(ClockStateSchema, required=True)
    lifecycle = fields.Dict(required=True)
    latency = fields.Nested(LatencySchema, required=True)
    faults = fields.List(fields.Nested(FaultRuleSchema), required=True)
    workgroups = fields.List(fields.Nested(WorkgroupStateSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _cheap_to_build(self, data: dict[str, Any], **_: Any) -> None:
        """Checked before any workgroup is built: the total a document may ask to generate,
        and ids that could never all be added."""
        workgroups = data.get("workgroups") or []
        if sum(w["generatedCases"] for w in workgroups) > MAX_GENERATED_CASES:
            raise ValidationError(f"the workgroups ask for more than {MAX_GENERATED_CASES:,} generated cases in all; "
                                  "import them in parts", "workgroups")
        legacy = data.get("format") in LEGACY_FORMATS
        for index, workgroup in enumerate(workgroups):
            wanted, unwanted = ("casePlans", "ownPlans") if legacy else ("ownPlans", "casePlans")
            if wanted not in workgroup or unwanted in workgroup:
                raise ValidationError(f"a workgroup of format {data.get('format')} has {wanted}, not {unwanted}",
                                      f"workgroups[{index}]")
        ids = [w["id"] for w in workgroups]
        if len(set(ids)) != len(ids):
            raise ValidationError("two workgroups have the same id", "workgroups")
        if "defaultWorkgroup" in data and data["defaultWorkgroup"] not in ids:
            raise ValidationError("is not one of the workgroups", "defaultWorkgroup")


@dataclass(frozen=True)
class WorkgroupSnapshot:
    """A workgroup as of one instant, taken under its lock by reference only (cases, uploads
    and events are immutable records; the lists holding them are copied, a pointer each):
    dumped to JSON after the lock is released."""

    wg: Workgroup
    minted: int
    overlay: list[Case]
    deleted_ids: list[str]
    uploads: list[Upload]
    log: EventLog
    #: How many events the log had taken: with ``log``, what tells whether it changed since.
    appended: int
    events: list[Event]
    #: (kind, target, plan, started, attempt, reads): a pending step's values (its reads change in place).
    pending: list[tuple[Any, ...]]
    attempts: list[tuple[str, str, int]]
    own_plans: dict[tuple[str, str], Plan]

    @classmethod
    def of(cls, wg: Workgroup) -> WorkgroupSnapshot:
        with wg.lock:
            pending, attempts, own_plans = wg.steps.export()
            return cls(wg, wg.minted, wg.cases.overlay(), wg.cases.deleted_ids(), list(wg.uploads.values()),
                       wg.events, wg.events.appended, list(wg.events),
                       [(p.kind, p.target, p.plan, p.started, p.attempt, p.reads) for p in pending], attempts, own_plans)

    def same_as(self, other: WorkgroupSnapshot) -> bool:
        """Nothing changed between the two (identity of the records, which the older snapshot
        keeps alive, so no id can be reused)."""
        return (self.wg is other.wg and self.minted == other.minted and self.log is other.log
                and self.appended == other.appended and _same(self.overlay, other.overlay)
                and self.deleted_ids == other.deleted_ids and _same(self.uploads, other.uploads)
                and self.pending == other.pending and self.attempts == other.attempts and self.own_plans == other.own_plans)

    def document(self, event_texts: EventTexts | None = None) -> dict[str, Any]:
        """``event_texts``: the events as ``EncodedItems`` from it, for a writer that takes each
        slice's text in turn (``state_file.json_pieces``), not as one list of dicts."""
        wg = self.wg
        return {
            "id": wg.id,
            "name": wg.name,
            "seed": wg.origin.seed,
            "generatedCases": wg.origin.generated_cases,
            "fixtureCases": _case.dump(wg.origin.fixture_cases, many=True),
            **({"diseaseConfig": _disease_config.dump(wg.origin.diseases)} if wg.origin.diseases is not None else {}),
            "minted": self.minted,
            "changedCases": _case.dump(self.overlay, many=True),
            "deletedCaseIds": self.deleted_ids,
            "uploads": UploadStateSchema().dump(self.uploads, many=True),
            "events": event_texts.of(self) if event_texts is not None else _event_states.dump(self.events),
            "pending": PendingStateSchema(many=True).dump([
                {"kind": kind, "target": target, "plan": self.schemas.plans[kind].dump_plan(plan),
                 "started": started, "attempt": attempt, "reads": reads}
                for kind, target, plan, started, attempt, reads in self.pending
            ]),
            "attempts": [list(attempt) for attempt in self.attempts],
            "ownPlans": [{"kind": kind, "target": target, "plan": self.schemas.plans[kind].dump_plan(plan)}
                         for (kind, target), plan in self.own_plans.items()],
        }

    @property
    def schemas(self) -> KindSchemas:
        return kind_schemas(self.wg.kinds)


def _same(these: list[Any], those: list[Any]) -> bool:
    return len(these) == len(those) and all(a is b for a, b in zip(these, those, strict=True))


@dataclass(frozen=True)
class StateSnapshot:
    """The whole state as of one instant: the server's small settings as JSON, each workgroup
    as a ``WorkgroupSnapshot``. Taking one holds each workgroup's lock only to copy references."""

    server: dict[str, Any]
    workgroups: list[WorkgroupSnapshot]

    @classmethod
    def of(cls, mock: MockState, plane: ControlPlane, workgroup_id: str | None = None) -> StateSnapshot:
        clock = mock.clock
        workgroups = [mock.workgroup_or_404(workgroup_id)] if workgroup_id else mock.workgroups()
        rules = [{k: v for k, v in r.items() if k not in ("id", "matched")} for r in plane.faults.rules()]
        server = {
            "format": FORMAT,
            "version": __version__,
            "defaultWorkgroup": workgroup_id or mock.default_workgroup_id,
            "clock": ClockStateSchema().dump({"mode": clock.mode, "now": clock.now(), "offsetSeconds": clock.offset_seconds}),
            "lifecycle": kind_schemas(mock.step_kinds).dump_plans({kind: mock.defaults.for_kind(kind)
                                                                   for kind in mock.step_kinds}),
            "latency": LatencySchema().dump(plane.latency.setting),
            "faults": FaultRuleSchema(exclude=("id", "matched")).dump(rules, many=True),
        }
        return cls(server, [WorkgroupSnapshot.of(wg) for wg in workgroups])

    def same_as(self, other: StateSnapshot) -> bool:
        """Nothing an import would restore differs."""
        return (_restorable(self.server) == _restorable(other.server) and len(self.workgroups) == len(other.workgroups)
                and all(a.same_as(b) for a, b in zip(self.workgroups, other.workgroups, strict=True)))

    def document(self, event_texts: EventTexts | None = None) -> dict[str, Any]:
        if event_texts is not None:
            event_texts.keep_only({w.wg.id for w in self.workgroups})
        return {**self.server, "workgroups": [w.document(event_texts) for w in self.workgroups]}


class EncodedItems:
    """A list given as the JSON text of its items, a slice of them per string (each slice's
    items joined by ``", "``)."""

    def __init__(self, slices: Iterator[str]) -> None:
        self._slices = slices

    def __iter__(self) -> Iterator[str]:
        return self._slices


class EventTexts:
    """Each workgroup's events as JSON text, a slice at a time, kept from one save to the next.
    Events are immutable, so a slice written once is not dumped again: a save of 120,000 events
    took 5.2 s of Python (marshmallow and json) every time anything changed, every request
    waiting on the GIL behind it; now it dumps the slices that changed (the newest one, or all
    of them after an import). A slice is kept with its events, so that it is reused only for
    those very events (their identity; kept alive, no id is reused).

    Slices are aligned on the log's own count (events dropped by retention included), so that
    dropping the oldest events leaves every later slice as it was."""

    #: Events per slice kept; a slice is dumped ``DUMPED_AT_ONCE`` events at a time (about a
    #: millisecond's work).
    SLICE = 200
    DUMPED_AT_ONCE = 25

    def __init__(self) -> None:
        #: Per workgroup id, per slice number: the slice's events and their text.
        self._kept: dict[str, dict[int, tuple[list[Event], str]]] = {}

    def of(self, snapshot: WorkgroupSnapshot) -> EncodedItems:
        return EncodedItems(self._slices(snapshot))

    def keep_only(self, workgroup_ids: set[str]) -> None:
        """Forget the slices of workgroups that are gone."""
        for gone in self._kept.keys() - workgroup_ids:
            del self._kept[gone]

    def _slices(self, snapshot: WorkgroupSnapshot) -> Iterator[str]:
        events, size = snapshot.events, self.SLICE
        first = snapshot.appended - len(events)  # the log's count of the first event it holds
        kept, written = self._kept.get(snapshot.wg.id, {}), {}
        pacer = Pacer()
        start = 0
        while start < len(events):
            pacer.tick()
            number = (first + start) // size
            end = min(len(events), (number + 1) * size - first)
            records = events[start:end]
            text = kept.get(number)
            if text is None or not _same(text[0], records):
                text = (records, ", ".join(self._dumped(records, pacer)))
            written[number] = text
            yield text[1]
            start = end
        self._kept[snapshot.wg.id] = written

    @staticmethod
    def _dumped(records: list[Event], pacer: Pacer) -> Iterator[str]:
        """Each record's text, dumped a few at a time with pauses between (``Pacer``): the
        first save after a start or an import dumps every event, seconds of Python."""
        for part in pacer.slices(records, EventTexts.DUMPED_AT_ONCE):
            yield from map(json.dumps, _event_states.dump(part))


def _restorable(server: dict[str, Any]) -> dict[str, Any]:
    """The server part as an import reads it: a real clock's ``now`` moves by itself."""
    clock = server["clock"]
    return {**server, "clock": {k: v for k, v in clock.items() if k != "now" or clock["mode"] == "frozen"}}


def export_state(mock: MockState, plane: ControlPlane, workgroup_id: str | None = None) -> dict[str, Any]:
    """Everything; or, given a workgroup, the same document holding that workgroup only."""
    return StateSnapshot.of(mock, plane, workgroup_id).document()


def import_state(doc: Any, mock: MockState, plane: ControlPlane) -> None:
    """Replace everything with ``doc``; on any error nothing changes (400 with the field)."""
    data = StateSchema().load(doc)
    lifecycle_plans = _load_nested(kind_schemas(mock.step_kinds).plans, data["lifecycle"], "lifecycle")
    workgroups = [_import_workgroup(w, i, mock.step_kinds) for i, w in enumerate(data["workgroups"])]
    clock = data["clock"]
    restored_at = clock["now"] if clock["mode"] == "frozen" else None
    check_restorable(restored_at, clock["offsetSeconds"])
    try:
        plane.faults.check(data["faults"])
    except ValidationError as exc:
        raise ValidationError({"faults": exc.messages}) from None
    # Everything is valid: swap it in.
    mock.restore_clock(restored_at, clock["offsetSeconds"])
    mock.set_default_plans(lifecycle_plans)
    mock.replace_all(workgroups, data["defaultWorkgroup"])
    plane.latency.replace(data["latency"])
    plane.faults.clear()
    plane.faults.add(data["faults"])


def _load_nested(schemas: dict[str, Any], value: dict[str, Any], name: str) -> dict[str, Any]:
    loaded = {}
    for key, schema in schemas.items():
        try:
            loaded[key] = schema.load(value.get(key))
        except ValidationError as exc:
            raise ValidationError({name: {key: exc.messages}}) from None
    return loaded


def _import_workgroup(data: dict[str, Any], index: int, kinds: StepKinds[Workgroup]) -> Workgroup:
    where = f"workgroups[{index}]"
    try:
        fixtures = _case.load(data["fixtureCases"], many=True)
        changed = _case.load(data["changedCases"], many=True)
    except ValidationError as exc:
        raise ValidationError({where: exc.messages}) from None
    pending = [Pending(**{**step, "plan": _plan(kinds, step, where, "pending", j)})
               for j, step in enumerate(data["pending"])]
    if "casePlans" in data:
        own_plans = {(LEGACY_CASE_PLAN_KIND, target): _plan(kinds, {"kind": LEGACY_CASE_PLAN_KIND, "plan": plan},
                                                            where, "casePlans", target)
                     for target, plan in data["casePlans"].items()}
    else:
        own_plans = {(own["kind"], own["target"]): _plan(kinds, own, where, "ownPlans", j)
                     for j, own in enumerate(data["ownPlans"])}
    diseases = None
    if data["diseaseConfig"] is not None:
        try:
            diseases = diseases_from_config(data["diseaseConfig"], f"{where}.diseaseConfig")
        except FixtureError as exc:
            raise ValidationError(str(exc), f"{where}.diseaseConfig") from None
    wg = build_workgroup(data["id"], data["name"], seed=data["seed"], cases=data["generatedCases"],
                         fixture_cases=tuple(fixtures), kinds=kinds, diseases=diseases)
    for case_id in data["deletedCaseIds"]:
        if wg.cases.delete(case_id) is None:
            raise ValidationError(f"deleted case {case_id} is not a seeded case", f"{where}.deletedCaseIds")
    for case in changed:
        wg.cases.put(case)
    wg.restore_progress(data["uploads"], data["minted"], data["events"])
    wg.steps.restore(pending, data["attempts"], own_plans)
    return wg


def _plan(kinds: StepKinds[Workgroup], item: dict[str, Any], where: str, field: str, key: int | str) -> Plan:
    """An item's plan loaded by its kind's schema; a kind the server does not run, or a plan
    that kind refuses, is a ValidationError naming the item."""
    if item["kind"] not in kinds:
        raise ValidationError({where: {field: {key: {"kind": [f"Must be one of: {', '.join(kinds)}."]}}}})
    try:
        return kind_schemas(kinds).plans[item["kind"]].load(item["plan"])
    except ValidationError as exc:
        raise ValidationError({where: {field: {key: {"plan": exc.messages}}}}) from None

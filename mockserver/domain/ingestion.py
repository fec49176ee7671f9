"""Case-metadata CSV uploads: file checks at upload, then QUEUED -> IN_PROGRESS -> terminal.

File-level problems (no header, missing Sample_ID/Case_ID columns, not UTF-8) refuse the whole
request. Row-level problems are found when the job runs and are reported with the row's line
number; the good rows still apply.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .. import fidelity
from . import processing
from .case_table import MergedOverlay, NewCases
from .errors import Conflict, InvalidRequest
from .events import Cause, Event, MergedIndex, case_event
from .lifecycle.kinds import StepKind
from .lifecycle.plans import Pending, Plan
from .models import Case, CustomField, Disease, RowError, Sample, Subject, Upload
from .statuses import CaseStatus, status_after_disease_set

if TYPE_CHECKING:
    from .workgroup import Workgroup

INGESTION = "ingestion"
INGESTION_STARTS = "ingestion.start"
INGESTION_FINISHES = "ingestion.finish"
INGESTION_FAILURE = fidelity.UPLOAD_STATUS_FAILED

# A single cell may be as large as a whole accepted file (csv's default stops at 128 KiB).
csv.field_size_limit(max(csv.field_size_limit(), fidelity.MAX_UPLOAD_FILE_BYTES))

KNOWN_COLUMNS = ("Sample_ID", "Case_ID", "Tumor_Type", "Sample_Type", "Sex", "Tags", "Test_Definition")


@dataclass(frozen=True, slots=True)
class ParsedCsv:
    file_name: str
    size_bytes: int
    text: str
    header: tuple[str, ...]
    total_rows: int


#: One physical line at a time, any line ending kept (csv joins quoted multi-line fields).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _reader(text: str) -> Any:
    """csv rows of ``text``, read line by line: the file is never copied whole."""
    return csv.reader(m.group() for m in _LINE.finditer(text))


def parse_csv(file_name: str, data: bytes) -> ParsedCsv:
    """Check one uploaded file (suffix, UTF-8, CSV syntax, required columns) and count its rows;
    raise InvalidRequest if it is unusable. Rows are read again when the job runs."""
    if not file_name.lower().endswith(fidelity.CSV_SUFFIX):
        raise InvalidRequest(
            f"File '{file_name}' is not a CSV file; accepted file type: CSV.",
            [{"field": fidelity.UPLOAD_FIELD, "message": f"{file_name}: not a .csv file"}],
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(
            f"File '{file_name}' is not UTF-8 text (byte {exc.start}).",
            [{"field": fidelity.UPLOAD_FIELD, "message": f"{file_name}: not UTF-8"}],
        ) from None
    try:
        header = tuple(h.strip() for h in next(_reader(text), ()))
        total = sum(1 for _ in rows(text))
    except csv.Error as exc:
        raise InvalidRequest(f"File '{file_name}' is not valid CSV: {exc}.") from None
    missing = [c for c in fidelity.REQUIRED_CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidRequest(
            f"File '{file_name}' is missing the required column(s) {', '.join(missing)}; "
            f"the first row must name the columns and include {', '.join(fidelity.REQUIRED_CSV_COLUMNS)}.",
            [{"field": fidelity.UPLOAD_FIELD, "message": f"{file_name}: missing column {c}"} for c in missing],
        )
    return ParsedCsv(file_name, len(data), text, header, total)


def rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row after the header; the header is line 1."""
    reader = _reader(text)
    next(reader, None)
    for cells in reader:
        if any(c.strip() for c in cells):
            yield reader.line_num, cells


def create_upload(wg: Workgroup, parsed: ParsedCsv, now: datetime, user: str | None = None) -> Upload:
    upload = Upload(
        id=wg.new_id("upload"),
        file_name=parsed.file_name,
        size_bytes=parsed.size_bytes,
        header=parsed.header,
        text=parsed.text,
        total_rows=parsed.total_rows,
        status=fidelity.UPLOAD_STATUS_QUEUED,
        created_date=now,
        updated_date=now,
        created_by=user,
    )
    wg.put_upload(upload)
    wg.record(_upload_event(fidelity.EVENT_UPLOAD_ADDED, upload, now, Cause.VENDOR, f"{upload.file_name} uploaded"))
    wg.steps.start(INGESTION, upload.id, now)
    return upload


def _upload_event(name: str, upload: Upload, at: datetime, cause: Cause, reason: str, old: str | None = None) -> Event:
    """An upload's event: its creation by the uploading user, its job's progress by the service."""
    user = upload.created_by if name == fidelity.EVENT_UPLOAD_ADDED else None
    return Event(at, name, fidelity.ENTITY_UPLOAD, upload.id, None, cause, reason, old, upload.status, upload.file_name, user)


def _set_upload(wg: Workgroup, upload: Upload, reason: str) -> None:
    """Store an upload whose job moved on, and the event of its new status."""
    old = wg.uploads[upload.id].status
    wg.put_upload(upload)
    wg.record(_upload_event(fidelity.EVENT_UPLOAD_STATUS_UPDATED, upload, upload.updated_date, Cause.LIFECYCLE,
                            reason, old))


def start(wg: Workgroup, upload_id: str, at: datetime) -> None:
    """QUEUED -> IN_PROGRESS (nothing if it already moved on)."""
    upload = wg.uploads.get(upload_id)
    if upload is not None and upload.status == fidelity.UPLOAD_STATUS_QUEUED:
        _set_upload(wg, replace(upload, status=fidelity.UPLOAD_STATUS_IN_PROGRESS, updated_date=at), "ingestion started")


@dataclass(frozen=True, slots=True)
class Prepared:
    """An upload's rows applied to drafts of the cases they touch, ready to be published at
    ``at``: valid while every case the rows found by display id is still the one found."""

    at: datetime
    version: int
    found: dict[str, Case | None]
    changed: tuple[Case, ...]
    new: NewCases
    #: The events of the new cases, and those of the changed ones, in order.
    new_events: tuple[Event, ...]
    events: tuple[Event, ...]
    disease_set: tuple[str, ...]
    errors: tuple[RowError, ...]
    applied: int
    failed: int
    created: tuple[str, ...]
    updated: tuple[str, ...]
    #: The overlay and the event index with the new cases merged in, when prepared ahead.
    merged: tuple[MergedOverlay, MergedIndex] | None = None

    def still_valid(self, wg: Workgroup, at: datetime) -> bool:
        if at != self.at:
            return False
        table = wg.cases
        return table.version == self.version or all(table.find_by_display_id(d) is c for d, c in self.found.items())


def prepare(wg: Workgroup, upload: Upload, at: datetime) -> Prepared:
    """Apply the upload's rows to drafts, reading the workgroup and changing nothing in it, so
    that it may run away from the workgroup's lock (each read is one atomic look-up)."""
    job = _Job(wg, upload.id, at)
    for line, cells in rows(upload.text or ""):
        job.apply_row(line, cells, upload.header)
    return job.prepared()


#: ``wg.prepared_job`` markers: the uploading request is working the rows out; and, meanwhile, the
#: job came due, so that request finishes it when done (a concurrent request never waits on it).
PREPARING = "preparing"
DUE_WHILE_PREPARING = "due while preparing"


def prepare_ahead(wg: Workgroup, upload_id: str) -> None:
    """Prepare an upload's job now, in the uploading request and outside the lock, for the time
    its plan says it will finish; the request that finishes it then only publishes the result.
    Nothing is prepared when that time is not known yet (polls and manual plans)."""
    with wg.lock:
        upload = wg.uploads.get(upload_id)
        pending = wg.steps.pending(INGESTION, upload_id)
        at = pending.plan.due(pending.started) if pending is not None else None
        if upload is None or upload.text is None or at is None:
            return
        wg.keep_prepared_job(upload_id, PREPARING)
    prepared = None
    try:
        with _collector_set_aside(upload.total_rows >= LARGE_JOB_ROWS):
            prepared = prepare(wg, upload, at)
            if len(prepared.new.by_id) >= LARGE_JOB_ROWS:
                with wg.lock:
                    snapshot = wg.events.index_snapshot()
                index = snapshot.with_new(prepared.new_events)
                prepared = replace(prepared, merged=(wg.cases.merged_with(prepared.new), index))
    finally:
        with wg.lock:
            marker = wg.prepared_job(upload_id)
            if marker in (PREPARING, DUE_WHILE_PREPARING) and wg.uploads.get(upload_id) is not None:
                wg.keep_prepared_job(upload_id, prepared)
                deferred = wg.steps.cancel(INGESTION, upload_id) if marker == DUE_WHILE_PREPARING else None
                if deferred is not None:
                    finish(wg, deferred, at)
                    wg.changed.notify_all()


def prepare_jobs_ahead(wg: Workgroup, uploads: Sequence[Upload]) -> Callable[[], None]:
    """Work out the jobs of uploads just accepted, away from the workgroup's lock: a small
    file's now, before the answer (so the next request finds it ready); a large file's in the
    function returned, to run after the answer is sent."""
    large = [u.id for u in uploads if u.total_rows >= LARGE_JOB_ROWS]
    for upload in uploads:
        if upload.id not in large:
            prepare_ahead(wg, upload.id)

    def prepare_large() -> None:
        for upload_id in large:
            prepare_ahead(wg, upload_id)

    return prepare_large


#: From this many rows, a job keeps Python's cyclic collector out of its way (below).
LARGE_JOB_ROWS = 5000
_collector_lock = threading.Lock()
_collector_holders = 0


@contextmanager
def _collector_set_aside(large: bool) -> Iterator[None]:
    """A large job makes hundreds of thousands of objects; each pass of the cyclic collector
    would scan them all again, holding the GIL (and so every other request) for longer each
    time: 0.5 s pauses at 100,000 new cases. Records hold no reference cycles, so the job runs
    with the collector off, and what it made is then moved out of the collector's sight
    (``gc.freeze``); reference counting still frees it."""
    global _collector_holders
    if not large:
        yield
        return
    with _collector_lock:
        _collector_holders += 1
        gc.disable()
    try:
        yield
    finally:
        with _collector_lock:
            _collector_holders -= 1
            if not _collector_holders:
                gc.freeze()
                gc.enable()


def finish(wg: Workgroup, pending: Pending, at: datetime) -> None:
    """Apply every row (a row that fails is reported and changes nothing), unless the plan
    makes the job fail; report the plan's outcome if it names one. The file is dropped after:
    only its result is kept."""
    upload_id = pending.target
    upload = wg.uploads.get(upload_id)
    if upload is None or upload.status != fidelity.UPLOAD_STATUS_IN_PROGRESS:
        return
    prepared = wg.prepared_job(upload_id)
    wg.keep_prepared_job(upload_id, None)
    if prepared in (PREPARING, DUE_WHILE_PREPARING):  # the uploading request finishes it when done
        wg.keep_prepared_job(upload_id, DUE_WHILE_PREPARING)
        wg.steps.defer(pending)
        return
    plan = pending.plan
    if plan.outcome == INGESTION_FAILURE or plan.fails(wg.seed, wg.id, INGESTION, upload_id, pending.attempt):
        failure = RowError(0, "Ingestion failed (simulated by the mock's lifecycle plan); no row was applied.")
        _set_upload(wg, replace(
            upload, status=INGESTION_FAILURE, updated_date=at, errors=(failure,), applied_rows=0, text=None
        ), "ingestion failed (simulated by the lifecycle plan)")
        return
    if not isinstance(prepared, Prepared) or not prepared.still_valid(wg, at):
        prepared = prepare(wg, upload, at)
    _publish(wg, prepared)
    if plan.outcome is not None:
        status = plan.outcome
    elif not prepared.failed:
        status = fidelity.UPLOAD_STATUS_COMPLETED
    elif prepared.applied:
        status = fidelity.UPLOAD_STATUS_PARTIALLY_COMPLETED
    else:
        status = fidelity.UPLOAD_STATUS_FAILED
    _set_upload(wg, replace(
        upload,
        text=None,
        status=status,
        updated_date=at,
        errors=prepared.errors,
        applied_rows=prepared.applied,
        cases_created=prepared.created,
        cases_updated=prepared.updated,
    ), "ingestion finished")


def _publish(wg: Workgroup, prepared: Prepared) -> None:
    """Store the job's result: a step per changed case, and one merge for all the new ones."""
    at = prepared.at
    # Many new cases: merged in beforehand, away from the lock, and swapped in here at once.
    wg.add_new_cases(prepared.new, prepared.new_events, prepared.merged)
    for case in prepared.changed:
        wg.cases.put(case)
    for event in prepared.events:
        wg.record(event)
    for case_id in prepared.disease_set:
        processing.restart(wg, case_id, at)


class IngestionSteps(StepKind):
    """An upload QUEUED for the first half of its plan's time and IN_PROGRESS for the second
    (or from its second status read, under a polls plan); then its rows apply."""

    name = INGESTION
    events = (INGESTION_STARTS, INGESTION_FINISHES)
    default_plan = Plan("time", seconds=fidelity.UPLOAD_QUEUED_SECONDS + fidelity.UPLOAD_IN_PROGRESS_SECONDS)
    outcomes = (fidelity.UPLOAD_STATUS_COMPLETED, fidelity.UPLOAD_STATUS_PARTIALLY_COMPLETED, INGESTION_FAILURE)

    def timeline(self, pending: Pending, due: datetime) -> tuple[tuple[str, datetime], ...]:
        midway = pending.started + timedelta(seconds=pending.plan.seconds / 2)
        return ((INGESTION_STARTS, min(midway, due)), (INGESTION_FINISHES, due))

    def on_event(self, wg: Workgroup, event: str, target: str, at: datetime) -> None:
        start(wg, target, at)

    def on_read(self, wg: Workgroup, pending: Pending, now: datetime) -> None:
        if pending.reads >= 2:
            start(wg, pending.target, now)

    def complete(self, wg: Workgroup, pending: Pending, at: datetime) -> None:
        start(wg, pending.target, at)  # no-op once IN_PROGRESS: keeps the order of statuses
        finish(wg, pending, at)

    def without_step(self, wg: Workgroup, target: str, now: datetime) -> Pending:
        raise Conflict(f"Custom case data file {target} has no pending step: it is {wg.uploads[target].status}.")


class _Ids:
    """Ids of the cases, subjects and samples one upload creates: the same for the same seed,
    workgroup, upload and rows, with no counter shared with other requests."""

    def __init__(self, wg: Workgroup, upload_id: str) -> None:
        self._prefix = f"{wg.seed}:{wg.id}:{upload_id}:"
        self._minted = 0
        self.upload_id = upload_id
        #: Who uploaded the file: the job's changes are theirs.
        self.user = wg.uploads[upload_id].created_by

    def new(self, kind: str) -> str:
        self._minted += 1
        digest = hashlib.sha256(f"{self._prefix}{kind}:{self._minted}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))


class _Draft:
    """One case as the rows so far leave it, changed in place (a row touching a case with
    thousands of samples costs the same as any other) and made into a record once, at the end."""

    def __init__(self, ids: _Ids, base: Case | None, display_id: str, at: datetime) -> None:
        self.ids = ids
        self.base = base
        self.display_id = display_id
        if base is None:
            self.case_id = ids.new("case")
            self.subject_id: str | None = ids.new("subject")
            self.status = CaseStatus.AWAITING_MOLECULAR_DATA
        else:
            self.case_id = base.id
            self.subject_id = None if base.subjects else ids.new("subject")
            self.status = base.status
        first = base.subjects[0] if base is not None and base.subjects else None
        self.samples: list[Sample] = list(first.samples) if first else []
        self.sample_index = {}
        for index, sample in enumerate(self.samples):
            self.sample_index.setdefault(sample.external_sample_id, index)
        self.gender = first.gender if first else "UNKNOWN"
        self.tags = base.tags if base else ()
        self.test_definition = base.test_definition if base else None
        self.custom = {f.name: f for f in base.custom_metadata} if base else {}
        self.current_diseases = base.diseases[:1] if base else ()
        self.disease: Disease | None = None
        self.transitions: list[tuple[CaseStatus | None, CaseStatus, str]] = (
            [(None, self.status, "created by a metadata upload")] if base is None else []
        )
        self.at = at

    def events(self, case: Case) -> list[Event]:
        """What the rows did to the case, as events (each by the uploading user): its creation
        or its custom case data, its disease, its status changes."""
        at, base, user = self.at, self.base, self.ids.user
        metadata = (fidelity.ENTITY_UPLOAD, self.ids.upload_id)
        if base is None:
            found = [case_event(fidelity.EVENT_CASE_ADDED if old is None else fidelity.EVENT_CASE_STATUS_UPDATED,
                                case, at, Cause.UPLOAD, reason, old=old, new=new, user=user)
                     for old, new, reason in self.transitions]
            found.append(case_event(fidelity.EVENT_CASE_METADATA_ADDED, case, at, Cause.UPLOAD, "metadata uploaded",
                                    user=user, entity=metadata))
            if self.current_diseases:
                found.append(case_event(fidelity.EVENT_CASE_DISEASE_ADDED, case, at, Cause.UPLOAD, "disease set", user=user))
            return found
        found = [case_event(fidelity.EVENT_CASE_METADATA_UPDATED, case, at, Cause.UPLOAD, "metadata uploaded",
                            user=user, entity=metadata)]
        if self.disease is not None:
            found.append(processing.disease_event(base, at, Cause.UPLOAD, user))
        found += [case_event(fidelity.EVENT_CASE_STATUS_UPDATED, case, at, Cause.UPLOAD, reason, old=old, new=new, user=user)
                  for old, new, reason in self.transitions]
        return found

    def record(self) -> Case:
        disease = self.disease
        samples = tuple(replace(s, tumor_type=(disease,)) for s in self.samples) if disease else tuple(self.samples)
        base = self.base
        if base is None or not base.subjects:
            subjects: tuple[Subject, ...] = (Subject(id=self.subject_id or "", gender=self.gender, samples=samples),)
        else:
            rest = base.subjects[1:]
            if disease:  # a disease is set on every sample of the case
                rest = tuple(replace(s, samples=tuple(replace(x, tumor_type=(disease,)) for x in s.samples)) for s in rest)
            subjects = (replace(base.subjects[0], samples=samples, gender=self.gender), *rest)
        fields = dict(
            status=self.status, updated_date=self.at, subjects=subjects, tags=self.tags,
            test_definition=self.test_definition, custom_metadata=tuple(self.custom.values()),
        )
        if base is None:
            return Case(id=self.case_id, display_id=self.display_id, created_date=self.at, **fields)  # type: ignore[arg-type]
        return replace(base, **fields)  # type: ignore[arg-type]


class _Job:
    """The rows of one file applied in order to drafts of the cases they touch; linear in the
    rows and in the cases' sizes. Reads the workgroup, never writes it."""

    def __init__(self, wg: Workgroup, upload_id: str, at: datetime) -> None:
        self.wg = wg
        self.at = at
        self.version = wg.cases.version
        self.ids = _Ids(wg, upload_id)
        self.drafts: dict[str, _Draft] = {}
        self.errors: list[RowError] = []
        self.applied = 0
        self.failed = 0

    def apply_row(self, line: int, cells: list[str], header: tuple[str, ...]) -> None:
        values = dict(zip(header, (c.strip() for c in cells), strict=False))  # counts checked below
        try:
            if len(cells) != len(header):
                raise InvalidRequest(f"expected {len(header)} values, found {len(cells)}")
            self._apply(values)
        except (InvalidRequest, Conflict) as exc:
            self.failed += 1
            if len(self.errors) < fidelity.MAX_REPORTED_ROW_ERRORS:
                self.errors.append(RowError(line, exc.message, values.get("Case_ID") or None,
                                            values.get("Sample_ID") or None))
            return
        self.applied += 1

    def _apply(self, values: dict[str, str]) -> None:
        """Validate the whole row first: a row that fails changes nothing."""
        wg = self.wg
        display_id = values.get("Case_ID", "")
        sample_id = values.get("Sample_ID", "")
        if not display_id:
            raise InvalidRequest("Case_ID is empty")
        if not sample_id:
            raise InvalidRequest("Sample_ID is empty")
        disease = _disease(wg, values.get("Tumor_Type", ""))
        sample_type = _choice("Sample_Type", values.get("Sample_Type", ""), {t.lower(): t for t in fidelity.SAMPLE_TYPES})
        sex = _choice("Sex", values.get("Sex", ""), fidelity.SEX_VALUES)
        tags = tuple(t.strip() for t in values.get("Tags", "").split(fidelity.CSV_TAG_SEPARATOR) if t.strip())
        test_definition = None
        if values.get("Test_Definition"):
            test_definition = wg.test_definition_named(values["Test_Definition"])
            if test_definition is None:
                raise InvalidRequest(
                    f"Test_Definition '{values['Test_Definition']}' is not a test definition of this workgroup"
                )
        extra = [
            CustomField(name=k, value=v, order=i)
            for i, (k, v) in enumerate(((k, v) for k, v in values.items() if k not in KNOWN_COLUMNS and v), 1)
        ]
        draft = self.drafts.get(display_id)
        base = draft.base if draft is not None else wg.cases.find_by_display_id(display_id)
        if disease is not None and (draft or base) is not None:
            case_id, status = (draft.case_id, draft.status) if draft is not None else (base.id, base.status)  # type: ignore[union-attr]
            if status_after_disease_set(status) is None:
                raise processing.disease_refused(case_id, status)
        new_case = draft is None and base is None
        if draft is None:
            draft = self.drafts[display_id] = _Draft(self.ids, base, display_id, self.at)
        if new_case and disease is not None:  # a new case is created with its disease
            draft.current_diseases = (disease,)
        index = draft.sample_index.get(sample_id)
        if index is None:
            tumor = (draft.disease,) if draft.disease else draft.current_diseases
            draft.sample_index[sample_id] = len(draft.samples)
            draft.samples.append(Sample(id=self.ids.new("sample"), external_sample_id=sample_id,
                                        external_sample_name=sample_id, sample_type=sample_type or "DNA",
                                        pair_id=None, tumor_type=tumor))
        elif sample_type:
            draft.samples[index] = replace(draft.samples[index], sample_type=sample_type)
        if sex:
            draft.gender = sex
        if tags:
            draft.tags = tags
        if test_definition is not None:
            draft.test_definition = test_definition
        for field in extra:  # a named field replaces the one of that name, at the end
            draft.custom.pop(field.name, None)
            draft.custom[field.name] = field
        if disease is not None:
            if not new_case:
                new_status = status_after_disease_set(draft.status)
                assert new_status is not None  # checked above
                if new_status is not draft.status or new_status is CaseStatus.PROCESSING:
                    draft.transitions.append((draft.status, new_status, "disease set"))
                draft.status = new_status
                draft.disease = disease

    def prepared(self) -> Prepared:
        changed, new, new_events, events, disease_set = [], [], [], [], []
        found = {d: draft.base for d, draft in self.drafts.items()}
        for display_id in list(self.drafts):
            # Each draft is freed once its record is made: dropping 100,000 drafts at once would
            # be one long deallocation holding the GIL, a pause for every other request.
            draft = self.drafts.pop(display_id)
            case = draft.record()
            if draft.base is None:
                new.append(case)
                new_events += draft.events(case)
            else:
                changed.append(case)
                events += draft.events(case)
                if draft.disease is not None:
                    disease_set.append(case.id)
        return Prepared(
            at=self.at, version=self.version, found=found,
            changed=tuple(changed), new=NewCases.of(new), new_events=tuple(new_events), events=tuple(events),
            disease_set=tuple(disease_set), errors=tuple(self.errors), applied=self.applied, failed=self.failed,
            created=tuple(c.id for c in new), updated=tuple(c.id for c in changed),
        )


def _disease(wg: Workgroup, snomed_id: str) -> Disease | None:
    if not snomed_id:
        return None
    disease = wg.diseases.get(snomed_id)
    if disease is None:
        raise InvalidRequest(
            f"Tumor_Type '{snomed_id}' is not a SNOMEDCT id in this workgroup's disease configuration"
        )
    return disease


def _choice(column: str, value: str, allowed: dict[str, str]) -> str | None:
    if not value:
        return None
    try:
        return allowed[value.lower()]
    except KeyError:
        names = ", ".join(sorted(set(allowed.values())))
        raise InvalidRequest(f"{column} '{value}' is not one of {names}") from None

"""An upload's rows applied in order to drafts of the cases they touch: ``prepare`` reads the
workgroup and changes nothing in it, so it may run away from the workgroup's lock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from ... import fidelity
from .. import processing
from ..case_table import NewCases
from ..errors import Conflict, InvalidRequest
from ..events import Cause, Event, case_event
from ..ids import stable_uuid
from ..models import Case, CustomField, Disease, RowError, Sample, Subject, Upload
from ..pacing import Pacer
from ..statuses import CaseStatus, status_after_disease_set
from .csv_file import KNOWN_COLUMNS, rows
from .prepared import Prepared

if TYPE_CHECKING:
    from ..workgroup import Workgroup


def prepare(wg: Workgroup, upload: Upload, at: datetime) -> Prepared:
    """Apply the upload's rows to drafts, reading the workgroup and changing nothing in it, so
    that it may run away from the workgroup's lock (each read is one atomic look-up). Seconds
    of Python for a large file: paced (``Pacer``), so other requests keep their GIL."""
    job = _Job(wg, upload.id, at)
    pacer = Pacer()
    for line, cells in rows(upload.text or ""):
        pacer.tick()
        job.apply_row(line, cells, upload.header)
    return job.prepared(pacer)


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
        return stable_uuid(f"{self._prefix}{kind}", self._minted)


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
        self.sample_index: dict[str, int] = {}
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
        custom = tuple(self.custom.values())
        if base is None:  # made once: a record works its search keys out when made
            return Case(id=self.case_id, display_id=self.display_id, created_date=self.at, status=self.status,
                        updated_date=self.at, subjects=subjects, tags=self.tags, test_definition=self.test_definition,
                        custom_metadata=custom)
        return replace(base, status=self.status, updated_date=self.at, subjects=subjects, tags=self.tags,
                       test_definition=self.test_definition, custom_metadata=custom)


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
        found = (draft.case_id, draft.status) if draft is not None else (base.id, base.status) if base is not None else None
        if disease is not None and found is not None and status_after_disease_set(found[1]) is None:
            raise processing.disease_refused(*found)
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

    def prepared(self, pacer: Pacer) -> Prepared:
        changed, new, new_events, events, disease_set = [], [], [], [], []
        found = {d: draft.base for d, draft in self.drafts.items()}
        for display_id in list(self.drafts):
            pacer.tick()
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

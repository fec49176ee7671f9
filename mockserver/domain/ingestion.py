"""Case-metadata CSV uploads: file checks at upload, then QUEUED -> IN_PROGRESS -> terminal.

File-level problems (no header, missing Sample_ID/Case_ID columns, not UTF-8) refuse the whole
request. Row-level problems are found when the job runs and are reported with the row's line
number; the good rows still apply.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import datetime

from .. import fidelity
from . import lifecycle, processing
from .errors import Conflict, InvalidRequest
from .models import Case, CustomField, Disease, RowError, Sample, Subject, Upload
from .plans import INGESTION, INGESTION_FAILURE, Pending
from .statuses import CaseStatus
from .workgroup import Workgroup

# A single cell may be as large as a whole accepted file (csv's default stops at 128 KiB).
csv.field_size_limit(max(csv.field_size_limit(), fidelity.MAX_UPLOAD_FILE_BYTES))

KNOWN_COLUMNS = ("Sample_ID", "Case_ID", "Tumor_Type", "Sample_Type", "Sex", "Tags", "Test_Definition")


@dataclass(frozen=True, slots=True)
class ParsedCsv:
    file_name: str
    size_bytes: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def parse_csv(file_name: str, data: bytes) -> ParsedCsv:
    """Check one uploaded file and split it into numbered rows; raise InvalidRequest if unusable."""
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
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = tuple(h.strip() for h in next(reader, ()))
        rows = tuple(
            (reader.line_num, tuple(cells)) for cells in reader if any(c.strip() for c in cells)
        )
    except csv.Error as exc:
        raise InvalidRequest(f"File '{file_name}' is not valid CSV: {exc}.") from None
    missing = [c for c in fidelity.REQUIRED_CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidRequest(
            f"File '{file_name}' is missing the required column(s) {', '.join(missing)}; "
            f"the first row must name the columns and include {', '.join(fidelity.REQUIRED_CSV_COLUMNS)}.",
            [{"field": fidelity.UPLOAD_FIELD, "message": f"{file_name}: missing column {c}"} for c in missing],
        )
    return ParsedCsv(file_name, len(data), header, rows)


def create_upload(wg: Workgroup, parsed: ParsedCsv, now: datetime) -> Upload:
    upload = Upload(
        id=wg.new_id("upload"),
        file_name=parsed.file_name,
        size_bytes=parsed.size_bytes,
        header=parsed.header,
        rows=parsed.rows,
        status=fidelity.UPLOAD_STATUS_QUEUED,
        created_date=now,
        updated_date=now,
    )
    wg.uploads[upload.id] = upload
    lifecycle.start(wg, INGESTION, upload.id, now)
    return upload


def start(wg: Workgroup, upload_id: str, at: datetime) -> None:
    """QUEUED -> IN_PROGRESS (nothing if it already moved on)."""
    upload = wg.uploads.get(upload_id)
    if upload is not None and upload.status == fidelity.UPLOAD_STATUS_QUEUED:
        wg.uploads[upload_id] = replace(upload, status=fidelity.UPLOAD_STATUS_IN_PROGRESS, updated_date=at)


def finish(wg: Workgroup, pending: Pending, at: datetime) -> None:
    """Apply every row (a row that fails is reported and changes nothing), unless the plan
    makes the job fail; report the plan's outcome if it names one."""
    upload_id = pending.target
    upload = wg.uploads.get(upload_id)
    if upload is None or upload.status != fidelity.UPLOAD_STATUS_IN_PROGRESS:
        return
    plan = pending.plan
    if plan.outcome == INGESTION_FAILURE or plan.fails(wg.seed, wg.id, INGESTION, upload_id, pending.attempt):
        failure = RowError(0, "Ingestion failed (simulated by the mock's lifecycle plan); no row was applied.")
        wg.uploads[upload_id] = replace(
            upload, status=INGESTION_FAILURE, updated_date=at, errors=(failure,), applied_rows=0
        )
        return
    by_display_id: dict[str, str] = {}
    for case in wg.cases.ordered():
        by_display_id.setdefault(case.display_id, case.id)
    errors: list[RowError] = []
    created: list[str] = []
    updated: list[str] = []
    for line, cells in upload.rows:
        values = dict(zip(upload.header, (c.strip() for c in cells), strict=False))  # counts checked below
        try:
            if len(cells) != len(upload.header):
                raise InvalidRequest(
                    f"expected {len(upload.header)} values, found {len(cells)}"
                )
            case, is_new = _apply_row(wg, values, by_display_id, at)
        except (InvalidRequest, Conflict) as exc:
            errors.append(
                RowError(line, exc.message, values.get("Case_ID") or None, values.get("Sample_ID") or None)
            )
            continue
        by_display_id[case.display_id] = case.id
        (created if is_new else updated).append(case.id)
    applied = len(upload.rows) - len(errors)
    if plan.outcome is not None:
        status = plan.outcome
    elif not errors:
        status = fidelity.UPLOAD_STATUS_COMPLETED
    elif applied:
        status = fidelity.UPLOAD_STATUS_PARTIALLY_COMPLETED
    else:
        status = fidelity.UPLOAD_STATUS_FAILED
    wg.uploads[upload_id] = replace(
        upload,
        status=status,
        updated_date=at,
        errors=tuple(errors),
        applied_rows=applied,
        cases_created=tuple(dict.fromkeys(created)),
        cases_updated=tuple(dict.fromkeys(c for c in updated if c not in created)),
    )


def _apply_row(
    wg: Workgroup, values: dict[str, str], by_display_id: dict[str, str], at: datetime
) -> tuple[Case, bool]:
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
    extra = tuple(
        CustomField(name=k, value=v, order=i)
        for i, (k, v) in enumerate(((k, v) for k, v in values.items() if k not in KNOWN_COLUMNS and v), 1)
    )

    existing = wg.cases.get(by_display_id.get(display_id, ""))
    if existing is None:
        case = Case(
            id=wg.new_id("case"),
            display_id=display_id,
            status=CaseStatus.AWAITING_MOLECULAR_DATA,
            created_date=at,
            updated_date=at,
            subjects=(
                Subject(
                    id=wg.new_id("subject"),
                    gender=sex or "UNKNOWN",
                    samples=(
                        Sample(
                            id=wg.new_id("sample"),
                            external_sample_id=sample_id,
                            external_sample_name=sample_id,
                            sample_type=sample_type or "DNA",
                            pair_id=None,
                            tumor_type=(disease,) if disease else (),
                        ),
                    ),
                ),
            ),
            tags=tags,
            test_definition=test_definition,
            custom_metadata=extra,
        )
        wg.cases.put(case)
        wg.record_transition(case.id, None, case.status, at, "created by a metadata upload")
        return case, True

    subjects = list(existing.subjects)
    first = subjects[0]
    samples = list(first.samples)
    index = next((i for i, s in enumerate(samples) if s.external_sample_id == sample_id), None)
    if index is None:
        samples.append(Sample(id=wg.new_id("sample"), external_sample_id=sample_id,
                              external_sample_name=sample_id, sample_type=sample_type or "DNA",
                              pair_id=None, tumor_type=existing.diseases[:1]))
    elif sample_type:
        samples[index] = replace(samples[index], sample_type=sample_type)
    subjects[0] = replace(first, samples=tuple(samples), gender=sex or first.gender)
    changes: dict[str, object] = {"subjects": tuple(subjects), "updated_date": at}
    if tags:
        changes["tags"] = tags
    if test_definition is not None:
        changes["test_definition"] = test_definition
    if extra:
        kept = tuple(f for f in existing.custom_metadata if f.name not in {e.name for e in extra})
        changes["custom_metadata"] = kept + extra
    case = replace(existing, **changes)
    if disease is not None:
        case = processing.set_disease(wg, case, disease, at)  # validates before storing
    else:
        wg.cases.put(case)
    return case, False


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

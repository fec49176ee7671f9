"""The vendor operations, named as the vendor's API names them, on one workgroup.

Each runs inside ``observing`` (due steps first, waiters woken after). A refused request
raises a DomainError before anything is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .. import fidelity
from . import processing, status_changes
from .errors import InvalidRequest, NotFound
from .events import Cause, case_event
from .ingestion.csv_file import ParsedCsv
from .ingestion.steps import INGESTION, create_upload
from .models import Case, Disease, Upload
from .query import CaseQuery, Page, run_query
from .workgroup import Workgroup


def case_or_404(wg: Workgroup, case_id: str) -> Case:
    case = wg.cases.get(case_id)
    if case is None:
        raise NotFound(f"Case {case_id} was not found in workgroup {wg.id}.")
    return case


def upload_or_404(wg: Workgroup, upload_id: str) -> Upload:
    upload = wg.uploads.get(upload_id)
    if upload is None:
        raise NotFound(f"Custom case data file {upload_id} was not found in workgroup {wg.id}.")
    return upload


def get_case(wg: Workgroup, case_id: str, now: datetime) -> Case:
    with wg.observing(now):
        case = case_or_404(wg, case_id)
        kind = wg.kinds.started_by(case.status.value)
        # A read counts towards the case's step under a polls plan, and may complete it.
        if kind is not None and wg.steps.on_read(kind, case_id, now):
            return case_or_404(wg, case_id)
        return case


def search_cases(wg: Workgroup, query: CaseQuery, now: datetime) -> Page:
    with wg.observing(now):
        return run_query(wg.cases, query)


def update_case_diseases(
    wg: Workgroup, case_id: str, externalid: str, ontologytype: str, now: datetime, user: str | None = None
) -> Case:
    with wg.observing(now):
        case = case_or_404(wg, case_id)
        disease = resolve_disease(wg, externalid, ontologytype)
        return processing.set_disease(wg, case, disease, now, Cause.VENDOR, user)


def resolve_disease(wg: Workgroup, externalid: str, ontologytype: str) -> Disease:
    if ontologytype.upper() != "SNOMEDCT":
        raise InvalidRequest(
            f"ontologytype '{ontologytype}' is not supported; use SNOMEDCT.",
            [{"field": "ontologytype", "message": "must be SNOMEDCT"}],
        )
    disease = wg.diseases.get(externalid)
    if disease is None:
        raise InvalidRequest(
            f"externalid '{externalid}' is not a SNOMEDCT id in this workgroup's disease configuration.",
            [{"field": "externalid", "message": "unknown SNOMEDCT id"}],
        )
    return disease


def delete_case(wg: Workgroup, case_id: str, now: datetime, user: str | None = None) -> Case:
    with wg.observing(now):
        case_or_404(wg, case_id)
        status_changes.forget(wg, case_id)
        deleted = wg.cases.delete(case_id)
        assert deleted is not None
        wg.record(case_event(fidelity.EVENT_CASE_DELETED, deleted, now, Cause.VENDOR, "case deleted",
                             old=deleted.status, user=user))
        return deleted


def upload_custom_case_data(
    wg: Workgroup, files: Sequence[ParsedCsv], now: datetime, user: str | None = None
) -> list[Upload]:
    with wg.observing(now):
        return [create_upload(wg, parsed, now, user) for parsed in files]


def get_custom_case_data_status(wg: Workgroup, upload_id: str, now: datetime) -> Upload:
    with wg.observing(now):
        upload = upload_or_404(wg, upload_id)
        if wg.steps.on_read(INGESTION, upload_id, now):
            return upload_or_404(wg, upload_id)
        return upload

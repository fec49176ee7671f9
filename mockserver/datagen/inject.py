"""Cases added through the control plane (``POST /_mock/cases``): a partial case completed with
generated fields, loaded and stored.

Fields left out come from a generated case whose index follows the workgroup's id counter, so
the same seed and the same requests give the same filled-in values and ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from .. import fidelity
from ..domain.control_operations import add_cases
from ..domain.models import Case
from ..domain.workgroup import Workgroup
from ..schemas.cases import CaseSchema
from .cases import make_case

#: Injected cases use generator indexes from here on, apart from seeded ones.
INJECTED_INDEX_BASE = 1_000_000
_full_case = CaseSchema(direct_identifiers=True)


def add_cases_json(wg: Workgroup, items: list[Any], now: datetime) -> list[Case]:
    """Cases in the vendor's JSON shape, each completed and loaded, then stored all or none: a
    ValidationError names every item that is not a case (and the id counter does not move)."""
    errors: dict[str, Any] = {}
    loaded = []
    with wg.transaction():
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                errors[f"[{index}]"] = ["must be a case object"]
                continue
            try:
                loaded.append(_full_case.load(complete_case_json(wg, item, now)))
            except ValidationError as exc:
                errors[f"[{index}]"] = exc.messages
        if errors:
            raise ValidationError(errors)
        return add_cases(wg, loaded, now)


def complete_case_json(wg: Workgroup, partial: dict[str, Any], now: datetime) -> dict[str, Any]:
    """``partial`` filled in; generated dates are never later than ``now``, the mock's clock."""
    generated = make_case(wg.seed, wg.id, INJECTED_INDEX_BASE + wg.next_serial(), dict(wg.diseases), wg.test_definitions,
                          window_end=min(now, fidelity.SEED_WINDOW_END))
    filled = {**_full_case.dump(generated), **partial}
    subjects = filled.get("subjects")
    if isinstance(subjects, list) and "subjects" in partial:
        filled["subjects"] = [_with_ids(wg, s, "subject") for s in subjects]
        for subject in filled["subjects"]:
            if isinstance(subject, dict) and isinstance(subject.get("samples"), list):
                subject["samples"] = [_with_ids(wg, s, "sample") for s in subject["samples"]]
    return filled


def _with_ids(wg: Workgroup, item: Any, kind: str) -> Any:
    if isinstance(item, dict) and "id" not in item:
        return {"id": wg.new_id(kind), **item}
    return item

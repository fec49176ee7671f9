"""Column views of a workgroup's seeded cases, for searching 100,000 cases quickly.

The seeded base never changes, so its columns are built once. A filter runs as C-level
``map``/``compress`` over a column instead of one Python call per case, and creation dates
are in order, so date bounds are a bisection. Changed and added cases (the overlay) are few and
are checked one by one with the per-case predicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .models import Case
from .statuses import CaseStatus


@dataclass(frozen=True, slots=True)
class Columns:
    cases: tuple[Case, ...]
    created: list[datetime]
    status: list[CaseStatus]
    display_id: list[str]
    display_id_lower: list[str]
    id_lower: list[str]
    analysis_id: list[str | None]
    external_sample_ids: list[str]
    tags: list[str]
    disease_names: list[str]

    @classmethod
    def of(cls, cases: tuple[Case, ...]) -> Columns:
        keys = [c.search_keys for c in cases]
        return cls(
            cases=cases,
            created=[c.created_date for c in cases],
            status=[c.status for c in cases],
            display_id=[c.display_id for c in cases],
            display_id_lower=[k.display_id for k in keys],
            id_lower=[k.id for k in keys],
            analysis_id=[c.analysis_id for c in cases],
            external_sample_ids=[k.external_sample_ids for k in keys],
            tags=[k.tags for k in keys],
            disease_names=[k.disease_names for k in keys],
        )

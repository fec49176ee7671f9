"""An upload's job as worked out ahead of its due time, kept on its workgroup until then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..case_table import CaseTable, MergedOverlay, NewCases
from ..events import Event, MergedIndex
from ..models import Case, RowError


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

    def still_valid(self, table: CaseTable, at: datetime) -> bool:
        if at != self.at:
            return False
        return table.version == self.version or all(table.find_by_display_id(d) is c for d, c in self.found.items())


@dataclass(frozen=True, slots=True)
class Preparing:
    """The uploading request is working the job out; ``due_meanwhile``: the job came due
    meanwhile, so that request finishes it when done (a concurrent request never waits on it)."""

    due_meanwhile: bool = False


PREPARING = Preparing()
DUE_WHILE_PREPARING = Preparing(due_meanwhile=True)

#: What a workgroup keeps for an upload whose job was (or is being) worked out ahead.
PreparedJob = Prepared | Preparing

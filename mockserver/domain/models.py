"""Immutable records for cases, diseases, test definitions and uploads.

Records are frozen: a change makes a new record (``dataclasses.replace``). That lets a
workgroup keep its seeded cases untouched underneath an overlay of changes, so resetting to the
seeded state is dropping the overlay, whatever the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .. import fidelity
from .clock import EPOCH, MICROSECOND
from .statuses import CaseStatus


@dataclass(frozen=True, slots=True)
class DiseaseAncestor:
    name: str
    external_id: str
    cluster_ids: tuple[str, ...]
    ontology_type: str = "SNOMEDCT"


@dataclass(frozen=True, slots=True)
class Disease:
    """A SNOMED CT disease term, shaped like ``samples[].tumorType[]`` in the real payload."""

    externalid: str
    name: str
    ontologytype: str = "SNOMEDCT"
    version: str | None = None
    key_genes: tuple[str, ...] = ()
    clusterid: tuple[str, ...] = ()
    ancestors: tuple[DiseaseAncestor, ...] = ()
    #: From the disease configuration; not part of a case's tumorType, so not of equality.
    synonyms: tuple[str, ...] = field(default=(), compare=False)
    custom_name: str | None = None


@dataclass(frozen=True, slots=True)
class TestDefinition:
    """A workgroup's test definition; cases share these records rather than copying them."""

    id: str
    name: str
    version: str
    workflow_name: str
    workflow_version: str
    reference_genome_build: str
    sample_classification: str
    report_id: str
    time_created: str
    status: str = "LIVE"


@dataclass(frozen=True, slots=True)
class CustomField:
    """One ``customMetadata.configData[]`` entry (custom case data)."""

    name: str
    value: str
    order: int
    type: str = "Text"
    restricted: bool = False


@dataclass(frozen=True, slots=True)
class Sample:
    id: str
    external_sample_id: str
    sample_type: str
    pair_id: str | None
    tumor_type: tuple[Disease, ...] = ()
    external_sample_name: str | None = None
    sample_classification: str = "TUMOR"
    specimen_type: str | None = None
    tmb: str | None = None
    msi: str | None = None
    gis: str | None = None
    purity: str | None = None
    ploidy: str | None = None
    custom_metadata: tuple[CustomField, ...] = ()


@dataclass(frozen=True, slots=True)
class SubjectReport:
    """A report of the subject under the case's test definition (``subjects[].reports[]``)."""

    subject_report_id: str
    test_report_id: str | None
    report_type: str = "TSS_ONC_REPORT"


@dataclass(frozen=True, slots=True)
class Subject:
    id: str
    gender: str
    samples: tuple[Sample, ...]
    # Direct identifiers (PHI): served only with directIdentifiers=true.
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: str | None = None
    mrn: str | None = None
    is_affected: str = "AFFECTED"
    relationship_to_proband: str = "PROBAND"
    reports: tuple[SubjectReport, ...] = ()
    custom_metadata: tuple[CustomField, ...] = ()


#: Joins several values into one searchable text; it never occurs in a value.
SEPARATOR = "\x00"


@dataclass(frozen=True, slots=True)
class SearchKeys:
    """A case's searchable texts, lower-cased; several values joined by SEPARATOR."""

    display_id: str
    id: str
    external_sample_ids: str
    tags: str
    disease_names: str

    @classmethod
    def of(cls, case: Case) -> SearchKeys:
        samples = [s for subject in case.subjects for s in subject.samples]
        names = dict.fromkeys(d.name for s in samples for d in s.tumor_type)
        return cls(
            display_id=case.display_id.lower(),
            id=case.id.lower(),
            external_sample_ids=SEPARATOR.join(s.external_sample_id for s in samples).lower(),
            tags=SEPARATOR.join(case.tags).lower(),
            disease_names=SEPARATOR.join(names).lower(),
        )


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    display_id: str
    status: CaseStatus
    created_date: datetime
    updated_date: datetime
    subjects: tuple[Subject, ...]
    tags: tuple[str, ...] = ()
    analysis_id: str | None = None
    workflow_name: str | None = None
    test_definition: TestDefinition | None = None
    created_by: str | None = None
    updated_by: str | None = None
    custom_metadata: tuple[CustomField, ...] = ()
    # Lower-cased search keys, computed once per record (records never change).
    search_keys: SearchKeys = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "search_keys", SearchKeys.of(self))

    @property
    def samples(self) -> tuple[Sample, ...]:
        return tuple(s for subject in self.subjects for s in subject.samples)

    @property
    def diseases(self) -> tuple[Disease, ...]:
        seen: dict[str, Disease] = {}
        for sample in self.samples:
            for disease in sample.tumor_type:
                seen.setdefault(disease.externalid, disease)
        return tuple(seen.values())

    @property
    def sort_key(self) -> tuple[datetime, str, str]:
        return (self.created_date, self.display_id, self.id)

    @property
    def dates_micros(self) -> tuple[int, int]:
        """Its creation and last update, in whole microseconds since the epoch."""
        return (self.created_date - EPOCH) // MICROSECOND, (self.updated_date - EPOCH) // MICROSECOND


class SearchTexts(Protocol):
    """What search reads of a case's texts: ``SearchKeys``, or a generated summary's, worked out
    when read."""

    @property
    def display_id(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def external_sample_ids(self) -> str: ...
    @property
    def tags(self) -> str: ...
    @property
    def disease_names(self) -> str: ...


class Summary(Protocol):
    """What search, ordering and the seeded history read of a case: a ``Case`` itself, or a
    generated case's summary, which works each field out when it is read (so a search column of
    one field costs that field alone)."""

    @property
    def id(self) -> str: ...
    @property
    def display_id(self) -> str: ...
    @property
    def status(self) -> CaseStatus: ...
    @property
    def created_date(self) -> datetime: ...
    @property
    def updated_date(self) -> datetime: ...
    @property
    def analysis_id(self) -> str | None: ...
    @property
    def search_keys(self) -> SearchTexts: ...
    @property
    def sort_key(self) -> tuple[datetime, str, str]: ...
    @property
    def dates_micros(self) -> tuple[int, int]: ...


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str
    case_id: str | None = None
    sample_id: str | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded metadata CSV and its ingestion job."""

    id: str
    file_name: str
    size_bytes: int
    header: tuple[str, ...]
    #: The file's text until its job has run; afterwards only the result is kept.
    text: str | None
    total_rows: int
    status: str
    created_date: datetime
    updated_date: datetime
    errors: tuple[RowError, ...] = ()
    applied_rows: int = 0
    cases_created: tuple[str, ...] = field(default=())
    cases_updated: tuple[str, ...] = field(default=())
    #: The e-mail of the user who uploaded it.
    created_by: str | None = None

    @property
    def finished(self) -> bool:
        """Its job has run: the status will not change any more."""
        return self.status not in (fidelity.UPLOAD_STATUS_QUEUED, fidelity.UPLOAD_STATUS_IN_PROGRESS)

    @property
    def failed_rows(self) -> int:
        """Rows the job refused: none are known until it has run."""
        return self.total_rows - self.applied_rows if self.finished else 0


@dataclass(frozen=True, slots=True)
class Transition:
    """One status change of a case, as the control plane's history shows it."""

    at: datetime
    from_status: CaseStatus | None
    to_status: CaseStatus
    cause: str

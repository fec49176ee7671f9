"""Every vendor constant and every choice the vendor's page leaves open, in one place.

Each name here is mirrored by a line in the README's "Fidelity notes". A fidelity correction
(the real service turns out to do something else) should be a change to this file only.
"""

from __future__ import annotations

from datetime import UTC, datetime

# --- Formats -------------------------------------------------------------------------------
#: Case timestamps as the real payload writes them: ``2024-11-05T12:26:06+0000``.
CASE_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
#: Search date filters, documented as ``yyyy-MM-dd'T'HH:mm:ss'Z'``; any other form is a 400.
QUERY_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: Creation-date bounds include the instant itself, as the vendor's audit-log API documents
#: ("on and before" / "on and after") for the same parameter format.
DATE_BOUNDS_INCLUSIVE = True

# --- Search ----------------------------------------------------------------------------------
#: Spring Data's defaults: 20 per page unless asked; we reject (400) rather than clamp above
#: the maximum so a client bug shows up in its tests.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 2000
#: ``orderBy`` only says ASC or DESC; the mock sorts by creation date (the case list's default
#: column), ties broken by displayId then id, newest first when ``orderBy`` is left out.
DEFAULT_ORDER = "DESC"
#: Several ``tags`` values: a case matches when any of its tags matches any value (a JPA
#: ``IN``/``OR LIKE`` join), while different parameters still combine with AND.
TAGS_MATCH_ALL = False
#: ``analysisId`` is "the specific or custom analysisId": an exact, case-sensitive match.
#: ``diseaseName`` is a case-insensitive partial match, like the other free-text filters.
#: ``displayId`` with ``isExactMatch=true`` is an exact, case-sensitive match.
#: Partial matches treat ``%`` as "any run of characters" and ``_`` literally.
LIKE_WILDCARD = "%"
#: Page numbers are Java ints in Spring's Pageable: beyond 2,147,483,647 the value cannot bind (400).
MAX_PAGE_NUMBER = 2**31 - 1
#: The longest text a search filter takes and the most ``tags`` values (a 400 beyond): the
#: real limits are not public; these keep every search's cost bounded by a small input.
MAX_SEARCH_TEXT = 1000
MAX_SEARCH_TAGS = 100

# --- Workgroups and auth -----------------------------------------------------------------------
DEFAULT_WORKGROUP_ID = "3c5e1b9a-7f42-3d1e-8a6b-2f0c4d9e7a11"
DEFAULT_WORKGROUP_NAME = "ICI Mock Workgroup"
#: Roles reported by ``/session/workgroups`` for every workgroup a key may use.
WORKGROUP_ROLES = ("API Access",)
#: The documented Swagger form is ``ApiKey <key>``; the scheme is matched case-insensitively
#: (``ApiKey``, ``apikey`` and ``APIKey`` all appear in working client code). A single token
#: without a scheme is taken as a psToken.
API_KEY_SCHEME = "apikey"
#: Missing X-ILMN-Domain or X-ILMN-Workgroup is a credentials problem (401), a workgroup that
#: does not exist or that the key may not use is a permission problem (403).

# --- Operation names ------------------------------------------------------------------------------
#: The vendor operations as the control plane (latency, faults, journal) and the OpenAPI
#: document name them; each is the Flask endpoint name of its route.
OPERATIONS = (
    "getCase", "searchCases", "updateCaseDiseases", "deleteCase",
    "uploadCustomCaseData", "getCustomCaseDataStatus", "listWorkgroups", "getDiseaseConfig",
    "searchAuditLogs", "getDraftReportJson", "getDraftReportPdf",
)

# --- Statuses and processing --------------------------------------------------------------------
#: Seconds a case spends in PROCESSING after its disease is set, on the mock's clock.
PROCESSING_SECONDS = 3.0
PROCESSING_OUTCOME = "READY_FOR_INTERPRETATION"

# --- Custom case data (metadata CSV) uploads ------------------------------------------------------
UPLOAD_FIELD = "files"
MAX_UPLOAD_FILES = 5
#: "10MB" and "50MB" read as decimal megabytes (10,000,000 bytes), the stricter reading, so a
#: 10.2 MB file (and so five files making 51 MB) is refused. The total counts file bytes only.
MEGABYTE = 1_000_000
MAX_UPLOAD_FILE_BYTES = 10 * MEGABYTE
MAX_UPLOAD_TOTAL_BYTES = 50 * MEGABYTE
#: Room for multipart boundaries and part headers on top of the file bytes.
MULTIPART_OVERHEAD_BYTES = 256 * 1024
REQUIRED_CSV_COLUMNS = ("Sample_ID", "Case_ID")
#: Accepted by file name; the content type a browser or client sends for CSV varies.
CSV_SUFFIX = ".csv"
UPLOAD_QUEUED_SECONDS = 1.0
UPLOAD_IN_PROGRESS_SECONDS = 1.0
UPLOAD_STATUS_QUEUED = "QUEUED"
UPLOAD_STATUS_IN_PROGRESS = "IN_PROGRESS"
#: Terminal statuses were not found in public material; these are the plausible guesses.
UPLOAD_STATUS_COMPLETED = "COMPLETED"
UPLOAD_STATUS_PARTIALLY_COMPLETED = "PARTIALLY_COMPLETED"
UPLOAD_STATUS_FAILED = "FAILED"
SAMPLE_TYPES = ("DNA", "RNA")
SEX_VALUES = {"male": "MALE", "female": "FEMALE", "unknown": "UNKNOWN"}
#: The status body lists the first this many row errors (``failedRows`` counts them all), so a
#: file of bad rows cannot grow the status without bound.
MAX_REPORTED_ROW_ERRORS = 1000
#: Tags in one CSV cell are separated by semicolons (commas would need quoting).
CSV_TAG_SEPARATOR = ";"

# --- Seeded data ---------------------------------------------------------------------------------
DEFAULT_SEED = 42
DEFAULT_CASES = 100
#: Seeded cases are created inside this window, so the same seed gives the same dates whatever
#: day the server starts.
SEED_WINDOW_END = datetime(2026, 10, 31, 23, 0, 0, tzinfo=UTC)
SEED_WINDOW_DAYS = 540
TRUSIGHT_SOFTWARE_SUITE_VERSION = "5.0.0"
DATA_SOURCE_VERSIONS = (
    "Illumina Connected Annotations 3.24.0 (Ensembl: 110; RefSeq: 105.20220307; "
    "ClinVar: 20240603; COSMIC: 99; gnomAD: 4.0)"
)

# --- Audit log events -------------------------------------------------------------------------
#: Event names from the vendor's Audit Log API page (documented, or seen in production clients).
EVENT_CASE_ADDED = "case.added"
EVENT_CASE_DELETED = "case.deleted"
EVENT_CASE_DISEASE_ADDED = "case.disease.added"
EVENT_CASE_DISEASE_UPDATED = "case.disease.updated"
EVENT_CASE_METADATA_ADDED = "case.metadata.added"
EVENT_CASE_METADATA_UPDATED = "case.metadata.updated"
EVENT_CASE_STATUS_UPDATED = "case.status.updated"
#: Upload events are not public: named after the documented entity type ``custom-case-data``
#: in the documented ``<entity>.<what>.<verb>`` form.
EVENT_UPLOAD_ADDED = "custom-case-data.added"
EVENT_UPLOAD_STATUS_UPDATED = "custom-case-data.status.updated"
#: Seen in production clients: a draft report created (message starting "Created report for
#: case ID"); the mock records it when a case first gets a report (see REPORT_STATUSES).
EVENT_CASE_REPORT_ADDED = "case.report.added"
ENTITY_CASE = "case"
ENTITY_UPLOAD = "custom-case-data"
#: The documented entity types, the complete list; any other ``entityType`` is a 400.
ENTITY_TYPES = (
    "actionability-classifications", "assertion", "biomarker", "case", "cli-log", "custom-annotation",
    "custom-case-data", "data-upload", "disease-configuration", "domain", "filter", "flag-groups",
    "ici-uploader", "molecular-data", "pipeline-configuration", "preferred-transcript", "qc-configuration",
    "report", "report-automation", "report-category", "report-footer", "report-summary", "report-template",
    "sample", "subject",
)
#: Event names an ``eventName`` filter accepts: the documented ones (the public list stops
#: after ``case.metadata.updated``), those seen in production clients, and the mock's upload
#: events. Any other is a 400; only the ones the mock records ever match.
EVENT_NAMES = (
    "case.added", "case.analysis.linked", "case.assertion.updated", "case.biomarker.status.updated",
    "case.deleted", "case.disease.added", "case.disease.updated", "case.metadata.added",
    "case.metadata.updated", "case.report.added", "case.status.updated", "molecular-data.deleted",
    EVENT_UPLOAD_ADDED, EVENT_UPLOAD_STATUS_UPDATED,
)
#: Each recorded event's ``message``, from the case's displayId (or the upload's file name) and
#: the statuses before and after. Only the start of the report one is public; the others are
#: inferred in the same style, and the status one names both status values, which is what a
#: production client matches sign-offs by.
EVENT_MESSAGES = {
    EVENT_CASE_ADDED: "Created case ID {display_id}",
    EVENT_CASE_DELETED: "Deleted case ID {display_id}",
    EVENT_CASE_DISEASE_ADDED: "Added disease for case ID {display_id}",
    EVENT_CASE_DISEASE_UPDATED: "Updated disease for case ID {display_id}",
    EVENT_CASE_METADATA_ADDED: "Added custom case data for case ID {display_id}",
    EVENT_CASE_METADATA_UPDATED: "Updated custom case data for case ID {display_id}",
    EVENT_CASE_STATUS_UPDATED: "Case ID {display_id} status updated from {old} to {new}",
    EVENT_CASE_REPORT_ADDED: "Created report for case ID {display_id}",
    EVENT_UPLOAD_ADDED: "Uploaded custom case data file {display_id}",
    EVENT_UPLOAD_STATUS_UPDATED: "Custom case data file {display_id} status updated from {old} to {new}",
}
#: Changes the service makes by itself (a processing step completing, an upload job) are
#: stamped with no user's e-mail and this name.
SYSTEM_USER_NAME = "System"
#: The e-mail domain of the seeded users (one per workgroup seed; the API key's user among them).
USER_EMAIL_DOMAIN = "lab.example.org"
SEEDED_USERS = 6

# --- Reports ------------------------------------------------------------------------------------
#: The statuses in which a case has a draft report: it is created when processing first
#: succeeds (or a case is put straight into one of these), and kept through sign-off.
REPORT_STATUSES = ("READY_FOR_INTERPRETATION", "REPORTS_SIGNED_OFF")
#: A report asked for in any other status ("cannot be downloaded for an unprocessed,
#: processing or inactive case") is refused like every other state refusal: a 400.
#: ``reportDetails.editStatus`` before and after sign-off; the real payload shows ``Final``.
REPORT_EDIT_STATUS_DRAFT = "Draft"
REPORT_EDIT_STATUS_FINAL = "Final"
REPORT_DATA_VERSION = 2
#: ``variantType`` values of the real payload and of production clients: small variants, then
#: copy-number variants.
SMALL_VARIANT_TYPES = ("SNV", "Insertion", "Deletion", "Delins", "MNV")
COPY_NUMBER_VARIANT_TYPES = ("Copy Number Gain", "Copy Number Loss")

"""The QC overview of a case (``preferredQcMetrics``), computed on demand from the case.

Computing it when asked, from a generator seeded with the case id, keeps 100,000 cases small
in memory while every read of a case still returns the same numbers.
"""

from __future__ import annotations

import random
from typing import Any

from ..domain.models import Case
from ..domain.statuses import CaseStatus

# (metric, lsl, usl, low, high, decimals) as in the real payload; values are strings there.
_RUN = (
    ("% Reads Passing Filter", "80", "NA", 82.0, 95.0, 1),
    ("% Q30 R1", "80", "NA", 85.0, 96.0, 1),
    ("% Q30 R2", "80", "NA", 83.0, 95.0, 1),
)
_DNA_SECTIONS = (
    ("DNA Library QC Metrics", (("Contamination Score", "0", "1457", 20.0, 900.0, 0),)),
    ("DNA Library QC Metrics for Small Variant Calling and TMB", (
        ("Median Insert Size", "70", "NA", 80.0, 180.0, 0),
        ("Median Exon Coverage (Count)", "150", "NA", 180.0, 900.0, 0),
        ("% Exon 50X", "90", "NA", 92.0, 99.9, 1),
    )),
    ("DNA Library QC Metrics for MSI", (("Usable MSI Sites (Count)", "40", "NA", 60.0, 130.0, 0),)),
    ("DNA Library QC Metrics for CNV", (
        ("Gene Scaled MAD (Count)", "0.000", "0.134", 0.02, 0.12, 3),
        ("Median Bin Count CNV Target", "1", "NA", 2.0, 9.0, 1),
    )),
)
_RNA_SECTIONS = (
    ("RNA Library QC Metrics", (("Median Coverage Gene 500X", "0.00", "0.93", 0.2, 0.9, 2),)),
)


def _metric(rng: random.Random, spec: tuple, sample_id: str | None, fail: bool) -> dict[str, Any]:
    name, lsl, usl, low, high, decimals = spec
    value = rng.uniform(low, high)
    if fail:
        value = float(lsl) * 0.8 if lsl != "NA" else float(usl) * 1.5
    return {
        "metric": name, "lsl": lsl, "usl": usl,
        "passStatus": "Fail" if fail else "Pass",
        "value": f"{value:.{decimals}f}", "sampleId": sample_id,
    }


def qc_overview(case: Case) -> list[dict[str, Any]]:
    """One entry per analysis, shaped like the real payload; none before molecular data."""
    if case.analysis_id is None or not case.samples:
        return []
    rng = random.Random(f"qc:{case.id}")
    types = {s.sample_type for s in case.samples}
    pair_id = next((s.pair_id for s in case.samples if s.pair_id), None)
    failing = rng.randrange(8) if case.status is CaseStatus.HAS_ISSUE else None
    sections = (_DNA_SECTIONS if "DNA" in types else ()) + (_RNA_SECTIONS if "RNA" in types else ())
    index = 0
    built_sections = []
    for section_name, specs in sections:
        metrics = []
        for spec in specs:
            metrics.append(_metric(rng, spec, pair_id, index == failing))
            index += 1
        built_sections.append({"sectionName": section_name, "metrics": metrics})
    return [{
        "sampleIds": [s.external_sample_id for s in case.samples],
        "analysisId": case.analysis_id,
        "workflowType": "+".join(t for t in ("DNA", "RNA") if t in types),
        "caseDisplayId": case.display_id,
        "qcMetrics": {
            "runQcMetrics": {"metrics": [_metric(rng, spec, None, False) for spec in _RUN]},
            "sampleQcMetrics": {"sections": built_sections},
        },
    }]

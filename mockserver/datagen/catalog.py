"""Reference data the generator draws from: SNOMED CT diseases (from fixtures/), DRAGEN
workflows, test definitions, tags."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ..domain.models import Disease, DiseaseAncestor


def fixtures_dir() -> Path:
    """The fixtures shipped in the wheel, or the checkout's top-level ``fixtures/``."""
    packaged = Path(str(resources.files("mockserver"))) / "fixtures"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "fixtures"


@cache
def load_diseases(path: Path | None = None) -> dict[str, Disease]:
    doc = json.loads((path or fixtures_dir() / "diseases.json").read_text(encoding="utf-8"))
    version = doc["version"]
    return {
        d["externalId"]: Disease(
            externalid=d["externalId"],
            name=d["name"],
            ontologytype=doc["ontologyType"],
            version=version,
            key_genes=tuple(d["keyGenes"]),
            clusterid=tuple(d["clusterId"]),
            ancestors=tuple(
                DiseaseAncestor(a["name"], a["externalId"], (a["clusterId"],))
                for a in d["ancestors"]
            ),
            synonyms=tuple(d["synonyms"]),
        )
        for d in doc["diseases"]
    }


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    sample_types: tuple[str, ...]
    run_prefix: str
    pair_suffix: str
    test_definition: str


WORKFLOWS: tuple[Workflow, ...] = (
    Workflow("DRAGEN TruSight Oncology 500 Analysis Software v2.5.2 (with HRD)", ("DNA", "RNA"),
             "TruSight_Oncology_500_Solid_HRD", "TSO500_V3", "TSO500 HRD Test with Automation"),
    Workflow("DRAGEN TruSight Oncology 500 Analysis Software v2.6.0 (with HRD)", ("DNA", "RNA"),
             "TruSight_Oncology_500_Solid_HRD", "TSO500_V3", "TSO500 HRD Test with Automation"),
    Workflow("DRAGEN TruSight Oncology 500 Analysis Software v2.6.0", ("DNA", "RNA"),
             "TruSight_Oncology_500_Solid", "TSO500_V3", "TSO500 Solid Test"),
    Workflow("DRAGEN TruSight Oncology 500 Analysis Software v2.5.3", ("DNA",),
             "TruSight_Oncology_500_Solid", "TSO500_V3", "TSO500 Solid Test"),
    Workflow("DRAGEN TruSight Oncology 500 ctDNA Analysis Software v2.6.1", ("DNA",),
             "TruSight_Oncology_500_ctDNA", "TSO500_CTDNA", "TSO500 ctDNA Test"),
    Workflow("DRAGEN Somatic Whole Genome v4.3", ("DNA",),
             "DRAGEN_Somatic_Whole_Genome", "WGS", "Somatic Whole Genome Test"),
    Workflow("DRAGEN RNA v4.3", ("RNA",), "DRAGEN_RNA", "RNA", "RNA Fusion Test"),
    Workflow("DRAGEN Enrichment v4.3", ("DNA",), "DRAGEN_Enrichment", "ENRICH", "Enrichment Panel Test"),
)

#: Relative frequency of each disease among seeded cases (externalId -> weight).
DISEASE_WEIGHTS: dict[str, int] = {
    "254837009": 14, "363358000": 8, "254637007": 12, "363406005": 10, "363351006": 3,
    "363418001": 5, "363443007": 5, "399068003": 7, "372244006": 6, "363349007": 3,
    "363402007": 2, "363518003": 3, "399326009": 3, "363354003": 2, "393563007": 3,
    "25370001": 2, "91861009": 2, "118600007": 2, "109989006": 1, "255032005": 2,
    "363478007": 2, "254632001": 2, "363346000": 1,
}
FEMALE_ONLY = frozenset({"363443007", "363354003"})
MALE_ONLY = frozenset({"399068003"})

TAGS = ("oncology", "oncogenic", "research", "urgent", "validation", "TEST", "rerun",
        "tumor-board", "clinical-trial", "external", "Report Test", "pediatric")
DISPLAY_PREFIXES = ("ILM-ABC", "ILM-ONC", "ILM-TSO", "ILM-MOL")

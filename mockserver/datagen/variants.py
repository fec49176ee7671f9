"""The reported variants of a case's draft report, generated from the case alone: genes from its
disease's key genes, the vendor's variant-type vocabulary and value formats, drawn from a
generator seeded with the case id (the same case gives the same variants on every read)."""

from __future__ import annotations

import random
import uuid
from typing import Any

from .. import fidelity
from ..domain.models import Case

#: gene -> (chromosome, cytogenetic band, RefSeq transcript, protein, GRCh37 start, exons)
GENES: dict[str, tuple[str, str, str, str, int, int]] = {
    "ALK": ("2", "2p23.2", "NM_004304.5", "NP_004295.2", 29416089, 29),
    "AR": ("X", "Xq12", "NM_000044.6", "NP_000035.2", 66764465, 8),
    "ATM": ("11", "11q22.3", "NM_000051.4", "NP_000042.3", 108098352, 63),
    "BCL2": ("18", "18q21.33", "NM_000633.3", "NP_000624.2", 60790579, 3),
    "BRAF": ("7", "7q34", "NM_004333.6", "NP_004324.2", 140433813, 18),
    "BRCA1": ("17", "17q21.31", "NM_007294.4", "NP_009225.1", 41196312, 23),
    "BRCA2": ("13", "13q13.1", "NM_000059.4", "NP_000050.3", 32889617, 27),
    "CTNNB1": ("3", "3p22.1", "NM_001904.4", "NP_001895.1", 41236328, 15),
    "EGFR": ("7", "7p11.2", "NM_005228.5", "NP_005219.2", 55086725, 28),
    "ERBB2": ("17", "17q12", "NM_004448.4", "NP_004439.2", 37844347, 27),
    "FGFR2": ("10", "10q26.13", "NM_000141.5", "NP_000132.3", 123237844, 18),
    "FGFR3": ("4", "4p16.3", "NM_000142.5", "NP_000133.1", 1795039, 18),
    "FLT3": ("13", "13q12.2", "NM_004119.3", "NP_004110.2", 28577411, 24),
    "IDH1": ("2", "2q34", "NM_005896.4", "NP_005887.2", 209100951, 10),
    "IDH2": ("15", "15q26.1", "NM_002168.4", "NP_002159.2", 90626277, 11),
    "KIT": ("4", "4q12", "NM_000222.3", "NP_000213.1", 55524085, 21),
    "KRAS": ("12", "12p12.1", "NM_004985.5", "NP_004976.2", 25358180, 5),
    "MET": ("7", "7q31.2", "NM_000245.4", "NP_000236.2", 116312459, 21),
    "MYC": ("8", "8q24.21", "NM_002467.6", "NP_002458.2", 128748315, 3),
    "NPM1": ("5", "5q35.1", "NM_002520.7", "NP_002511.1", 170814708, 11),
    "NRAS": ("1", "1p13.2", "NM_002524.5", "NP_002515.1", 115247085, 7),
    "NTRK1": ("1", "1q23.1", "NM_002529.4", "NP_002520.2", 156785432, 17),
    "PIK3CA": ("3", "3q26.32", "NM_006218.4", "NP_006209.2", 178866311, 21),
    "RB1": ("13", "13q14.2", "NM_000321.3", "NP_000312.2", 48877883, 27),
    "RET": ("10", "10q11.21", "NM_020975.6", "NP_066124.1", 43572517, 20),
    "ROS1": ("6", "6q22.1", "NM_002944.3", "NP_002935.2", 117609463, 43),
    "TP53": ("17", "17p13.1", "NM_000546.6", "NP_000537.3", 7571720, 11),
    "VHL": ("3", "3p25.3", "NM_000551.4", "NP_000542.1", 10183319, 3),
}
#: Genes reported for a case whose disease names no key gene (or that has no disease).
PAN_CANCER = ("TP53", "KRAS", "PIK3CA", "EGFR", "BRAF")

SMALL = fidelity.SMALL_VARIANT_TYPES
COPY_NUMBER = fidelity.COPY_NUMBER_VARIANT_TYPES
#: (label, consequence) pairs per variant type, as the real payload writes them.
CONSEQUENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "SNV": (("Missense Variant", "missense_variant"),),
    "SNV-stop": (("Stop Gained", "stop_gained"), ("Loss of Function Variant", "loss_of_function_variant")),
    "Insertion": (("Frameshift Variant", "frameshift_variant"), ("Loss of Function Variant", "loss_of_function_variant")),
    "Deletion": (("Inframe Deletion", "inframe_deletion"),),
    "Delins": (("Protein Altering Variant", "protein_altering_variant"),),
    "MNV": (("Missense Variant", "missense_variant"),),
    "Copy Number Gain": (("Copy Number Increase", "copy_number_increase"),),
    "Copy Number Loss": (("Feature Truncation", "feature_truncation"), ("Copy Number Decrease", "copy_number_decrease")),
}
ACTIONABILITY = ("Oncogenic", "Likely Oncogenic", "Pathogenic", "Likely Pathogenic")
ACTIONABILITY_COLOR = {"Oncogenic": "#DD203C", "Likely Oncogenic": "#F07C26", "Pathogenic": "#DD203C",
                       "Likely Pathogenic": "#F07C26"}
BASES = "ACGT"
AMINO_ACIDS = ("Ala", "Arg", "Asn", "Asp", "Cys", "Gln", "Glu", "Gly", "His", "Ile", "Leu", "Lys", "Met",
               "Phe", "Pro", "Ser", "Thr", "Trp", "Tyr", "Val")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def report_variants(case: Case) -> list[dict[str, Any]]:
    """One to four variants in the disease's key genes, shaped like ``reportDetails.variants[]``."""
    rng = random.Random(f"variants:{case.id}")
    key_genes = [g for d in case.diseases for g in d.key_genes if g in GENES] or list(PAN_CANCER)
    dna = next((s for s in case.samples if s.sample_type == "DNA"), case.samples[0] if case.samples else None)
    sample_id = dna.external_sample_id if dna else None
    genes = rng.sample(key_genes, min(len(key_genes), rng.randint(1, 4)))
    return [_variant(rng, gene, sample_id) for gene in genes]


def _variant(rng: random.Random, gene: str, sample_id: str | None) -> dict[str, Any]:
    chromosome, band, transcript, protein, start, exons = GENES[gene]
    variant_type = rng.choice(SMALL + SMALL + COPY_NUMBER)  # small variants twice as often
    copy_number = variant_type in COPY_NUMBER
    position = start + rng.randrange(1, 40_000)
    exon = rng.randint(1, exons)
    fold_change = vrf = None
    hgvsc = hgvsp = None
    if copy_number:
        gain = variant_type == "Copy Number Gain"
        fold_change = round(rng.uniform(1.6, 4.5) if gain else rng.uniform(0.45, 0.7), 6)
        copies = rng.randint(4, 12) if gain else 1
        ref, alt, stop = "N", "<DUP>" if gain else "<DEL>", position + rng.randrange(20_000, 200_000)
        variant_id = f"{chromosome}-{position}-{stop}-N-{alt}-CNV"
        consequences = CONSEQUENCES[variant_type]
    else:
        copies = None
        vrf = round(rng.uniform(0.05, 0.6), 7)
        ref, alt, hgvsc, hgvsp, consequences = _small_change(rng, variant_type, rng.randrange(100, 4000))
        stop = position + len(ref) - 1
        variant_id = f"{chromosome}-{position}-{ref}-{alt}"
    labels = [{"label": label, "consequence": name} for label, name in consequences]
    actionability = rng.choice(ACTIONABILITY)
    return {
        "id": _uuid(rng),
        "variantId": variant_id,
        "status": "Enabled",
        "gene": gene,
        "geneDisplay": gene,
        "chromosome": chromosome,
        "start": position,
        "stop": stop,
        "refAllele": ref,
        "altAllele": alt,
        "foldChange": fold_change,
        "transcript": {
            "name": transcript, "hgvsc": hgvsc, "hgvsp": hgvsp,
            "exons": f"1-{exons}/{exons}" if copy_number else f"{exon}/{exons}",
            "proteinId": protein, "consequences": labels, "canonical": True, "preferred": False,
            "selected": False, "default": True,
        },
        "zygosity": "Heterozygous",
        "variantType": variant_type,
        "variantCategory": "Copy Number Variant" if copy_number else "Small Variant",
        "copyNumber": copies,
        "cytogeneticBand": band,
        "length": stop - position + 1,
        "sampleMetrics": [{
            "affectedStatus": "AFFECTED", "copyNumber": copies, "relationship": "PROBAND", "sampleId": sample_id,
            "vrf": vrf, "foldChange": fold_change, "somaticStatus": "TUMOR",
            "totalDepth": None if copy_number else rng.randint(150, 1500),
        }],
        "variantReadFrequency": vrf,
        "associations": [{
            "id": _uuid(rng),
            "type": "Biological",
            "source": "My Knowledgebase",
            "visibility": "Visible",
            "actionabilityOrder": 1,
            "actionabilityBackgroundColor": ACTIONABILITY_COLOR[actionability],
            "actionabilityFontColor": "#FFFFFF",
            "actionabilityName": actionability,
            "matchesSubjectDisease": True,
            "associationInfo": {
                "type": "Biological",
                "actionabilityName": actionability,
                "biomarkers": [{
                    "type": "Copy Number Variant" if copy_number else "Small Variant",
                    "chromosome": chromosome, "start": position, "stop": stop,
                    "gene": gene, "consequences": labels,
                }],
            },
        }],
        "germlineStatus": "Suspected Somatic",
    }


def _small_change(rng: random.Random, variant_type: str, cdna: int) -> tuple[str, str, str, str, tuple]:
    """(ref, alt, hgvsc, hgvsp, consequences) of a small variant at coding position ``cdna``."""
    codon = (cdna + 2) // 3
    before, after = rng.choice(AMINO_ACIDS), rng.choice(AMINO_ACIDS)
    if variant_type == "SNV":
        ref = rng.choice(BASES)
        alt = rng.choice(BASES.replace(ref, ""))
        if rng.random() < 0.25:
            return ref, alt, f"c.{cdna}{ref}>{alt}", f"p.({before}{codon}Ter)", CONSEQUENCES["SNV-stop"]
        return ref, alt, f"c.{cdna}{ref}>{alt}", f"p.({before}{codon}{after})", CONSEQUENCES["SNV"]
    if variant_type == "Insertion":
        ref = rng.choice(BASES)
        inserted = "".join(rng.choice(BASES) for _ in range(rng.choice((1, 2, 4))))
        return ref, ref + inserted, f"c.{cdna}_{cdna + 1}ins{inserted}", f"p.({before}{codon}{after}fsTer{rng.randint(2, 40)})", \
            CONSEQUENCES[variant_type]
    if variant_type == "Deletion":
        removed = "".join(rng.choice(BASES) for _ in range(3))
        ref = rng.choice(BASES) + removed
        return ref, ref[0], f"c.{cdna + 1}_{cdna + 3}del", f"p.({before}{codon}del)", CONSEQUENCES[variant_type]
    length = 2 if variant_type == "MNV" else 3
    ref = "".join(rng.choice(BASES) for _ in range(length))
    alt = "".join(rng.choice(BASES.replace(b, "")) for b in ref)
    return ref, alt, f"c.{cdna}_{cdna + length - 1}delins{alt}", f"p.({before}{codon}{after})", CONSEQUENCES[variant_type]

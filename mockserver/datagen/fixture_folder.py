"""Fixture folders: cases, disease configurations and overrides the server starts with, written
by hand or by ``mockserver record``.

A folder with a ``fixtures.json`` manifest holds workgroups::

    fixtures.json                          {"format": FORMAT, "workgroups": [{"id", "name", "cases"?, "seed"?}]}
    workgroups/<id>/cases/*.json           cases in GET case's shape (one or a list per file)
    workgroups/<id>/reports/<case id>.json draft report JSON; its case, when cases/ has none of that
                                           id (without the fields the mock does not serve)
    workgroups/<id>/disease-config.json    GET disease-config's body: the workgroup's diseases
    overrides/*.json                       overrides, as POST /_mock/overrides takes them
    redactions.json                        what the recorder replaced (never read back)

A folder without one is a folder of case files for the default workgroup (the shipped
``fixtures/cases``). Anything the mock cannot serve is refused, naming its file and field.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from .. import fidelity
from ..domain.models import Case, Disease
from ..domain.statuses import CaseStatus
from ..http.limits import MAX_GENERATED_CASES, too_deep
from ..schemas.cases import CaseSchema
from .catalog import fixtures_dir, load_diseases

FORMAT = "ici-mock-fixtures/1"
MANIFEST = "fixtures.json"
WORKGROUPS = "workgroups"
CASES = "cases"
REPORTS = "reports"
DISEASE_CONFIG = "disease-config.json"
OVERRIDES = "overrides"
REDACTIONS = "redactions.json"
#: marshmallow's message for a key its schema does not declare.
UNKNOWN_FIELD = "Unknown field."
#: Keys of a draft report that are not its case's (the report adds them to the case's own).
REPORT_ONLY_KEYS = ("variantIndexId", "selectedReportId", "reportDataVersion", "reportData", "preferredQcMetrics")
_case = CaseSchema(direct_identifiers=True)


class FixtureError(ValueError):
    """A fixture the mock cannot serve: the message names its file and field."""


@dataclass(frozen=True)
class FixtureWorkgroup:
    id: str
    name: str
    #: Generated cases beside the fixture ones, and their seed (None: the server's).
    generated_cases: int
    seed: int | None
    cases: tuple[Case, ...]
    #: The workgroup's disease configuration; None: the shipped catalogue.
    diseases: tuple[Disease, ...] | None
    #: Each case's file (and index in it), for messages.
    sources: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class FixtureFolder:
    workgroups: tuple[FixtureWorkgroup, ...]
    #: ``(file, overrides)`` per file of ``overrides/``, in file name order.
    overrides: tuple[tuple[Path, Any], ...] = ()

    def workgroup(self, workgroup_id: str) -> FixtureWorkgroup | None:
        return next((wg for wg in self.workgroups if wg.id == workgroup_id), None)


def load_fixture_folder(directory: Path | str | None, default_workgroup: tuple[str, str]) -> FixtureFolder:
    """The folder's workgroups (a plain folder of cases: the default one's cases)."""
    folder = Path(directory) if directory is not None else fixtures_dir() / CASES
    if not folder.is_dir():
        raise FixtureError(f"fixture folder {folder} does not exist")
    if not (folder / MANIFEST).is_file():
        default_id, default_name = default_workgroup
        cases = _by_id(case_files(sorted(folder.glob("*.json"))))
        return FixtureFolder((FixtureWorkgroup(default_id, default_name, 0, None, tuple(c for _, c in cases.values()), None,
                                               {case_id: where for case_id, (where, _) in cases.items()}),))
    manifest = _json(folder / MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise FixtureError(f"{folder / MANIFEST}: format: expected {FORMAT!r}")
    specs = manifest.get("workgroups")
    if not isinstance(specs, list):
        raise FixtureError(f"{folder / MANIFEST}: workgroups: expected a list")
    workgroups = [_workgroup(folder, spec, index) for index, spec in enumerate(specs)]
    ids = [wg.id for wg in workgroups]
    if len(set(ids)) != len(ids):
        raise FixtureError(f"{folder / MANIFEST}: workgroups: an id is listed twice")
    overrides = tuple((path, _json(path)) for path in sorted((folder / OVERRIDES).glob("*.json")))
    return FixtureFolder(tuple(workgroups), overrides)


def _workgroup(folder: Path, spec: Any, index: int) -> FixtureWorkgroup:
    where = f"{folder / MANIFEST}: workgroups[{index}]"
    if not isinstance(spec, dict) or not isinstance(spec.get("id"), str) or not spec["id"].strip():
        raise FixtureError(f"{where}: id: expected a workgroup id")
    unknown = set(spec) - {"id", "name", "cases", "seed"}
    if unknown:
        raise FixtureError(f"{where}: {sorted(unknown)[0]}: unknown field; known: cases, id, name, seed")
    generated, seed = spec.get("cases", 0), spec.get("seed")
    if type(generated) is not int or not 0 <= generated <= MAX_GENERATED_CASES:
        raise FixtureError(f"{where}: cases: expected a whole number from 0 to {MAX_GENERATED_CASES}")
    if seed is not None and type(seed) is not int:
        raise FixtureError(f"{where}: seed: expected a whole number")
    home = folder / WORKGROUPS / spec["id"]
    if home.resolve().parent != (folder / WORKGROUPS).resolve():
        raise FixtureError(f"{where}: id: not usable as a folder name")
    cases = _by_id(case_files(sorted((home / CASES).glob("*.json"))))
    for where, case in report_cases(sorted((home / REPORTS).glob("*.json"))):
        cases.setdefault(case.id, (where, case))
    config = home / DISEASE_CONFIG
    diseases = diseases_from_config(_json(config), str(config)) if config.is_file() else None
    return FixtureWorkgroup(spec["id"], str(spec.get("name") or spec["id"]), generated, seed,
                            tuple(c for _, c in cases.values()), diseases,
                            {case_id: where for case_id, (where, _) in cases.items()})


def _by_id(found: list[tuple[str, Case]]) -> dict[str, tuple[str, Case]]:
    """Cases by id, each with its file; an id twice is refused, naming both files."""
    cases: dict[str, tuple[str, Case]] = {}
    for where, case in found:
        if case.id in cases:
            raise FixtureError(f"{where}: id: {case.id} is also the id of the case in {cases[case.id][0]}")
        cases[case.id] = (where, case)
    return cases


def shipped_cases() -> list[Case]:
    """The hand-written cases shipped in ``fixtures/cases``."""
    return [case for _, case in case_files(sorted((fixtures_dir() / CASES).glob("*.json")))]


def case_files(paths: Iterable[Path]) -> list[tuple[str, Case]]:
    """Cases in GET case's shape, one or a list per file, each with where it was read."""
    cases = []
    for path in paths:
        doc = _json(path)
        for index, item in enumerate(doc if isinstance(doc, list) else [doc]):
            where = f"{path}" + (f"[{index}]" if isinstance(doc, list) else "")
            cases.append((where, _load_case(item, where)))
    return cases


def report_cases(paths: Iterable[Path]) -> list[tuple[str, Case]]:
    """The case each draft report JSON carries (the report without what the report adds), with its file."""
    cases = []
    for path in paths:
        report = _json(path)
        if not isinstance(report, dict):
            raise FixtureError(f"{path}: expected a draft report JSON object")
        case = {k: v for k, v in report.items() if k not in REPORT_ONLY_KEYS}
        subjects = case.get("subjects")
        if isinstance(subjects, list):
            case["subjects"] = [_without_report_details(s) for s in subjects]
            case.setdefault("status", _status_of_report(subjects))
        cases.append((str(path), _load_case(fitted_case(case)[0], str(path))))
    return cases


def fitted_case(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``case`` without the fields the mock's case shape does not serve (a real service's
    payload has some), and their paths (``testDefinition.qcThresholds``). Other problems stay
    for the loader to name."""
    dropped: list[str] = []
    for _ in range(3):  # nested unknown fields surface once their parents load
        try:
            _case.load(case)
            break
        except ValidationError as exc:
            unknown = list(_unknown_paths(exc.messages, ()))
        if not unknown:
            break
        case = copy.deepcopy(case) if not dropped else case
        for path in unknown:
            holder: Any = case
            for part in path[:-1]:
                holder = holder[int(part)] if isinstance(holder, list) else holder[part]
            del holder[path[-1]]
            dropped.append(".".join("[]" if p.isdigit() else p for p in path).replace(".[]", "[]"))
    return case, dropped


def _unknown_paths(messages: Any, path: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _unknown_paths(value, (*path, str(key)))
    elif isinstance(messages, list) and UNKNOWN_FIELD in messages and path:
        yield path


def _status_of_report(subjects: list[Any]) -> str:
    """A real draft report carries no case status: a report exists only for a processed case,
    signed off when its report is final."""
    details = [r.get("reportDetails") for s in subjects if isinstance(s, dict) for r in s.get("reports") or []
               if isinstance(r, dict)]
    final = any(isinstance(d, dict) and d.get("editStatus") == fidelity.REPORT_EDIT_STATUS_FINAL for d in details)
    return (CaseStatus.REPORTS_SIGNED_OFF if final else CaseStatus.READY_FOR_INTERPRETATION).value


def _without_report_details(subject: Any) -> Any:
    if not isinstance(subject, dict) or not isinstance(subject.get("reports"), list):
        return subject
    reports = [{k: v for k, v in r.items() if k != "reportDetails"} if isinstance(r, dict) else r for r in subject["reports"]]
    return {**subject, "reports": reports}


def diseases_from_config(items: Any, where: str) -> tuple[Disease, ...]:
    """GET disease-config's body as the workgroup's diseases. A disease the shipped catalogue
    knows keeps its ancestors and cluster ids (the configuration does not carry them)."""
    if not isinstance(items, list):
        raise FixtureError(f"{where}: expected a list of diseases")
    catalogue = load_diseases()
    diseases = []
    for index, item in enumerate(items):
        field = f"{where}: [{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("externalId"), str) or not isinstance(item.get("name"), str):
            raise FixtureError(f"{field}: expected an object with externalId and name")
        genes = item.get("keyGenes") or []
        if not isinstance(genes, list) or not all(isinstance(g, str) for g in genes):
            raise FixtureError(f"{field}.keyGenes: expected a list of gene names")
        terms = item.get("associatedDiseasesTerms") or []
        synonyms = [s for term in terms if isinstance(term, dict) for s in term.get("synonym") or [] if isinstance(s, str)]
        known = catalogue.get(item["externalId"])
        diseases.append(Disease(
            externalid=item["externalId"], name=item["name"], ontologytype=str(item.get("ontologyType") or "SNOMEDCT"),
            version=item.get("version") if isinstance(item.get("version"), str) else None, key_genes=tuple(genes),
            clusterid=known.clusterid if known else (), ancestors=known.ancestors if known else (),
            synonyms=tuple(s for s in dict.fromkeys(synonyms) if s != item["name"]),
        ))
    return tuple(diseases)


def _load_case(item: Any, where: str) -> Case:
    try:
        return _case.load(item)
    except ValidationError as exc:
        field, message = _first_problem(exc.messages)
        raise FixtureError(f"{where}: {field}: {message}") from None


def _first_problem(messages: Any, prefix: str = "") -> tuple[str, str]:
    """The first field a marshmallow error names, as a dotted path, and its message."""
    if isinstance(messages, dict):
        key, value = next(iter(messages.items()))
        name = str(key) if key != "_schema" else ""
        return _first_problem(value, f"{prefix}.{name}".strip(".") if name else prefix)
    if isinstance(messages, list) and messages:
        if isinstance(messages[0], str):
            return prefix or "(case)", messages[0]
        return _first_problem(messages[0], prefix)
    return prefix or "(case)", str(messages)


def _json(path: Path) -> Any:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read it: {exc.strerror}") from None
    except ValueError as exc:
        raise FixtureError(f"{path}: not JSON: {exc}") from None
    if too_deep(doc):
        raise FixtureError(f"{path}: nests deeper than the mock reads")
    return doc

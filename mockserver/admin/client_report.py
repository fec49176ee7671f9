"""The client report: what each client of the vendor surface did, judged against the API's rules.

It reads journal entries as ``hooks.record`` keeps them, and nothing else. A client is an API
key (named by ``redaction.key_id``, never kept) with a User-Agent. Each rule is one row of
``RULES`` (its id is a contract: tests and CI logs name it) and one function over a client's
entries, oldest first: one pass with a dict or two, so judging is linear in the entries, and it
runs on a copy of the journal, away from the lock the request hooks take.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from ..domain.clock import EPOCH, MICROSECOND
from ..serving.redaction import is_secret_parameter
from .journal import VENDOR, header_of

Entry = dict[str, Any]
SEVERITIES = ("error", "warning", "info")
#: A finding lists at most this many journal entries as its evidence.
MAX_EVIDENCE = 20
#: The query parameter that pages a search; the rest of the query is the search itself.
PAGE_PARAMETER = "pageNumber"
#: Answers after which a client should make the same call again: the fault kinds that drop
#: the connection, and an injected 503.
TRANSIENT_FAULTS = frozenset({"connectionReset", "emptyResponse"})
#: A pause "grows" when a later one is at least this many times the first.
GROWTH = 1.25
_MICROS = 1_000_000


@dataclass(frozen=True)
class ClientRuleSettings:
    """What the rules that count time are judged by (``--client-poll-interval``, and
    ``PUT /_mock/client-rules`` at run time)."""

    poll_interval_seconds: float = 1.0
    storm_retries: int = 5
    storm_seconds: float = 10.0


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    judged: str
    advice: str


@dataclass
class Finding:
    rule: Rule
    evidence: list[Entry]
    count: int
    message: str
    extra: dict[str, Any]


Judge = Callable[[list[Entry], ClientRuleSettings], "Finding | None"]


RULES: tuple[Rule, ...] = (
    Rule("poll-too-fast", "warning",
         "A case (getCase) or an upload's status (getCustomCaseDataStatus) read again, unchanged and not final, "
         "sooner after the last answer than the poll interval (default 1 s), with no write to it in between.",
         "Wait at least the poll interval between status reads, and longer as the wait goes on; an upload "
         "takes seconds and a case's processing minutes in the real service."),
    Rule("retry-after-ignored", "error",
         "A request on the same operation and path sooner than the Retry-After the mock sent with a 429 or a 503.",
         "Read Retry-After (seconds) from 429 and 503 answers and wait at least that long before trying again."),
    Rule("retry-storm", "error",
         "After an injected fault, more than N retries of the same call within T seconds (default 5 in 10 s), "
         "or at least three retries whose pauses never grow (when no Retry-After set them).",
         "Retry with exponential backoff (each pause about twice the last, with jitter) and give up after a "
         "few attempts."),
    Rule("no-retry-after-fault", "info",
         "A transient fault (a connection reset, an empty response, an injected 503) after which the same call "
         "was never made again.",
         "Retry idempotent calls after a dropped connection or a 503, with backoff; or report the failure."),
    Rule("page-past-end", "warning",
         "The same search or audit-log query asked for a page after its last one more than once.",
         "Stop paging when the answer says last=true (or when pageNumber reaches totalPages)."),
    Rule("wrong-api-version", "error",
         "Requests answered 405 because the method is served under the API's other version of the path "
         "(GET case is v2; delete and diseases are v1).",
         "Use the path the 405's message names; the API page (/api-docs) lists each operation's version."),
    Rule("client-errors", "warning",
         "4xx answers the mock did not inject (a fault) or the test did not choose (an override), grouped by cause: "
         "the fields the error details name, a missing or malformed header, or the error code.",
         "Each cause names what to fix; the journal entries in evidence hold the requests and the errors."),
    Rule("credential-in-url", "error",
         "A request with a credential as a query parameter (apikey, token, ...), where proxies and logs keep it.",
         "Send the key only in the Authorization header: 'Authorization: ApiKey <key>'."),
)
RULE_BY_ID = {rule.id: rule for rule in RULES}


def report(entries: Iterable[Entry], settings: ClientRuleSettings) -> list[dict[str, Any]]:
    """Each client of the vendor surface in ``entries`` (oldest first), in the order they
    first called, with their counts per operation and status, and their findings."""
    by_client: dict[tuple[str | None, str | None], list[Entry]] = {}
    for entry in entries:
        if entry["plane"] == VENDOR:
            by_client.setdefault((entry.get("client"), header_of(entry, "User-Agent")), []).append(entry)
    return [_client_json(key, agent, mine, settings) for (key, agent), mine in by_client.items()]


def _client_json(key: str | None, agent: str | None, entries: list[Entry],
                 settings: ClientRuleSettings) -> dict[str, Any]:
    operations: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        status = entry["status"]
        operations[entry["operation"] or "(no operation)"]["dropped" if status is None else str(status)] += 1
    findings = [f for judge in JUDGES if (f := judge(entries, settings)) is not None]
    return {
        "key": key,
        "userAgent": agent,
        "requests": len(entries),
        # What was judged: the journal keeps only its newest entries (``--journal-size``).
        "firstSeq": entries[0]["seq"],
        "lastSeq": entries[-1]["seq"],
        "operations": {op: dict(counts) for op, counts in operations.items()},
        "findings": [_finding_json(f) for f in findings],
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    first = min(e["received"] for e in finding.evidence)
    return {
        "rule": finding.rule.id,
        "severity": finding.rule.severity,
        "count": finding.count,
        "first": instant(first),
        "evidence": sorted({e["seq"] for e in finding.evidence})[:MAX_EVIDENCE],
        "message": finding.message,
        "advice": finding.rule.advice,
        **finding.extra,
    }


def instant(microseconds: int) -> str:
    return (EPOCH + microseconds * MICROSECOND).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_PLURALS = {"retry": "retries", "search": "searches"}


def _n(count: int, noun: str) -> str:
    """``1 request``, ``2 requests``."""
    return f"{count} {noun if count == 1 else _PLURALS.get(noun, noun + 's')}"


def _seconds(microseconds: float) -> float:
    return round(microseconds / _MICROS, 3)


def _call(entry: Entry) -> tuple[str, str, str]:
    """What makes two requests the same call: method, path and query."""
    return entry["method"], entry["path"], entry["queryString"]


# --- The rules, one function each, in RULES' order ----------------------------------------------


def poll_too_fast(entries: list[Entry], settings: ClientRuleSettings) -> Finding | None:
    interval = settings.poll_interval_seconds * _MICROS
    last_read: dict[tuple[str, str], Entry] = {}
    early: list[tuple[Entry, int]] = []
    for entry in entries:
        resource = entry.get("resource")
        if resource is None:
            continue
        key = (resource.kind, resource.id)
        if resource.state is None:  # a write: the next read is news, not a poll
            last_read.pop(key, None)
            continue
        if entry["status"] != 200:
            continue
        before = last_read.get(key)
        if before is not None and not before["resource"].final and before["resource"].state == resource.state:
            gap = entry["received"] - before["time"]
            if gap < interval:
                early.append((entry, gap))
        last_read[key] = entry
    if not early:
        return None
    median = statistics.median(gap for _, gap in early)
    kinds = " or ".join(sorted({e["resource"].kind for e, _ in early}))
    resources = len({(e["resource"].kind, e["resource"].id) for e, _ in early})
    return Finding(RULE_BY_ID["poll-too-fast"], [e for e, _ in early], len(early),
                   f"{_n(len(early), 'read')} of an unchanged, unfinished {kinds} ({resources} in all) came sooner than "
                   f"{settings.poll_interval_seconds:g} s after the last answer (median gap {_seconds(median)} s).",
                   {"medianGapSeconds": _seconds(median)})


def _retry_after_micros(entry: Entry) -> int | None:
    value = entry.get("retryAfter")
    if entry["status"] not in (429, 503) or not value or not value.isascii() or not value.isdigit():
        return None
    return int(value[:9]) * _MICROS


def retry_after_ignored(entries: list[Entry], settings: ClientRuleSettings) -> Finding | None:
    waits: dict[tuple[str | None, str], tuple[int, Entry]] = {}
    early: list[Entry] = []
    shortest: float | None = None
    for entry in entries:
        key = (entry["operation"], entry["path"])
        wait = waits.get(key)
        if wait is not None:
            until, answer = wait
            if entry["received"] < until:
                early.append(entry)
                gap = entry["received"] - answer["time"]
                shortest = gap if shortest is None else min(shortest, gap)
            else:
                del waits[key]
        delay = _retry_after_micros(entry)
        if delay is not None:
            waits[key] = (entry["time"] + delay, entry)
    if not early:
        return None
    return Finding(RULE_BY_ID["retry-after-ignored"], early, len(early),
                   f"{_n(len(early), 'request')} came before the Retry-After the mock sent had passed "
                   f"(the soonest {_seconds(shortest or 0)} s after the answer).", {})


def retry_storm(entries: list[Entry], settings: ClientRuleSettings) -> Finding | None:
    """A chain is a call answered with an injected fault and its next attempts, up to the
    first attempt that was not faulted."""
    chains: dict[tuple[str, str, str], list[Entry]] = {}
    storms: list[list[Entry]] = []
    for entry in entries:
        call = _call(entry)
        chain = chains.get(call)
        if chain is not None:
            chain.append(entry)
            if not entry["fault"]:
                del chains[call]
                if _is_storm(chain, settings):
                    storms.append(chain)
        elif entry["fault"]:
            chains[call] = [entry]
    storms.extend(chain for chain in chains.values() if _is_storm(chain, settings))
    if not storms:
        return None
    retries = [e for chain in storms for e in chain[1:]]
    return Finding(RULE_BY_ID["retry-storm"], retries, len(storms),
                   f"{_n(len(storms), 'call')} retried in a storm after injected faults ({_n(len(retries), 'retry')}; "
                   f"the limit is {settings.storm_retries} in {settings.storm_seconds:g} s, with growing pauses).",
                   {"retries": len(retries)})


def _is_storm(chain: Sequence[Entry], settings: ClientRuleSettings) -> bool:
    retries = chain[1:]
    window_end = chain[0]["time"] + settings.storm_seconds * _MICROS
    if sum(1 for r in retries if r["received"] <= window_end) > settings.storm_retries:
        return True
    if len(retries) < 3 or any(_retry_after_micros(e) is not None for e in chain[:-1]):
        return False
    pauses = [after["received"] - before["time"] for before, after in zip(chain, retries, strict=False)]
    return max(pauses[1:]) < GROWTH * pauses[0]


def _is_transient(entry: Entry) -> bool:
    return entry["fault"] in TRANSIENT_FAULTS or (entry["fault"] == "error" and entry["status"] == 503)


def no_retry_after_fault(entries: list[Entry], settings: ClientRuleSettings) -> Finding | None:
    unanswered: dict[tuple[str, str, str], Entry] = {}
    for entry in entries:
        call = _call(entry)
        if _is_transient(entry):
            unanswered[call] = entry
        else:
            unanswered.pop(call, None)
    if not unanswered:
        return None
    given_up = sorted(unanswered.values(), key=lambda e: e["seq"])
    return Finding(RULE_BY_ID["no-retry-after-fault"], given_up, len(given_up),
                   f"{_n(len(given_up), 'call')} never made again after a transient fault.", {})


def page_past_end(entries: list[Entry], settings: ClientRuleSettings) -> Finding | None:
    past: dict[tuple[str, tuple[tuple[str, str], ...]], list[Entry]] = defaultdict(list)
    for entry in entries:
        page = entry.get("page")
        if page is not None and page.past_end and entry["status"] == 200:
            query = tuple(sorted((k, v) for k, v in parse_qsl(entry["queryString"], keep_blank_values=True)
                                 if k != PAGE_PARAMETER))
            past[(entry["path"], query)].append(entry)
    repeated = [found for found in past.values() if len(found) > 1]
    if not repeated:
        return None
    evidence = [e for found in repeated for e in found]
    return Finding(RULE_BY_ID["page-past-end"], evidence, len(evidence),
                   f"{_n(len(evidence), 'request')} asked for a page after the last one, "
                   f"in {_n(len(repeated), 'search')} that did so more than once.", {})


def wrong_api_version(entries: list[Entry], settings: ClientRuleSettings) -> Finding | None:
    wrong = [e for e in entries if e["status"] == 405 and e.get("otherVersion")]
    if not wrong:
        return None
    served = sorted({f"{e['method']} {e['otherVersion']}" for e in wrong})
    return Finding(RULE_BY_ID["wrong-api-version"], wrong, len(wrong),
                   f"{_n(len(wrong), 'request')} used the other API version of a path; served at: {', '.join(served[:5])}.",
                   {})


def cause_of(entry: Entry) -> str:
    """Why a request was refused: what the refusing code noted, the fields the error named, or
    the error's code."""
    if entry.get("cause"):
        return str(entry["cause"])
    error = entry.get("error") or {}
    if error.get("fields"):
        return "field " + ", ".join(error["fields"])
    return str(error.get("code") or entry["status"])


def client_errors(entries: list[Entry], settings: ClientRuleSettings) -> Finding | None:
    refused = [e for e in entries if e["status"] is not None and 400 <= e["status"] < 500 and not e["fault"]
               and not e.get("override")
               and not (e["status"] == 405 and e.get("otherVersion"))]
    if not refused:
        return None
    groups: dict[tuple[int, str], list[Entry]] = defaultdict(list)
    for entry in refused:
        groups[(entry["status"], cause_of(entry))].append(entry)
    causes = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    listed = [{"status": status, "cause": cause, "count": len(found),
               "operations": sorted({e["operation"] or "(no operation)" for e in found})}
              for (status, cause), found in causes]
    summary = "; ".join(f"{c['count']}× {c['status']} {c['cause']}" for c in listed[:5])
    return Finding(RULE_BY_ID["client-errors"], refused, len(refused),
                   f"{_n(len(refused), 'request')} refused: {summary}.", {"causes": listed})


def credential_in_url(entries: list[Entry], settings: ClientRuleSettings) -> Finding | None:
    leaked = [e for e in entries
              if e["queryString"] and any(is_secret_parameter(name) for name, _ in
                                          parse_qsl(e["queryString"], keep_blank_values=True))]
    if not leaked:
        return None
    return Finding(RULE_BY_ID["credential-in-url"], leaked, len(leaked),
                   f"{_n(len(leaked), 'request')} carried a credential in the query string.", {})


JUDGES: tuple[Judge, ...] = (poll_too_fast, retry_after_ignored, retry_storm, no_retry_after_fault, page_past_end,
                             wrong_api_version, client_errors, credential_in_url)
assert [j.__name__.replace("_", "-") for j in JUDGES] == [r.id for r in RULES], "one judge per rule, in order"


def text(clients: list[dict[str, Any]]) -> str:
    """The report as a person reads it in a CI log."""
    findings = sum(len(c["findings"]) for c in clients)
    lines = [f"ICI mock client report: {len(clients)} client{'s' * (len(clients) != 1)}, "
             f"{findings} finding{'s' * (findings != 1)}"]
    for client in clients:
        lines.append("")
        lines.append(f"client {client['key'] or '(no API key)'} · {client['userAgent'] or '(no User-Agent)'} · "
                     f"{client['requests']} requests (journal #{client['firstSeq']} to #{client['lastSeq']})")
        lines.append("  " + " · ".join(f"{op} " + " ".join(f"{status}×{n}" for status, n in counts.items())
                                       for op, counts in client["operations"].items()))
        if not client["findings"]:
            lines.append("  no findings")
        for finding in client["findings"]:
            ids = " ".join(f"#{seq}" for seq in finding["evidence"][:8])
            more = " …" if finding["count"] > 8 or len(finding["evidence"]) > 8 else ""
            lines.append(f"  {finding['severity'].upper():7s} {finding['rule']} ×{finding['count']} "
                         f"(first {finding['first']}; requests {ids}{more})")
            lines.append(f"          {finding['message']}")
            lines.append(f"          Advice: {finding['advice']}")
    return "\n".join(lines) + "\n"

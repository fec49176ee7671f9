"""A small Python client of the control plane (``/_mock/``), built on requests.

It speaks HTTP only, so it works as well against the Docker image or another process as
against a server in the same process. Bound to a workgroup, the calls that take one use it.

    control = MockControl("http://127.0.0.1:8080", workgroup="lab-2")
    control.freeze("2026-01-01T00:00:00Z")
    control.add_fault(operation="searchCases", status=503, times=1)
    control.assert_requested(operation="searchCases", count=1)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import requests

from ..admin.client_report import RULES, text
from ..apidoc import camel
from ..fidelity import DEFAULT_WORKGROUP_ID

Json = Any
RULE_IDS = tuple(rule.id for rule in RULES)
#: A keyword left out (where None has a meaning of its own).
_NOT_GIVEN = object()


def _by_kind(plans: dict[str, Any], leave_out: object) -> dict[str, Any]:
    """Plans given as Python keywords, keyed by their kinds' names (``sign_off`` -> ``signOff``)."""
    return {camel(keyword): plan for keyword, plan in plans.items() if plan is not leave_out}


class MockControlError(Exception):
    """The control plane refused a call; carries the status and the error body."""

    def __init__(self, status: int, body: Json, method: str, path: str) -> None:
        self.status = status
        self.body = body
        self.code = body.get("code") if isinstance(body, dict) else None
        self.details = body.get("details", []) if isinstance(body, dict) else []
        message = body.get("message") if isinstance(body, dict) else str(body)
        super().__init__(f"{method} {path} -> {status}: {message}")


class RequestAssertionError(AssertionError):
    """``assert_requested`` found another number of matching requests; lists the near misses."""


class ClientBehaviourError(AssertionError):
    """The client under test broke a rule of the API (``assert_client_behaved``); the message is
    the client report."""

    def __init__(self, rules: list[str], report: str) -> None:
        self.rules = rules
        super().__init__(f"the client broke {', '.join(rules)}\n{report}")


#: Severities that fail ``assert_client_behaved``.
FAILING = ("error", "warning")


def broken_rules(clients: list[Json], ignore: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Rules with a failing finding in ``clients`` (a client report), less ``ignore``, in order."""
    found = {f["rule"] for c in clients for f in c["findings"] if f["severity"] in FAILING and f["rule"] not in ignore}
    return [rule for rule in RULE_IDS if rule in found]


def render_report(clients: list[Json], ignore: set[str] | frozenset[str] = frozenset()) -> str:
    """The report as text, without the findings of ``ignore``."""
    kept = [{**c, "findings": [f for f in c["findings"] if f["rule"] not in ignore]} for c in clients]
    return text(kept)


class VendorClient:
    """The vendor API of one mock, one workgroup: ``client.get("/crs/api/v1/cases/search")``."""

    def __init__(self, base_url: str, session: requests.Session, timeout: float = 30.0) -> None:
        self.url = base_url.rstrip("/")
        self.session = session
        self.timeout = timeout

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, self.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def close(self) -> None:
        self.session.close()


class MockControl:
    def __init__(
        self,
        base_url: str,
        workgroup: str | None = None,
        *,
        admin_token: str | None = None,
        session: requests.Session | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.workgroup = workgroup
        self.timeout = timeout
        self._session = session or requests.Session()
        if admin_token:
            self._session.headers["Authorization"] = f"Bearer {admin_token}"

    # --- plumbing ---------------------------------------------------------------------------
    def call(self, method: str, path: str, json: Json = None, params: dict[str, Any] | None = None,
             timeout: float | None = None) -> Json:
        """One control-plane call; raises MockControlError for any status of 400 or more."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        response = self._session.request(method, f"{self.base_url}/_mock{path}", json=json, params=query,
                                         timeout=timeout or self.timeout)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = response.text
            raise MockControlError(response.status_code, body, method, path)
        return response.json() if response.content else None

    def _wg(self, workgroup: str | None) -> str | None:
        return workgroup or self.workgroup

    def bound(self, workgroup: str) -> MockControl:
        """The same client bound to ``workgroup``; both send over one session."""
        return MockControl(self.base_url, workgroup, session=self._session, timeout=self.timeout)

    def close(self) -> None:
        self._session.close()

    def vendor_session(self, key: str = "test-key", domain: str = "test-domain") -> requests.Session:
        """A requests session with the vendor's credentials for the bound workgroup (it reads
        proxies and .netrc from the environment when this client's session does)."""
        session = requests.Session()
        session.trust_env = self._session.trust_env
        session.headers.update({
            "Authorization": f"ApiKey {key}",
            "X-ILMN-Domain": domain,
            "X-ILMN-Workgroup": self.workgroup or DEFAULT_WORKGROUP_ID,
        })
        return session

    # --- data -------------------------------------------------------------------------------
    def health(self) -> Json:
        return self.call("GET", "/health")

    def reset(self, workgroup: str | None = None) -> Json:
        wg = self._wg(workgroup)
        return self.call("POST", "/reset", {"workgroup": wg} if wg else {})

    def reset_server(self) -> Json:
        """Everything back to how the server started: seeded data in the start-up workgroups (no
        others), clock, default plans, latency, fault rules, an empty journal. Server-wide: on a
        shared server it ends every other user's state too."""
        return self.call("POST", "/reset/server", {})

    def seed(self, seed: int, cases: int | None = None, workgroup: str | None = None) -> Json:
        body: dict[str, Any] = {"seed": seed}
        if cases is not None:
            body["cases"] = cases
        if self._wg(workgroup):
            body["workgroup"] = self._wg(workgroup)
        return self.call("POST", "/seed", body)

    def workgroups(self) -> list[Json]:
        return self.call("GET", "/workgroups")

    def create_workgroup(self, id: str | None = None, name: str | None = None, cases: int = 0,
                         seed: int | None = None) -> Json:
        body = {k: v for k, v in {"id": id, "name": name, "cases": cases, "seed": seed}.items() if v is not None}
        return self.call("POST", "/workgroups", body)

    def delete_workgroup(self, workgroup: str | None = None) -> None:
        self.call("DELETE", f"/workgroups/{self._wg(workgroup)}")

    def add_cases(self, *cases: Json, workgroup: str | None = None) -> list[Json]:
        """Store cases in the vendor's shape (fields left out are generated); returns them."""
        return self.call("POST", "/cases", list(cases), params={"workgroup": self._wg(workgroup)})

    def cases(self, workgroup: str | None = None) -> list[Json]:
        return self.call("GET", "/cases", params={"workgroup": self._wg(workgroup)})

    def export_state(self, workgroup: str | None = None) -> Json:
        return self.call("GET", "/state", params={"workgroup": workgroup})

    def import_state(self, state: Json) -> Json:
        return self.call("PUT", "/state", state)

    # --- cases and steps --------------------------------------------------------------------
    def set_status(self, case_id: str, status: str) -> Json:
        return self.call("PUT", f"/cases/{case_id}/status", {"status": status}, params={"workgroup": self.workgroup})

    def advance(self, case_id: str) -> Json:
        """Complete the case's pending processing step now."""
        return self.call("POST", f"/cases/{case_id}/advance", params={"workgroup": self.workgroup})

    def advance_upload(self, upload_id: str) -> Json:
        return self.call("POST", f"/uploads/{upload_id}/advance", params={"workgroup": self.workgroup})

    def set_case_plan(self, case_id: str, processing: Json | None | object = _NOT_GIVEN, **plans: Json | None) -> Json:
        """A case's own plans, by kind (``sign_off=...`` for ``signOff``); None: back to the default."""
        body = _by_kind({"processing": processing, **plans}, leave_out=_NOT_GIVEN)
        return self.call("PUT", f"/cases/{case_id}/lifecycle", body, params={"workgroup": self.workgroup})

    def case_plan(self, case_id: str) -> Json:
        return self.call("GET", f"/cases/{case_id}/lifecycle", params={"workgroup": self.workgroup})

    def history(self, case_id: str) -> list[Json]:
        return self.call("GET", f"/cases/{case_id}/history", params={"workgroup": self.workgroup})

    def wait_for_status(self, case_id: str, status: str, timeout: float = 5.0) -> Json:
        """The case once it has ``status``; MockControlError (408) when ``timeout`` passes first."""
        return self.call("GET", f"/cases/{case_id}/wait", params={"status": status, "timeout": timeout,
                                                                  "workgroup": self.workgroup},
                         timeout=timeout + self.timeout)

    def sign_off(self, case_id: str, approver: str | None = None, at: str | None = None) -> Json:
        """Sign a READY_FOR_INTERPRETATION case's report off, as ``approver`` (an e-mail of
        ``users()``) at ``at`` (ISO 8601; default now)."""
        body = {k: v for k, v in {"approver": approver, "at": at}.items() if v is not None}
        return self.call("POST", f"/cases/{case_id}/sign-off", body, params={"workgroup": self.workgroup})

    def users(self, workgroup: str | None = None) -> list[Json]:
        return self.call("GET", "/users", params={"workgroup": self._wg(workgroup)})

    def audit_log(self, key: str = "test-key", **params: Any) -> Json:
        """One page of the vendor's audit log (GET /als/api/v1/auditlogs/search) for the bound
        workgroup, e.g. ``audit_log(caseId="ILM-1", eventName="case.status.updated")``."""
        path = "/als/api/v1/auditlogs/search"
        with self.vendor_session(key) as session:
            response = session.get(f"{self.base_url}{path}", params=params, timeout=self.timeout)
        if response.status_code >= 400:
            raise MockControlError(response.status_code, response.json(), "GET", path)
        return response.json()

    def events(self, key: str = "test-key", **params: Any) -> list[Json]:
        """Every audit-log entry matching ``params``, newest first (all pages)."""
        found: list[Json] = []
        for number in range(1_000_000):  # bounded: the log is finite, each page has up to 1000
            page = self.audit_log(key, **params, pageNumber=number, pageSize=1000)
            found += page["content"]
            if page["last"]:
                return found
        return found

    def lifecycle(self) -> Json:
        return self.call("GET", "/lifecycle")

    def set_lifecycle(self, **plans: Json | None) -> Json:
        """New default plans, by kind (``processing=...``, ``sign_off=...`` for ``signOff``);
        a kind not given, or given None, keeps its plan."""
        return self.call("PUT", "/lifecycle", _by_kind(plans, leave_out=None))

    # --- clock ------------------------------------------------------------------------------
    def clock(self) -> Json:
        return self.call("GET", "/clock")

    def freeze(self, now: str | None = None) -> Json:
        body: dict[str, Any] = {"mode": "frozen"}
        if now is not None:
            body["now"] = now
        return self.call("PUT", "/clock", body)

    def unfreeze(self) -> Json:
        return self.call("PUT", "/clock", {"mode": "real"})

    def advance_clock(self, seconds: float) -> Json:
        return self.call("POST", "/clock/advance", {"seconds": seconds})

    # --- latency and faults -----------------------------------------------------------------
    def latency(self) -> Json:
        return self.call("GET", "/latency")

    def set_latency(self, default: Json | None = None, operations: dict[str, Json] | None = None) -> Json:
        return self.call("PUT", "/latency", {"default": default, "operations": operations or {}})

    def faults(self) -> list[Json]:
        return self.call("GET", "/faults")

    def add_fault(self, **rule: Any) -> Json:
        """Append one rule; bound to a workgroup, it fires for that workgroup's requests only."""
        if self.workgroup and "workgroup" not in rule:
            rule["workgroup"] = self.workgroup
        return self.call("POST", "/faults", rule)[0]

    def remove_fault(self, rule_id: int) -> None:
        self.call("DELETE", f"/faults/{rule_id}")

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")

    # --- overrides ------------------------------------------------------------------------------
    def overrides(self) -> list[Json]:
        """The overrides in the order they are tried (bound: the workgroup's only)."""
        return self.call("GET", "/overrides", params={"workgroup": self.workgroup})

    def add_override(self, **override: Any) -> Json:
        """Append one override, in ``POST /_mock/overrides``'s shape (``operation=...`` or
        ``method=..., path=...``, ``response={...}``, ``match``, ``times``); bound to a
        workgroup, it answers that workgroup's requests only."""
        return self.call("POST", "/overrides", self._scoped(override))[0]

    def add_overrides(self, overrides: Iterable[dict[str, Any]]) -> list[Json]:
        """Append several at once: all are added, or (one refused) none."""
        return self.call("POST", "/overrides", [self._scoped(o) for o in overrides])

    def _scoped(self, override: dict[str, Any]) -> dict[str, Any]:
        return {"workgroup": self.workgroup, **override} if self.workgroup else dict(override)

    def remove_override(self, override_id: int) -> None:
        self.call("DELETE", f"/overrides/{override_id}")

    def clear_overrides(self) -> None:
        """Every override (bound: the workgroup's)."""
        self.call("DELETE", "/overrides", params={"workgroup": self.workgroup})

    # --- journal ----------------------------------------------------------------------------
    def requests(self, operation: str | None = None, since: int | str | None = None, limit: int | None = None,
                 workgroup: str | None = None, plane: str | None = None) -> list[Json]:
        """Journal entries, oldest first: vendor requests, or ``plane="control"`` / ``"all"``."""
        return self.call("GET", "/requests", params={"operation": operation, "since": since, "limit": limit,
                                                      "workgroup": self._wg(workgroup), "plane": plane})

    def _matcher(self, matcher: dict[str, Any]) -> dict[str, Any]:
        if self.workgroup and "workgroup" not in matcher and matcher.get("plane", "vendor") == "vendor":
            matcher["workgroup"] = self.workgroup
        return matcher

    def count_requests(self, **matcher: Any) -> int:
        """Journal entries matching every field given: operation, method, path (``*`` wildcards),
        status, workgroup, plane, client, and ``headers``/``query``/``body`` (dotted paths into
        the JSON body), each mapping names to a value or ``{"matches": "<RE2 expression>"}``."""
        return self.call("POST", "/requests/count", self._matcher(matcher))["count"]

    def near_misses(self, limit: int = 3, **matcher: Any) -> list[Json]:
        """The requests nearest to ``matcher``, each with how it differs."""
        return self.call("POST", "/requests/near-misses", {**self._matcher(matcher), "limit": limit})

    def clear_requests(self, workgroup: str | None = None) -> None:
        """Empty the journal; bound to a workgroup (or given one), forget only its requests."""
        self.call("DELETE", "/requests", params={"workgroup": self._wg(workgroup)})

    def assert_requested(self, count: int | None = None, **matcher: Any) -> int:
        """Assert the journal holds ``count`` matching requests (at least one when count is None)."""
        found = self.count_requests(**matcher)
        if (count is None and found == 0) or (count is not None and found != count):
            wanted = "at least one" if count is None else str(count)
            lines = [f"expected {wanted} request(s) matching {matcher}, found {found}"]
            if found == 0 or count is None:
                misses = self.near_misses(**matcher)
                lines.append("nearest requests in the journal:" if misses else "the journal holds no other request")
                for miss in misses:
                    e = miss["request"]
                    lines.append(f"  #{e['seq']} {e['method']} {e['path']} -> {e['status']} ({e['operation']})")
                    lines.extend(f"      {way}" for way in miss["differences"])
            else:
                seen = self.requests(limit=20)
                lines.append("recent requests:")
                lines.extend(f"  #{e['seq']} {e['method']} {e['path']} -> {e['status']} ({e['operation']})" for e in seen)
            raise RequestAssertionError("\n".join(lines))
        return found

    # --- the client report ------------------------------------------------------------------
    def client_report(self, workgroup: str | None = None, since: int | None = None, key: str | None = None) -> list[Json]:
        """Each client of the vendor surface, with its findings (``GET /_mock/client-report``)."""
        return self.call("GET", "/client-report", params={"workgroup": self._wg(workgroup), "since": since,
                                                          "key": key})["clients"]

    def client_rules(self) -> Json:
        return self.call("GET", "/client-rules")

    def set_client_rules(self, **settings: Any) -> Json:
        """``poll_interval_seconds``, ``storm_retries``, ``storm_seconds``; those left out keep their value."""
        return self.call("PUT", "/client-rules", _by_kind(settings, _NOT_GIVEN))

    def assert_client_behaved(self, ignore: Iterable[str] = (), workgroup: str | None = None,
                              since: int | None = None) -> None:
        """Fail (ClientBehaviourError, the report as its message) when the client report holds
        an error or a warning whose rule is not in ``ignore``; info findings never fail."""
        ignored = set(ignore)
        unknown = ignored - set(RULE_IDS)
        if unknown:
            raise ValueError(f"unknown client rule(s) {sorted(unknown)}; the rules are {', '.join(RULE_IDS)}")
        clients = self.client_report(workgroup, since)
        broken = broken_rules(clients, ignored)
        if broken:
            raise ClientBehaviourError(broken, render_report(clients, ignored))

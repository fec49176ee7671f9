// The ICI mock's dashboard: plain JavaScript, no build step, no third-party code.
//
// Reads go to the control plane only (never journaled, never counted by a polls plan), so an
// open page changes nothing a test checks (its controls' calls are journaled as control calls). Each control is one documented call, shown as curl.
// Everything the server says is put in the page as text (textContent), never as HTML.
"use strict";

(() => {
  const POLL_MS = 500; // the page shows a change within a second: half of that, plus the call
  const TRAFFIC_ROWS = 25;
  const CLIENTS_EVERY_MS = 2000; // the client report judges the whole journal: not on every poll
  const PAGE_SIZE = 20;
  const API_KEY = "dashboard"; // any key works unless the server was started with --api-key
  const DOMAIN = "mock";
  const KEYS = { token: "ici-mock.admin-token", apiKey: "ici-mock.api-key" };

  const store = {
    token: sessionStorage.getItem(KEYS.token),
    apiKey: sessionStorage.getItem(KEYS.apiKey) || API_KEY,
    overview: null,
    shown: null, // what the open view last loaded: {workgroup changes, clock}
    timer: null,
    view: null,
    clockControls: null,
    locked: false,
    clients: { seen: null, at: 0 }, // the journal and scope the client report was last fetched for
  };

  // -- building the page: text only ------------------------------------------------------
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "class") el.className = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  const byId = (id) => document.getElementById(id);
  let uid = 0;
  const nextId = (stem) => `${stem}-${++uid}`;

  function statusLabel(status) {
    const labels = store.overview ? store.overview.statusLabels : {};
    return labels[status] || status;
  }

  function statusBadge(status) {
    return h("span", { class: `status s-${String(status).toLowerCase()}` },
      h("span", { class: "label" }, statusLabel(status)), " ", h("code", {}, status));
  }

  function viewUrl(params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") query.set(key, value);
    const text = query.toString();
    return "/_mock/ui" + (text ? "?" + text : "");
  }

  function navLink(params, ...children) {
    return h("a", { href: viewUrl(params), "data-nav": true }, ...children);
  }

  function table(caption, headers, rows, empty) {
    if (!rows.length) return h("p", { class: "empty" }, empty);
    return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption },
      h("table", {},
        h("caption", { class: "visually-hidden" }, caption),
        h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
        h("tbody", {}, rows)));
  }

  const time = (iso) => (iso ? iso.replace("T", " ").replace(/(\.\d{3})\d*/, "$1").replace(/(\+0000|Z)$/, " UTC") : "—");

  // -- calls ---------------------------------------------------------------------------------
  class CallError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  function url(req) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query || {})) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== undefined && item !== null && item !== "") query.append(key, item);
      }
    }
    const text = query.toString();
    return req.path + (text ? "?" + text : "");
  }

  function headers(req) {
    const sent = {};
    if (req.vendor) {
      sent.Authorization = `ApiKey ${store.apiKey}`;
      sent["X-ILMN-Domain"] = DOMAIN;
      sent["X-ILMN-Workgroup"] = req.workgroup;
    } else if (store.token) {
      sent.Authorization = `Bearer ${store.token}`;
    }
    if (req.body !== undefined || req.rawBody !== undefined) sent["Content-Type"] = "application/json";
    return sent;
  }

  async function call(req) {
    let response;
    try {
      response = await fetch(url(req), {
        method: req.method,
        headers: headers(req),
        body: req.rawBody !== undefined ? req.rawBody : req.body !== undefined ? JSON.stringify(req.body) : undefined,
      });
    } catch (err) {
      throw new CallError(`The mock does not answer (${err.message}).`, 0);
    }
    if (req.record) logCall(req, response.status);
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        const body = await response.json();
        if (body && body.message) message = body.message;
      } catch (_) { /* not the API's error body */ }
      if (response.status === 401) askSecret(req.vendor ? "apiKey" : "token", message);
      throw new CallError(message, response.status);
    }
    if (req.expect === "blob") return response.blob();
    if (response.status === 204) return null;
    return response.json();
  }

  const quote = (text) => "'" + String(text).replace(/'/g, "'\\''") + "'";

  function curl(req) {
    const parts = ["curl -s"];
    if (req.method !== "GET") parts.push("-X " + req.method);
    parts.push(quote(location.origin + url(req)));
    if (req.vendor) {
      const key = store.apiKey === API_KEY ? API_KEY : "$ICI_API_KEY";
      parts.push(`-H "Authorization: ApiKey ${key}"`, `-H 'X-ILMN-Domain: ${DOMAIN}'`, "-H " + quote("X-ILMN-Workgroup: " + req.workgroup));
    } else if (store.token) {
      parts.push('-H "Authorization: Bearer $MOCK_ADMIN_TOKEN"');
    }
    if (req.fileName) parts.push("-H 'Content-Type: application/json'", "--data-binary " + quote("@" + req.fileName));
    else if (req.body !== undefined) parts.push("-H 'Content-Type: application/json'", "-d " + quote(JSON.stringify(req.body)));
    if (req.expect === "blob") parts.push("-o " + quote(req.saveAs || "download"));
    return parts.join(" ");
  }

  function copyButton(getText) {
    return h("button", {
      type: "button", class: "copy",
      onclick: async (event) => {
        const button = event.currentTarget;
        try {
          await navigator.clipboard.writeText(getText());
          button.textContent = "Copied";
        } catch (_) {
          button.textContent = "Select the text to copy";
        }
        setTimeout(() => { button.textContent = "Copy as curl"; }, 1500);
      },
    }, "Copy as curl");
  }

  function logCall(req, status) {
    const list = byId("page-calls");
    const command = curl(req);
    list.prepend(h("li", {},
      h("span", { class: status < 400 ? "ok" : "error" }, `${req.method} ${req.path} → ${status}`),
      h("code", { class: "curl" }, command), copyButton(() => command)));
    while (list.children.length > 20) list.lastChild.remove();
  }

  // -- credentials ---------------------------------------------------------------------------
  function askSecret(kind, message) {
    const form = byId("token-form");
    const isToken = kind === "token";
    form.dataset.kind = kind;
    form.querySelector("h2").textContent = isToken ? "Admin token" : "API key";
    form.querySelector("label").textContent = isToken ? "Admin token" : "API key";
    form.querySelector("p").textContent = isToken
      ? "This server was started with --admin-token. Enter it once; this tab keeps it until it closes."
      : "This server accepts only the API keys it was started with (--api-key). Enter one; this tab keeps it until it closes.";
    byId("token-error").textContent = message || "";
    if (form.hidden) {
      form.hidden = false;
      byId("token-input").focus();
    }
  }

  function setUpSecretForm() {
    byId("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.currentTarget;
      const value = byId("token-input").value.trim();
      if (!value) return;
      if (form.dataset.kind === "apiKey") {
        store.apiKey = value;
        sessionStorage.setItem(KEYS.apiKey, value);
      } else {
        store.token = value;
        sessionStorage.setItem(KEYS.token, value);
      }
      byId("token-input").value = "";
      form.hidden = true;
      render();
    });
  }

  // -- controls: a form, its call as curl, and the answer next to it ---------------------------
  function field(spec) {
    const id = nextId(spec.name);
    let input;
    if (spec.type === "select") {
      input = h("select", { id, name: spec.name },
        spec.options.map(([value, text]) => h("option", { value, selected: value === spec.value }, text)));
    } else if (spec.type === "textarea") {
      input = h("textarea", { id, name: spec.name, rows: spec.rows || 6, spellcheck: "false" });
      input.value = spec.value || "";
    } else {
      input = h("input", { id, name: spec.name, type: spec.type || "text", ...(spec.attrs || {}) });
      if (spec.value !== undefined && spec.type !== "file") input.value = spec.value;
    }
    return h("div", { class: "field" }, h("label", { for: id }, spec.label), input);
  }

  function control(spec) {
    const result = h("p", { class: "result", role: "status" });
    const command = h("code", { class: "curl" });
    const button = h("button", { type: "submit", class: spec.danger ? "danger" : null }, spec.submit);
    const form = h("form", { class: "control", novalidate: true },
      h("fieldset", {}, h("legend", {}, spec.title),
        spec.hint ? h("p", { class: "hint" }, spec.hint) : null,
        h("div", { class: "fields" }, (spec.fields || []).map(field), button),
        h("div", { class: "curl-line" }, command, copyButton(() => command.textContent)),
        result));
    const values = () => {
      const data = {};
      for (const [key, value] of new FormData(form).entries()) data[key] = value;
      return data;
    };
    const preview = async () => {
      try {
        command.textContent = curl(await spec.request(values()));
      } catch (err) {
        command.textContent = `(${err.message})`;
      }
    };
    form.addEventListener("input", preview);
    form.addEventListener("change", preview);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (spec.confirm && !window.confirm(spec.confirm)) return;
      result.className = "result";
      result.textContent = "";
      let req;
      try {
        req = await spec.request(values(), true);
      } catch (err) {
        result.className = "result error";
        result.textContent = err.message;
        return;
      }
      await perform(req, button, result, spec.done, spec.after);
    });
    preview();
    return form;
  }

  // One control's call: the answer, or the API's message, beside the control; then the page
  // reloads what the call changed.
  async function perform(req, button, result, describe, after) {
    button.disabled = true;
    try {
      const answer = await call({ ...req, record: true });
      result.className = "result ok";
      result.textContent = (describe && describe(answer)) || "Done.";
      if (after) await after(answer);
      refresh(true);
    } catch (err) {
      result.className = "result error";
      result.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  function parsedJson(text, what) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new Error(`${what} is not JSON: ${err.message}`);
    }
  }

  function download(blob, name) {
    const link = h("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
  }

  function openBlob(blob, target) {
    const address = URL.createObjectURL(blob);
    target.replaceChildren(h("a", { href: address, target: "_blank", rel: "noopener" }, "Open again"));
    window.open(address, "_blank", "noopener");
  }

  // -- the header: version, seed, clock --------------------------------------------------------
  function renderHeader(overview) {
    byId("server-meta").textContent = `version ${overview.version} · seed ${overview.seed}`;
    const clock = overview.clock;
    const offset = clock.offsetSeconds;
    const mode = clock.mode === "frozen" ? "frozen" : offset ? `real, offset ${signedDuration(offset)}` : "real";
    byId("clock-now").replaceChildren(
      h("span", { class: "clock-label" }, "Mock clock"), " ",
      h("time", { datetime: clock.now }, time(clock.now)), " ",
      h("span", { class: `clock-mode m-${clock.mode}` }, mode));
  }

  function signedDuration(seconds) {
    const sign = seconds < 0 ? "−" : "+";
    let rest = Math.abs(Math.round(seconds));
    const parts = [];
    for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]]) {
      if (rest >= size) { parts.push(`${Math.floor(rest / size)}${unit}`); rest %= size; }
    }
    return sign + (parts.join(" ") || "0s");
  }

  function clockControls() {
    const advance = (seconds) => ({ method: "POST", path: "/_mock/clock/advance", body: { seconds } });
    const quick = (label, seconds) => h("button", {
      type: "button",
      onclick: (event) => perform(advance(seconds), event.currentTarget, clockResult, () => `Advanced ${label}.`),
    }, `+ ${label}`);
    const clockResult = h("p", { class: "result", role: "status" });
    const frozen = store.overview && store.overview.clock.mode === "frozen";
    return h("div", { class: "clock-row" },
      h("div", { class: "quick", role: "group", "aria-label": "Advance the clock" },
        quick("1 minute", 60), quick("1 hour", 3600), quick("1 day", 86400)),
      control({
        title: "Advance by", submit: "Advance",
        fields: [{ name: "seconds", label: "Seconds", type: "number", value: "10", attrs: { min: 0, step: "any" } }],
        request: (v) => advance(Number(v.seconds)),
      }),
      control({
        title: frozen ? "Unfreeze" : "Freeze", submit: frozen ? "Back to real time" : "Freeze now",
        request: () => ({ method: "PUT", path: "/_mock/clock", body: { mode: frozen ? "real" : "frozen" } }),
        after: () => { store.clockControls = null; },
      }),
      clockResult);
  }

  function renderClockControls() {
    const mode = store.overview ? store.overview.clock.mode : null;
    if (store.clockControls === mode) return;
    store.clockControls = mode;
    byId("clock-controls").replaceChildren(clockControls());
  }

  // -- the traffic tail --------------------------------------------------------------------------
  function renderTraffic(entries) {
    const rows = entries.map((entry) => h("tr", { class: entry.fault ? "faulted" : entry.delayMs ? "delayed" : null },
      h("td", {}, h("time", { datetime: entry.time }, entry.time.slice(11, 23))),
      h("td", {}, h("span", { class: "method" }, entry.method), " ", entry.operation || "(no route)",
        entry.plane === "control" ? h("span", { class: "mark control" }, "control") : null,
        h("span", { class: "sub path" }, entry.path),
        entry.fault ? h("span", { class: "mark fault" }, `fault: ${entry.fault}`) : null,
        entry.override ? h("span", { class: "mark override" }, `override #${entry.override}`) : null,
        entry.delayMs ? h("span", { class: "mark delay" }, `delayed ${Math.round(entry.delayMs)} ms`) : null),
      h("td", { class: entry.status === null || entry.status >= 400 ? "error" : "ok" },
        entry.status === null ? "dropped" : String(entry.status)),
      h("td", { class: "num" }, entry.durationMs.toFixed(1))));
    byId("traffic-table").replaceChildren(
      table("Live traffic", ["Time (UTC)", "Request", "Status", "ms"], rows, "No vendor requests yet."));
  }

  // -- the client report: each client's findings ---------------------------------------------------
  // Fetched again when the journal or the view's workgroup changed, at most every CLIENTS_EVERY_MS.
  async function refreshClients(overview) {
    const scope = (store.view && store.view.workgroup) || "";
    const newest = overview.requests.length ? overview.requests[0].seq : 0;
    const seen = `${newest}|${scope}`;
    if (store.clients.seen === seen || Date.now() - store.clients.at < CLIENTS_EVERY_MS) return;
    store.clients = { seen, at: Date.now() };
    const req = { method: "GET", path: "/_mock/client-report", query: { workgroup: scope || undefined } };
    try {
      renderClients((await call(req)).clients, scope, req);
    } catch (err) {
      failure(byId("clients"), err);
    }
  }

  function renderClients(clients, scope, req) {
    const panels = clients.map((client) => {
      const findings = client.findings.map((f) => h("li", { class: "finding" },
        h("span", { class: `mark ${f.severity}` }, f.severity), " ", h("strong", {}, f.rule), ` ×${f.count}`,
        h("p", {}, f.message),
        h("p", { class: "sub" }, f.advice),
        h("p", { class: "sub" }, "Requests ", f.evidence.map((seq) => `#${seq}`).join(" "),
          f.count > f.evidence.length ? " …" : "", `; first at ${f.first.slice(11, 23)}`)));
      return h("section", { class: "client", "aria-label": `Client ${client.key || "without an API key"}` },
        h("h3", {}, client.key || "(no API key)", h("span", { class: "sub" }, ` ${client.userAgent || "(no User-Agent)"}`)),
        h("p", { class: "sub" }, `${client.requests} requests`),
        findings.length ? h("ul", { class: "findings" }, ...findings) : h("p", { class: "ok" }, "No findings: every rule kept."));
    });
    byId("clients").replaceChildren(
      h("p", { class: "hint" }, scope ? `Requests to this workgroup. ` : "", "As text for a CI log: ",
        h("code", { class: "curl" }, curl({ ...req, query: { ...req.query, format: "text" } }))),
      ...(panels.length ? panels : [h("p", { class: "empty" }, "No vendor requests in the journal yet.")]));
  }

  // -- views ---------------------------------------------------------------------------------------
  function params() {
    const query = new URLSearchParams(location.search);
    return Object.fromEntries(query.entries());
  }

  function render() {
    const p = params();
    const main = byId("main");
    store.shown = null;
    if (p.case && p.workgroup) store.view = caseView(p.workgroup, p.case);
    else if (p.workgroup) store.view = workgroupView(p.workgroup, p);
    else store.view = homeView();
    main.replaceChildren(store.view.element);
    refresh(true);
  }

  function workgroupOf(overview, id) {
    return overview.workgroups.find((wg) => wg.id === id) || null;
  }

  // The open view reloads its data when its workgroup or the clock changed since it last did.
  function onOverview(overview, force) {
    renderHeader(overview);
    renderClockControls();
    renderTraffic(overview.requests);
    refreshClients(overview);
    const view = store.view;
    if (!view) return;
    const wg = view.workgroup ? workgroupOf(overview, view.workgroup) : null;
    const clock = overview.clock.mode === "frozen" ? overview.clock.now : `real${overview.clock.offsetSeconds}`;
    const seen = `${wg ? wg.changes : "-"}|${clock}|${overview.workgroups.length}`;
    view.onOverview(overview, wg);
    if (force || store.shown !== seen) {
      store.shown = seen;
      return view.load(wg).catch((err) => view.failed(err));
    }
    return null;
  }

  // One poll at a time: a refresh asked for during a poll runs once it ends.
  const polling = { running: false, again: false, force: false };

  async function refresh(force) {
    clearTimeout(store.timer);
    polling.force = polling.force || force;
    if (polling.running) {
      polling.again = true;
      return;
    }
    polling.running = true;
    try {
      do {
        polling.again = false;
        const forced = polling.force;
        polling.force = false;
        await pollOnce(forced);
      } while (polling.again);
    } finally {
      polling.running = false;
      if (document.visibilityState === "visible" && !store.locked) store.timer = setTimeout(() => refresh(false), POLL_MS);
    }
  }

  async function pollOnce(force) {
    try {
      // A workgroup's or a case's view needs only its own workgroup: the poll stays small.
      const own = store.view && store.view.workgroup ? { workgroups: 0, workgroup: store.view.workgroup } : {};
      const overview = await call({ method: "GET", path: "/_mock/overview", query: { requests: TRAFFIC_ROWS, ...own } });
      store.overview = overview;
      store.locked = false;
      await onOverview(overview, force);
      byId("live-state").textContent = `Live: updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      store.locked = err.status === 401; // no more polls until a token is given
      byId("live-state").textContent = `Not live: ${err.message}`;
    }
  }

  function section(title, ...children) {
    const id = nextId("h");
    return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), ...children);
  }

  function failure(region, err) {
    region.replaceChildren(h("p", { class: "error", role: "alert" }, err.message));
  }

  // Home: the workgroups and the server's controls.
  function homeView() {
    const workgroups = h("div");
    const plans = h("div");
    const latency = h("div");
    const faults = h("div");
    const rules = h("div");
    const element = h("div", { class: "view" },
      h("h1", {}, "Workgroups"),
      workgroups,
      section("Add a workgroup", control({
        title: "New workgroup", submit: "Create",
        fields: [
          { name: "name", label: "Name", value: "" },
          { name: "cases", label: "Generated cases", type: "number", value: "25", attrs: { min: 0 } },
        ],
        request: (v) => ({ method: "POST", path: "/_mock/workgroups", body: { ...(v.name ? { name: v.name } : {}), cases: Number(v.cases) } }),
        done: (wg) => `Created workgroup ${wg.name} (${wg.id}).`,
      })),
      section("Data and server",
        control({
          title: "Reset the data", submit: "Reset data", hint: "Every workgroup back to its seeded cases; clock, plans and rules stay.",
          request: () => ({ method: "POST", path: "/_mock/reset" }),
        }),
        control({
          title: "Reset the server", submit: "Reset server", danger: true,
          hint: "Everything back to how the server started, for every user of this server.",
          confirm: "Reset the whole server to how it started?",
          request: () => ({ method: "POST", path: "/_mock/reset/server" }),
          after: () => { store.clockControls = null; },
        }),
        control({
          title: "Export the state", submit: "Download",
          request: () => ({ method: "GET", path: "/_mock/state", expect: "blob", saveAs: "ici-mock-state.json" }),
          done: (blob) => { download(blob, "ici-mock-state.json"); return "Downloaded ici-mock-state.json."; },
        }),
        control({
          title: "Import a state", submit: "Import",
          fields: [{ name: "file", label: "State file (JSON)", type: "file", attrs: { accept: "application/json,.json" } }],
          request: async (v, sending) => {
            const file = v.file;
            const name = file && file.name ? file.name : "ici-mock-state.json";
            if (!sending) return { method: "PUT", path: "/_mock/state", fileName: name };
            if (!file || !file.name) throw new Error("Choose a state file first.");
            return { method: "PUT", path: "/_mock/state", fileName: name, rawBody: await file.text() };
          },
          after: () => { store.clockControls = null; },
        })),
      plans,
      latency,
      faults);
    return {
      element,
      workgroup: null,
      onOverview(overview) {
        const statuses = Object.keys(overview.statusLabels);
        const rows = overview.workgroups.map((wg) => h("tr", {},
          h("th", { scope: "row" }, navLink({ workgroup: wg.id }, wg.name), wg.default ? h("span", { class: "sub" }, "default") : null,
            h("span", { class: "sub" }, wg.id)),
          h("td", { class: "num" }, String(wg.cases)),
          statuses.map((s) => h("td", { class: wg.statusCounts[s] ? "num" : "num zero" }, String(wg.statusCounts[s])))));
        const more = overview.workgroupCount > overview.workgroups.length
          ? h("p", { class: "hint" }, `The default and the newest ${overview.workgroups.length} of ${overview.workgroupCount} workgroups.`) : null;
        workgroups.replaceChildren(...[more].filter(Boolean), table("Workgroups",
          ["Workgroup", "Cases", ...statuses.map((s) => [overview.statusLabels[s], h("code", { class: "sub" }, s)])], rows, "No workgroups."));
      },
      async load() {
        if (!plans.firstChild) {
          plans.replaceChildren(await plansSection());
          latency.replaceChildren(await latencySection());
          faults.replaceChildren(faultsSection(rules));
        }
        rules.replaceChildren(...(await faultRules()).filter(Boolean));
      },
      failed(err) { failure(rules, err); },
    };
  }

  async function plansSection() {
    const current = await call({ method: "GET", path: "/_mock/lifecycle" });
    return section("Default lifecycle plans",
      h("p", { class: "hint" }, "The plans new steps follow (shared by every workgroup): processing, ingestion and sign-off."),
      control({
        title: "Edit default plans", submit: "Save plans",
        fields: [{ name: "plans", label: "Plans (JSON)", type: "textarea", value: JSON.stringify(current, null, 2), rows: 8 }],
        request: (v) => ({ method: "PUT", path: "/_mock/lifecycle", body: parsedJson(v.plans, "The plans") }),
      }));
  }

  async function latencySection() {
    const current = await call({ method: "GET", path: "/_mock/latency" });
    return section("Latency",
      control({
        title: "Simulated latency", submit: "Save latency",
        hint: 'For example {"default": {"fixedMs": 200}, "operations": {"getCase": {"uniform": {"minMs": 50, "maxMs": 300}}}}',
        fields: [{ name: "latency", label: "Latency (JSON)", type: "textarea", value: JSON.stringify(current, null, 2), rows: 5 }],
        request: (v) => ({ method: "PUT", path: "/_mock/latency", body: parsedJson(v.latency, "The latency") }),
      }));
  }

  // The rules are reloaded with the view; the form that adds one stays (with its answer).
  function faultsSection(rules) {
    return section("Fault rules", rules, control({
      title: "Add a fault rule", submit: "Add rule",
      fields: [
        { name: "operation", label: "Operation", type: "select", value: "*",
          options: [["*", "* (any)"], ...store.overview.operations.map((o) => [o, o])] },
        { name: "kind", label: "Kind", type: "select", value: "error", options: store.overview.faultKinds.map((k) => [k, k]) },
        { name: "status", label: "Status", type: "number", value: "503", attrs: { min: 400, max: 599 } },
        { name: "times", label: "Times (empty: always)", type: "number", value: "1", attrs: { min: 1 } },
        { name: "probability", label: "Probability", type: "number", value: "1", attrs: { min: 0, max: 1, step: "any" } },
      ],
      request: (v) => ({
        method: "POST", path: "/_mock/faults",
        body: { operation: v.operation, kind: v.kind, status: Number(v.status), probability: Number(v.probability),
          ...(v.times ? { times: Number(v.times) } : {}) },
      }),
    }));
  }

  async function faultRules() {
    const rules = await call({ method: "GET", path: "/_mock/faults" });
    const rows = rules.map((rule) => h("tr", {},
      h("td", {}, String(rule.id)), h("td", {}, rule.operation), h("td", {}, rule.kind), h("td", {}, String(rule.status)),
      h("td", {}, rule.times === null ? "always" : String(rule.times)), h("td", {}, String(rule.probability)),
      h("td", {}, rule.workgroup || "any"), h("td", {}, String(rule.matched)),
      h("td", {}, control({
        title: `Rule ${rule.id}`, submit: "Remove",
        request: () => ({ method: "DELETE", path: `/_mock/faults/${rule.id}` }),
      }))));
    return [
      table("Fault rules", ["Id", "Operation", "Kind", "Status", "Times", "Probability", "Workgroup", "Matched", ""], rows,
        "No fault rules: every request is answered normally."),
      rules.length ? control({
        title: "Remove every rule", submit: "Remove all", request: () => ({ method: "DELETE", path: "/_mock/faults" }),
      }) : null,
    ];
  }

  // A workgroup: its cases (searched like the vendor's search), uploads, audit log, users, plans.
  function workgroupView(id, p) {
    const counts = h("div");
    const results = h("div");
    const uploads = h("div");
    const audit = h("div");
    const users = h("div");
    const plans = h("div");
    const heading = h("h1", {}, "Workgroup");
    const search = { displayId: p.displayId || "", status: p.status || "", tags: p.tags || "", pageNumber: Number(p.page || 0) };
    const searchRequest = (values) => ({
      method: "GET", path: "/crs/api/v1/cases/search", vendor: true, workgroup: id,
      query: {
        displayId: values.displayId, status: values.status || undefined,
        tags: values.tags ? values.tags.split(",").map((t) => t.trim()).filter(Boolean) : undefined,
        pageNumber: values.pageNumber, pageSize: PAGE_SIZE,
      },
    });
    const searchCurl = h("code", { class: "curl" });
    const searchForm = h("form", { class: "control search", role: "search" },
      h("fieldset", {}, h("legend", {}, "Search cases"),
        h("div", { class: "fields" },
          field({ name: "displayId", label: "Display id contains", value: search.displayId }),
          field({ name: "status", label: "Status", type: "select", value: search.status, options: [["", "Any status"]] }),
          field({ name: "tags", label: "Tags (comma-separated)", value: search.tags }),
          h("button", { type: "submit" }, "Search")),
        h("p", { class: "hint" }, "The vendor's search, as a client would call it:"),
        h("div", { class: "curl-line" }, searchCurl, copyButton(() => searchCurl.textContent))));
    const readSearch = () => {
      const data = Object.fromEntries(new FormData(searchForm).entries());
      return { ...data, pageNumber: 0 };
    };
    searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      Object.assign(search, readSearch());
      keepSearchInUrl();
      loadCases();
    });
    searchForm.addEventListener("input", () => { searchCurl.textContent = curl(searchRequest(readSearch())); });

    function keepSearchInUrl() {
      history.replaceState(null, "", viewUrl({ workgroup: id, displayId: search.displayId, status: search.status, tags: search.tags, page: search.pageNumber || "" }));
    }

    let searches = 0; // only the newest search's answer is shown
    async function loadCases() {
      searchCurl.textContent = curl(searchRequest(search));
      const req = searchRequest(search);
      const mine = ++searches;
      let page;
      try {
        page = await call({ method: "GET", path: `/_mock/workgroups/${encodeURIComponent(id)}/cases`, query: req.query });
      } catch (err) {
        if (mine === searches) failure(results, err);
        return;
      }
      if (mine !== searches) return;
      const rows = page.content.map((c) => h("tr", {},
        h("th", { scope: "row" }, navLink({ workgroup: id, case: c.id }, c.displayId)),
        h("td", {}, statusBadge(c.status)),
        h("td", {}, diseaseOf(c) || "—"),
        h("td", {}, (c.tags || []).join(", ") || "—"),
        h("td", {}, time(c.createdDate)),
        h("td", {}, time(c.updatedDate))));
      const pager = h("nav", { class: "pager", "aria-label": "Pages" },
        h("button", { type: "button", disabled: page.first, onclick: () => turn(-1) }, "Previous page"),
        h("span", {}, `Page ${page.number + 1} of ${Math.max(page.totalPages, 1)} · ${page.totalElements} cases`),
        h("button", { type: "button", disabled: page.last, onclick: () => turn(1) }, "Next page"));
      results.replaceChildren(table("Cases", ["Display id", "Status", "Disease", "Tags", "Created", "Updated"], rows,
        "No case matches."), pager);
    }

    function turn(step) {
      search.pageNumber = Math.max(0, search.pageNumber + step);
      keepSearchInUrl();
      loadCases();
    }

    const element = h("div", { class: "view" },
      h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, navLink({}, "Workgroups"), " › ", h("span", { id: "crumb" }, id)),
      heading, counts, searchForm, results,
      section("Add cases", control({
        title: "Generated cases", submit: "Add cases",
        hint: "Cases in the vendor's shape; every field left out is generated from the seed.",
        fields: [{ name: "count", label: "How many", type: "number", value: "1", attrs: { min: 1, max: 1000 } }],
        request: (v) => ({ method: "POST", path: "/_mock/cases", query: { workgroup: id }, body: Array.from({ length: Number(v.count) || 0 }, () => ({})) }),
        done: (added) => `Added ${added.length} case(s): ${added.slice(0, 3).map((c) => c.displayId).join(", ")}${added.length > 3 ? ", …" : ""}.`,
      })),
      h("div", { class: "columns" }, uploads, audit),
      h("div", { class: "columns" }, users, plans));
    let usersLoaded = false;
    return {
      element,
      workgroup: id,
      onOverview(overview, wg) {
        if (!wg) {
          heading.textContent = "Workgroup not found";
          counts.replaceChildren(h("p", { class: "error", role: "alert" }, `There is no workgroup ${id} (any more).`));
          return;
        }
        heading.textContent = wg.name;
        byId("crumb").textContent = wg.name;
        const select = searchForm.querySelector("select[name=status]");
        if (select.options.length === 1) {
          for (const s of Object.keys(overview.statusLabels)) select.append(h("option", { value: s, selected: s === search.status }, `${overview.statusLabels[s]} (${s})`));
        }
        counts.replaceChildren(h("ul", { class: "counts", "aria-label": "Cases per status" },
          Object.keys(overview.statusLabels).map((s) => h("li", {},
            navLink({ workgroup: id, status: s }, h("span", { class: "count" }, String(wg.statusCounts[s])), " ", statusBadge(s))))));
      },
      async load(wg) {
        if (!wg) return;
        await loadCases();
        const [uploadList, entries] = await Promise.all([
          call({ method: "GET", path: "/_mock/uploads", query: { workgroup: id } }),
          call({ method: "GET", path: "/_mock/audit", query: { workgroup: id, limit: 15 } }),
        ]);
        uploads.replaceChildren(section("Uploads", uploadsTable(uploadList)));
        audit.replaceChildren(section("Audit log (newest first)", auditList(entries)));
        if (!usersLoaded) {
          usersLoaded = true;
          const people = await call({ method: "GET", path: "/_mock/users", query: { workgroup: id } });
          users.replaceChildren(section("Users", table("Users", ["Name", "E-mail"],
            people.map((u) => h("tr", {}, h("td", {}, u.name), h("td", {}, u.email))), "No users.")));
          plans.replaceChildren(await plansSection());
        }
      },
      failed(err) { failure(results, err); },
    };
  }

  function diseaseOf(c) {
    const names = [];
    for (const subject of c.subjects || []) {
      for (const sample of subject.samples || []) {
        for (const tumor of sample.tumorType || []) if (tumor && tumor.name) names.push(tumor.name);
      }
    }
    return [...new Set(names)].join(", ");
  }

  function uploadsTable(list) {
    return table("Uploads", ["File", "Status", "Rows", "Applied", "Failed", "First errors", "Created"], list.map((u) => h("tr", {},
      h("td", {}, u.fileName), h("td", {}, u.status), h("td", { class: "num" }, String(u.totalRows)),
      h("td", { class: "num" }, String(u.appliedRows)), h("td", { class: "num" }, String(u.failedRows)),
      h("td", {}, u.errors.length ? h("ul", {}, u.errors.map((e) => h("li", {}, `line ${e.lineNumber}: ${e.message}`))) : "—"),
      h("td", {}, time(u.createdDate)))), "No uploads yet.");
  }

  function auditList(entries) {
    if (!entries.length) return h("p", { class: "empty" }, "No entries.");
    return h("ol", { class: "audit" }, entries.map((e) => h("li", {},
      h("time", { datetime: e.createdDate }, time(e.createdDate)), " ",
      h("code", {}, e.eventName), " ", e.message, " ", h("span", { class: "sub" }, `by ${e.userName}`))));
  }

  // A case: its fields, timeline, pending step, report, and the controls that change it.
  function caseView(workgroupId, caseId) {
    const heading = h("h1", {}, "Case");
    const fields = h("div");
    const timeline = h("div");
    const pending = h("div");
    const report = h("div");
    const audit = h("div");
    const controls = h("div", { class: "controls" });
    const crumb = h("span", {}, caseId);
    const element = h("div", { class: "view" },
      h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, navLink({}, "Workgroups"), " › ",
        navLink({ workgroup: workgroupId }, "Workgroup"), " › ", crumb),
      heading, fields,
      h("div", { class: "columns" }, timeline, h("div", {}, pending, report)),
      controls, audit);
    let context = null; // users and diseases, loaded once
    const caseQuery = { workgroup: workgroupId };
    return {
      element,
      workgroup: workgroupId,
      onOverview() {},
      async load(wg) {
        if (!wg) {
          heading.textContent = "Workgroup not found";
          fields.replaceChildren(h("p", { class: "error", role: "alert" }, `There is no workgroup ${workgroupId} (any more).`));
          return;
        }
        let c;
        try {
          c = await call({ method: "GET", path: `/_mock/cases/${encodeURIComponent(caseId)}`, query: caseQuery });
        } catch (err) {
          if (err.status !== 404) throw err;
          heading.textContent = "Case not found";
          fields.replaceChildren(h("p", { class: "error", role: "alert" }, err.message), navLink({ workgroup: workgroupId }, "Back to the workgroup"));
          controls.replaceChildren();
          timeline.replaceChildren();
          pending.replaceChildren();
          report.replaceChildren();
          return;
        }
        const [history, lifecycle, entries] = await Promise.all([
          call({ method: "GET", path: `/_mock/cases/${encodeURIComponent(caseId)}/history`, query: caseQuery }),
          call({ method: "GET", path: `/_mock/cases/${encodeURIComponent(caseId)}/lifecycle`, query: caseQuery }),
          call({ method: "GET", path: "/_mock/audit", query: { workgroup: workgroupId, case: caseId, limit: 15 } }),
        ]);
        if (!context) {
          const [users, group] = await Promise.all([
            call({ method: "GET", path: "/_mock/users", query: { workgroup: workgroupId } }),
            call({ method: "GET", path: `/_mock/workgroups/${encodeURIComponent(workgroupId)}` }),
          ]);
          context = { users, group };
          element.querySelectorAll(".crumbs a")[1].textContent = group.name;
        }
        heading.replaceChildren(c.displayId, " ", statusBadge(c.status));
        crumb.textContent = c.displayId;
        fields.replaceChildren(caseFields(c));
        timeline.replaceChildren(section("Status history", history.length ? h("ol", { class: "timeline" }, history.map((t) => h("li", {},
          h("time", { datetime: t.at }, time(t.at)), " ", t.from ? statusBadge(t.from) : "—", " → ", statusBadge(t.to),
          h("span", { class: "sub" }, t.cause)))) : h("p", { class: "empty" }, "No status change since seeding; the audit log below shows its seeded history.")));
        pending.replaceChildren(section("Pending step", pendingStep(lifecycle)));
        report.replaceChildren(section("Draft report", reportLinks(c, workgroupId)));
        audit.replaceChildren(section("This case's audit log (newest first)", auditList(entries)));
        if (!controls.firstChild) controls.replaceChildren(...caseControls(c, workgroupId, context, lifecycle));
        const statusChoice = controls.querySelector("select[name=status]");
        if (statusChoice && document.activeElement !== statusChoice && statusChoice.value !== c.status) {
          statusChoice.value = c.status; // offer the case's status as it is now
          statusChoice.dispatchEvent(new Event("change", { bubbles: true }));
        }
      },
      failed(err) { failure(fields, err); },
    };
  }

  function caseFields(c) {
    const rows = [
      ["Id", c.id], ["Display id", c.displayId], ["Status", statusBadge(c.status)], ["Disease", diseaseOf(c) || "—"],
      ["Tags", (c.tags || []).join(", ") || "—"], ["Test definition", c.testDefinition ? c.testDefinition.name : "—"],
      ["Analysis id", c.analysisId || "—"], ["Workflow", c.workflowName || "—"],
      ["Created", time(c.createdDate)], ["Updated", time(c.updatedDate)],
      ["Subjects", (c.subjects || []).map((s) => [s.firstName, s.lastName].filter(Boolean).join(" ") || s.externalSubjectId || s.id).join("; ") || "—"],
    ];
    return h("dl", { class: "fields-list" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)]));
  }

  function pendingStep(lifecycle) {
    const step = lifecycle.pending;
    const own = Object.entries(lifecycle).filter(([k, v]) => k !== "pending" && v).map(([k]) => k);
    const planNote = own.length ? `This case has its own plan for ${own.join(", ")}.` : "This case follows the default plans.";
    if (!step) return [h("p", {}, "No step under way."), h("p", { class: "hint" }, planNote)];
    const plan = step.plan;
    const how = plan.mode === "time" ? `${plan.seconds} s on the mock's clock` : plan.mode === "polls" ? `${plan.count} reads (${step.reads} so far)` : plan.mode;
    return [h("dl", { class: "fields-list" },
      h("dt", {}, "Kind"), h("dd", {}, step.kind),
      h("dt", {}, "Plan"), h("dd", {}, how, plan.outcome ? ` → ${plan.outcome}` : "", plan.failureRate ? ` (failure rate ${plan.failureRate})` : ""),
      h("dt", {}, "Started"), h("dd", {}, time(step.startedAt)),
      h("dt", {}, "Due"), h("dd", {}, step.dueAt ? time(step.dueAt) : "when completed by hand (or by reads)")),
    h("p", { class: "hint" }, planNote)];
  }

  function reportLinks(c, workgroupId) {
    const statuses = store.overview ? store.overview.reportStatuses : [];
    if (!statuses.includes(c.status)) return h("p", {}, "A draft report exists once the case is processed (", statuses.join(" or "), ").");
    const opened = h("span", { class: "opened" });
    const result = h("p", { class: "result", role: "status" });
    const reportJson = { method: "GET", path: `/drs/v1/draftreport/case/${encodeURIComponent(c.id)}/reportjson`, vendor: true, workgroup: workgroupId };
    const open = async (asPdf) => {
      result.textContent = "";
      try {
        if (!asPdf) {
          openBlob(await call({ ...reportJson, expect: "blob", saveAs: "report.json", record: true }), opened);
          return;
        }
        const body = await call({ ...reportJson, record: true });
        const reportId = body.subjects[0].reports[0].subjectReportId;
        const pdf = { method: "GET", path: `/drs/v1/draftreport/case/${encodeURIComponent(c.id)}/reports/${encodeURIComponent(reportId)}/pdf`,
          vendor: true, workgroup: workgroupId, expect: "blob", saveAs: "report.pdf", record: true };
        openBlob(await call(pdf), opened);
      } catch (err) {
        result.className = "result error";
        result.textContent = err.message;
      }
    };
    return h("div", {},
      h("p", {}, "Fetched with the vendor's report calls (they appear in the traffic and this page's calls):"),
      h("div", { class: "fields" },
        h("button", { type: "button", onclick: () => open(false) }, "Open report JSON"),
        h("button", { type: "button", onclick: () => open(true) }, "Open report PDF")),
      opened, result);
  }

  function caseControls(c, workgroupId, context, lifecycle) {
    const path = `/_mock/cases/${encodeURIComponent(c.id)}`;
    const query = { workgroup: workgroupId };
    const statuses = Object.keys(store.overview.statusLabels);
    const own = {};
    for (const [kind, plan] of Object.entries(lifecycle)) if (kind !== "pending") own[kind] = plan;
    return [
      control({
        title: "Set the disease", submit: "Set disease",
        hint: "The vendor's updateCaseDiseases: the case goes to PROCESSING, then on to READY_FOR_INTERPRETATION.",
        fields: [{ name: "externalid", label: "Disease (SNOMED CT)", type: "select",
          options: context.group.diseases.map((d) => [d.externalid, `${d.name} (${d.externalid})`]) }],
        request: (v) => ({ method: "PUT", path: `/crs/api/v1/cases/${encodeURIComponent(c.id)}/diseases`, vendor: true, workgroup: workgroupId,
          body: { externalid: v.externalid, ontologytype: "SNOMEDCT" } }),
        done: (updated) => `Now ${updated.status}.`,
      }),
      control({
        title: "Set the status", submit: "Set status",
        fields: [{ name: "status", label: "Status", type: "select", value: c.status, options: statuses.map((s) => [s, `${statusLabel(s)} (${s})`]) }],
        request: (v) => ({ method: "PUT", path: `${path}/status`, query, body: { status: v.status } }),
      }),
      control({
        title: "Complete the pending step now", submit: "Complete step",
        request: () => ({ method: "POST", path: `${path}/advance`, query }),
        done: (updated) => `Now ${updated.status}.`,
      }),
      control({
        title: "Sign off", submit: "Sign off",
        hint: "Only a READY_FOR_INTERPRETATION case: its report becomes Final.",
        fields: [{ name: "approver", label: "Approver", type: "select",
          options: context.users.map((u) => [u.email, `${u.name} <${u.email}>`]) }],
        request: (v) => ({ method: "POST", path: `${path}/sign-off`, query, body: { approver: v.approver } }),
        done: (updated) => `Now ${updated.status}.`,
      }),
      control({
        title: "This case's plans", submit: "Save case plans",
        hint: 'null follows the default plan; for example {"processing": {"mode": "polls", "count": 2}}',
        fields: [{ name: "plans", label: "Case plans (JSON)", type: "textarea", value: JSON.stringify(own, null, 2), rows: 4 }],
        request: (v) => ({ method: "PUT", path: `${path}/lifecycle`, query, body: parsedJson(v.plans, "The plans") }),
      }),
      control({
        title: "Delete the case", submit: "Delete case", danger: true,
        hint: "The vendor's deleteCase.",
        confirm: `Delete case ${c.displayId}?`,
        request: () => ({ method: "DELETE", path: `/crs/api/v1/cases/${encodeURIComponent(c.id)}`, vendor: true, workgroup: workgroupId }),
        after: () => { history.pushState(null, "", viewUrl({ workgroup: workgroupId })); render(); },
      }),
    ];
  }

  // -- start ---------------------------------------------------------------------------------------
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-nav]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    history.pushState(null, "", link.getAttribute("href"));
    render();
    byId("main").focus();
  });
  window.addEventListener("popstate", render);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh(true);
    else clearTimeout(store.timer); // a hidden page asks nothing of the server
  });
  setUpSecretForm();
  render();
})();

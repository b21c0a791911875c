/// The dashboard: one self-contained page (inline CSS and JS, no CDN, no
/// external fonts), served by `DashboardRoutes`.
///
/// How it works, so the markup below reads easily:
/// - It talks only to its own origin, under the sandbox prefix taken from
///   `location.pathname` (`/sandboxes/NAME/` → that sandbox; else `default`).
/// - One queue runs everything in order (the poll each second, and every button), so
///   polls never overlap and an action never races a half-finished poll.
/// - Text from the API is only ever set through `textContent` or attributes, never
///   parsed as HTML.
/// - Stable hooks for tests and scripts: `data-action` on every button,
///   `data-workload-id` / `data-fault-id` on rows, `data-field` on cells.
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>workload-emulator dashboard</title>
        <link rel="icon" href="data:,">
        <style>
          :root {
            --bg: #f4f5f7; --card: #ffffff; --ink: #1d2330; --muted: #667085; --line: #e3e6eb;
            --accent: #2f5bd3; --danger: #c23030;
            --s-submitted: #5b6b8c; --s-provisioning: #b7791f; --s-launching: #c05621;
            --s-running: #23844a; --s-stopping: #8a6d3b; --s-stopped: #6b7280;
            --s-errored: #c23030; --s-unknown: #4b5563; --s-terminated: #374151;
          }
          * { box-sizing: border-box; }
          body { margin: 0; background: var(--bg); color: var(--ink);
                 font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
          header { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center;
                   padding: 12px 20px; background: #1d2330; color: #fff; }
          header h1 { font-size: 17px; margin: 0; font-weight: 600; }
          header .sandbox { color: #c9d3ea; }
          header label { margin-left: auto; color: #c9d3ea; }
          header input { width: 12em; }
          #connection { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #3b4458; }
          #connection[data-state="ok"] { background: #23844a; }
          #connection[data-state="error"] { background: var(--danger); }
          main { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 16px; padding: 16px 20px;
                 align-items: start; }
          @media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
          section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
          section h2 { font-size: 15px; margin: 0 0 10px; display: flex; align-items: baseline; gap: 8px; }
          section h2 small { font-weight: normal; color: var(--muted); }
          .side { display: flex; flex-direction: column; gap: 16px; }
          table { width: 100%; border-collapse: collapse; }
          th, td { text-align: left; padding: 6px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
          th { font-size: 12px; color: var(--muted); font-weight: 600; }
          code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
          .muted { color: var(--muted); }
          .status { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px;
                    background: var(--s-unknown); white-space: nowrap; }
          .status[data-status="submitted"] { background: var(--s-submitted); }
          .status[data-status="provisioning"] { background: var(--s-provisioning); }
          .status[data-status="launching"] { background: var(--s-launching); }
          .status[data-status="running"] { background: var(--s-running); }
          .status[data-status="stopping"] { background: var(--s-stopping); }
          .status[data-status="stopped"] { background: var(--s-stopped); }
          .status[data-status="errored"] { background: var(--s-errored); }
          .status[data-status="terminated"] { background: var(--s-terminated); }
          .artifact-status { font-size: 12px; padding: 0 6px; border-radius: 4px; border: 1px solid var(--line); }
          .artifact-status[data-status="locked"] { border-color: #23844a; color: #23844a; }
          .artifact-status[data-status="draft"] { border-color: #b7791f; color: #8a5a12; }
          .ttl { white-space: nowrap; }
          .ttl[data-level="soon"] { color: #b7791f; font-weight: 600; }
          .ttl[data-level="urgent"] { color: var(--danger); font-weight: 600; }
          .timeline { display: flex; flex-wrap: wrap; gap: 2px; align-items: center; max-width: 300px; }
          .timeline .step { width: 12px; height: 12px; border-radius: 3px; background: var(--s-unknown); }
          .timeline .step[data-status="submitted"] { background: var(--s-submitted); }
          .timeline .step[data-status="provisioning"] { background: var(--s-provisioning); }
          .timeline .step[data-status="launching"] { background: var(--s-launching); }
          .timeline .step[data-status="running"] { background: var(--s-running); }
          .timeline .step[data-status="stopping"] { background: var(--s-stopping); }
          .timeline .step[data-status="stopped"] { background: var(--s-stopped); }
          .timeline .step[data-status="errored"] { background: var(--s-errored); }
          .timeline .mark { font-size: 11px; color: var(--muted); padding: 0 2px; }
          .timeline .last { font-size: 11px; color: var(--muted); margin-left: 4px; }
          button { font: inherit; font-size: 13px; padding: 3px 10px; border-radius: 5px; cursor: pointer;
                   border: 1px solid #c5cbd6; background: #fff; color: var(--ink); }
          button:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
          button:disabled { opacity: .45; cursor: default; }
          button.danger:hover:not(:disabled) { border-color: var(--danger); color: var(--danger); }
          button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
          button.primary:hover:not(:disabled) { color: #fff; filter: brightness(1.1); }
          .actions { display: flex; gap: 4px; }
          td .actions button { padding: 2px 8px; }
          input, select { font: inherit; font-size: 13px; padding: 3px 6px; border: 1px solid #c5cbd6; border-radius: 5px; }
          .advance { display: grid; grid-template-columns: repeat(3, 1fr); }
          .advance button { padding: 3px 4px; }
          .clock-now { font-size: 20px; font-variant-numeric: tabular-nums; }
          .row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-top: 8px; }
          form.grid { display: grid; grid-template-columns: auto minmax(0, 1fr) auto minmax(0, 1fr); gap: 6px 8px;
                      align-items: center; margin-top: 10px; }
          form.grid input, form.grid select { width: 100%; }
          form.grid .wide { grid-column: 2 / span 3; }
          form.grid .buttons { grid-column: 1 / -1; justify-content: flex-end; }
          form.grid [hidden] { display: none; }
          #notice { min-height: 1.4em; margin: 0 20px; padding-top: 8px; color: var(--muted); }
          #notice[data-kind="error"] { color: var(--danger); }
          .empty { color: var(--muted); padding: 14px 6px; }
          .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 10px 0 0; font-size: 12px; color: var(--muted); }
          .legend .step { display: inline-block; vertical-align: -1px; margin-right: 4px; }
        </style>
        </head>
        <body>
        <header>
          <h1>workload-emulator</h1>
          <span class="sandbox">sandbox <strong id="sandbox-name">default</strong></span>
          <span id="connection" data-state="connecting" role="status">connecting…</span>
          <label for="token">API token <input id="token" type="text" autocomplete="off" spellcheck="false"></label>
          <label for="control-token">control token <input id="control-token" type="password" autocomplete="off" placeholder="if set"></label>
        </header>
        <p id="notice" role="status" aria-live="polite"></p>
        <main>
          <section aria-labelledby="workloads-title">
            <h2 id="workloads-title">Workloads <small id="workload-count"></small></h2>
            <table>
              <thead>
                <tr><th>Name</th><th>Status</th><th>Artifact</th><th>TTL</th><th>Timeline</th><th>Actions</th></tr>
              </thead>
              <tbody id="workloads"></tbody>
            </table>
            <p id="workloads-empty" class="empty" hidden>No workloads visible with this token.</p>
            <p id="workloads-hidden" class="empty" hidden></p>
            <div class="legend timeline" aria-label="timeline colours">
              <span><span class="step" data-status="submitted"></span>submitted</span>
              <span><span class="step" data-status="provisioning"></span>provisioning</span>
              <span><span class="step" data-status="launching"></span>launching</span>
              <span><span class="step" data-status="running"></span>running</span>
              <span><span class="step" data-status="stopping"></span>stopping</span>
              <span><span class="step" data-status="stopped"></span>stopped</span>
              <span><span class="step" data-status="errored"></span>errored</span>
              <span>▶ start ■ stop ★ promote ! warning</span>
            </div>
            <form id="create-form" class="row" autocomplete="off">
              <label for="create-name">New workload on a draft artifact</label>
              <input id="create-name" type="text" placeholder="name" required maxlength="5000">
              <button type="submit" data-action="create-workload">Create</button>
            </form>
          </section>
          <div class="side">
            <section aria-labelledby="clock-title">
              <h2 id="clock-title">Clock <small>mode <span id="clock-mode">…</span><span id="clock-scale"></span></small></h2>
              <div class="clock-now mono" id="clock-now">…</div>
              <div class="row advance">
                <button type="button" data-action="advance-1m">Advance 1 min</button>
                <button type="button" data-action="advance-1h">Advance 1 h</button>
                <button type="button" data-action="advance-8h">Advance 8 h</button>
              </div>
              <div class="row">
                <button type="button" id="clock-toggle" data-action="toggle-clock-mode">Switch to real</button>
                <label for="real-scale">speed ×</label>
                <input id="real-scale" type="number" min="0.000001" step="any" value="1" style="width: 6em">
              </div>
            </section>
            <section aria-labelledby="faults-title">
              <h2 id="faults-title">Fault rules <small id="fault-count"></small></h2>
              <table>
                <thead><tr><th>Rule</th><th>Fired</th><th></th></tr></thead>
                <tbody id="faults"></tbody>
              </table>
              <p id="faults-empty" class="empty" hidden>No fault rules.</p>
              <form id="fault-form" class="grid" autocomplete="off">
                <label for="fault-action">action</label>
                <select id="fault-action">
                  <option>respond</option><option>delay</option><option>drop</option>
                  <option>protonStopFailure</option><option>launchFailure</option>
                  <option>replacementFailure</option><option>hold</option>
                </select>
                <label for="fault-method">method</label>
                <select id="fault-method">
                  <option value="">any</option><option>GET</option><option>POST</option>
                  <option>PUT</option><option>PATCH</option><option>DELETE</option>
                </select>
                <label for="fault-path">path</label>
                <input id="fault-path" class="wide" type="text" placeholder="/api/v2/workloads/*">
                <label for="fault-status" data-for="respond">status</label>
                <input id="fault-status" data-for="respond" type="number" min="200" max="599" value="429">
                <label for="fault-delay" data-for="delay">delay ms</label>
                <input id="fault-delay" data-for="delay" type="number" min="0" max="600000" value="500">
                <label for="fault-state" data-for="hold">state</label>
                <select id="fault-state" data-for="hold">
                  <option>submitted</option><option>provisioning</option><option>launching</option><option>stopping</option>
                </select>
                <label for="fault-message" data-for="launchFailure replacementFailure">message</label>
                <input id="fault-message" data-for="launchFailure replacementFailure" type="text" placeholder="ImagePullBackOff">
                <label for="fault-times">times</label>
                <input id="fault-times" type="number" min="1" placeholder="unlimited">
                <div class="actions buttons">
                  <button type="submit" class="primary" data-action="add-fault">Add rule</button>
                  <button type="button" class="danger" data-action="remove-all-faults">Remove all</button>
                </div>
              </form>
            </section>
          </div>
        </main>
        <script>
        "use strict";
        (() => {
          // ---- where the API is: this page's sandbox prefix, same origin --------------
          const match = location.pathname.match(/^\/sandboxes\/([A-Za-z0-9._-]{1,64})(?:\/|$)/);
          const prefix = match ? "/sandboxes/" + match[1] : "";
          const sandbox = match ? match[1] : "default";
          const TOKEN_KEY = "workload-emulator.dashboard.token";
          const DEFAULT_TOKEN = "dashboard";
          const POLL_MS = 1000;
          const REQUEST_TIMEOUT_MS = 5000;
          const ACTIVE = new Set(["submitted", "provisioning", "launching", "running"]);

          const $ = (id) => document.getElementById(id);
          $("sandbox-name").textContent = sandbox;
          document.title = "workload-emulator · " + sandbox;

          const tokenInput = $("token");
          // An empty field means the default token (shown as the placeholder).
          tokenInput.placeholder = DEFAULT_TOKEN;
          tokenInput.value = storedToken();
          tokenInput.addEventListener("change", () => {
            const t = tokenInput.value.trim();
            try {
              if (t) localStorage.setItem(TOKEN_KEY, t); else localStorage.removeItem(TOKEN_KEY);
            } catch (e) { /* storage disabled: the token lasts as long as the page */ }
            details.clear();
            enqueue(refresh);
          });
          // `--control-token`: sent as X-Emulator-Token when filled in, kept for the session.
          const CONTROL_KEY = "workload-emulator.dashboard.control-token";
          const controlInput = $("control-token");
          try { controlInput.value = sessionStorage.getItem(CONTROL_KEY) || ""; } catch (e) { /* no storage */ }
          controlInput.addEventListener("change", () => {
            try { sessionStorage.setItem(CONTROL_KEY, controlInput.value.trim()); } catch (e) { /* no storage */ }
            details.clear();
            enqueue(refresh);
          });
          function storedToken() {
            try { return localStorage.getItem(TOKEN_KEY) || DEFAULT_TOKEN; } catch (e) { return DEFAULT_TOKEN; }
          }
          function token() { return tokenInput.value.trim() || DEFAULT_TOKEN; }

          // ---- HTTP ------------------------------------------------------------------
          // Resolves to {status, data}; only a network failure rejects.
          async function call(method, path, body) {
            const headers = { "Accept": "application/json", "X-Emulator-Client": "dashboard" };
            if (path.startsWith("/api/")) headers["Authorization"] = "Bearer " + token();
            const control = controlInput.value.trim();
            if (control) headers["X-Emulator-Token"] = control;
            const init = { method, headers, cache: "no-store" };
            if (body !== undefined) {
              headers["Content-Type"] = "application/json";
              init.body = JSON.stringify(body);
            }
            // A `delay` fault on the API must not freeze the page: give up after a while,
            // so the queue moves on and the fault panel stays usable.
            const abort = new AbortController();
            const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
            init.signal = abort.signal;
            let response, text;
            try {
              response = await fetch(prefix + path, init);
              text = await response.text();
            } catch (e) {
              const why = abort.signal.aborted ? "no answer after " + REQUEST_TIMEOUT_MS / 1000 + " s" : "no response (" + e.message + ")";
              throw new Error(method + " " + path + ": " + why);
            } finally {
              clearTimeout(timer);
            }
            let data = null;
            if (text) { try { data = JSON.parse(text); } catch (e) { data = text; } }
            return { status: response.status, data, injected: response.headers.get("X-Emulator-Injected") };
          }

          // The API's error shapes: {"detail": "…"}, {"detail": [{"loc","msg"}]}, {"message": "…"}.
          function describe(method, path, r) {
            let why = "";
            const d = r.data;
            if (d && typeof d === "object") {
              if (typeof d.detail === "string") why = d.detail;
              else if (Array.isArray(d.detail)) why = d.detail.map((i) => (i.loc || []).slice(1).join(".") + ": " + i.msg).join("; ");
              else if (typeof d.message === "string") why = d.message;
            }
            const injected = r.injected ? " (injected by fault rule " + r.injected + ")" : "";
            return method + " " + path + " → " + r.status + (why ? ": " + why : "") + injected;
          }

          function notice(text, kind) {
            const n = $("notice");
            n.textContent = text || "";
            n.dataset.kind = kind || "info";
          }

          // ---- one queue: polls and actions never overlap --------------------------
          let queue = Promise.resolve();
          function enqueue(task) {
            const run = queue.then(task).catch((e) => { notice(String(e && e.message || e), "error"); });
            queue = run;
            return run;
          }
          function poll() {
            const safeRefresh = () => refresh().catch((e) => setConnection("error", String(e && e.message || e)));
            enqueue(safeRefresh).then(() => setTimeout(poll, POLL_MS));
          }

          // ---- DOM helpers (text only through textContent) ---------------------------
          function el(tag, attrs, ...children) {
            const node = document.createElement(tag);
            for (const [k, v] of Object.entries(attrs || {})) {
              if (v === null || v === undefined || v === false) continue;
              if (k === "class") node.className = v;
              else if (k.startsWith("data-")) node.setAttribute(k, String(v));
              else if (k === "disabled") node.disabled = true;
              else node.setAttribute(k, String(v));
            }
            for (const c of children) {
              if (c === null || c === undefined) continue;
              node.append(typeof c === "string" ? document.createTextNode(c) : c);
            }
            return node;
          }
          function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
          function setData(node, key, value) { if (node.dataset[key] !== value) node.dataset[key] = value; }

          // ---- time ------------------------------------------------------------------
          function ms(ts) { const t = Date.parse(ts); return Number.isNaN(t) ? null : t; }
          function shortTime(ts) { return typeof ts === "string" ? ts.replace("T", " ").replace(/\.\d+Z$/, "Z") : ""; }
          function duration(total) {
            let s = Math.max(0, Math.floor(total / 1000));
            const d = Math.floor(s / 86400); s -= d * 86400;
            const h = Math.floor(s / 3600); s -= h * 3600;
            const m = Math.floor(s / 60); s -= m * 60;
            if (d) return d + "d " + h + "h " + m + "m";
            if (h) return h + "h " + m + "m " + s + "s";
            if (m) return m + "m " + s + "s";
            return s + "s";
          }

          // ---- state -----------------------------------------------------------------
          // Per workload: its emulator view and events, fetched again only when the
          // workload document changes (or every tenth poll, to be safe).
          const details = new Map();
          let pollCount = 0;
          let clockNow = null;
          let clockMode = "manual";

          async function refresh() {
            pollCount += 1;
            let ok = true;
            const clock = await call("GET", "/__emulator/clock");
            if (clock.status === 200 && clock.data) renderClock(clock.data); else ok = false;

            const faults = await call("GET", "/__emulator/faults");
            if (faults.status === 200 && faults.data) renderFaults(faults.data.data || []); else ok = false;

            const list = await call("GET", "/api/v2/workloads?limit=100&orderBy=createdAt");
            if (list.status === 200 && list.data && Array.isArray(list.data.data)) {
              const items = list.data.data;
              await Promise.all(items.map(loadDetails));
              const ids = new Set(items.map((w) => w.id));
              for (const id of details.keys()) if (!ids.has(id)) details.delete(id);
              renderWorkloads(items, list.data.totalCount);
              await renderHidden(list.data.totalCount);
            } else {
              ok = false;
              setConnection("error", describe("GET", "/api/v2/workloads", list));
              return;
            }
            setConnection(ok ? "ok" : "error", ok ? "live" : "some requests failed");
          }

          // The API lists only what the token may see; the sandbox's own
          // count says whether other users own more, so the page can say so.
          async function renderHidden(visible) {
            const r = await call("GET", "/__emulator/sandboxes");
            const rows = r.status === 200 && r.data && Array.isArray(r.data.data) ? r.data.data : [];
            const mine = rows.find((row) => row.name === sandbox);
            const others = mine && typeof visible === "number" ? mine.workloads - visible : 0;
            const p = $("workloads-hidden");
            p.hidden = !(others > 0);
            setText(p, others > 0
              ? others + " more workload" + (others === 1 ? "" : "s") + " in this sandbox belong to other users: " +
                "type an owner's token above to see " + (others === 1 ? "it." : "them.")
              : "");
          }

          async function loadDetails(w) {
            const key = [w.updatedAt, w.status, w.artifact && w.artifact.status, w.protonId].join("|");
            const known = details.get(w.id);
            if (known && known.key === key && pollCount % 10 !== 0) return;
            const [view, events] = await Promise.all([
              call("GET", "/__emulator/workloads/" + encodeURIComponent(w.id)),
              call("GET", "/api/v2/workloads/" + encodeURIComponent(w.id) + "/events?limit=1000"),
            ]);
            details.set(w.id, {
              key,
              expiresAt: view.status === 200 && view.data ? view.data.expiresAt : (known ? known.expiresAt : null),
              events: events.status === 200 && events.data && Array.isArray(events.data.data) ? events.data.data : (known ? known.events : []),
            });
          }

          function setConnection(state, text) {
            const c = $("connection");
            setData(c, "state", state);
            setText(c, text);
          }

          // ---- clock -----------------------------------------------------------------
          function renderClock(c) {
            clockNow = ms(c.now);
            clockMode = c.mode;
            setText($("clock-now"), shortTime(c.now));
            setText($("clock-mode"), c.mode);
            setText($("clock-scale"), c.mode === "real" && c.scale !== 1 ? " ×" + c.scale : "");
            setText($("clock-toggle"), c.mode === "manual" ? "Switch to real" : "Switch to manual");
          }

          // ---- workloads ---------------------------------------------------------------
          function renderWorkloads(items, total) {
            const body = $("workloads");
            const rows = new Map();
            for (const tr of body.querySelectorAll("tr[data-workload-id]")) rows.set(tr.dataset.workloadId, tr);
            let previous = null;
            for (const w of items) {
              let tr = rows.get(w.id);
              if (!tr) tr = workloadRow(w.id);
              rows.delete(w.id);
              updateWorkloadRow(tr, w);
              const want = previous ? previous.nextSibling : body.firstChild;
              if (tr !== want) body.insertBefore(tr, want);
              previous = tr;
            }
            for (const tr of rows.values()) tr.remove();
            $("workloads-empty").hidden = items.length > 0;
            const count = typeof total === "number" && total > items.length
              ? items.length + " of " + total + " (oldest first)"
              : String(items.length);
            setText($("workload-count"), count);
          }

          function workloadRow(id) {
            const button = (action, label, cls) =>
              el("button", { type: "button", class: cls, "data-action": action, "data-workload-id": id }, label);
            return el("tr", { "data-workload-id": id },
              el("td", { "data-field": "name" },
                el("div", { "data-field": "name-text" }),
                el("div", { class: "mono muted", "data-field": "id" }, id)),
              el("td", {}, el("span", { class: "status", "data-field": "status" })),
              el("td", { "data-field": "artifact" },
                el("div", { "data-field": "artifact-name" }),
                el("span", { class: "artifact-status", "data-field": "artifact-status" })),
              el("td", {}, el("span", { class: "ttl mono", "data-field": "ttl" })),
              el("td", {}, el("div", { class: "timeline", "data-field": "timeline" })),
              el("td", {}, el("div", { class: "actions" },
                button("start", "Start"), button("stop", "Stop"), button("promote", "Promote"),
                button("delete", "Delete", "danger"))));
          }

          function field(tr, name) { return tr.querySelector('[data-field="' + name + '"]'); }

          function updateWorkloadRow(tr, w) {
            setText(field(tr, "name-text"), w.name);
            const status = field(tr, "status");
            setText(status, w.status);
            setData(status, "status", w.status);
            setData(tr, "status", w.status);

            const a = w.artifact || {};
            setText(field(tr, "artifact-name"), (a.name || w.artifactId || "") + (a.version ? " v" + a.version : ""));
            const as = field(tr, "artifact-status");
            setText(as, a.status || "?");
            setData(as, "status", a.status || "");

            const d = details.get(w.id) || { expiresAt: null, events: [] };
            const ttl = field(tr, "ttl");
            const expires = d.expiresAt ? ms(d.expiresAt) : null;
            if (expires !== null && clockNow !== null) {
              const left = expires - clockNow;
              setText(ttl, duration(left));
              ttl.title = "expires at " + shortTime(d.expiresAt);
              setData(ttl, "level", left <= 600000 ? "urgent" : left <= 3600000 ? "soon" : "ok");
            } else {
              setText(ttl, a.status === "locked" ? "no TTL" : "—");
              ttl.title = "";
              setData(ttl, "level", "none");
            }
            renderTimeline(field(tr, "timeline"), d.events);

            const busy = ACTIVE.has(w.status);
            setDisabled(tr, "start", busy);
            setDisabled(tr, "stop", w.status === "stopped" || w.status === "stopping");
            setDisabled(tr, "promote", a.status !== "draft" || w.status !== "running");
          }

          function setDisabled(tr, action, value) {
            const b = tr.querySelector('button[data-action="' + action + '"]');
            if (b && b.disabled !== value) b.disabled = value;
          }

          // One square per state the workload entered, oldest first; markers for
          // starts, stops and promotions. The title of each holds the clock time.
          const MAX_STEPS = 24;
          const MARKS = { started: "▶", stopped: "■", promoted: "★" };
          function renderTimeline(node, events) {
            const signature = events.length + ":" + (events.length ? events[events.length - 1].id : "");
            if (node.dataset.signature === signature) return;
            node.dataset.signature = signature;
            const steps = [];
            const mark = (symbol, what, ts) => el("span", { class: "mark", title: what + " at " + shortTime(ts) }, symbol);
            const step = (status, ts) => el("span", { class: "step", "data-status": status, title: status + " at " + shortTime(ts) });
            let current = null;
            for (const e of events) {
              const from = e.details && e.details.from;
              const to = e.details && e.details.to;
              // A state entered without an event of its own (the first one, when the
              // log has no creation event) still gets its square.
              if (from && from !== current) steps.push(step(from, e.timestamp));
              if (to) { steps.push(step(to, e.timestamp)); current = to; }
              else if (MARKS[e.eventType]) steps.push(mark(MARKS[e.eventType], e.eventType, e.timestamp));
              else if (e.type === "Warning") steps.push(mark("!", e.message || e.reason || "warning", e.timestamp));
            }
            const shown = steps.length > MAX_STEPS ? [el("span", { class: "mark" }, "…"), ...steps.slice(-MAX_STEPS)] : steps;
            const last = events.length ? events[events.length - 1] : null;
            if (last) shown.push(el("span", { class: "last" }, last.reason || last.eventType));
            node.replaceChildren(...shown);
          }

          // ---- faults ----------------------------------------------------------------
          function renderFaults(rules) {
            const body = $("faults");
            const signature = JSON.stringify(rules.map((r) => [r.id, r.fired]));
            if (body.dataset.signature !== signature) {
              body.dataset.signature = signature;
              body.replaceChildren(...rules.map(faultRow));
            }
            $("faults-empty").hidden = rules.length > 0;
            setText($("fault-count"), String(rules.length));
          }

          function faultRow(r) {
            const m = r.match || {};
            const what = [r.action];
            if (r.status !== undefined) what.push(String(r.status));
            if (r.delayMs !== undefined) what.push(r.delayMs + " ms");
            if (r.state) what.push("in " + r.state);
            if (r.message) what.push("“" + r.message + "”");
            const where = [m.method || "any", m.path || "*"].join(" ") + (m.workloadId ? " workload " + m.workloadId : "");
            const fired = r.fired + (r.times !== null && r.times !== undefined ? " / " + r.times : "");
            return el("tr", { "data-fault-id": r.id },
              el("td", {},
                el("div", { "data-field": "fault-action" }, what.join(" ")),
                el("div", { class: "mono muted" }, where),
                el("div", { class: "mono muted" }, r.id)),
              el("td", { "data-field": "fired" }, fired),
              el("td", {}, el("button", { type: "button", class: "danger", "data-action": "remove-fault", "data-fault-id": r.id }, "Remove")));
          }

          function syncFaultForm() {
            const action = $("fault-action").value;
            for (const n of document.querySelectorAll("#fault-form [data-for]")) {
              n.hidden = !n.dataset.for.split(" ").includes(action);
            }
          }
          $("fault-action").addEventListener("change", syncFaultForm);
          syncFaultForm();

          function faultBody() {
            const action = $("fault-action").value;
            const body = { action };
            const match = {};
            if ($("fault-method").value) match.method = $("fault-method").value;
            if ($("fault-path").value.trim()) match.path = $("fault-path").value.trim();
            if (Object.keys(match).length) body.match = match;
            if (action === "respond") body.status = Number($("fault-status").value || 500);
            if (action === "delay") body.delayMs = Number($("fault-delay").value || 0);
            if (action === "hold") body.state = $("fault-state").value;
            if ((action === "launchFailure" || action === "replacementFailure") && $("fault-message").value.trim()) {
              body.message = $("fault-message").value.trim();
            }
            if ($("fault-times").value) body.times = Number($("fault-times").value);
            return body;
          }

          // ---- actions -----------------------------------------------------------------
          // Each runs in the queue, says what happened, and refreshes at once.
          async function act(method, path, body, done) {
            const r = await call(method, path, body);
            if (r.status >= 200 && r.status < 300) notice(done(r), "info");
            else notice(describe(method, path, r), "error");
            await refresh();
            return r;
          }

          const workloadActions = {
            start: (id) => act("POST", "/api/v2/workloads/" + id + "/start", undefined, (r) => "Start " + id + ": " + r.data.status),
            stop: (id) => act("POST", "/api/v2/workloads/" + id + "/stop", undefined, (r) => "Stop " + id + ": " + r.data.status),
            promote: (id) => act("POST", "/api/v2/workloads/" + id + "/promote", undefined,
              () => "Promoted " + id + ": artifact locked, TTL removed"),
            delete: (id) => act("DELETE", "/api/v2/workloads/" + id, undefined, () => "Deleted " + id),
          };

          function advance(seconds, label) {
            return act("POST", "/__emulator/clock/advance", { seconds }, (r) =>
              "Advanced " + label + " to " + shortTime(r.data.now) + ": " + r.data.firedCount + " transition(s) fired");
          }

          const actions = {
            "advance-1m": () => advance(60, "1 min"),
            "advance-1h": () => advance(3600, "1 h"),
            "advance-8h": () => advance(28800, "8 h"),
            "toggle-clock-mode": () => {
              const body = clockMode === "manual" ? { mode: "real", scale: Number($("real-scale").value) || 1 } : { mode: "manual" };
              return act("PUT", "/__emulator/clock", body, (r) => "Clock is now " + r.data.mode);
            },
            "remove-fault": (button) => {
              const id = button.dataset.faultId;
              return act("DELETE", "/__emulator/faults/" + encodeURIComponent(id), undefined, () => "Removed fault rule " + id);
            },
            "remove-all-faults": () => act("DELETE", "/__emulator/faults", undefined, () => "Removed every fault rule"),
          };

          document.addEventListener("click", (event) => {
            const button = event.target.closest("button[data-action]");
            if (!button || button.type === "submit" || button.disabled) return;
            const action = button.dataset.action;
            const id = button.dataset.workloadId;
            if (id && workloadActions[action]) enqueue(() => workloadActions[action](encodeURIComponent(id)));
            else if (actions[action]) enqueue(() => actions[action](button));
          });

          $("fault-form").addEventListener("submit", (event) => {
            event.preventDefault();
            const body = faultBody();
            enqueue(() => act("POST", "/__emulator/faults", body, (r) => "Added fault rule " + r.data.id));
          });

          $("create-form").addEventListener("submit", (event) => {
            event.preventDefault();
            const name = $("create-name").value.trim();
            if (!name) return;
            const body = { name, artifact: { name: name + "-artifact", spec: { containerGroups: [] } } };
            enqueue(() => act("POST", "/api/v2/workloads", body, (r) => {
              $("create-name").value = "";
              return "Created " + r.data.id + " (" + r.data.status + ")";
            }));
          });

          poll();
        })();
        </script>
        </body>
        </html>
        """#
}

// The web view: polls the REST API and redraws each panel. Every value from the
// graph or the feeds is untrusted text: the DOM is built with createElement and
// textContent only, never from HTML strings.

const POLL_MS = 2500;
const MAX_ROWS = 500;
const FEED_LIMIT = 50;

const SOURCES = {
  systems: "/api/systems",
  graph: "/api/graph",
  switchPorts: "/api/switch-ports",
  unmonitored: "/api/unmonitored",
  drift: `/api/drift?limit=${FEED_LIMIT}`,
  events: `/api/events?limit=${FEED_LIMIT}`,
};

/** An element with text content, attributes and children; never parses HTML. */
function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.text !== undefined) node.textContent = String(options.text);
  if (options.className) node.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

const $ = (id) => document.getElementById(id);
const text = (value) => (value === null || value === undefined ? "" : String(value));
/** "2026-03-01T10:03:00.000Z" → "2026-03-01 10:03:00Z": the same instant, easier to scan. */
const shortTime = (iso) =>
  text(iso)
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
const pad = (n) => String(n).padStart(2, "0");
const clock = (date) =>
  `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;

function showNote(id, message) {
  const note = $(id);
  note.textContent = message ?? "";
  note.hidden = !message;
}

/** The values the stylesheet has a class for; values are untrusted, so no other one makes a class. */
const KNOWN_VALUES = {
  status: new Set(["up", "down", "unknown"]),
  change: new Set(["added", "changed", "removed"]),
  severity: new Set(["critical", "warning", "info"]),
};
/** "status-up" for a known status, "status-unknown" for anything else; likewise change and severity. */
const valueClass = (kind, value) => `${kind}-${KNOWN_VALUES[kind].has(value) ? value : "unknown"}`;

function statusCell(status) {
  return el("td", {
    text: text(status) || "unknown",
    className: `status ${valueClass("status", status)}`,
  });
}

function renderHosts(rows) {
  const body = $("hosts").tBodies[0];
  body.replaceChildren(
    ...rows.map((row) =>
      el(
        "tr",
        {
          className: row.gone_since ? "retired" : "",
          attrs: { "data-key": text(row.key), "data-status": text(row.status) },
        },
        [
          el("td", { text: row.name, className: "name" }),
          el("td", { text: row.kind }),
          statusCell(row.status),
          el("td", { text: shortTime(row.status_since), className: "time" }),
          el("td", { text: row.status_reason }),
        ],
      ),
    ),
  );
  const live = rows.filter((r) => !r.gone_since);
  const count = (test) => live.filter(test).length;
  $("counts").textContent =
    `${count((r) => r.kind === "host")} hosts, ${count((r) => r.kind === "switch")} switches, ${count((r) => r.status === "down")} down`;
}

const GRAPH_STYLE = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "background-color": "#7d8590",
      "font-size": 11,
      "text-valign": "bottom",
      "text-margin-y": 4,
    },
  },
  { selector: 'node[status = "up"]', style: { "background-color": "#1a7f37" } },
  { selector: 'node[status = "down"]', style: { "background-color": "#cf222e" } },
  {
    selector: "edge",
    style: {
      width: 2,
      "line-color": "#8c959f",
      "target-arrow-color": "#8c959f",
      "target-arrow-shape": "triangle",
      "curve-style": "bezier",
    },
  },
];

let cy = null;
let graphShape = "";

function renderGraph(graph) {
  const container = $("graph");
  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
  const shape = JSON.stringify([graph.nodes.map((n) => n.id), graph.edges]);
  if (typeof cytoscape === "function") {
    cy ??= cytoscape({ container, style: GRAPH_STYLE, wheelSensitivity: 0.2 });
    if (shape !== graphShape) {
      cy.elements().remove();
      cy.add([
        ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.name, status: n.status } })),
        ...graph.edges.map((e) => ({
          data: { id: `${e.source}\u0000${e.target}`, source: e.source, target: e.target },
        })),
      ]);
      cy.layout({ name: "breadthfirst", directed: true, padding: 20, animate: false }).run();
    }
    for (const n of graph.nodes) cy.getElementById(n.id).data({ label: n.name, status: n.status });
  }
  graphShape = shape;
  container.setAttribute("data-nodes", String(graph.nodes.length));
  container.setAttribute("data-edges", String(graph.edges.length));
  $("graph-edges").replaceChildren(
    ...graph.edges.map((e) =>
      el("li", {
        text: `${names.get(e.source) ?? e.source} → ${names.get(e.target) ?? e.target}: ${e.services.join(", ")}`,
      }),
    ),
  );
  let note = graph.edges.length === 0 ? "no dependencies between hosts yet" : "";
  if (graph.truncated) note = `only the first ${graph.nodes.length} hosts are drawn`;
  showNote("graph-note", note);
}

function renderSwitches(rows, systems) {
  const status = new Map(systems.map((s) => [s.key, s.status]));
  const switches = new Map();
  for (const row of rows) {
    const key = text(row.switch_key);
    if (!switches.has(key)) switches.set(key, { name: text(row.switch), ports: new Map() });
    const ports = switches.get(key).ports;
    const port = text(row.port_id);
    if (!ports.has(port)) ports.set(port, { row, hosts: [] });
    ports.get(port).hosts.push(row);
  }
  const items = [...switches].map(([key, sw]) =>
    el("li", { className: "switch", attrs: { "data-key": key } }, [
      el("span", { text: sw.name, className: "name" }),
      " ",
      el("span", {
        text: text(status.get(key)) || "unknown",
        className: `status ${valueClass("status", status.get(key))}`,
      }),
      el(
        "ul",
        {},
        [...sw.ports].map(([portId, port]) => {
          const details = [
            port.row.vlan_id === null ? "" : `vlan ${port.row.vlan_id}`,
            text(port.row.port_description),
          ].filter(Boolean);
          return el("li", { className: "port" }, [
            el("span", { text: portId, className: "port-id" }),
            details.length ? ` (${details.join(", ")})` : "",
            el(
              "ul",
              {},
              port.hosts.map((h) =>
                el("li", {
                  className: "host",
                  text: `${text(h.host)} ${text(h.interface)} ${text(h.mac)}`,
                }),
              ),
            ),
          ]);
        }),
      ),
    ]),
  );
  $("switches").replaceChildren(...items);
  if (items.length === 0)
    $("switches").append(el("li", { text: "no switch seen yet", className: "note" }));
}

function renderUnmonitored(rows) {
  $("unmonitored").tBodies[0].replaceChildren(
    ...rows.slice(0, MAX_ROWS).map((row) =>
      el("tr", {}, [
        el("td", { text: row.host }),
        el("td", { text: row.name }),
        el("td", { text: row.user }),
        el("td", {
          text: Array.isArray(row.listens) ? row.listens.join(", ") : text(row.listens),
        }),
      ]),
    ),
  );
  let note = rows.length === 0 ? "every listening service is monitored" : "";
  if (rows.length > MAX_ROWS) note = `showing ${MAX_ROWS} of ${rows.length}`;
  showNote("unmonitored-note", note);
}

const value = (v) => (typeof v === "string" ? v : JSON.stringify(v));

/** A host by its machine id, named when the graph knows it. */
const hostNamed = (names, machine) => names.get(`host:${machine}`) ?? machine;

/**
 * What a drift entry is about, in words: a host or switch by name; a service
 * or package by its name and host; a dependency by its two hosts and port.
 * Record ids (exporters/map-*.ts) carry the machine ids; the id itself is the
 * entry's title.
 */
function driftSubject(entry, names) {
  const id = text(entry.id);
  const fields = entry.fields && typeof entry.fields === "object" ? entry.fields : {};
  const named = (name) => (typeof name === "string" ? name : undefined);
  const service = /^service:([^:]+):/.exec(id);
  if (service) {
    const name = named(fields.name);
    return `${name ?? "a service"} on ${hostNamed(names, service[1])}`;
  }
  const pkg = /^package:([^:]+):[^:]*:(.*):[^:]*$/.exec(id);
  if (pkg) return `${pkg[2]} on ${hostNamed(names, pkg[1])}`;
  const dependency = /^dependency:([^:]+):[^-]*->([^:]+):[^:]*:(.*)$/.exec(id);
  if (dependency) {
    const [, client, server, port] = dependency;
    return `${hostNamed(names, client)} → ${hostNamed(names, server)} ${port}`;
  }
  const name = names.get(id) ?? named(fields.name);
  return name ?? id;
}

/** A drift entry in words (its id is the title). */
function driftText(entry, names) {
  const head = `${text(entry.at)} ${text(entry.change)} ${text(entry.kind)} ${driftSubject(entry, names)}`;
  if (entry.change === "changed") {
    return `${head} ${text(entry.field)}: ${value(entry.old)} → ${value(entry.new)}`;
  }
  return head;
}

function eventText(event) {
  const who = event.hostname ?? event.switch ?? event.system;
  return `${text(event.time)} ${text(event.type)} ${text(who)}: ${text(event.reason)}`;
}

function renderFeed(id, answer, describe, className, title = () => undefined) {
  const newestFirst = [...answer.entries].reverse();
  $(id).replaceChildren(
    ...newestFirst.map((entry) => {
      const tip = title(entry);
      return el("li", {
        text: describe(entry),
        className: className(entry),
        ...(tip === undefined ? {} : { attrs: { title: text(tip) } }),
      });
    }),
  );
  const note = answer.entries.length === 0 ? (answer.note ?? "nothing yet") : "";
  showNote(`${id}-note`, note);
}

function showError(failures) {
  const banner = $("error-banner");
  if (failures.length === 0) {
    banner.hidden = true;
    banner.textContent = "";
    return;
  }
  const unreachable = failures.every((f) => f.unreachable);
  banner.textContent = unreachable
    ? `The API is unreachable (${failures[0].path}); showing the last data received.`
    : `The API failed: ${failures.map((f) => `${f.path}: ${f.message}`).join("; ")}`;
  banner.hidden = false;
}

class Unreachable extends Error {}

async function getJson(path) {
  let response;
  try {
    response = await fetch(path, { headers: { accept: "application/json" } });
  } catch (error) {
    throw new Unreachable(error.message);
  }
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      message += ` ${(await response.json()).message}`;
    } catch {
      // The body was not the API's JSON error; the status says enough.
    }
    throw new Error(message);
  }
  return response.json();
}

const failure = (path, error) => ({
  path,
  message: error instanceof Error ? error.message : String(error),
  unreachable: error instanceof Unreachable,
});

async function refresh() {
  const names = Object.keys(SOURCES);
  const settled = await Promise.allSettled(names.map((name) => getJson(SOURCES[name])));
  const data = {};
  const failures = [];
  settled.forEach((result, i) => {
    if (result.status === "fulfilled") data[names[i]] = result.value;
    else failures.push(failure(SOURCES[names[i]], result.reason));
  });
  const panels = [
    ["systems", () => renderHosts(data.systems.rows)],
    ["graph", () => renderGraph(data.graph)],
    ["switchPorts", () => renderSwitches(data.switchPorts.rows, data.systems?.rows ?? [])],
    ["unmonitored", () => renderUnmonitored(data.unmonitored.rows)],
    [
      "drift",
      () => {
        const names = new Map((data.systems?.rows ?? []).map((s) => [s.key, s.name]));
        renderFeed(
          "drift",
          data.drift,
          (e) => driftText(e, names),
          (e) => valueClass("change", e.change),
          (e) => e.id,
        );
      },
    ],
    [
      "events",
      () => renderFeed("events", data.events, eventText, (e) => valueClass("severity", e.severity)),
    ],
  ];
  for (const [name, render] of panels) {
    if (!data[name]) continue;
    try {
      render();
    } catch (error) {
      failures.push(failure(SOURCES[name], error));
    }
  }
  showError(failures);
  if (failures.length < names.length) $("updated").textContent = `updated ${clock(new Date())}`;
}

async function poll() {
  try {
    await refresh();
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();

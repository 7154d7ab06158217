/* The management page: STAR's two measures now, projected and over the past
 * 12 months; overdue and due-soon obligations; caseload against the norms.
 * Every figure comes from the console's read-only /api/ (the services'
 * own endpoints); nothing is computed here but formatting. */
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const THRESHOLD = 0.2;

function $(sel) { return document.querySelector(sel); }
function fig(name) { return document.querySelector(`[data-figure="${name}"]`); }
function pct(x) { return (x * 100).toFixed(1).replace(".", ",") + " %"; }
function iso(d) { return d.toISOString().slice(0, 10); }

async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

/* Scheduling's and offers' measures, read into one shape. */
function timeliness(m) {
  return { share: m.share, short: m.short_of_required, population: m.population, breach: m.breach,
           sufficient: m.population_sufficient,
           p4: m.projected_4_weeks && m.projected_4_weeks.share, p8: m.projected_8_weeks && m.projected_8_weeks.share };
}
function activeOffer(m) {
  const ahead = w => { const p = (m.projection || []).find(x => x.weeks_ahead === w); return p && p.figure.share; };
  return { share: m.share, short: m.without_active_offer, population: m.cohort, breach: m.breach,
           sufficient: m.population_sufficient, p4: ahead(4), p8: ahead(8) };
}

function showMeasure(prefix, m) {
  fig(`${prefix}-share`).textContent = pct(m.share);
  fig(`${prefix}-short`).textContent = m.short;
  fig(`${prefix}-population`).textContent = m.population;
  const badge = fig(`${prefix}-breach`);
  badge.textContent = m.breach ? "Over grænsen på 20 %" : "Under grænsen på 20 %";
  badge.className = "badge " + (m.breach ? "breach" : "ok");
  fig(`${prefix}-p4`).textContent = m.p4 === undefined ? "–" : pct(m.p4);
  fig(`${prefix}-p8`).textContent = m.p8 === undefined ? "–" : pct(m.p8);
}

function unavailable(prefix) {
  fig(`${prefix}-share`).textContent = "ikke tilgængelig";
  for (const k of ["short", "population", "p4", "p8"]) fig(`${prefix}-${k}`).textContent = "–";
  const badge = fig(`${prefix}-breach`);
  badge.textContent = "tjenesten svarer ikke";
  badge.className = "badge small";
}

function monthEnds(today, n) {
  const out = [];
  for (let i = n - 1; i >= 1; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - i + 1, 0));
    out.push(d);
  }
  out.push(today);
  return out;
}

function chart(points) {
  const w = 900, h = 220, left = 44, bottom = 24, top = 10;
  const max = Math.max(0.3, ...points.flatMap(p => [p.m1 || 0, p.m2 || 0])) * 1.1;
  const x = i => left + i * (w - left - 10) / Math.max(1, points.length - 1);
  const y = v => top + (h - top - bottom) * (1 - v / max);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const add = (tag, attrs, text) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    svg.appendChild(el);
    return el;
  };
  for (let v = 0; v <= max; v += 0.1) {
    add("line", { x1: left, x2: w - 10, y1: y(v), y2: y(v), stroke: "#e3e8ef" });
    add("text", { x: 4, y: y(v) + 4, "font-size": 11, fill: "#6b7280" }, pct(v).replace(",0", ""));
  }
  add("line", { x1: left, x2: w - 10, y1: y(THRESHOLD), y2: y(THRESHOLD), stroke: "#c62828",
                "stroke-dasharray": "6 4", "stroke-width": 1.5 });
  points.forEach((p, i) => add("text", { x: x(i) - 16, y: h - 6, "font-size": 11, fill: "#6b7280" },
                                p.label));
  for (const [key, color] of [["m1", "#1f77b4"], ["m2", "#ff7f0e"]]) {
    const pts = points.map((p, i) => p[key] === undefined ? null : `${x(i)},${y(p[key])}`).filter(Boolean);
    if (pts.length) add("polyline", { points: pts.join(" "), fill: "none", stroke: color, "stroke-width": 2.5 });
    points.forEach((p, i) => {
      if (p[key] !== undefined) add("circle", { cx: x(i), cy: y(p[key]), r: 3, fill: color });
    });
  }
  $("#chart").replaceChildren(svg);
}

const KINDS = { meeting: "samtale", reassessment: "revurdering (uge 22)", youth_contact: "kontakt (unge)" };

function obligationRows(tbody, items) {
  tbody.replaceChildren(...items.map(o => {
    const tr = document.createElement("tr");
    const what = `${KINDS[o.kind] || o.kind} ${o.ordinal}`;
    for (const text of [o.case_id.slice(0, 8), o.due_date, what, o.caseworker_id || "–"]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  }));
}

function caseloadRows(items) {
  const rows = items.filter(c => c.active).sort((a, b) => b.load - a.load);
  fig("caseworkers-count").textContent = rows.length;
  $("#caseload tbody").replaceChildren(...rows.map(c => {
    const tr = document.createElement("tr");
    const cells = [c.name || c.caseworker_id, c.team_id, String(c.open_cases)];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    const td = document.createElement("td");
    const bar = document.createElement("span");
    bar.className = "bar" + (c.over_norm ? " over" : "");
    const fill = document.createElement("span");
    fill.style.width = Math.min(100, c.load * 100).toFixed(0) + "%";
    bar.appendChild(fill);
    td.append(bar, " " + c.load.toFixed(2).replace(".", ","));
    td.dataset.caseworker = c.caseworker_id;
    tr.appendChild(td);
    return tr;
  }));
}

async function load() {
  // "today" is the services' today (scheduling answers with it)
  const first = await api("/api/measures/timeliness?target_group=sygedagpenge-beskaeftiget");
  const today = new Date(first.as_of + "T00:00:00Z");
  $("#as-of").textContent = first.as_of;
  const q = (group, d) => `target_group=${group}&as_of=${iso(d)}`;
  const [m1, m2, overdue, dueSoon, caseworkers] = await Promise.all([
    Promise.resolve(timeliness(first)),
    api(`/api/measures/active-offer?${q("a-dagpenge", today)}`).then(activeOffer).catch(() => null),
    api("/api/obligations?list=overdue&limit=15"),
    api("/api/obligations?list=due_soon&within_days=14&limit=15"),
    api("/api/caseworkers"),
  ]);
  showMeasure("m1", m1);
  if (m2) showMeasure("m2", m2);
  else unavailable("m2");
  obligationRows($("#overdue tbody"), overdue.items);
  fig("overdue-count").textContent = overdue.items.length + (overdue.next_cursor ? "+" : "");
  obligationRows($("#duesoon tbody"), dueSoon.items);
  fig("duesoon-count").textContent = dueSoon.items.length + (dueSoon.next_cursor ? "+" : "");
  caseloadRows(caseworkers.items);

  const months = monthEnds(today, 12);
  const series = await Promise.all(months.map(async d => {
    const [a, b] = await Promise.all([
      api(`/api/measures/timeliness?${q("sygedagpenge-beskaeftiget", d)}`).then(timeliness),
      api(`/api/measures/active-offer?${q("a-dagpenge", d)}`).then(activeOffer).catch(() => null),
    ]);
    return { label: iso(d).slice(2, 7), m1: a.population ? a.share : undefined,
             m2: b && b.population ? b.share : undefined };
  }));
  chart(series);
  $("#status").textContent = `Opdateret ${new Date().toLocaleString("da-DK")}`;
  document.body.dataset.loaded = "true";
}

load().catch(err => {
  $("#status").textContent = "Kunne ikke hente tallene: " + err.message;
  $("#status").className = "error";
  document.body.dataset.loaded = "error";
});

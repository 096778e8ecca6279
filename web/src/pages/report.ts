// A department's handoff report: a headline of what matters most, every figure of `relmap report`
// with its trend, partners sortable and linked, counts linked to their cases; printable, downloadable.
import { apiPath, departmentPath, getJson, getText } from "../api";
import { trendChart } from "../charts";
import { casesHref, count, departmentHref, download, duration, h, mapHref, percent, replaceChildren, sortableTable, type Column } from "../dom";
import type { Page, Route } from "./page";

interface Figure { column: string; value: number | null; previous: number | null; change: number | null }
interface Row { label: string; key?: string; figures: Figure[] }
interface Section { id: string; title: string; columns: string[]; rows: Row[] }
interface Report {
  department: string;
  name: string;
  watermark: string | null;
  window: { from: string | null; to: string | null };
  previous_window: { from: string | null; to: string | null } | null;
  notes: string[];
  sections: Section[];
}

type Kind = "rate" | "time" | "ratio" | "count";
function kindOf(label: string): Kind {
  const text = label.toLowerCase();
  if (text.includes("imbalance")) return "ratio";
  if (text.includes("rate") || text.includes("ratio") || text.includes("yes")) return "rate";
  if (text.includes("time") || text.includes("median") || text.includes("p90")) return "time";
  return "count";
}
function formatValue(kind: Kind, value: number | null): string {
  if (value === null) return "–";
  if (kind === "rate") return percent(value, 1);
  if (kind === "time") return duration(value);
  if (kind === "ratio") return value.toFixed(2);
  return count(value);
}
function formatChange(kind: Kind, change: number | null): string {
  if (change === null) return "";
  const sign = change > 0 ? "+" : change < 0 ? "−" : "±";
  const size = Math.abs(change);
  if (kind === "rate") return `${sign}${(size * 100).toFixed(1)} points`;
  if (kind === "time") return `${sign}${duration(size)}`;
  if (kind === "ratio") return `${sign}${size.toFixed(2)}`;
  return `${sign}${count(size)}`;
}

// The summary rows that have a trend, by the start of their label, and the metric the API names it.
const trendOf: [string, string][] = [
  ["Requests received", "requests"], ["\"Not my role\" rate", "not_my_role_rate"], ["Dead-end rate", "dead_end_rate"],
  ["Give ratio", "give_ratio"], ["Response time when answering, median", "response_time_p50"], ["\"Did we solve", "solved_share"],
];

function headline(report: Report): string {
  const summary = report.sections.find((s) => s.id === "summary");
  const figure = (start: string) => summary?.rows.find((row) => row.label.startsWith(start))?.figures[0];
  const name = report.name || report.department;
  const against = report.previous_window ? " against the period before" : "";
  const received = figure("Requests received");
  const notMine = figure("\"Not my role\" rate");
  const deadEnd = figure("Dead-end rate");
  if (received && (received.value ?? 0) > 0) {
    const rates = [{ verb: "declined", how: "as not its role", f: notMine }, { verb: "left", how: "at a dead end", f: deadEnd }].filter((r) => r.f && r.f.value !== null);
    rates.sort((a, b) => Math.abs(b.f!.change ?? 0) - Math.abs(a.f!.change ?? 0) || (b.f!.value ?? 0) - (a.f!.value ?? 0));
    const top = rates[0];
    if (top) {
      const change = top.f!.change === null ? "" : ` (${formatChange("rate", top.f!.change)}${against})`;
      return `${name} ${top.verb} ${percent(top.f!.value, 0)} of the ${count(received.value)} requests it received ${top.how}${change}.`;
    }
  }
  const handedIn = figure("Handoffs in");
  const handedOut = figure("Handoffs out");
  if (handedIn || handedOut) {
    return `${name} took over ${count(handedIn?.value ?? 0)} cases and handed on ${count(handedOut?.value ?? 0)}` +
      (handedIn?.change ? ` (${formatChange("count", handedIn.change)} taken over${against})` : "") + ".";
  }
  return `${name} has no requests or handoffs in this period.`;
}

export async function reportPage(root: HTMLElement, route: Route): Promise<Page> {
  const id = route.segments[1];
  const window = { from: route.query.get("from") ?? "", to: route.query.get("to") ?? "" };
  const draw = async () => {
    const path = apiPath(departmentPath(id, "/report"), window);
    const report = await getJson<Report>(path);
    const name = report.name || report.department;
    const casesOf = (state?: string) => casesHref(report.department, state);
    const period = (w: { from: string | null; to: string | null } | null) => (w ? `${w.from ?? "start"} to ${w.to ?? "now"}` : "");

    const summary = report.sections.find((s) => s.id === "summary");
    const empty = (row: Row) => row.figures.every((f) => !f.value && !f.previous);
    const summaryRows = summary?.rows.filter((row) => !empty(row)) ?? [];
    const leftOut = summary?.rows.filter(empty).map((row) => row.label) ?? [];
    const trendCells = new Map<string, HTMLElement>();
    const summaryTable = h("table", { class: "data summary", "data-testid": "summary" },
      h("caption", {}, `${period(report.window)}, against ${period(report.previous_window)}`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Figure"), h("th", { scope: "col", class: "num" }, "Now"), h("th", { scope: "col", class: "num" }, "Before"),
        h("th", { scope: "col", class: "num" }, "Change"), h("th", { scope: "col" }, "Trend by week"))),
      h("tbody", {}, ...summaryRows.map((row) => {
        const kind = kindOf(row.label);
        const f = row.figures[0];
        const linked = row.label.startsWith("Requests received") || row.label.startsWith("Handoffs") ? casesOf() : row.label.startsWith("Dead-end") || row.label.startsWith("\"Not my role\"") || row.label.startsWith("Cases that ended in a dead end") ? casesOf("dead_end") : null;
        const cell = h("td", { class: "trend-cell" });
        const metric = trendOf.find(([start]) => row.label.startsWith(start))?.[1];
        if (metric) trendCells.set(metric, cell);
        return h("tr", { "data-figure": row.label }, h("th", { scope: "row" }, row.label),
          h("td", { class: "num" }, linked ? h("a", { href: linked, title: "the cases behind it" }, formatValue(kind, f.value)) : formatValue(kind, f.value)),
          h("td", { class: "num" }, formatValue(kind, f.previous)), h("td", { class: "num" }, formatChange(kind, f.change)), cell);
      })));

    const partnerSection = (section: Section) => {
      const title = section.id === "ping_pong" ? "Handoff partners and ping-pong" : section.title;
      if (section.rows.length === 0) return h("section", { class: "report-section" }, h("h2", {}, title), h("p", { class: "muted" }, "None in this period."));
      const columns: Column<Row>[] = [
        { title: section.id === "topics" ? "Topic" : "Partner", value: (row) => row.label,
          cell: (row) => (section.id === "topics" || !row.key ? row.label : h("a", { href: departmentHref(row.key) }, row.label)) },
        ...section.columns.map((column, index): Column<Row> => {
          const kind = kindOf(column);
          const state = section.id === "dead_ends_caused" && index < 3 ? "dead_end" : section.id === "ping_pong" && index < 2 ? "ping_pong" : null;
          return {
            title: column, numeric: true, value: (row) => row.figures[index]?.value ?? null,
            cell: (row) => {
              const f = row.figures[index];
              const text = formatValue(kind, f?.value ?? null);
              const change = formatChange(kind, f?.change ?? null);
              return h("span", {}, state && f?.value ? h("a", { href: casesOf(state), title: "the cases behind it" }, text) : text,
                change && change !== "±0" && change !== "±0.0 points" ? h("small", { class: "change" }, ` ${change}`) : "");
            },
          };
        }),
      ];
      return h("section", { class: "report-section", "data-section": section.id }, h("h2", {}, title),
        sortableTable(columns, section.rows, { sortBy: 1, descending: true, caption: `${title}, ${name}`, firstRows: 15 }));
    };

    const downloadAs = (format: "csv" | "json") => async () => {
      const text = await getText(apiPath(departmentPath(id, "/report"), { ...window, format }));
      download(`${report.department}-report.${format}`, format === "csv" ? "text/csv" : "application/json", text);
    };
    replaceChildren(root,
      h("nav", { class: "crumbs no-print", "aria-label": "Breadcrumbs" }, h("a", { href: "#/departments" }, "Departments"), " / ", name),
      h("h1", {}, `${name}: handoff report`),
      h("p", { class: "headline", "data-testid": "headline" }, headline(report)),
      h("div", { class: "toolbar no-print" },
        h("a", { href: mapHref(report.department), class: "button" }, "On the map"),
        h("a", { href: casesOf("dead_end"), class: "button" }, "Its dead-end cases"),
        h("button", { type: "button", onclick: downloadAs("csv") }, "Download CSV"),
        h("button", { type: "button", onclick: downloadAs("json") }, "Download JSON"),
        h("button", { type: "button", onclick: () => print() }, "Print")),
      ...report.notes.map((note) => h("p", { class: "note" }, note)),
      summaryTable,
      leftOut.length ? h("p", { class: "muted" }, `Nothing recorded in either period: ${leftOut.join("; ")}.`) : null,
      ...report.sections.filter((s) => s.id !== "summary").map(partnerSection),
      h("p", { class: "muted print-only" }, `relmap, data up to ${report.watermark ?? "–"}`));

    await Promise.all([...trendCells.entries()].map(async ([metric, cell]) => {
      try {
        cell.append(await trendChart(apiPath(departmentPath(id, "/timeseries"), { metric, bucket: "week" }),
          { label: metric.replace(/_/g, " "), format: (v) => formatValue(kindOf(metric), v) }));
      } catch {
        cell.textContent = "–";
      }
    }));
  };
  await draw();
  return { refresh: draw };
}

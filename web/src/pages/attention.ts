// What needs attention: the headline findings as cards, each leading to the map, a department or
// the cases behind it, and the alerts and andon pulls, newest first.
import { apiPath, getJson, HttpError } from "../api";
import { caseHref, casesHref, count, departmentHref, h, mapHref, percent, replaceChildren } from "../dom";
import type { Page } from "./page";

interface Findings {
  watermark: string | null;
  silos: { kind: string; departments: string[]; external_share: number | null }[];
  not_my_role_hotspots: { department: string; name: string; not_my_role_rate: number | null; dead_end_rate: number | null; requests_received: number }[];
  flagged_imbalances: number;
  strongest_imbalances: { giver: string; receiver: string; given: number; returned: number; imbalance: number }[];
  ping_pong: { from: string; to: string; ping_pong: number }[];
  brokers: { department: string; name: string; betweenness: number; articulation_point: boolean }[];
  split_units: { unit: string; parts: string[][] }[];
  communities_across_units: { community: number; units: string[] }[];
}

interface Alert {
  kind: string;
  at: string;
  from?: string;
  to?: string;
  about?: string;
  case_id?: string | null;
  requests?: number;
  dead_ends?: number;
  dead_end_rate?: number;
  threshold?: number;
}

const link = (href: string, text: string) => h("a", { href }, text);

function card(title: string, lead: string, items: HTMLElement[], more?: HTMLElement): HTMLElement {
  return h("section", { class: "card" }, h("h2", {}, title), h("p", { class: "lead" }, lead), items.length ? h("ul", {}, ...items) : null, more ?? null);
}

function cards(findings: Findings): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (findings.not_my_role_hotspots.length) {
    out.push(card("“Not my role” hotspots", "Departments that decline the most of what they are asked.",
      findings.not_my_role_hotspots.map((spot) => h("li", {}, link(departmentHref(spot.department), spot.name || spot.department),
        `: ${percent(spot.not_my_role_rate)} declined of ${count(spot.requests_received)} asked · `,
        link(casesHref(spot.department, "dead_end"), "the dead-end cases"), " · ", link(mapHref(spot.department), "on the map")))));
  }
  if (findings.silos.length) {
    out.push(card("Silos", "Groups that work almost only among themselves.",
      findings.silos.map((silo) => h("li", {}, ...silo.departments.slice(0, 6).flatMap((id, i) => [i ? ", " : "", link(departmentHref(id), id)]),
        silo.departments.length > 6 ? ` and ${silo.departments.length - 6} more` : "",
        ` (${silo.kind}, ${percent(silo.external_share, 1)} of their work outside) · `, link(mapHref(silo.departments[0]), "on the map")))));
  }
  if (findings.strongest_imbalances.length) {
    out.push(card("Give and get", `${count(findings.flagged_imbalances)} relationships are flagged as one-sided; the strongest:`,
      findings.strongest_imbalances.map((pair) => h("li", {}, link(departmentHref(pair.giver), pair.giver), ` resolved ${count(pair.given)} for `,
        link(departmentHref(pair.receiver), pair.receiver), ` and got ${count(pair.returned)} back`)),
      h("p", {}, link("#/map?flagged=true", "All flagged relationships on the map"))));
  }
  if (findings.ping_pong.length) {
    out.push(card("Ping-pong", "Cases handed straight back.",
      findings.ping_pong.map((pair) => h("li", {}, link(departmentHref(pair.from), pair.from), " ⇄ ", link(departmentHref(pair.to), pair.to),
        `: ${count(pair.ping_pong)} times · `, link(casesHref(pair.from, "ping_pong"), "the cases")))));
  }
  if (findings.brokers.length) {
    out.push(card("Brokers and fragile points", "Departments much of the work passes through; ◆ marks one whose loss splits the map.",
      findings.brokers.map((broker) => h("li", {}, broker.articulation_point ? "◆ " : "", link(departmentHref(broker.department), broker.name || broker.department),
        `: betweenness ${broker.betweenness.toFixed(2)} · `, link(mapHref(broker.department), "on the map")))));
  }
  if (findings.split_units.length || findings.communities_across_units.length) {
    out.push(card("Formal units against real communities", "Where the org chart and the work disagree.", [
      ...findings.split_units.map((unit) => h("li", {}, `Unit ${unit.unit} works as ${unit.parts.length} separate parts · `, link(`#/map?unit=${encodeURIComponent(unit.unit)}`, "on the map"))),
      ...findings.communities_across_units.map((c) => h("li", {}, `Community ${c.community} spans units ${c.units.join(", ")} · `, link(`#/map?community=${c.community}`, "on the map"))),
    ]));
  }
  return out;
}

function alertItem(alert: Alert): HTMLElement {
  const when = alert.at.replace("T", " ").replace("Z", " UTC");
  if (alert.kind === "andon") {
    return h("li", { class: "alert andon" }, h("span", { class: "tag" }, "Andon"), ` ${when}: `, alert.from ? link(departmentHref(alert.from), alert.from) : "someone",
      " pulled the cord about ", alert.about ? link(departmentHref(alert.about), alert.about) : "?", alert.case_id ? h("span", {}, " · ", link(caseHref(alert.case_id), `case ${alert.case_id}`)) : "");
  }
  return h("li", { class: "alert" }, h("span", { class: "tag" }, "Dead ends"), ` ${when}: `, link(departmentHref(alert.to ?? ""), alert.to ?? "?"),
    ` left ${percent(alert.dead_end_rate)} of ${count(alert.requests)} requests from `, link(departmentHref(alert.from ?? ""), alert.from ?? "?"),
    ` without an answer (threshold ${percent(alert.threshold)}) · `, link(casesHref(alert.to ?? "", "dead_end"), "the cases"));
}

export async function attentionPage(root: HTMLElement): Promise<Page> {
  let shownAlerts = 12;
  const draw = async () => {
    let findings: Findings;
    try {
      findings = await getJson<Findings>(apiPath("findings"));
    } catch (error) {
      // A department's token sees its own pages only: its report is where it starts.
      if (error instanceof HttpError && error.status === 403) {
        const own = await getJson<{ departments: { id: string }[] }>(apiPath("departments"));
        if (own.departments.length) { location.replace(departmentHref(own.departments[0].id)); return; }
      }
      throw error;
    }
    const alerts = await getJson<{ alerts: Alert[] }>(apiPath("alerts", { limit: 200 }));
    const sorted = [...alerts.alerts].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    const found = cards(findings);
    replaceChildren(root,
      h("h1", {}, "What needs attention"),
      h("p", { class: "muted" }, findings.watermark ? `Data up to ${findings.watermark.replace("T", " ").replace("Z", " UTC")}.` : "No events yet."),
      h("div", { class: "cards" }, ...(found.length ? found : [h("p", {}, "Nothing stands out: no silos, hotspots or one-sided relationships.")])),
      h("section", { class: "alerts" }, h("h2", {}, "Alerts and andon pulls, newest first"),
        sorted.length ? h("ul", {}, ...sorted.slice(0, shownAlerts).map(alertItem)) : h("p", {}, "No alerts."),
        sorted.length > shownAlerts ? h("button", { type: "button", onclick: () => { shownAlerts = Infinity; void draw(); } }, `Show all ${sorted.length}`) : null));
  };
  await draw();
  return { refresh: draw };
}

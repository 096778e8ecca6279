// The cases behind a count, and one case's journey ("walk the floor").
import { apiPath, getJson } from "../api";
import { caseHref, count, departmentHref, duration, h, replaceChildren } from "../dom";
import type { Page, Route } from "./page";

interface CaseSummary { id: string; started: string; end: string; owners: string[]; ping_pongs: number; dead_end_at: string | null; requests: number }
interface CasePage { cases: CaseSummary[]; next_cursor: string | null }
interface Journey {
  id: string;
  started: string;
  end: string;
  owners: string[];
  ping_pongs: number;
  dead_end_at: string | null;
  handoffs: { from: string | null; to: string; at: string; ping_pong: boolean }[];
  requests: { from: string; to: string; topic: string | null; asked_at: string; due_at: string | null; outcome: string; dead_end: boolean; answered_at: string | null; response_time_s: number | null }[];
  feedback: { about?: string; department?: string; solved: boolean; at: string }[];
  andons: { from?: string; about?: string; at: string; severity?: string; reason?: string }[];
}

const stateNames: Record<string, string> = { dead_end: "dead end", ping_pong: "ping-pong", open: "open", solved: "solved" };
const when = (at: string | null | undefined) => (at ? at.replace("T", " ").replace("Z", "") : "–");
const departmentLink = (id: string | null | undefined) => (id ? h("a", { href: departmentHref(id) }, id) : "–");

function chain(owners: string[]): HTMLElement {
  return h("ol", { class: "chain", "aria-label": "Chain of owners" }, ...owners.map((owner) => h("li", {}, departmentLink(owner))));
}

export async function casesPage(root: HTMLElement, route: Route): Promise<Page> {
  const department = route.query.get("department") ?? "";
  const state = route.query.get("state") ?? "";
  const body = h("tbody");
  const more = h("button", { type: "button", hidden: true }, "Show more");
  const summary = h("p", { class: "muted", id: "cases-summary" });
  let cursor: string | null = null;
  let shown = 0;
  const title = `${state ? stateNames[state] ?? state : "All"} cases${department ? " of " + department : ""}`;
  replaceChildren(root, h("h1", {}, title.charAt(0).toUpperCase() + title.slice(1)),
    h("p", {}, department ? h("a", { href: departmentHref(department) }, `Back to ${department}'s report`) : ""),
    h("nav", { class: "filters", "aria-label": "Case state" }, ...["", "dead_end", "ping_pong", "open", "solved"].map((s) =>
      h("a", { href: `#/cases?${new URLSearchParams({ ...(department ? { department } : {}), ...(s ? { state: s } : {}) })}`, "aria-current": s === state ? "page" : null }, s ? stateNames[s] : "all"))),
    summary,
    h("table", { class: "data", "data-testid": "cases" }, h("caption", { class: "visually-hidden" }, title),
      h("thead", {}, h("tr", {}, ...["Case", "Started", "End", "Chain of owners", "Ping-pongs", "Dead end at", "Requests"].map((t) => h("th", { scope: "col" }, t)))), body),
    more);

  const loadMore = async () => {
    const page = await getJson<CasePage>(apiPath("cases", { department, state, limit: 50, cursor }));
    for (const item of page.cases) {
      body.append(h("tr", {}, h("td", {}, h("a", { href: caseHref(item.id) }, item.id)), h("td", {}, item.started), h("td", {}, stateNames[item.end] ?? item.end),
        h("td", {}, chain(item.owners)), h("td", { class: "num" }, count(item.ping_pongs)), h("td", {}, departmentLink(item.dead_end_at)), h("td", { class: "num" }, count(item.requests))));
    }
    shown += page.cases.length;
    cursor = page.next_cursor;
    more.hidden = cursor === null;
    summary.textContent = shown === 0 ? "No cases." : `${count(shown)} cases shown${cursor ? "; more below" : ""}.`;
  };
  more.addEventListener("click", () => void loadMore());
  await loadMore();
  return { refresh: async () => {} };  // a list being read is not reshuffled under its reader
}

export async function casePage(root: HTMLElement, route: Route): Promise<Page> {
  const id = route.segments[1];
  const draw = async () => {
    const journey = await getJson<Journey>(apiPath(`cases/${encodeURIComponent(id)}`));
    // Every step of the case on one timeline: handoffs, requests (asked and answered), feedback, andon.
    type Step = { at: string; what: HTMLElement; kind: string };
    const steps: Step[] = [];
    for (const handoff of journey.handoffs) {
      steps.push({ at: handoff.at, kind: "handoff", what: h("span", {}, handoff.from ? h("span", {}, departmentLink(handoff.from), " handed it to ") : "Opened at ", departmentLink(handoff.to), handoff.ping_pong ? h("span", { class: "tag warn" }, "handed back") : "") });
    }
    for (const request of journey.requests) {
      steps.push({ at: request.asked_at, kind: "request", what: h("span", {}, departmentLink(request.from), " asked ", departmentLink(request.to), request.topic ? ` about “${request.topic}”` : "",
        request.due_at ? `, due ${when(request.due_at)}` : "") });
      if (request.answered_at) {
        steps.push({ at: request.answered_at, kind: request.dead_end ? "declined" : "answered", what: h("span", {}, departmentLink(request.to), request.outcome === "declined" ? " declined it: not my role" : ` answered: ${request.outcome}`,
          ` after ${duration(request.response_time_s)}`, request.dead_end ? h("span", { class: "tag bad" }, "dead end") : "") });
      } else if (request.dead_end) {
        steps.push({ at: request.due_at ?? request.asked_at, kind: "declined", what: h("span", {}, departmentLink(request.to), " never answered", h("span", { class: "tag bad" }, "expired")) });
      }
    }
    for (const feedback of journey.feedback) steps.push({ at: feedback.at, kind: "feedback", what: h("span", {}, "Feedback: ", feedback.solved ? "solved" : "not solved", feedback.about || feedback.department ? h("span", {}, " about ", departmentLink(feedback.about ?? feedback.department)) : "") });
    for (const andon of journey.andons) steps.push({ at: andon.at, kind: "andon", what: h("span", {}, departmentLink(andon.from), " pulled the andon cord", andon.about ? h("span", {}, " about ", departmentLink(andon.about)) : "", andon.reason ? `: ${andon.reason}` : "") });
    steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const start = steps.length ? Date.parse(steps[0].at) : 0;
    replaceChildren(root,
      h("h1", {}, `Case ${journey.id}`),
      h("p", { class: "lead" }, `Started ${journey.started}; ${stateNames[journey.end] ?? journey.end}`, journey.dead_end_at ? h("span", {}, " at ", departmentLink(journey.dead_end_at)) : "",
        `; ${count(journey.ping_pongs)} ping-pongs.`),
      h("h2", {}, "Chain of owners"), chain(journey.owners),
      h("h2", {}, "Timeline"),
      h("ol", { class: "timeline", "data-testid": "journey" }, ...steps.map((step) => h("li", { class: step.kind },
        h("time", { datetime: step.at }, when(step.at)), h("span", { class: "elapsed" }, `+${duration((Date.parse(step.at) - start) / 1000)}`), step.what))));
  };
  await draw();
  return { refresh: draw };
}

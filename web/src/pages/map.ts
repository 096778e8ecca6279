// The relationship map: departments and their relationships drawn with sigma.js (WebGL), laid out by
// ForceAtlas2 in a worker, filtered in place so that zoom and selection survive every change.
import Graph from "graphology";
import Sigma from "sigma";
import { createNodeBorderProgram } from "@sigma/node-border";
import { apiPath, departmentPath, getJson, type Department, type Edge, type GraphData, type Pair } from "../api";
import { trendChart } from "../charts";
import { casesHref, count, departmentHref, departmentLabel, duration, h, percent, replaceChildren } from "../dom";
import type { LayoutAnswer, LayoutRequest } from "../layout_worker";
import type { Page, Route } from "./page";

// Paul Tol's muted scheme: distinguishable with every common colour-vision deficiency. The largest
// communities get one each; the rest share grey and are named in the legend and the hover.
const communityColours = ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499"];
const otherCommunities = "#BBBBBB";
// Dead-end rate of a relationship, light blue (few) to red (most); grey for handoffs only.
const deadEndBands = [
  { below: 0.1, colour: "#77AADD", label: "under 10%" },
  { below: 0.25, colour: "#DDAA33", label: "10–25%" },
  { below: 0.5, colour: "#EE7733", label: "25–50%" },
  { below: Infinity, colour: "#BB2222", label: "50% or more" },
];
const handoffsOnly = "#9AA5B1";
const mostEdgesShown = 15000;  // beyond this WebGL stays fluid only on a good GPU: the weakest are filtered
const layoutKey = "relmap-layout-v1";

interface Filters {
  from: string;
  to: string;
  compare: boolean;
  minVolume: number;
  focus: string;
  steps: number;
  flaggedOnly: boolean;
  community: string;
  unit: string;
}

const volumeOf = (d: Department) => d.requests_made + d.requests_received + d.handoffs_in + d.handoffs_out;
const edgeVolume = (e: Edge) => e.requests + e.handoffs;
const deadEndRate = (e: Edge) => (e.requests > 0 ? e.dead_ends / e.requests : null);

function deadEndColour(edge: Edge): string {
  const rate = deadEndRate(edge);
  if (rate === null) return handoffsOnly;
  return deadEndBands.find((band) => rate < band.below)!.colour;
}

/// A number in [0, 1) from a string, the same on every load: seeds positions deterministically.
function unitHash(text: string, salt: number): number {
  let hash = 2166136261 ^ salt;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return ((hash >>> 0) % 1000003) / 1000003;
}

/// Communities on a sunflower spiral by size, their departments on a small spiral each: a readable
/// first view, and the deterministic start of ForceAtlas2.
function seedPositions(data: GraphData): Map<string, [number, number]> {
  const golden = Math.PI * (3 - Math.sqrt(5));
  const byCommunity = new Map<number, string[]>();
  for (const d of data.departments) {
    const members = byCommunity.get(d.community) ?? [];
    members.push(d.id);
    byCommunity.set(d.community, members);
  }
  const groups = [...byCommunity.values()].sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : 1));
  const positions = new Map<string, [number, number]>();
  let placed = 0;
  groups.forEach((members, index) => {
    const radius = Math.sqrt(placed + members.length / 2) * 2.2;
    const cx = index === 0 ? 0 : radius * Math.cos(index * golden);
    const cy = index === 0 ? 0 : radius * Math.sin(index * golden);
    members.sort().forEach((id, k) => {
      const r = Math.sqrt(k + 0.5);
      positions.set(id, [cx + r * Math.cos(k * golden) + unitHash(id, 1) * 0.1, cy + r * Math.sin(k * golden) + unitHash(id, 2) * 0.1]);
    });
    placed += members.length;
  });
  return positions;
}

function readLayoutCache(): Record<string, [number, number]> {
  try {
    return JSON.parse(localStorage.getItem(layoutKey) ?? "{}") as Record<string, [number, number]>;
  } catch {
    return {};
  }
}

function runLayout(request: LayoutRequest): Promise<LayoutAnswer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker("/layout-worker.js", { type: "module" });
    worker.onmessage = (message: MessageEvent<LayoutAnswer>) => { resolve(message.data); worker.terminate(); };
    worker.onerror = (error) => { reject(new Error(error.message)); worker.terminate(); };
    worker.postMessage(request, [request.x.buffer, request.y.buffer]);
  });
}

function filtersFrom(query: URLSearchParams): Filters {
  return {
    from: query.get("from") ?? "",
    to: query.get("to") ?? "",
    compare: query.get("compare") === "true",
    minVolume: Number(query.get("min") ?? "NaN"),
    focus: query.get("focus") ?? "",
    steps: Number(query.get("steps") ?? "1") === 2 ? 2 : 1,
    flaggedOnly: query.get("flagged") === "true",
    community: query.get("community") ?? "",
    unit: query.get("unit") ?? "",
  };
}

function writeFiltersToUrl(filters: Filters): void {
  const query = new URLSearchParams();
  if (filters.from) query.set("from", filters.from);
  if (filters.to) query.set("to", filters.to);
  if (filters.compare) query.set("compare", "true");
  if (Number.isFinite(filters.minVolume)) query.set("min", String(filters.minVolume));
  if (filters.focus) query.set("focus", filters.focus);
  if (filters.focus && filters.steps === 2) query.set("steps", "2");
  if (filters.flaggedOnly) query.set("flagged", "true");
  if (filters.community) query.set("community", filters.community);
  if (filters.unit) query.set("unit", filters.unit);
  const text = query.toString();
  history.replaceState(null, "", `#/map${text ? "?" + text : ""}`);  // no hashchange: the page stays
}

export async function mapPage(root: HTMLElement, route: Route): Promise<Page> {
  const filters = filtersFrom(route.query);
  let data = await getJson<GraphData>(apiPath("graph", { from: filters.from, to: filters.to }));
  performance.mark("relmap-map-fetched");  // bench/web-render tells the stages apart by these marks
  let departments = new Map<string, Department>();
  let pairs = new Map<string, Pair>();
  let communityRank = new Map<number, number>();
  let visibleNodes = new Set<string>();
  let hovered: string | null = null;
  let selectedEdge: string | null = null;

  const container = h("div", { class: "map-canvas", "data-testid": "map", role: "img", "aria-label": "The relationship map" });
  const legend = h("aside", { class: "legend", "aria-label": "Legend" });
  const tooltip = h("div", { class: "tooltip", role: "tooltip", hidden: true });
  const panel = h("aside", { class: "side-panel", "aria-live": "polite", "aria-label": "Selection" });
  const shownNote = h("p", { class: "muted", id: "map-shown" });
  const searchResults = h("ul", { class: "search-results", id: "search-results" });
  const searchBox = h("input", { type: "search", id: "map-search", placeholder: "Find a department", "aria-label": "Find a department by name or id", autocomplete: "off" });
  const fromInput = h("input", { type: "date", id: "map-from", value: filters.from, "aria-label": "From day" });
  const toInput = h("input", { type: "date", id: "map-to", value: filters.to, "aria-label": "To day" });
  const compareInput = h("input", { type: "checkbox", id: "map-compare", checked: filters.compare });
  const minInput = h("input", { type: "number", id: "map-min", min: 0, step: 1, "aria-label": "Minimum volume of a relationship" });
  const focusInput = h("input", { type: "text", id: "map-focus", value: filters.focus, list: "map-departments", placeholder: "any department", "aria-label": "Neighbourhood of department" });
  const stepsInput = h("select", { id: "map-steps", "aria-label": "Steps around it" }, h("option", { value: "1" }, "1 step"), h("option", { value: "2" }, "2 steps"));
  stepsInput.value = String(filters.steps);
  const flaggedInput = h("input", { type: "checkbox", id: "map-flagged", checked: filters.flaggedOnly });
  const communityInput = h("select", { id: "map-community", "aria-label": "Community" });
  const unitInput = h("select", { id: "map-unit", "aria-label": "Formal unit" });
  const datalist = h("datalist", { id: "map-departments" });

  const controls = h("form", { class: "map-controls", "aria-label": "Map filters", onsubmit: (event: Event) => event.preventDefault() },
    h("div", { class: "search" }, searchBox, searchResults),
    h("fieldset", {}, h("legend", {}, "Period"), h("label", { for: "map-from" }, "From"), fromInput, h("label", { for: "map-to" }, "to"), toInput,
      h("label", { class: "check" }, compareInput, " compare with the period before")),
    h("fieldset", {}, h("legend", {}, "Show"),
      h("label", { for: "map-min" }, "Relationships with at least"), minInput, h("span", {}, "requests + handoffs"),
      h("label", { for: "map-focus" }, "Around"), focusInput, stepsInput,
      h("label", { class: "check" }, flaggedInput, " only flagged relationships"),
      h("label", { for: "map-community" }, "Community"), communityInput,
      h("label", { for: "map-unit" }, "Formal unit"), unitInput),
    shownNote, datalist);
  replaceChildren(root, h("div", { class: "map-page" }, h("h1", { class: "visually-hidden" }, "Relationship map"), controls,
    h("div", { class: "map-stage" }, container, tooltip), h("div", { class: "map-side" }, panel, legend)));

  const graph = new Graph({ type: "directed", multi: false });
  const BorderProgram = createNodeBorderProgram({
    borders: [{ size: { value: 0.22 }, color: { attribute: "borderColor" } }, { size: { fill: true }, color: { attribute: "color" } }],
  });

  const index = (next: GraphData) => {
    departments = new Map(next.departments.map((d) => [d.id, d]));
    pairs = new Map(next.pairs.map((p) => [`${p.a}\u0000${p.b}`, p]));
    const sizes = new Map<number, number>();
    for (const d of next.departments) sizes.set(d.community, (sizes.get(d.community) ?? 0) + 1);
    communityRank = new Map([...sizes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([id], rank) => [id, rank]));
  };
  // Either order: the API orders a pair by UTF-8 bytes, which JavaScript's `<` on UTF-16 need not match.
  const pairOf = (a: string, b: string) => pairs.get(`${a}\u0000${b}`) ?? pairs.get(`${b}\u0000${a}`);
  const isFlagged = (edge: Edge) => {
    const rate = deadEndRate(edge);
    return pairOf(edge.from, edge.to)?.flagged || edge.bridge || edge.ping_pong > 0 || (rate !== null && rate >= 0.5 && edge.requests >= 10);
  };
  const colourOf = (d: Department) => {
    const rank = communityRank.get(d.community) ?? 99;
    return rank < communityColours.length ? communityColours[rank] : otherCommunities;
  };

  /// Puts `next` into the graph, keeping every position already there.
  const load = (next: GraphData, positions: Map<string, [number, number]>) => {
    index(next);
    const silos = new Set(next.silos.flatMap((silo) => silo.departments));
    const volumes = next.departments.map(volumeOf);
    const most = volumes.reduce((a, b) => Math.max(a, b), 1);  // no spread: 200,000 arguments overflow the stack
    for (const d of next.departments) {
      const attributes = {
        label: (d.articulation_point ? "◆ " : "") + (d.name || d.id),
        size: 4 + 14 * Math.sqrt(volumeOf(d) / most),
        color: colourOf(d),
        borderColor: silos.has(d.id) ? "#111111" : colourOf(d),
        type: "border",
      };
      if (graph.hasNode(d.id)) graph.mergeNodeAttributes(d.id, attributes);
      else {
        const [x, y] = positions.get(d.id) ?? [0, 0];
        graph.addNode(d.id, { ...attributes, x, y });
      }
    }
    for (const node of graph.nodes()) if (!departments.has(node)) graph.dropNode(node);
    const mostEdge = next.edges.reduce((a, e) => Math.max(a, edgeVolume(e)), 1);
    const edgeKeys = new Set<string>();
    for (const e of next.edges) {
      // Below the minimum volume an edge is left out of the graph, not hidden: sigma indexes every
      // edge it holds on each redraw, and 200,000 would stall it.
      if (e.from === e.to || edgeVolume(e) < filters.minVolume || !graph.hasNode(e.from) || !graph.hasNode(e.to)) continue;
      const key = `${e.from}\u0000${e.to}`;
      edgeKeys.add(key);
      const attributes = {
        size: 0.6 + 4 * Math.sqrt(edgeVolume(e) / mostEdge),
        color: deadEndColour(e),
        type: "arrow",
        label: e.bridge ? "bridge" : undefined,
        stats: e,
      };
      if (graph.hasEdge(key)) graph.mergeEdgeAttributes(key, attributes);
      else graph.addDirectedEdgeWithKey(key, e.from, e.to, attributes);
    }
    for (const edge of graph.edges()) if (!edgeKeys.has(edge)) graph.dropEdge(edge);
  };

  // Positions: those kept from an earlier visit when they cover the map, else a fresh layout.
  const cached = readLayoutCache();
  const seeds = seedPositions(data);
  const known = data.departments.filter((d) => cached[d.id]).length;
  const reuse = known >= 0.9 * data.departments.length && data.departments.length > 0;
  const positions = new Map<string, [number, number]>();
  for (const d of data.departments) positions.set(d.id, reuse && cached[d.id] ? cached[d.id] : seeds.get(d.id)!);
  if (!Number.isFinite(filters.minVolume)) {
    const volumes = data.edges.map(edgeVolume).sort((a, b) => b - a);
    filters.minVolume = volumes.length > mostEdgesShown ? volumes[mostEdgesShown - 1] + 1 : 0;
  }
  load(data, positions);
  performance.mark("relmap-map-built");
  minInput.value = String(filters.minVolume);

  const renderer = new Sigma(graph, container, {
    nodeProgramClasses: { border: BorderProgram },
    defaultEdgeType: "arrow",
    renderEdgeLabels: true,
    enableEdgeEvents: true,
    hideEdgesOnMove: graph.size > 2000,  // panning stays fluid; the edges and labels return when it stops
    hideLabelsOnMove: graph.order > 2000,
    // Every label fits a small map; on a large one, one label per wider cell keeps them apart.
    labelDensity: graph.order > 200 ? 0.5 : 1,
    labelGridCellSize: graph.order > 200 ? 100 : 70,
    labelRenderedSizeThreshold: 4,
    labelFont: "system-ui, sans-serif",
    zIndex: true,
    minCameraRatio: 0.02,
    maxCameraRatio: 4,
    nodeReducer: (node, attributes) => {
      if (!visibleNodes.has(node)) return { ...attributes, hidden: true };
      if (hovered && hovered !== node && !graph.areNeighbors(hovered, node)) return { ...attributes, color: "#E4E7EB", borderColor: "#E4E7EB", label: "", zIndex: 0 };
      if (node === hovered || node === filters.focus) return { ...attributes, highlighted: true, forceLabel: true, zIndex: 2 };
      return attributes;
    },
    edgeReducer: (edge, attributes) => {
      const stats = attributes.stats as Edge;
      const hidden = !visibleNodes.has(stats.from) || !visibleNodes.has(stats.to) || edgeVolume(stats) < filters.minVolume ||
        (filters.flaggedOnly && !isFlagged(stats));
      if (hidden) return { ...attributes, hidden: true };
      if (hovered && stats.from !== hovered && stats.to !== hovered) return { ...attributes, color: "#EEF0F2", label: undefined, zIndex: 0 };
      if (edge === selectedEdge) return { ...attributes, color: "#000000", size: (attributes.size as number) + 2, zIndex: 2 };
      return { ...attributes, zIndex: 1 };
    },
  });

  performance.mark("relmap-map-sigma");
  // The whole map in view with room for the outermost labels, which reach past their departments.
  const fitted = { x: 0.5, y: 0.5, angle: 0, ratio: 1.15 };
  renderer.getCamera().setState(fitted);
  // The camera as the page shows it, for a reader (and the live test) to see it survive a refresh.
  renderer.getCamera().on("updated", (state) => { container.dataset.cameraRatio = state.ratio.toFixed(4); });
  const drawLegend = () => {
    const shown = [...communityRank.entries()].filter(([, rank]) => rank < communityColours.length);
    const others = communityRank.size - shown.length;
    replaceChildren(legend,
      h("h2", {}, "Legend"),
      h("p", {}, "Circle: a department, sized by its requests and handoffs. Arrow: who asks whom."),
      h("h3", {}, "Community (fill)"),
      h("ul", { class: "swatches" }, ...shown.map(([id, rank]) => h("li", {}, h("span", { class: "swatch", style: `background:${communityColours[rank]}` }),
        `Community ${id} (${data.communities.find((c) => c.id === id)?.departments.length ?? 0})`)),
        others > 0 ? h("li", {}, h("span", { class: "swatch", style: `background:${otherCommunities}` }), `${others} smaller communities`) : null),
      h("h3", {}, "Dead-end rate (arrow)"),
      h("ul", { class: "swatches" }, ...deadEndBands.map((band) => h("li", {}, h("span", { class: "swatch line", style: `background:${band.colour}` }), band.label)),
        h("li", {}, h("span", { class: "swatch line", style: `background:${handoffsOnly}` }), "handoffs only")),
      h("h3", {}, "Marks"),
      h("ul", { class: "swatches" }, h("li", {}, h("span", { class: "swatch ring" }), "dark ring: in a silo"),
        h("li", {}, "◆ before a name: its loss splits the map"), h("li", {}, "“bridge” on an arrow: the only link between two parts")));
  };

  const fillSelects = () => {
    const communityValue = filters.community;
    replaceChildren(communityInput, h("option", { value: "" }, "all"),
      ...[...communityRank.keys()].sort((a, b) => a - b).map((id) => h("option", { value: String(id) }, `Community ${id}`)));
    communityInput.value = communityValue;
    const units = [...new Set(data.departments.map((d) => d.unit).filter((u): u is string => Boolean(u)))].sort();
    replaceChildren(unitInput, h("option", { value: "" }, units.length ? "all" : "no units in the directory"), ...units.map((u) => h("option", { value: u }, u)));
    unitInput.value = filters.unit;
    unitInput.disabled = units.length === 0;
    replaceChildren(datalist, ...data.departments.map((d) => h("option", { value: d.id }, d.name && d.name !== d.id ? d.name : "")));
  };

  const applyFilters = () => {
    let nodes = new Set(graph.nodes());
    if (filters.community !== "") nodes = new Set([...nodes].filter((n) => String(departments.get(n)?.community) === filters.community));
    if (filters.unit !== "") nodes = new Set([...nodes].filter((n) => departments.get(n)?.unit === filters.unit));
    if (filters.focus && graph.hasNode(filters.focus)) {
      let frontier = new Set([filters.focus]);
      const around = new Set(frontier);
      for (let step = 0; step < filters.steps; step++) {
        const next = new Set<string>();
        for (const node of frontier) {
          graph.forEachNeighbor(node, (neighbour) => {
            const volume = Math.max(graph.hasEdge(node, neighbour) ? edgeVolume(graph.getEdgeAttribute(node, neighbour, "stats") as Edge) : 0,
              graph.hasEdge(neighbour, node) ? edgeVolume(graph.getEdgeAttribute(neighbour, node, "stats") as Edge) : 0);
            if (volume >= filters.minVolume && !around.has(neighbour)) next.add(neighbour);
          });
        }
        for (const node of next) around.add(node);
        frontier = next;
      }
      nodes = new Set([...nodes].filter((n) => around.has(n)));
    }
    visibleNodes = nodes;
    let edges = 0;
    graph.forEachEdge((_edge, attributes) => {
      const stats = attributes.stats as Edge;
      if (visibleNodes.has(stats.from) && visibleNodes.has(stats.to) && edgeVolume(stats) >= filters.minVolume && (!filters.flaggedOnly || isFlagged(stats))) edges++;
    });
    container.dataset.nodeCount = String(visibleNodes.size);
    container.dataset.edgeCount = String(edges);
    shownNote.textContent = `${count(visibleNodes.size)} of ${count(graph.order)} departments, ${count(edges)} of ${count(data.edges.filter((e) => e.from !== e.to).length)} relationships shown` +
      (data.window.from || data.window.to ? `, ${data.window.from ?? "start"} to ${data.window.to ?? "now"}` : "");
    writeFiltersToUrl(filters);
    renderer.refresh();
  };

  const showDepartment = (id: string) => {
    const d = departments.get(id);
    if (!d) return;
    const silo = data.silos.find((s) => s.departments.includes(id));
    replaceChildren(panel,
      h("h2", {}, departmentLabel(d)),
      h("p", {}, `Community ${d.community}`, d.unit ? `, unit ${d.unit}` : "", silo ? `, in a ${silo.kind} silo` : "", d.articulation_point ? ", its loss splits the map" : ""),
      h("dl", { class: "figures" },
        ...(d.requests_made + d.requests_received > 0 ? [  // a process log has handoffs only
          h("dt", {}, "Asked of it"), h("dd", {}, count(d.requests_received)),
          h("dt", {}, "Not my role"), h("dd", {}, percent(d.not_my_role_rate)),
          h("dt", {}, "Dead ends"), h("dd", {}, percent(d.dead_end_rate)),
          h("dt", {}, "Give ratio"), h("dd", {}, percent(d.give_ratio))] : []),
        h("dt", {}, "Handoffs in / out"), h("dd", {}, `${count(d.handoffs_in)} / ${count(d.handoffs_out)}`)),
      h("p", {}, h("a", { href: departmentHref(id), class: "button", "data-testid": "open-report" }, `Open ${d.name || d.id}'s report`)),
      h("p", {}, h("button", { type: "button", onclick: () => { focusInput.value = id; filters.focus = id; applyFilters(); } }, "Show only its neighbourhood")));
  };

  const showRelationship = async (key: string) => {
    const stats = graph.getEdgeAttribute(key, "stats") as Edge;
    const from = departments.get(stats.from)!;
    const to = departments.get(stats.to)!;
    const pair = pairOf(stats.from, stats.to);
    const gives = pair ? (pair.a === stats.to ? pair.gives : pair.gets) : null;
    replaceChildren(panel,
      h("h2", {}, `${from.name || from.id} → ${to.name || to.id}`),
      h("dl", { class: "figures" },
        h("dt", {}, "Requests"), h("dd", {}, count(stats.requests)),
        h("dt", {}, "Resolved"), h("dd", {}, count(stats.resolved)),
        h("dt", {}, "Declined (not my role)"), h("dd", {}, count(stats.declined)),
        h("dt", {}, "Dead ends"), h("dd", {}, `${count(stats.dead_ends)} (${percent(deadEndRate(stats))})`),
        h("dt", {}, "Response time p50"), h("dd", {}, duration(stats.response_time_p50_s)),
        h("dt", {}, "Handoffs"), h("dd", {}, count(stats.handoffs)),
        h("dt", {}, "Ping-pong"), h("dd", {}, count(stats.ping_pong)),
        pair ? h("dt", {}, "Give / get") : null,
        pair ? h("dd", {}, `${to.name || to.id} resolved ${count(gives)} for ${from.name || from.id}; imbalance ${pair.imbalance === null ? "–" : pair.imbalance.toFixed(2)}${pair.flagged ? " (flagged)" : ""}`) : null),
      h("p", {}, h("a", { href: casesHref(stats.from, "dead_end") }, `Dead-end cases of ${from.name || from.id}`), " · ",
        h("a", { href: departmentHref(stats.from) }, "its report")),
      h("div", { class: "panel-trend" }, "Requests by week: loading…"));
    const trend = panel.querySelector(".panel-trend")!;
    try {
      const chart = await trendChart(apiPath(departmentPath(stats.from, "/timeseries"), { metric: "requests", bucket: "week", partner: stats.to }),
        { width: 240, height: 60, label: "Requests by week", format: (v) => count(v) });
      replaceChildren(trend, h("p", {}, "Requests by week"), chart);
    } catch (error) {
      replaceChildren(trend, `No trend: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const focusOn = (id: string) => {
    const display = renderer.getNodeDisplayData(id);
    if (display) void renderer.getCamera().animate({ x: display.x, y: display.y, ratio: 0.25 }, { duration: 400 });
    showDepartment(id);
  };

  const search = () => {
    const text = searchBox.value.trim().toLowerCase();
    if (!text) { replaceChildren(searchResults); return; }
    const found = data.departments.filter((d) => d.id.toLowerCase().includes(text) || (d.name ?? "").toLowerCase().includes(text))
      .sort((a, b) => Number(b.id.toLowerCase() === text) - Number(a.id.toLowerCase() === text) || volumeOf(b) - volumeOf(a)).slice(0, 8);
    replaceChildren(searchResults, ...(found.length ? found.map((d) => h("li", {}, h("button", { type: "button", "data-department": d.id, onclick: () => focusOn(d.id) }, departmentLabel(d))))
      : [h("li", { class: "muted" }, "No department matches")]));
  };

  renderer.on("enterNode", ({ node }) => {
    hovered = node;
    const d = departments.get(node)!;
    replaceChildren(tooltip, h("strong", {}, departmentLabel(d)), h("br"),
      `${count(d.requests_received)} asked of it · ${percent(d.not_my_role_rate)} not my role · ${percent(d.dead_end_rate)} dead ends`, h("br"),
      `give ratio ${percent(d.give_ratio)} · community ${d.community}`);
    tooltip.hidden = false;
    renderer.refresh({ skipIndexation: true });
  });
  renderer.on("leaveNode", () => { hovered = null; tooltip.hidden = true; renderer.refresh({ skipIndexation: true }); });
  renderer.on("enterEdge", ({ edge }) => {
    const stats = graph.getEdgeAttribute(edge, "stats") as Edge;
    replaceChildren(tooltip, h("strong", {}, `${stats.from} → ${stats.to}`), h("br"),
      `${count(stats.requests)} requests · ${percent(deadEndRate(stats))} dead ends · ${count(stats.handoffs)} handoffs${stats.bridge ? " · bridge" : ""}`);
    tooltip.hidden = false;
  });
  renderer.on("leaveEdge", () => { tooltip.hidden = true; });
  renderer.getMouseCaptor().on("mousemovebody", (event) => {
    tooltip.style.left = `${event.x + 14}px`;
    tooltip.style.top = `${event.y + 14}px`;
  });
  renderer.on("clickNode", ({ node }) => { location.hash = departmentHref(node); });
  renderer.on("clickEdge", ({ edge }) => { selectedEdge = edge; renderer.refresh({ skipIndexation: true }); void showRelationship(edge); });
  renderer.on("clickStage", () => { selectedEdge = null; renderer.refresh({ skipIndexation: true }); });

  searchBox.addEventListener("input", search);
  searchBox.addEventListener("keydown", (event) => {
    if (event.key === "Enter") searchResults.querySelector<HTMLButtonElement>("button")?.click();
  });
  minInput.addEventListener("change", () => {
    filters.minVolume = Math.max(0, Number(minInput.value) || 0);
    load(data, new Map());
    applyFilters();
  });
  focusInput.addEventListener("change", () => { filters.focus = focusInput.value.trim(); applyFilters(); if (filters.focus) focusOn(filters.focus); });
  stepsInput.addEventListener("change", () => { filters.steps = Number(stepsInput.value) === 2 ? 2 : 1; applyFilters(); });
  flaggedInput.addEventListener("change", () => { filters.flaggedOnly = flaggedInput.checked; applyFilters(); });
  communityInput.addEventListener("change", () => { filters.community = communityInput.value; applyFilters(); });
  unitInput.addEventListener("change", () => { filters.unit = unitInput.value; applyFilters(); });

  /// Reloads the data of the chosen period into the same graph: positions, camera and filters stay.
  const reload = async () => {
    const next = await getJson<GraphData>(apiPath("graph", { from: filters.from, to: filters.to }));
    if (next === data) return;
    data = next;
    const seedsNow = seedPositions(data);
    const near = new Map<string, [number, number]>();
    // A newcomer goes beside a partner it works with, a few percent of the map's width away.
    let [minX, maxX] = [Infinity, -Infinity];
    graph.forEachNode((_node, attributes) => { minX = Math.min(minX, attributes.x); maxX = Math.max(maxX, attributes.x); });
    const offset = Number.isFinite(maxX - minX) && maxX > minX ? (maxX - minX) * 0.04 : 1;
    for (const d of data.departments) {
      if (graph.hasNode(d.id)) continue;
      const neighbour = data.edges.find((e) => (e.from === d.id && graph.hasNode(e.to)) || (e.to === d.id && graph.hasNode(e.from)));
      const anchor = neighbour ? (neighbour.from === d.id ? neighbour.to : neighbour.from) : null;
      const angle = 2 * Math.PI * unitHash(d.id, 3);
      near.set(d.id, anchor ? [graph.getNodeAttribute(anchor, "x") + offset * Math.cos(angle), graph.getNodeAttribute(anchor, "y") + offset * Math.sin(angle)] : seedsNow.get(d.id)!);
    }
    load(data, near);
    fillSelects();
    drawLegend();
    applyFilters();
    if (filters.compare) await showComparison();
  };

  const showComparison = async () => {
    const compared = await getJson<{ departments: (Department & { change?: Record<string, number | null> })[] }>(
      apiPath("graph", { from: filters.from, to: filters.to, compare: true }));
    const moved = compared.departments.filter((d) => d.change && typeof d.change.dead_end_rate === "number")
      .sort((a, b) => Math.abs(b.change!.dead_end_rate!) - Math.abs(a.change!.dead_end_rate!)).slice(0, 5);
    replaceChildren(panel, h("h2", {}, "Against the period before"),
      moved.length === 0 ? h("p", {}, "No department's dead-end rate moved (or there is no earlier period).")
        : h("ul", {}, ...moved.map((d) => h("li", {}, h("a", { href: departmentHref(d.id) }, d.name || d.id),
          `: dead ends ${d.change!.dead_end_rate! > 0 ? "+" : ""}${(d.change!.dead_end_rate! * 100).toFixed(1)} points`))));
  };

  for (const [input, key] of [[fromInput, "from"], [toInput, "to"]] as const) {
    input.addEventListener("change", () => { filters[key] = input.value; void reload(); });
  }
  compareInput.addEventListener("change", () => { filters.compare = compareInput.checked; if (filters.compare) void showComparison(); else replaceChildren(panel); writeFiltersToUrl(filters); });

  fillSelects();
  drawLegend();
  applyFilters();
  performance.mark("relmap-map-filtered");
  // Sigma drew the first frame inside refresh(); two animation frames later it is on the screen.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    performance.mark("relmap-map-rendered");
    container.dataset.rendered = "true";
    startLayout();
  }));
  if (filters.focus && graph.hasNode(filters.focus)) showDepartment(filters.focus);
  else if (filters.compare) void showComparison();

  let disposed = false;
  // The layout starts once the first frame is drawn: on two cores it would otherwise slow that frame.
  const startLayout = () => {
  if (!reuse && graph.order > 1) {
    container.dataset.layout = "running";
    const ids = graph.nodes();
    const position = new Map(ids.map((id, i) => [id, i]));
    const request: LayoutRequest = {
      ids,
      x: Float64Array.from(ids, (id) => graph.getNodeAttribute(id, "x") as number),
      y: Float64Array.from(ids, (id) => graph.getNodeAttribute(id, "y") as number),
      edges: graph.mapEdges((_key, attributes) => {
        const e = attributes.stats as Edge;
        return [position.get(e.from)!, position.get(e.to)!, Math.log2(1 + edgeVolume(e))] as [number, number, number];
      }),
      iterations: ids.length > 2000 ? 80 : 200,
    };
    runLayout(request).then((answer) => {
      if (disposed) return;
      const kept: Record<string, [number, number]> = {};
      ids.forEach((id, i) => {
        if (!graph.hasNode(id)) return;
        graph.mergeNodeAttributes(id, { x: answer.x[i], y: answer.y[i] });
        kept[id] = [Math.round(answer.x[i] * 100) / 100, Math.round(answer.y[i] * 100) / 100];
      });
      try { localStorage.setItem(layoutKey, JSON.stringify(kept)); } catch { /* full storage: the next visit lays out again */ }
      container.dataset.layout = "done";
      renderer.refresh();
      void renderer.getCamera().animate(fitted, { duration: 300 });
    }).catch((error) => { container.dataset.layout = `failed: ${error instanceof Error ? error.message : String(error)}`; });
  } else {
    container.dataset.layout = "done";
  }
  };

  return {
    refresh: reload,
    dispose: () => { disposed = true; renderer.kill(); },
  };
}

// Small DOM helpers: elements are built with textContent, never from HTML strings, so a department
// or case id can never become markup.

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

export const percent = (rate: number | null | undefined, digits = 0): string =>
  rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(digits)}%`;

export const count = (value: number | null | undefined): string =>
  value === null || value === undefined ? "–" : value.toLocaleString("en");

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

export const departmentHref = (id: string) => `#/departments/${encodeURIComponent(id)}`;
export const caseHref = (id: string) => `#/cases/${encodeURIComponent(id)}`;
export function casesHref(department: string, state?: string): string {
  const query = new URLSearchParams({ department });
  if (state) query.set("state", state);
  return `#/cases?${query}`;
}
export const mapHref = (focus?: string) => (focus ? `#/map?focus=${encodeURIComponent(focus)}` : "#/map");

/// A department's label: its name when the directory gives one, with the id when they differ.
export function departmentLabel(department: { id: string; name?: string }): string {
  return department.name && department.name !== department.id ? `${department.name} (${department.id})` : department.id;
}

export function errorBox(error: unknown): HTMLElement {
  return h("div", { class: "error-box", role: "alert" }, error instanceof Error ? error.message : String(error));
}

/// A table whose columns sort on a click or Enter of their header, shown with aria-sort.
export interface Column<T> {
  title: string;
  value: (row: T) => number | string | null;
  cell?: (row: T) => Child;
  numeric?: boolean;
}

export function sortableTable<T>(columns: Column<T>[], rows: T[], options: { sortBy?: number; descending?: boolean; caption?: string; rowClass?: (row: T) => string; firstRows?: number } = {}): HTMLElement {
  let shownRows = options.firstRows ?? Infinity;
  let sortBy = options.sortBy ?? 0;
  let descending = options.descending ?? false;
  const table = h("table", { class: "data" });
  if (options.caption) table.append(h("caption", { class: "visually-hidden" }, options.caption));
  const head = h("thead");
  const body = h("tbody");
  table.append(head, body);
  const draw = () => {
    const sorted = [...rows].sort((x, y) => {
      const a = columns[sortBy].value(x);
      const b = columns[sortBy].value(y);
      if (a === b) return 0;
      if (a === null) return 1;  // missing values last either way
      if (b === null) return -1;
      const order = a < b ? -1 : 1;
      return descending ? -order : order;
    });
    replaceChildren(head, h("tr", {}, ...columns.map((column, index) => {
      const sort = index === sortBy ? (descending ? "descending" : "ascending") : "none";
      return h("th", { scope: "col", "aria-sort": sort, class: column.numeric ? "num" : "" },
        h("button", { type: "button", class: "sort", onclick: () => {
          if (sortBy === index) descending = !descending;
          else { sortBy = index; descending = Boolean(column.numeric); }
          draw();
        } }, column.title, index === sortBy ? (descending ? " ▼" : " ▲") : ""));
    })));
    const more = sorted.length - shownRows;
    replaceChildren(footer, more > 0 ? h("button", { type: "button", onclick: () => { shownRows = Infinity; draw(); } }, `Show all ${sorted.length} rows (${more} more)`) : null);
    replaceChildren(body, ...sorted.slice(0, shownRows).map((row) => h("tr", { class: options.rowClass?.(row) ?? "" },
      ...columns.map((column) => h("td", { class: column.numeric ? "num" : "" }, column.cell ? column.cell(row) : String(column.value(row) ?? "–"))))));
  };
  const footer = h("div", { class: "table-more no-print" });
  draw();
  return h("div", { class: "table-holder" }, table, footer);
}

/// Saves text the page already holds as a file the browser downloads.
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// The index of departments: searchable, sortable, the worst rates marked (in words as well as colour).
import { apiPath, getJson, type Department } from "../api";
import { count, departmentHref, departmentLabel, h, percent, replaceChildren, sortableTable, type Column } from "../dom";
import type { Page } from "./page";

/// The rate at or above which a department is among the worst tenth (of those asked anything).
function worstFrom(rows: Department[], rate: (d: Department) => number | null): number {
  const values = rows.map(rate).filter((v): v is number => v !== null).sort((a, b) => b - a);
  if (values.length === 0) return Infinity;
  return Math.max(values[Math.max(0, Math.ceil(values.length / 10) - 1)], 0.05);
}

export async function departmentsPage(root: HTMLElement): Promise<Page> {
  const search = h("input", { type: "search", id: "departments-search", placeholder: "Find a department", "aria-label": "Find a department" });
  const holder = h("div", {});
  const summary = h("p", { class: "muted", id: "departments-summary" });
  replaceChildren(root, h("h1", {}, "Departments"), h("div", { class: "toolbar" }, search, summary), holder);
  let rows: Department[] = [];

  const draw = () => {
    const text = search.value.trim().toLowerCase();
    const shown = rows.filter((d) => !text || d.id.toLowerCase().includes(text) || (d.name ?? "").toLowerCase().includes(text));
    const worstNotMine = worstFrom(rows, (d) => d.not_my_role_rate);
    const worstDeadEnd = worstFrom(rows, (d) => d.dead_end_rate);
    const rateCell = (value: number | null, worst: number) =>
      value !== null && value >= worst ? h("span", { class: "worst" }, percent(value), h("span", { class: "flag" }, " worst")) : percent(value);
    const columns: Column<Department>[] = [
      { title: "Department", value: (d) => d.name || d.id, cell: (d) => h("a", { href: departmentHref(d.id) }, departmentLabel(d)) },
      { title: "Unit", value: (d) => d.unit ?? null },
      { title: "Asked of it", value: (d) => d.requests_received, numeric: true, cell: (d) => count(d.requests_received) },
      { title: "It asked", value: (d) => d.requests_made, numeric: true, cell: (d) => count(d.requests_made) },
      { title: "Not my role", value: (d) => d.not_my_role_rate, numeric: true, cell: (d) => rateCell(d.not_my_role_rate, worstNotMine) },
      { title: "Dead ends", value: (d) => d.dead_end_rate, numeric: true, cell: (d) => rateCell(d.dead_end_rate, worstDeadEnd) },
      { title: "Give ratio", value: (d) => d.give_ratio, numeric: true, cell: (d) => percent(d.give_ratio) },
      { title: "Handoffs in", value: (d) => d.handoffs_in, numeric: true, cell: (d) => count(d.handoffs_in) },
      { title: "Handoffs out", value: (d) => d.handoffs_out, numeric: true, cell: (d) => count(d.handoffs_out) },
    ];
    summary.textContent = `${count(shown.length)} of ${count(rows.length)} departments. “worst”: the tenth with the highest rate.`;
    replaceChildren(holder, sortableTable(columns, shown, { sortBy: 5, descending: true, caption: "Departments and their headline figures", firstRows: 200 }));
  };
  const refresh = async () => {
    rows = (await getJson<{ departments: Department[] }>(apiPath("departments"))).departments;
    draw();
  };
  search.addEventListener("input", draw);
  await refresh();
  return { refresh };
}

// The pages' entry point: a hash router, the sign-in dialog and the live refresh.
import { HttpError, token } from "./api";
import { errorBox, replaceChildren } from "./dom";
import { attentionPage } from "./pages/attention";
import { casePage, casesPage } from "./pages/cases";
import { departmentsPage } from "./pages/departments";
import { mapPage } from "./pages/map";
import { reportPage } from "./pages/report";
import type { Page, Route } from "./pages/page";

const root = document.getElementById("page") as HTMLElement;
const status = document.getElementById("status") as HTMLElement;
let current: { page: Page } | null = null;
let navigations = 0;  // a page that finishes opening after the user moved on is dropped

function parseRoute(): Route {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?", 2);
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { segments, query: new URLSearchParams(query ?? "") };
}

function pageFor(route: Route): { name: string; open: (root: HTMLElement, route: Route) => Promise<Page> } {
  const [first, second] = route.segments;
  if (!first) return { name: "attention", open: attentionPage };
  if (first === "map") return { name: "map", open: mapPage };
  if (first === "departments" && second) return { name: "departments", open: reportPage };
  if (first === "departments") return { name: "departments", open: departmentsPage };
  if (first === "cases" && second) return { name: "cases", open: casePage };
  if (first === "cases") return { name: "cases", open: casesPage };
  return { name: "", open: async (element) => { replaceChildren(element, errorBox("No such page.")); return { refresh: async () => {} }; } };
}

async function show(): Promise<void> {
  const route = parseRoute();
  const { name, open } = pageFor(route);
  const navigation = ++navigations;
  current?.page.dispose?.();
  current = null;
  for (const link of document.querySelectorAll<HTMLAnchorElement>("[data-nav]")) {
    if (link.dataset.nav === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  replaceChildren(root, "Loading…");
  root.dataset.ready = "false";
  try {
    const page = await open(root, route);
    if (navigation !== navigations) { page.dispose?.(); return; }
    current = { page };
    root.dataset.ready = "true";
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) return signIn(error.message);
    replaceChildren(root, errorBox(error));
    root.dataset.ready = "true";
  }
}

function signIn(reason: string): void {
  const dialog = document.getElementById("sign-in") as HTMLDialogElement;
  const form = document.getElementById("sign-in-form") as HTMLFormElement;
  const input = document.getElementById("token") as HTMLInputElement;
  (document.getElementById("sign-in-error") as HTMLElement).textContent = token.get() ? reason : "";
  form.onsubmit = () => {
    token.set(input.value.trim());
    input.value = "";
    void show();
  };
  if (!dialog.open) dialog.showModal();
}

/// Looks at the snapshot's version every few seconds; a new one redraws the open page in place
/// (a page keeps its own zoom, filters and selection across a refresh).
let seenVersion: number | null = null;
async function watch(): Promise<void> {
  try {
    const response = await fetch("/readyz", { cache: "no-store" });
    const body = (await response.json()) as { version?: number };
    if (body.version !== undefined && body.version !== seenVersion) {
      const first = seenVersion === null;
      seenVersion = body.version;
      if (!first && current) {
        await current.page.refresh();
        status.textContent = `Updated ${new Date().toLocaleTimeString("en-GB")}`;
      }
    }
    if (status.dataset.offline) { delete status.dataset.offline; status.textContent = "Live"; }
  } catch {
    status.dataset.offline = "true";
    status.textContent = "Offline: showing the last data";
  }
  setTimeout(() => void watch(), 5000);
}

window.addEventListener("hashchange", () => void show());
void show();
void watch();

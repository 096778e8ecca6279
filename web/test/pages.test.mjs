// The web pages in headless Chromium against relmap serve on one event file: the map, search, a
// department's report (the API's numbers), the cases behind a count, a case's journey, the filters,
// print, a department's token, and axe-core on every page. Screenshots go to RELMAP_TEST_OUT.
// Environment: RELMAP_BIN, RELMAP_WEB_ROOT, RELMAP_TEST_EVENTS, RELMAP_TEST_DEPARTMENT, RELMAP_TEST_OUT.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { accessibilityViolations, launchBrowser, startServe } from "./browser.mjs";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const department = env("RELMAP_TEST_DEPARTMENT");
const out = env("RELMAP_TEST_OUT");
mkdirSync(out, { recursive: true });
const operationsToken = "ops-" + Math.random().toString(36).slice(2);
const departmentToken = "dept-" + Math.random().toString(36).slice(2);
const tokens = join(mkdtempSync(join(tmpdir(), "relmap-web-")), "tokens");
writeFileSync(tokens, `${operationsToken} operations\n${departmentToken} department:${department}\n`);

let serve;
let browser;
let graph;
const api = async (path, token = operationsToken) => {
  const response = await fetch(`${serve.base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
};

before(async () => {
  serve = await startServe(env("RELMAP_BIN"), ["--events", env("RELMAP_TEST_EVENTS"), "--token-file", tokens, "--web-root", env("RELMAP_WEB_ROOT")]);
  browser = await launchBrowser();
  graph = await api("/api/v1/graph");
});
after(async () => {
  await browser?.close();
  serve?.stop();
});

/// A page signed in as TOKEN, failing the test on any script error the page raises.
async function openPage(hash, token = operationsToken) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript((value) => sessionStorage.setItem("relmap-token", value), token);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  await page.goto(`${serve.base}/${hash}`);
  await page.waitForSelector("#page[data-ready='true']", { timeout: 60000 });
  return { page, errors, close: () => context.close() };
}

async function expectAccessible(page, what) {
  const violations = await accessibilityViolations(page);
  assert.deepEqual(violations, [], `${what}: axe-core found serious violations`);
}

async function mapReady(page) {
  await page.waitForSelector("[data-testid='map'][data-rendered='true'][data-layout='done']", { timeout: 60000 });
}

test("the landing page lists the findings and alerts", async () => {
  const { page, errors, close } = await openPage("#/");
  assert.ok(await page.locator(".card").count() >= 1, "no finding cards");
  await page.screenshot({ path: join(out, "attention.png"), fullPage: true });
  await expectAccessible(page, "attention");
  assert.deepEqual(errors, []);
  await close();
});

test("the map shows one node per department, search finds the department and opens its report", async () => {
  const { page, errors, close } = await openPage("#/map");
  await mapReady(page);
  const map = page.getByTestId("map");
  assert.equal(Number(await map.getAttribute("data-node-count")), graph.departments.length);
  await page.screenshot({ path: join(out, "map.png") });
  await expectAccessible(page, "map");

  await page.fill("#map-search", department);
  await page.locator(`.search-results button[data-department="${department}"]`).click();
  await page.getByTestId("open-report").waitFor();
  await page.waitForTimeout(500);  // the camera's move to it
  await page.screenshot({ path: join(out, "map-focused.png") });
  await page.getByTestId("open-report").click();
  await page.waitForSelector("#page[data-ready='true'] [data-testid='headline']");
  assert.match(page.url(), new RegExp(`#/departments/${encodeURIComponent(department)}$`));

  const report = await api(`/api/v1/departments/${encodeURIComponent(department)}/report`);
  const summary = report.sections.find((s) => s.id === "summary");
  let checked = 0;
  for (const row of summary.rows) {
    const value = row.figures[0].value;
    if (!value) continue;  // rows with nothing in either period are left out of the page
    const shown = await page.locator(`tr[data-figure="${row.label.replace(/"/g, '\\"')}"] td`).first().innerText();
    const number = Number(shown.replace(/[^0-9.]/g, ""));
    if (shown.endsWith("%")) assert.ok(Math.abs(number / 100 - value) < 0.0006, `${row.label}: page ${shown}, API ${value}`);
    else if (/^[0-9,]+$/.test(shown)) assert.equal(number, value, `${row.label}: page ${shown}, API ${value}`);
    checked++;
  }
  assert.ok(checked >= 2, "the report page showed too few of the API's figures");
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(out, "report.png"), fullPage: true });
  await expectAccessible(page, "report");

  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator("header.top").evaluate((e) => getComputedStyle(e).display), "none", "the print stylesheet did not hide the navigation");
  await page.screenshot({ path: join(out, "report-print.png"), fullPage: true });
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(errors, []);
  await close();
});

test("a count opens the cases behind it and a case opens its journey", async () => {
  const { page, errors, close } = await openPage(`#/departments/${encodeURIComponent(department)}`);
  const expected = await api(`/api/v1/cases?department=${encodeURIComponent(department)}&limit=50`);
  assert.ok(expected.cases.length > 0, "the API lists no cases for the department");
  await page.locator("tr[data-figure] td a").first().click();
  await page.waitForSelector("[data-testid='cases'] tbody tr");
  const listed = await page.locator("[data-testid='cases'] tbody tr").count();
  assert.ok(listed > 0);
  await page.screenshot({ path: join(out, "cases.png"), fullPage: true });
  await expectAccessible(page, "cases");
  const first = page.locator("[data-testid='cases'] tbody tr td a").first();
  const caseId = await first.innerText();
  await first.click();
  await page.waitForSelector("[data-testid='journey'] li");
  const journey = await api(`/api/v1/cases/${encodeURIComponent(caseId)}`);
  const steps = await page.locator("[data-testid='journey'] li").count();
  assert.ok(steps >= journey.handoffs.length + journey.requests.length, `${steps} steps for ${journey.handoffs.length} handoffs and ${journey.requests.length} requests`);
  await page.screenshot({ path: join(out, "journey.png"), fullPage: true });
  await expectAccessible(page, "journey");
  assert.deepEqual(errors, []);
  await close();
});

test("the neighbourhood and time filters change what the map shows", async () => {
  const neighbours = new Set([department]);
  for (const edge of graph.edges) {
    if (edge.from === department) neighbours.add(edge.to);
    if (edge.to === department) neighbours.add(edge.from);
  }
  const { page, errors, close } = await openPage(`#/map?min=0&focus=${encodeURIComponent(department)}`);
  await mapReady(page);
  const map = page.getByTestId("map");
  assert.equal(Number(await map.getAttribute("data-node-count")), neighbours.size);
  await page.screenshot({ path: join(out, "map-neighbourhood.png") });

  await page.fill("#map-focus", "");
  await page.dispatchEvent("#map-focus", "change");
  const allEdges = Number(await map.getAttribute("data-edge-count"));
  const days = [...new Set(graph.edges.length ? [graph.watermark.slice(0, 10)] : [])];
  await page.fill("#map-from", days[0]);
  await page.dispatchEvent("#map-from", "change");
  await page.fill("#map-to", days[0]);
  await page.dispatchEvent("#map-to", "change");
  const windowed = await api(`/api/v1/graph?from=${days[0]}&to=${days[0]}`);
  const shownEdges = windowed.edges.filter((e) => e.from !== e.to).length;
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid='map']").dataset.edgeCount) === n, shownEdges, { timeout: 20000 });
  assert.notEqual(shownEdges, allEdges, "one day's map should differ from the whole period's");
  assert.deepEqual(errors, []);
  await close();
});

test("a department's token sees its own pages and nothing more", async () => {
  const { page, errors, close } = await openPage("#/", departmentToken);
  await page.waitForURL(new RegExp(`#/departments/${encodeURIComponent(department)}$`), { timeout: 20000 });
  await page.waitForSelector("#page[data-ready='true'] [data-testid='headline']");
  await page.goto(`${serve.base}/#/departments`);
  await page.waitForSelector("#page[data-ready='true'] table.data tbody tr");
  assert.equal(await page.locator("table.data tbody tr").count(), 1);
  await page.goto(`${serve.base}/#/map?min=0`);
  await mapReady(page);
  const folded = await api("/api/v1/graph", departmentToken);
  assert.equal(Number(await page.getByTestId("map").getAttribute("data-node-count")), folded.departments.length);
  assert.ok(folded.departments.length < graph.departments.length);
  await page.screenshot({ path: join(out, "department-role-map.png") });
  // The landing page learns the role by asking for the findings: that one 403 is expected.
  assert.deepEqual(errors.filter((e) => !e.includes("status of 403")), []);
  await close();
});

test("without a token the pages ask for one", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${serve.base}/#/departments`);
  await page.waitForSelector("#sign-in[open]");
  await page.fill("#token", operationsToken);
  await page.click("#sign-in button[type='submit']");
  await page.waitForSelector("#page[data-ready='true'] table.data tbody tr");
  const all = graph.departments.length.toLocaleString("en");
  assert.match(await page.locator("#departments-summary").innerText(), new RegExp(`^${all} of ${all} departments`));
  assert.equal(await page.locator("table.data tbody tr").count(), Math.min(200, graph.departments.length));
  await page.fill("#departments-search", department);
  assert.ok(await page.locator(`table.data tbody a[href="#/departments/${encodeURIComponent(department)}"]`).count() === 1, "search did not find the department");
  await page.screenshot({ path: join(out, "departments.png"), fullPage: true });
  await expectAccessible(page, "departments");
  await context.close();
});

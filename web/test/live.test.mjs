// The map page follows the stream: against the real broker (RELMAP_KAFKA_BROKERS), events produced
// while `relmap aggregate` and `relmap serve --brokers` run reach the open page without a reload, and
// the user's zoom, filter and URL survive the redraw. Environment: RELMAP_BIN, RELMAP_WEB_ROOT,
// RELMAP_KAFKA_BROKERS, RELMAP_TEST_OUT.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { launchBrowser, startServe } from "./browser.mjs";

const relmap = process.env.RELMAP_BIN;
const brokers = process.env.RELMAP_KAFKA_BROKERS;
const out = process.env.RELMAP_TEST_OUT;
assert.ok(relmap && brokers && out, "RELMAP_BIN, RELMAP_KAFKA_BROKERS and RELMAP_TEST_OUT must be set");
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "relmap-web-live-"));
const name = `web-live-${process.pid}-${Date.now()}`;
const topics = ["--brokers", brokers, "--topic", `${name}.events`, "--dlq-topic", `${name}.dlq`, "--changelog-topic", `${name}.state`,
  "--aggregates-topic", `${name}.aggregates`, "--alerts-topic", `${name}.alerts`, "--departments-topic", `${name}.departments`];
const stops = [];  // of the processes the test started
const run = (...args) => execFileSync(relmap, ["--log-level", "warn", ...args], { stdio: ["ignore", "pipe", "inherit"] });
after(() => { for (const stop of stops) stop(); });

test("events produced while the map is open appear on it, and the zoom and filters stay", async () => {
  run("topics", "create", ...topics, "--partitions", "3");
  run("generate", "--seed", "5", "--cases", "300", "-o", join(work, "events.jsonl"));
  run("produce", ...topics, join(work, "events.jsonl"));
  const aggregator = spawn(relmap, ["--log-level", "warn", "aggregate", "--group", name, "--batch-ms", "200", ...topics], { stdio: "ignore" });
  stops.push(() => aggregator.kill("SIGTERM"));
  const serve = await startServe(relmap, ["--insecure-no-auth", "--refresh-seconds", "1", "--web-root", process.env.RELMAP_WEB_ROOT, ...topics]);
  stops.push(serve.stop);
  const base = serve.base;
  const departments = async () => {
    const response = await fetch(`${base}/api/v1/graph`);
    return response.ok ? (await response.json()).departments.length : 0;
  };
  let before = 0;
  for (let i = 0; i < 600 && before < 10; i++) { before = await departments(); await new Promise((r) => setTimeout(r, 100)); }
  assert.ok(before >= 10, "the aggregates never reached serve");

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${base}/#/map?flagged=true`);
  const map = page.getByTestId("map");
  await page.waitForSelector("[data-testid='map'][data-rendered='true'][data-layout='done']", { timeout: 60000 });
  // Wait for the aggregator to settle (every generated department on the map), then zoom in.
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid='map']").dataset.nodeCount) >= n, before);
  await page.screenshot({ path: join(out, "map-live-start.png") });
  const box = await map.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 2; i++) { await page.mouse.wheel(0, -100); await page.waitForTimeout(150); }
  await page.waitForTimeout(500);
  const zoomed = await map.getAttribute("data-camera-ratio");
  assert.ok(Number(zoomed) < 0.9, `the wheel did not zoom in (ratio ${zoomed})`);
  const shown = Number(await map.getAttribute("data-node-count"));
  await page.screenshot({ path: join(out, "map-live-before.png") });

  writeFileSync(join(work, "more.jsonl"),
    `{"event_id":"web-live-1","type":"request","v":1,"occurred_at":"2026-03-20T10:00:00Z","case_id":"WEB-LIVE-1","source":"t","from":"Live Desk","to":"Legal"}\n`);
  run("produce", ...topics, join(work, "more.jsonl"));
  const started = Date.now();
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid='map']").dataset.nodeCount) === n + 1, shown, { timeout: 30000 });
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 15, `the new department took ${seconds} s to appear`);
  assert.equal(await map.getAttribute("data-camera-ratio"), zoomed, "the refresh moved the camera");
  assert.equal(await page.isChecked("#map-flagged"), true, "the refresh lost the flagged filter");
  assert.match(page.url(), /flagged=true/);
  assert.match(await page.locator("#status").innerText(), /^Updated/);
  await page.screenshot({ path: join(out, "map-live.png") });
  assert.deepEqual(errors, []);
  await browser.close();
});

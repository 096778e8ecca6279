// bench/web-render's measurements: for each events file, relmap serve on it and the map opened in a
// fresh headless Chromium context (no layout kept from before): milliseconds from navigation to the
// map's first drawn frame and to its layout settled, then frames per second while dragging the map
// for three seconds. Usage: node render_bench.mjs RELMAP WEB_ROOT LABEL=FILE...
import { launchBrowser, startServe } from "./browser.mjs";

const [relmap, webRoot, ...inputs] = process.argv.slice(2);
const browser = await launchBrowser();
for (const input of inputs) {
  const [label, file] = input.split("=");
  const serve = await startServe(relmap, ["--events", file, "--insecure-no-auth", "--web-root", webRoot]);
  for (let round = 1; round <= 3; round++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${serve.base}/#/map`);
    await page.waitForSelector("[data-testid='map'][data-rendered='true']", { timeout: 120000 });
    const [fetched, built, sigma, filtered, firstFrame] = await page.evaluate(() =>
      ["relmap-map-fetched", "relmap-map-built", "relmap-map-sigma", "relmap-map-filtered", "relmap-map-rendered"].map((name) => performance.getEntriesByName(name)[0].startTime));
    await page.waitForSelector("[data-testid='map'][data-layout='done']", { timeout: 300000 });
    const settled = await page.evaluate(() => performance.now());
    const shown = await page.getByTestId("map").evaluate((e) => `${e.dataset.nodeCount} departments, ${e.dataset.edgeCount} relationships`);
    const box = await page.getByTestId("map").boundingBox();
    await page.evaluate(() => {
      window.__frames = 0;
      const tick = () => { window.__frames++; window.__ticking = requestAnimationFrame(tick); };
      window.__ticking = requestAnimationFrame(tick);
    });
    const started = Date.now();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let step = 0; Date.now() - started < 3000; step++) {
      const angle = step / 15;
      await page.mouse.move(box.x + box.width / 2 + 200 * Math.cos(angle), box.y + box.height / 2 + 150 * Math.sin(angle));
    }
    await page.mouse.up();
    const frames = await page.evaluate(() => { cancelAnimationFrame(window.__ticking); return window.__frames; });
    const fps = frames / ((Date.now() - started) / 1000);
    console.log(`${label} round ${round}: first render ${firstFrame.toFixed(0)} ms (graph fetched ${fetched.toFixed(0)}, built ${built.toFixed(0)}, sigma ${sigma.toFixed(0)}, filtered ${filtered.toFixed(0)}), layout settled ${settled.toFixed(0)} ms, ` +
      `panning ${fps.toFixed(1)} frames/s (${shown})`);
    await context.close();
  }
  serve.stop();
}
await browser.close();

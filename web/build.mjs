// Builds the pages into one folder that relmap serve answers from: node build.mjs OUT_DIR.
// Type-checks first (esbuild strips types without checking them).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "dist"));

execFileSync(join(here, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", here], { stdio: "inherit" });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, "src", "main.ts"), "layout-worker": join(here, "src", "layout_worker.ts") },
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["chrome110", "firefox115", "safari16"],
  logLevel: "warning",
});
await build({
  entryPoints: { app: join(here, "src", "style.css") },
  outdir: out,
  bundle: true,
  minify: true,
  logLevel: "warning",
});
for (const file of ["index.html", "favicon.svg"]) copyFileSync(join(here, "src", file), join(out, file));

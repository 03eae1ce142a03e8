// Build static/vendor/plotly.min.js: plotly.js (pinned in package-lock.json) with only
// the trace types we draw (frontend/plotly-entry.js), minified by esbuild (pinned too),
// and beside it the licence of every package bundled in it. Same inputs, same bytes.
//
//     npm ci && npm run build:plotly     (run by `make install` and the Dockerfile)
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "static", "vendor");
const outfile = path.join(outdir, "plotly.min.js");
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: [path.join(root, "frontend", "plotly-entry.js")],
  outfile,
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  target: "es2016",
  // As plotly.js's own esbuild-config.js: no AMD, `global` is the window.
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  alias: { stream: "stream-browserify" },
  // The one stylesheet src/registry.js requires is maplibre-gl's, for map traces only.
  loader: { ".css": "empty" },
  legalComments: "none",
  metafile: true,
  absWorkingDir: root,
  logLevel: "warning",
});

// Every npm package whose code is in the bundle, with its licence text.
const packages = new Map();
const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
  if (!bytesInOutput || input.endsWith(".css")) continue;
  const match = input.match(/^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//);
  if (match && !packages.has(match[2])) packages.set(match[2], match[1]);
}
const sections = [...packages.entries()].sort().map(([name, dir]) => {
  const meta = JSON.parse(readFileSync(path.join(root, dir, "package.json"), "utf8"));
  const files = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "license.md", "LICENCE"];
  let text = "";
  for (const file of files) {
    try {
      text = readFileSync(path.join(root, dir, file), "utf8");
      break;
    } catch {
      /* try the next name */
    }
  }
  const header = `${name} ${meta.version} (${meta.license || "see below"})`;
  return `${header}\n${"=".repeat(header.length)}\n\n${text.trim() || "(no licence file in the package)"}\n`;
});
writeFileSync(
  path.join(outdir, "plotly.min.js.LICENSE.txt"),
  "plotly.min.js: a partial bundle of plotly.js built by frontend/build-plotly.mjs.\n" +
    "It contains code from the following packages, under these licences.\n\n" +
    sections.join("\n"),
);
const size = readFileSync(outfile).length;
console.log(`static/vendor/plotly.min.js: ${(size / 1024).toFixed(0)} KiB, ${packages.size} packages`);

// Bundles the page's script (src/app.ts, the SDK it imports and openapi-fetch) into one browser
// ES module, dist/app.js, next to dist/index.html. Type checking is tsc's job (tsconfig.json).
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: ["src/app.ts"],
  outfile: "dist/app.js",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
  metafile: true,
  // openapi-fetch from this package's node_modules (an alias is resolved from absWorkingDir),
  // whether or not clients/typescript has its own installed.
  alias: { "openapi-fetch": "./node_modules/openapi-fetch" },
});
await copyFile(join(here, "src/index.html"), join(dist, "index.html"));

// The bundle must hold the SDK's own source and this package's openapi-fetch.
const inputs = Object.keys(result.metafile.inputs);
for (const wanted of ["../typescript/src/index.ts", "node_modules/openapi-fetch/"]) {
  if (!inputs.some((input) => input.startsWith(wanted))) {
    throw new Error(`the bundle lacks ${wanted}: it holds ${inputs.join(", ")}`);
  }
}
console.log(`built ${relative(process.cwd(), dist)}/ from ${inputs.join(", ")}`);

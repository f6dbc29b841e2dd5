/**
 * Writes console/src/lib/api-types.ts: the console's types of the control plane's API, from
 * its OpenAPI document (whose schemas come from src/core/schema). Run `npm run openapi-types`
 * after changing a schema or a route; test/console/api-types.test.ts fails while the file is
 * stale.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderTypes } from "../src/core/schema/index.js";
import { buildOpenApi, withOpenApi } from "../src/server/control-plane/openapi.js";
import { allRoutes } from "../src/server/control-plane/routes.js";

export const API_TYPES_FILE = "console/src/lib/api-types.ts";

const HEADER = `/**
 * The control plane's API types, generated from its OpenAPI document (GET /api/v1/openapi.json,
 * whose schemas are src/core/schema's) by scripts/openapi-types.ts. Do not edit: run
 * \`npm run openapi-types\` (test/console/api-types.test.ts fails while this file is stale).
 */`;

/** The file's text, formatted as Biome formats the console's sources. */
export function renderConsoleTypes(): string {
  const text = renderTypes(buildOpenApi(withOpenApi(allRoutes), "0.0.0"), { header: HEADER });
  const biome = join(repository(), "node_modules/.bin/biome");
  const formatted = spawnSync(biome, ["format", `--stdin-file-path=${API_TYPES_FILE}`], {
    cwd: repository(),
    input: text,
    encoding: "utf8",
  });
  if (formatted.status !== 0) throw new Error(`biome format failed: ${formatted.stderr}`);
  return formatted.stdout;
}

/** The repository: the nearest folder above this file holding package.json (run from out/ too). */
function repository(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return dir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = join(repository(), API_TYPES_FILE);
  writeFileSync(file, renderConsoleTypes());
  process.stdout.write(`${file}\n`);
}

/**
 * The `yaml` package, loaded on first use. It is the careful reader (documents the fast path
 * declines, positions for SARIF and human output, printing); loading it costs 30–60 ms, which
 * a `customs check` of plain manifests never needs. Its Node build is CommonJS, so `require`
 * loads the very module `import "yaml"` would, synchronously, where the reader needs it.
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let lib: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  lib ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return lib;
}

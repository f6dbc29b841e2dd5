// Bundles the compiled CLI (dist/cli/main.js and everything it imports from dist/) into a few
// files under dist/bundle/ (or the folder given as the first argument, next to dist/cli):
// one chunk per command, split at the same dynamic imports as dist/cli/main.js. Node resolves
// and links each ES module on its own; ~140 of them cost `customs check` about 30 ms of its
// start-up (docs/cli.md, "Start-up"). Packages stay external: they are installed, not bundled.
//
//   node scripts/bundle-cli.mjs [DIST]     # DIST defaults to ./dist
//
// bin/customs runs dist/bundle/main.js when it is at least as new as dist/cli/main.js, so a
// plain `tsc` build after this one is never shadowed by a stale bundle.
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "rolldown";

const dist = resolve(process.argv[2] ?? "dist");
const out = join(dist, "bundle");
rmSync(out, { recursive: true, force: true });
await build({
  input: join(dist, "cli", "main.js"),
  platform: "node",
  // Bare specifiers (packages) and node: built-ins are loaded by Node as usual.
  external: [/^node:/, /^[^./]/],
  logLevel: "warn",
  // A module that one command imports lazily and another statically stays where it is
  // shared; that is expected here, not a mistake to report.
  checks: { ineffectiveDynamicImport: false },
  output: {
    dir: out,
    format: "esm",
    // Flat: every chunk sits two folders below the package root, as dist/cli/*.js do, so
    // paths built from import.meta.url (package.json, dist/console) resolve the same.
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
  },
});

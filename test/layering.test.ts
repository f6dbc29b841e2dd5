import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/g))
    specs.push(m[1] as string);
  for (const m of text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)) specs.push(m[1] as string);
  // Imports for their side effects only: `import "x";`.
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+"([^"]+)"/g)) specs.push(m[1] as string);
  return specs;
}

function layerOf(file: string): string[] {
  return relative(SRC, file).split(sep);
}

describe("layering (DESIGN.md: dependencies point one way)", () => {
  const all = files(SRC);

  it("finds the source tree", () => {
    expect(all.some((f) => f.includes(`${sep}core${sep}`))).toBe(true);
  });

  it("core imports nothing outside core: no node modules, no packages", () => {
    const offences: string[] = [];
    for (const file of all.filter((f) => layerOf(f)[0] === "core")) {
      for (const spec of importsOf(file)) {
        const target = spec.startsWith(".") ? resolve(dirname(file), spec) : undefined;
        if (target === undefined || layerOf(target)[0] !== "core") {
          offences.push(`${relative(SRC, file)} imports ${spec}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  it("core touches no process, timers, clock or network globals", () => {
    const forbidden =
      /\b(process\.|setTimeout|setInterval|setImmediate|Date\.now|new Date\(|fetch\(|require\()/;
    const offences = all
      .filter((f) => layerOf(f)[0] === "core")
      .filter((f) =>
        forbidden.test(readFileSync(f, "utf8").replace(/\/\/.*|\/\*[\s\S]*?\*\//g, "")),
      )
      .map((f) => relative(SRC, f));
    expect(offences).toEqual([]);
  });

  it("an adapter imports no other adapter but http, and nothing from app, server or cli", () => {
    // adapters/http is the one HTTP client (TLS trust, timeouts, size caps) under every
    // adapter that speaks HTTP: a base to build on, not a peer system. It imports no adapter.
    const BASE = "http";
    const offences: string[] = [];
    for (const file of all.filter((f) => layerOf(f)[0] === "adapters")) {
      const own = layerOf(file)[1];
      for (const spec of importsOf(file).filter((s) => s.startsWith("."))) {
        const [layer, name] = layerOf(resolve(dirname(file), spec));
        if (layer === "adapters" && name !== own && name !== BASE)
          offences.push(`${relative(SRC, file)} imports ${spec}`);
        if (layer === "app" || layer === "server" || layer === "cli")
          offences.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it("app does not import cli or server", () => {
    const offences: string[] = [];
    for (const file of all.filter((f) => layerOf(f)[0] === "app")) {
      for (const spec of importsOf(file).filter((s) => s.startsWith("."))) {
        const layer = layerOf(resolve(dirname(file), spec))[0];
        if (layer === "cli" || layer === "server")
          offences.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it("app does its I/O through adapters: no file, network, process or database modules", () => {
    // Use cases decide what to read and write; adapters know how (atomic writes, owner-only
    // modes, size limits, TLS, timeouts). A use case that opens files or sockets itself
    // skips those, and cannot be tested without them.
    const forbidden = new Set([
      "node:fs",
      "node:fs/promises",
      "node:net",
      "node:http",
      "node:https",
      "node:http2",
      "node:tls",
      "node:dgram",
      "node:dns",
      "node:child_process",
      "undici",
      "pg",
      "better-sqlite3",
    ]);
    // Allowed: these compute (paths, digests, URLs, streams over data already in hand),
    // or wait on what an adapter returns (events); none reaches outside the process.
    const allowed = new Set([
      "node:path",
      "node:crypto",
      "node:events",
      "node:util",
      "node:os",
      "node:url",
      "node:stream",
    ]);
    const offences: string[] = [];
    for (const file of all.filter((f) => layerOf(f)[0] === "app")) {
      for (const spec of importsOf(file)) {
        // The same module without the prefix (`fs`, `http`) is the same module.
        const node = spec.startsWith("node:") || spec.startsWith(".") ? spec : `node:${spec}`;
        if ([...forbidden].some((f) => spec === f || node === f || spec.startsWith(`${f}/`)))
          offences.push(`${relative(SRC, file)} imports ${spec}`);
        // One exception: documents/yaml-lib.ts `require`s the CommonJS package `yaml` on first
        // use (start-up), and nothing else.
        else if (
          spec === "node:module" &&
          relative(SRC, file) === join("app", "documents", "yaml-lib.ts")
        )
          continue;
        else if (spec.startsWith("node:") && !allowed.has(spec))
          offences.push(`${relative(SRC, file)} imports ${spec} (not among the allowed)`);
      }
      const code = readFileSync(file, "utf8").replace(/\/\/.*|\/\*[\s\S]*?\*\//g, "");
      // Global fetch: a call not preceded by `.` or a word character (client.fetch(…) and
      // fetchKeys(…) are fine).
      if (/(?<![\w.$])fetch\s*\(/.test(code))
        offences.push(`${relative(SRC, file)} calls global fetch`);
    }
    expect(offences).toEqual([]);
  });

  it("no `export *` (explicit public API)", () => {
    const offences = all
      .filter((f) => /export \*/.test(readFileSync(f, "utf8")))
      .map((f) => relative(SRC, f));
    expect(offences).toEqual([]);
  });
  it("every capability folder of app has an index.ts, its public face", () => {
    const folders = readdirSync(join(SRC, "app"), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.length).toBeGreaterThan(5);
    const missing = folders.filter((f) => !all.includes(join(SRC, "app", f, "index.ts")));
    expect(missing).toEqual([]);
    // No use case stands loose beside the folders.
    const loose = readdirSync(join(SRC, "app")).filter((n) => n.endsWith(".ts"));
    expect(loose).toEqual([]);
  });

  it("static imports into a capability folder from outside it go through its index.ts", () => {
    // A command may still `import()` one module of a folder directly, to load only that.
    const folderOf = (file: string): string | undefined => {
      const [layer, name, rest] = layerOf(file);
      return (layer === "app" || layer === "adapters") && rest !== undefined
        ? `${layer}/${name}`
        : undefined;
    };
    // Deliberate exceptions, each with its reason at the import.
    const allowed = new Set([
      // The registry image's name for an option default: the bundle's index loads bcrypt.
      "cli/commands/registry.ts imports ../../adapters/registry-bundle/objects.js",
    ]);
    const offences: string[] = [];
    for (const file of all) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)) {
        const target = resolve(dirname(file), m[1] as string);
        const folder = folderOf(target);
        if (folder === undefined || folder === folderOf(file)) continue;
        const offence = `${relative(SRC, file)} imports ${m[1]}`;
        if (!target.endsWith(`${sep}index.js`) && !allowed.has(offence)) offences.push(offence);
      }
    }
    expect(offences).toEqual([]);
  });
});

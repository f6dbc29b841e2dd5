import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

const DIR = join(ROOT, "dist/console");
const built = existsSync(join(DIR, "index.html"));

/**
 * The console must work on a machine without internet access and under the control plane's
 * Content-Security-Policy (its own origin only): everything is bundled and referenced relatively.
 */
describe.skipIf(!built)("the built console (npm run build)", () => {
  it("references its assets relatively, with no inline script", () => {
    const html = readFileSync(join(DIR, "index.html"), "utf8");
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref, ref).toMatch(/^\.\/assets\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("loads no fonts, styles or scripts from elsewhere", () => {
    const assets = readdirSync(join(DIR, "assets"));
    for (const file of assets.filter((f) => f.endsWith(".css") || f.endsWith(".js"))) {
      const text = readFileSync(join(DIR, "assets", file), "utf8");
      expect(text, file).not.toMatch(/@import|@font-face|fonts\.googleapis|cdn\.|unpkg|jsdelivr/);
      expect(text, file).not.toMatch(/import\s*\(\s*["']https?:/);
    }
  });
});

if (!built) console.log("skipped: dist/console is not built (npm run build)");

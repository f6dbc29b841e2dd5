import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const customs = (...args: string[]) =>
  spawnSync(process.execPath, [resolve(root, "bin/customs"), ...args], {
    cwd: root,
    encoding: "utf8",
  });

// What users build with Docker must pass our own Dockerfile checks, offline.
describe.each(["deploy/Dockerfile", "deploy/image/registry/Dockerfile"])("%s", (file) => {
  it("passes `customs dockerfile lint` with no finding at all", () => {
    const r = customs("dockerfile", "lint", "--fail-on", "info", "-o", "json", file);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      summary: { total: number };
      reports: { scanned: { stages: number } }[];
    };
    expect(report.summary.total).toBe(0);
    // Both stages were read: a file the reader gave up on would also have no findings.
    expect(report.reports[0]?.scanned.stages).toBe(2);
  });

  it("passes `customs dockerfile pin --check`: every base is pinned by digest", () => {
    const r = customs("dockerfile", "pin", "--check", file);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("0 unpinned base image(s)");
  });
});

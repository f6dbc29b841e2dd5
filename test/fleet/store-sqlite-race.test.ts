import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "customs-sqlite-race-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens the store in a process of its own; resolves with its exit code and stderr. */
function openInProcess(path: string): Promise<{ code: number | null; err: string }> {
  const script = `
    const { openStore } = await import(${JSON.stringify(join(ROOT, "dist/adapters/store/index.js"))});
    const store = await openStore(${JSON.stringify(`sqlite:${path}`)});
    await store.close();
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr?.on("data", (d) => {
      err += String(d);
    });
    child.once("exit", (code) => resolve({ code, err }));
  });
}

describe("SQLite: processes opening one new file at once", () => {
  // Several replicas (or a replica and `customs admin` commands) switching a new file to WAL
  // and migrating it together: none may fail with "database is locked".
  it("every one of six processes opens it, in each of three rounds", async () => {
    for (let round = 0; round < 3; round += 1) {
      const path = join(dir, `round-${round}.db`);
      const results = await Promise.all(Array.from({ length: 6 }, () => openInProcess(path)));
      for (const r of results) expect(r, r.err).toMatchObject({ code: 0 });
    }
  }, 120_000);
});

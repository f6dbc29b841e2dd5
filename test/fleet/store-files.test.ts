import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/adapters/store/index.js";
import { ADMIN } from "./harness.js";

const mode = (file: string) => statSync(file).mode & 0o777;

describe("SQLite files are the owner's only", () => {
  const dirs: string[] = [];
  const umask = process.umask();
  afterEach(() => {
    process.umask(umask);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("creates the database, -wal and -shm with mode 0600 under a permissive umask", async () => {
    process.umask(0o022);
    const dir = mkdtempSync(join(tmpdir(), "customs-files-"));
    dirs.push(dir);
    const path = join(dir, "cp.db");
    const store = await openStore(`sqlite:${path}`);
    try {
      await store.createOrganization(ADMIN, "o", {});
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect(existsSync(file), file).toBe(true);
        expect(mode(file).toString(8), file).toBe("600");
      }
    } finally {
      await store.close();
    }
  });

  it("tightens files an older version left readable by others", async () => {
    process.umask(0o022);
    const dir = mkdtempSync(join(tmpdir(), "customs-files-"));
    dirs.push(dir);
    const path = join(dir, "cp.db");
    writeFileSync(path, "", { mode: 0o644 });
    const store = await openStore(`sqlite:${path}`);
    try {
      expect(mode(path).toString(8)).toBe("600");
    } finally {
      await store.close();
    }
  });
});

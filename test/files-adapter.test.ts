import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ensureDir,
  FileBytesReader,
  readOptionalTextFile,
  readOptionalTextFileSync,
  readTextFile,
  readTextFileSync,
  walkFiles,
  writeFileAtomic,
  writeFileAtomicSync,
  writeFolderOnce,
} from "../src/adapters/files/index.js";
import { CustomsError } from "../src/core/errors.js";

const made: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), "customs-files-"));
  made.push(dir);
  return dir;
};
afterEach(async () => {
  const { rm } = await import("node:fs/promises");
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

const modeOf = (path: string) => statSync(path).mode & 0o777;
const asRoot = process.getuid?.() === 0;

describe("reading files", () => {
  it("reads text, and names the file, its errno and the caller's code when it cannot", async () => {
    const dir = folder();
    writeFileSync(join(dir, "a.txt"), "hello");
    expect(await readTextFile(join(dir, "a.txt"))).toBe("hello");
    expect(readTextFileSync(join(dir, "a.txt"))).toBe("hello");
    const missing = join(dir, "missing.yaml");
    await expect(readTextFile(missing)).rejects.toThrow(`${missing}: cannot read: ENOENT`);
    expect(() => readTextFileSync(missing, { code: "ACCOUNTS_INVALID", name: "--file" })).toThrow(
      expect.objectContaining({ code: "ACCOUNTS_INVALID", message: "--file: cannot read: ENOENT" }),
    );
    await expect(readTextFile(missing)).rejects.toBeInstanceOf(CustomsError);
  });

  it("refuses a folder and a file over the limit without reading it", async () => {
    const dir = folder();
    await expect(readTextFile(dir, { what: "report file" })).rejects.toThrow(
      `${dir}: is a folder, not a report file`,
    );
    writeFileSync(join(dir, "big"), "x".repeat(11));
    await expect(readTextFile(join(dir, "big"), { maxBytes: 10 })).rejects.toThrow(
      "11 bytes is over the 10-byte limit",
    );
  });

  it("optional readers: undefined for a missing file, an error for one that is unreadable", async () => {
    const dir = folder();
    expect(await readOptionalTextFile(join(dir, "none"))).toBeUndefined();
    expect(readOptionalTextFileSync(join(dir, "none", "deeper"))).toBeUndefined();
    await expect(readOptionalTextFile(dir)).rejects.toThrow("is a folder");
    if (asRoot) return; // root reads a 0o000 file
    writeFileSync(join(dir, "secret"), "x");
    chmodSync(join(dir, "secret"), 0o000);
    await expect(
      readOptionalTextFile(join(dir, "secret"), { code: "AGENT_STATE_UNREADABLE" }),
    ).rejects.toMatchObject({ code: "AGENT_STATE_UNREADABLE" });
  });
});

describe("writing files", () => {
  it("writes whole files with the mode asked for, replacing the old one, leaving no temporary file", async () => {
    const dir = folder();
    const path = join(dir, "state.json");
    writeFileSync(path, "old", { mode: 0o644 });
    await writeFileAtomic(path, "new", { mode: 0o600 });
    expect(await readTextFile(path)).toBe("new");
    expect(modeOf(path)).toBe(0o600);
    writeFileAtomicSync(path, "newer", { mode: 0o600 });
    expect(readTextFileSync(path)).toBe("newer");
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("removes its temporary file when the rename fails", async () => {
    const dir = folder();
    mkdirSync(join(dir, "taken"));
    writeFileSync(join(dir, "taken", "x"), "");
    // rename(2) of a file onto a folder that is not empty fails.
    await expect(writeFileAtomic(join(dir, "taken"), "x", { mode: 0o600 })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["taken"]);
  });

  it("ensureDir creates missing folders owner-only", async () => {
    const dir = join(folder(), "a", "b");
    await ensureDir(dir, 0o700);
    expect(modeOf(dir)).toBe(0o700);
  });

  it("writeFolderOnce publishes a folder whole; a second writer keeps the first one's files", async () => {
    const dir = join(folder(), "tls");
    const files = (tag: string) => [
      { name: "key", data: `key ${tag}`, mode: 0o600 },
      { name: "crt", data: `crt ${tag}`, mode: 0o644 },
    ];
    expect(await writeFolderOnce(dir, files("one"), 0o700)).toBe(true);
    expect(await writeFolderOnce(dir, files("two"), 0o700)).toBe(false);
    expect(await readTextFile(join(dir, "key"))).toBe("key one");
    expect(await readTextFile(join(dir, "crt"))).toBe("crt one");
    expect(modeOf(join(dir, "key"))).toBe(0o600);
    expect(modeOf(dir)).toBe(0o700);
    // Nothing of the loser is left beside it.
    expect(readdirSync(join(dir, ".."))).toEqual(["tls"]);
  });
});

describe("walking a tree", () => {
  it("lists files in name order, skips the folders refused, reads each into a reused buffer", () => {
    const root = folder();
    mkdirSync(join(root, "b"));
    mkdirSync(join(root, "skip"));
    writeFileSync(join(root, "b", "2.txt"), "two");
    writeFileSync(join(root, "a.txt"), "one");
    writeFileSync(join(root, "skip", "x"), "no");
    const entered: string[] = [];
    const walked = [
      ...walkFiles(root, (name, rel) => {
        entered.push(rel);
        return name !== "skip";
      }),
    ];
    expect(walked.map((f) => f.rel)).toEqual(["a.txt", "b/2.txt"]);
    expect(entered).toEqual(["b/", "skip/"]);
    const reader = new FileBytesReader();
    const first = reader.read(walked[0]?.path ?? "", 10);
    expect(first.kind === "bytes" && first.bytes.toString()).toBe("one");
    expect(reader.read(walked[1]?.path ?? "", 2)).toEqual({ kind: "too-large", size: 3 });
    // A file as the root is itself.
    expect([...walkFiles(join(root, "a.txt"), () => true)]).toEqual([
      { path: join(root, "a.txt"), rel: join(root, "a.txt") },
    ]);
    expect(() => [...walkFiles(join(root, "none"), () => true)]).toThrow("cannot read: ENOENT");
  });
});

import { createServer } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openStore, parseStoreUrl, redactUrl } from "../../src/adapters/store/index.js";
import { tempFiles } from "../support/cli.js";
import { codeOf } from "./harness.js";

describe("--database URLs", () => {
  it.each([
    ["./data/customs.db", { dialect: "sqlite", path: "./data/customs.db" }],
    ["/var/lib/customs/db.sqlite", { dialect: "sqlite", path: "/var/lib/customs/db.sqlite" }],
    ["sqlite:data.db", { dialect: "sqlite", path: "data.db" }],
    ["sqlite:///tmp/x.db", { dialect: "sqlite", path: "/tmp/x.db" }],
    ["sqlite::memory:", { dialect: "sqlite", path: ":memory:" }],
    ["C:\\customs\\db.sqlite", { dialect: "sqlite", path: "C:\\customs\\db.sqlite" }],
    [
      "postgres://u:p@db:5432/customs",
      { dialect: "postgres", url: "postgres://u:p@db:5432/customs" },
    ],
    [
      "postgresql://db/customs?sslmode=require",
      { dialect: "postgres", url: "postgresql://db/customs?sslmode=require" },
    ],
  ])("%s", (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["mysql://u:secret@db/customs", /unsupported database "mysql:"/],
    ["sqlite:", /needs a path/],
    ["postgres://u:secret@[bad/customs", /not a valid URL/],
  ])("refuses %j", (url, message) => {
    let error: unknown;
    try {
      parseStoreUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "STORE_URL_INVALID",
      message: expect.stringMatching(message),
    });
    expect(String((error as Error).message)).not.toContain("secret");
  });

  it("reads any string without a scheme as a SQLite path, and never throws anything but STORE_URL_INVALID (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((t) => !t.includes(":") && t.trim() !== ""),
        (path) => {
          expect(parseStoreUrl(path)).toEqual({ dialect: "sqlite", path: path.trim() });
        },
      ),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseStoreUrl(text);
        } catch (error) {
          expect(error).toMatchObject({ code: "STORE_URL_INVALID" });
        }
        expect(typeof redactUrl(text)).toBe("string");
      }),
    );
  });

  it("never shows a password (property)", () => {
    const password = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=-]{6,20}$/);
    fc.assert(
      fc.property(password, fc.constantFrom("postgres", "postgresql"), (pw, scheme) => {
        const url = `${scheme}://user:${pw}@db.example:5432/customs?sslmode=require`;
        const shown = redactUrl(url);
        expect(shown).not.toContain(`:${pw}@`);
        expect(shown).toContain("user:***@db.example:5432/customs");
      }),
    );
    expect(redactUrl("postgres://u@db/x?password=hunter2")).not.toContain("hunter2");
    expect(redactUrl("not a url user:pw@host")).toBe("not a url user:pw@host");
    expect(redactUrl("x://u:pw@host%zz")).not.toContain("pw@");
  });

  it("a PostgreSQL server that is not there is STORE_UNAVAILABLE, without the password", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
      });
    });
    const url = `postgres://customs:hunter2@127.0.0.1:${port}/customs`;
    await expect(openStore(url)).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    await openStore(url).catch((error: Error) => expect(error.message).not.toContain("hunter2"));
    const { dir, cleanup } = tempFiles({ "a-file": "" });
    try {
      expect(await codeOf(openStore(`sqlite:${join(dir, "a-file", "x.db")}`))).toBe(
        "STORE_UNAVAILABLE",
      );
      expect(await codeOf(openStore(dir))).toBe("STORE_UNAVAILABLE");
    } finally {
      cleanup();
    }
  });
});

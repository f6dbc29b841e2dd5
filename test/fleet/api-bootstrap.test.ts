import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/adapters/store/index.js";
import { bootstrap } from "../../src/app/fleet/bootstrap.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => postgres?.stop());

// SQLite replicas are separate processes (two connections in one process would wait on each
// other's lock with the thread blocked): test/fleet/api-cli.test.ts starts two at once.
describe("first start", () => {
  it("two replicas bootstrapping one empty PostgreSQL database: exactly one admin token", async () => {
    const url = await postgres.freshDatabase();
    const a = await openStore(url);
    const b = await openStore(url);
    try {
      const tokens = await Promise.all([bootstrap(a), bootstrap(b)]);
      expect(tokens.filter((t) => t !== undefined)).toHaveLength(1);
      expect(await bootstrap(a)).toBeUndefined();
      expect((await a.getOrganization("default")).metadata.name).toBe("default");
    } finally {
      await a.close();
      await b.close();
    }
  });
});

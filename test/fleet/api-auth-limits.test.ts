// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/app/fleet/rate-limit.js";
import {
  clientAddress,
  parseTrustedProxies,
} from "../../src/server/control-plane/client-address.js";
import { DIALECTS, named, startTestControlPlane, type TestControlPlane } from "./api-harness.js";

const ORG = "/api/v1/organizations/default";
const WHOAMI = "/api/v1/whoami";

/** A wrong secret for the same token id: a failure counted against that id. */
const wrongSecret = (token: string) =>
  `${token.slice(0, -4)}${token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;

describe("client address behind proxies", () => {
  const trusted = parseTrustedProxies(["10.0.0.0/8", "fd00::/8", "192.0.2.1"]);

  it("believes X-Forwarded-For only from a trusted peer, walking it from the right", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", trusted)).toBe("203.0.113.9");
    expect(clientAddress("203.0.113.9", "198.51.100.1", undefined)).toBe("203.0.113.9");
    expect(clientAddress("10.1.2.3", "198.51.100.1", trusted)).toBe("198.51.100.1");
    expect(clientAddress("::ffff:10.1.2.3", "198.51.100.1", trusted)).toBe("198.51.100.1");
    // A client cannot push a fake address in front: the rightmost untrusted hop wins.
    expect(clientAddress("10.1.2.3", "1.2.3.4, 198.51.100.1, 10.9.9.9", trusted)).toBe(
      "198.51.100.1",
    );
    expect(clientAddress("192.0.2.1", ["1.2.3.4", "fd00::5"], trusted)).toBe("1.2.3.4");
    expect(clientAddress("10.1.2.3", "not-an-ip, 10.2.2.2", trusted)).toBe("10.2.2.2");
    expect(clientAddress("10.1.2.3", undefined, trusted)).toBe("10.1.2.3");
  });

  it("refuses what is not an address or a CIDR", () => {
    for (const bad of ["10.0.0.0/33", "example.com", "10.0.0.0/8/1", "::/129", "10.0.0.0/x", ""])
      expect(() => parseTrustedProxies([bad]), bad).toThrow(/--trusted-proxy/);
  });
});

describe.each(DIALECTS)("authentication failures on %s", (dialect) => {
  let cp: TestControlPlane;
  let now = Date.UTC(2026, 0, 1);
  let agent = "";
  let viewer = "";
  const whoami = (token: string, forwardedFor?: string) =>
    cp.call("GET", WHOAMI, {
      token,
      ...(forwardedFor === undefined ? {} : { headers: { "x-forwarded-for": forwardedFor } }),
    });
  const statuses = async (n: number, call: () => Promise<{ status: number }>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await call()).status);
    return out;
  };

  beforeAll(async () => {
    cp = await startTestControlPlane({
      dialect,
      now: () => new Date(now),
      trustedProxies: ["127.0.0.1/32"],
    });
    const c = await cp.call("POST", `${ORG}/clusters`, { token: cp.admin, body: named("c1") });
    agent = c.body.agentToken;
    const v = await cp.call("POST", `${ORG}/tokens`, {
      token: cp.admin,
      body: { metadata: { name: "v" }, spec: { role: "viewer" } },
    });
    viewer = v.body.token;
  });
  afterAll(async () => cp?.close());
  // Each test starts with every block over (the limiter forgets nothing by itself).
  afterEach(() => {
    now += 60 * 60_000;
  });

  it("six bad tokens from one address never refuse a valid token from it", async () => {
    const from = "198.51.100.10";
    const bad = await statuses(6, () => whoami("cst_0123456789abcdef_nope", from));
    expect(bad).toEqual([401, 401, 401, 401, 401, 429]);
    const blocked = await whoami("cst_0123456789abcdef_nope", from);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe("RATE_LIMITED");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // The agent on that address keeps polling every 10 s: every poll passes.
    for (let i = 0; i < 6; i++) {
      const poll = await cp.call("GET", "/api/v1/agent/policies", {
        token: agent,
        headers: { "x-forwarded-for": from },
      });
      expect(poll.status).toBe(200);
      now += 10_000;
    }
    expect((await whoami(cp.admin, from)).status).toBe(200);
  });

  it("counts failures per token id, whatever address they come from", async () => {
    const attempts = await statuses(6, async () => {
      now += 1;
      return whoami(wrongSecret(viewer), `203.0.113.${Math.floor(now % 200)}`);
    });
    expect(attempts).toEqual([401, 401, 401, 401, 401, 429]);
    // The id is blocked for failures only: its owner, from anywhere, gets in.
    expect((await whoami(viewer, "203.0.113.250")).status).toBe(200);
    // A success forgets the id's failures.
    expect((await whoami(wrongSecret(viewer), "203.0.113.251")).status).toBe(401);
    // Another id from a fresh address is not touched by those failures.
    expect((await whoami("cst_fedcba9876543210_nope", "203.0.113.252")).status).toBe(401);
  });

  it("counts malformed tokens per address, and believes X-Forwarded-For only from a trusted proxy", async () => {
    const one = await statuses(6, () => whoami("garbage", "192.0.2.10"));
    expect(one).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await whoami("garbage", "192.0.2.11")).status).toBe(401);
  });

  it("attempts while blocked do not extend the block", async () => {
    const from = "198.51.100.20";
    await statuses(5, () => whoami("garbage", from));
    const hammer = await statuses(30, () => whoami("garbage", from));
    expect(hammer.every((s) => s === 429)).toBe(true);
    now += DEFAULT_LIMITS.firstDelayMs;
    expect((await whoami("garbage", from)).status).toBe(401);
  });

  it("a bad agent token polling every 10 s gets through whenever its block is over", async () => {
    const from = "198.51.100.30";
    const seen: number[] = [];
    for (let t = 0; t < 15 * 60_000; t += 10_000) {
      seen.push((await whoami("cst_0aaaaaaaaaaaaaaa_revoked", from)).status);
      now += 10_000;
    }
    // Never more than five minutes (thirty polls) of 429s in a row.
    const runs = seen
      .join(",")
      .split("401")
      .map((r) => r.split("429").length - 1);
    expect(Math.max(...runs)).toBeLessThanOrEqual(30);
    expect(seen.filter((s) => s === 401).length).toBeGreaterThanOrEqual(3);
  });
});

describe("without trusted proxies", () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect: "sqlite" });
  });
  afterAll(async () => cp?.close());

  it("X-Forwarded-For from the client itself is ignored", async () => {
    const out: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await cp.call("GET", WHOAMI, {
        token: "garbage",
        headers: { "x-forwarded-for": `198.51.100.${i}` },
      });
      out.push(r.status);
    }
    expect(out).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await cp.call("GET", WHOAMI, { token: cp.admin })).status).toBe(200);
  });
});

describe("a metrics token", () => {
  let cp: TestControlPlane;
  const token = "metrics-0123456789abcdef";
  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect: "sqlite", metricsToken: token });
  });
  afterAll(async () => cp?.close());

  it("protects /metrics when configured", async () => {
    expect((await cp.call("GET", "/metrics")).status).toBe(401);
    expect((await cp.call("GET", "/metrics", { token: "metrics-wrong" })).status).toBe(401);
    expect((await cp.call("GET", "/metrics", { token: cp.admin })).status).toBe(401);
    const ok = await cp.call("GET", "/metrics", { token });
    expect(ok.status).toBe(200);
    expect(String(ok.body)).toContain("customs_control_plane_requests_total");
    expect((await cp.call("GET", "/healthz")).status).toBe(200);
  });
});

import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  artifactPath,
  type HarborArtifact,
  HarborClient,
  type HarborOptions,
  toHarborArtifact,
  toVulnerabilityFact,
} from "../../src/adapters/harbor/index.js";
import { CustomsError } from "../../src/core/errors.js";
import { customsInProcess, tempFiles } from "../support/cli.js";
import { D, type HarborStandIn, PASSWORD, startHarborStandIn, USER } from "./harbor-stand-in.js";

// Harbor cannot run here: these tests talk to a stand-in written from Harbor's API schema.
let harbor: HarborStandIn;
beforeAll(async () => {
  harbor = await startHarborStandIn();
});
afterAll(() => harbor.close());

const clients: HarborClient[] = [];
afterAll(() => {
  for (const c of clients) c.close();
});

function client(options: Partial<HarborOptions> = {}): HarborClient {
  const c = new HarborClient({
    url: harbor.url,
    username: USER,
    password: PASSWORD,
    ca: [harbor.pki.caPem],
    timeoutMs: 2000,
    ...options,
  });
  clients.push(c);
  return c;
}

const art = (repository: string, digest = D(1), project = "shop"): HarborArtifact => ({
  project,
  repository,
  digest,
});

async function failure(p: Promise<unknown>): Promise<CustomsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CustomsError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("Harbor client (against a stand-in for Harbor's API v2.0)", () => {
  it("reads the report of a scanned artifact whose repository has a slash", async () => {
    const before = harbor.seen.length;
    const report = await client().fetchVulnerabilityReport(art("team/api"));
    expect(report.scanner).toBe("harbor:trivy");
    expect(report.vulnerabilities.map((v) => `${v.id} ${v.package} ${v.severity}`)).toEqual([
      "CVE-2023-45853 zlib1g critical",
      "CVE-2024-29041 express medium",
      "CVE-2011-3374 apt negligible",
      "CVE-2024-2511 libssl3 low",
    ]);
    const seen = harbor.seen.slice(before);
    const path = `/api/v2.0/projects/shop/repositories/team%252Fapi/artifacts/${D(1)}`;
    expect(seen.map((s) => s.url)).toEqual([
      `${path}?with_scan_overview=true`,
      `${path}/additions/vulnerabilities`,
    ]);
    expect(seen[0]?.acceptVulnerabilities).toContain(
      "application/vnd.security.vulnerability.report; version=1.1",
    );
  });

  it("reads the scan overview", async () => {
    expect(await client().fetchScanOverview(art("web", D(2)))).toEqual({
      status: "Running",
      severity: "Critical",
      finishedAt: "2026-11-20T09:40:02.000Z",
      total: 4,
      counts: { Critical: 1, Medium: 1, Low: 1, None: 1 },
    });
    expect(await client().fetchScanOverview(art("new", D(3)))).toBeUndefined();
  });

  it.each([
    ["an unknown artifact", art("team/api", D(9)), "HARBOR_NO_REPORT", "404: no artifact"],
    ["a running scan", art("web", D(2)), "HARBOR_NO_REPORT", "scan status is Running"],
    ["a never scanned artifact", art("new", D(3)), "HARBOR_NO_REPORT", "was never scanned"],
    ["a missing report", art("gone", D(4)), "HARBOR_NO_REPORT", "404: no vulnerability report"],
    ["an empty report", art("empty", D(6)), "HARBOR_NO_REPORT", "has an empty report"],
    [
      "a malformed report",
      art("garbage", D(5)),
      "HARBOR_ERROR",
      "vulnerabilities: expected a list",
    ],
    ["a project not allowed", art("api", D(1), "secret"), "HARBOR_ACCESS_DENIED", "403"],
    [
      "too many requests",
      art("busy"),
      "HARBOR_RATE_LIMITED",
      "429: too many requests; retry after 30 s",
    ],
    ["a server error", art("broken"), "HARBOR_ERROR", "unexpected status 500"],
  ])("%s: %s", async (_name, artifact, code, message) => {
    const error = await failure(client().fetchVulnerabilityReport(artifact));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it.each([
    ["no credentials", { username: undefined, password: undefined }],
    ["a wrong password", { password: "wrong-password" }],
  ])("401 with %s, and no secret in the message", async (_name, options) => {
    const error = await failure(client(options).fetchVulnerabilityReport(art("team/api")));
    expect(error.code).toBe("HARBOR_AUTH_FAILED");
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain("wrong-password");
  });

  it("times out on a Harbor that does not answer", async () => {
    const started = performance.now();
    const error = await failure(client({ timeoutMs: 300 }).fetchVulnerabilityReport(art("slow")));
    expect(error.code).toBe("HARBOR_TIMEOUT");
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("refuses a certificate it was not given the CA of", async () => {
    const error = await failure(client({ ca: [] }).fetchVulnerabilityReport(art("team/api")));
    expect(error.code).toBe("HARBOR_TLS_FAILED");
  });

  it("says unreachable when nothing listens", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const error = await failure(
      client({ url: `https://127.0.0.1:${port}` }).fetchVulnerabilityReport(art("team/api")),
    );
    expect(error.code).toBe("HARBOR_UNREACHABLE");
  });
});

describe("Harbor facts", () => {
  it("turns answers into facts: a report, no report, or why not", async () => {
    const c = client();
    const ok = await toVulnerabilityFact(c.fetchVulnerabilityReport(art("team/api")));
    expect(ok.ok && ok.value?.vulnerabilities.length).toBe(4);
    expect(await toVulnerabilityFact(c.fetchVulnerabilityReport(art("web", D(2))))).toEqual({
      ok: true,
      value: undefined,
    });
    const limited = await toVulnerabilityFact(c.fetchVulnerabilityReport(art("busy")));
    expect(limited.ok ? "" : limited.code).toBe("RATE_LIMITED");
    const anonymous = client({ username: undefined });
    const denied = await toVulnerabilityFact(anonymous.fetchVulnerabilityReport(art("team/api")));
    expect(denied.ok ? "" : denied.code).toBe("REGISTRY_AUTH_FAILED");
  });
});

describe("Harbor names and URLs", () => {
  it.each([
    [
      { project: "shop", repository: "team/api", digest: D(1) },
      `/api/v2.0/projects/shop/repositories/team%252Fapi/artifacts/${D(1)}`,
    ],
    [
      { project: "shop", repository: "web", digest: D(2) },
      `/api/v2.0/projects/shop/repositories/web/artifacts/${D(2)}`,
    ],
  ])("%j", (artifact, path) => {
    expect(artifactPath(artifact)).toBe(path);
  });

  it.each([
    [{ project: "Shop", repository: "web", digest: D(1) }, "project"],
    [{ project: "shop", repository: "../admin", digest: D(1) }, "repository"],
    [{ project: "shop", repository: "web", digest: "latest" }, "not a sha256 digest"],
  ])("refuses %j", (artifact, message) => {
    expect(() => artifactPath(artifact)).toThrow(message);
  });

  it("splits an image path into project and repository", () => {
    expect(toHarborArtifact("shop/team/api", D(1))).toEqual(art("team/api"));
    expect(() => toHarborArtifact("api", D(1))).toThrow("has no project");
  });

  it.each([
    ["http://harbor.example.com", "must be https://"],
    ["https://user:pw@harbor.example.com", "not in the URL"],
    ["not a url", "is not a URL"],
  ])("refuses the URL %s", (url, message) => {
    expect(() => new HarborClient({ url })).toThrow(message);
  });
});

describe("customs vuln harbor (against the stand-in)", () => {
  let ca: { dir: string; cleanup: () => void };
  beforeAll(() => {
    ca = tempFiles({ "ca.pem": harbor.pki.caPem });
  });
  afterAll(() => {
    ca.cleanup();
    delete process.env.CUSTOMS_HARBOR_PASSWORD;
  });
  const image = (repo: string, digest = D(1)) => `127.0.0.1:${harbor.port}/shop/${repo}@${digest}`;
  const run = (args: string[], password = PASSWORD) => {
    process.env.CUSTOMS_HARBOR_PASSWORD = password;
    return customsInProcess([
      "vuln",
      "harbor",
      "--username",
      USER,
      "--ca",
      `${ca.dir}/ca.pem`,
      ...args,
    ]);
  };

  it("prints the normalized report of an image, Harbor's URL taken from its host", async () => {
    const r = await run(["-o", "json", image("team/api")]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { scanner: string; vulnerabilities: unknown[] };
    expect([report.scanner, report.vulnerabilities.length]).toEqual(["harbor:trivy", 4]);
  });

  it.each([
    ["a wrong password", () => [image("team/api")], "wrong", "HARBOR_AUTH_FAILED"],
    ["a running scan", () => [image("web", D(2))], PASSWORD, "scan status is Running"],
    ["an image by tag", () => [`127.0.0.1:${harbor.port}/shop/web:1.0`], PASSWORD, "by digest"],
    ["a bad timeout", () => ["--timeout", "soon", image("web")], PASSWORD, "--timeout must be"],
    [
      "a missing CA file",
      () => ["--ca", "/nonexistent/ca.pem", image("web")],
      PASSWORD,
      "cannot read",
    ],
  ])("exits 2 on %s", async (_name, args, password, message) => {
    const r = await run(args(), password);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain(PASSWORD);
  });
});

// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIALECTS,
  named,
  policy,
  startTestControlPlane,
  type TestControlPlane,
} from "./api-harness.js";

const ORG = "/api/v1/organizations/default";

function workload(
  namespace: string,
  name: string,
  policyName: string,
  result: string,
  image: string,
) {
  return {
    namespace,
    kind: "Deployment",
    name,
    containers: [{ name: "app", image, type: "container" }],
    results: [
      {
        policy: policyName,
        result,
        ...(result === "pass"
          ? {}
          : { code: "IMAGE_NOT_ALLOWED", message: `${image} is not allowed`, image }),
      },
    ],
  };
}

const INVENTORY = {
  revision: 7,
  generatedAt: "2026-01-01T00:00:00Z",
  workloads: [
    workload("web", "shop", "p-w1", "fail", "=cmd|' /C calc'!A0"),
    workload("web", "cart", "p-org", "pass", "registry.corp.example/cart:1"),
    workload("hidden-ns", "vault", "p-w2", "fail", "secret.example/vault:1"),
    workload("free", "tool", "p-org", "warn", "busybox"),
  ],
};

describe.each(DIALECTS)("compliance API on %s", (dialect) => {
  let cp: TestControlPlane;
  let agent = "";
  let wsAdmin = "";
  const admin = (method: string, path: string, body?: unknown) =>
    cp.call(method, path, { token: cp.admin, body });

  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect });
    for (const w of ["w1", "w2"]) await admin("POST", `${ORG}/workspaces`, named(w));
    const cluster = await admin("POST", `${ORG}/clusters`, named("c1"));
    agent = cluster.body.agentToken;
    await admin("PUT", `${ORG}/workspaces/w1/namespaces/c1/web`);
    await admin("PUT", `${ORG}/workspaces/w2/namespaces/c1/hidden-ns`);
    await admin("POST", `${ORG}/policies`, policy("p-org", { recipe: "block-latest-tag" }));
    await admin(
      "POST",
      `${ORG}/policies`,
      policy("p-w1", { recipe: "block-latest-tag", workspace: "w1" }),
    );
    await admin(
      "POST",
      `${ORG}/policies`,
      policy("p-w2", { recipe: "block-latest-tag", workspace: "w2" }),
    );
    const t = await admin("POST", `${ORG}/tokens`, {
      metadata: { name: "ws-admin" },
      spec: { role: "workspace-admin", workspaces: ["w1"] },
    });
    wsAdmin = t.body.token;
    const put = await cp.call("PUT", "/api/v1/agent/inventory", { token: agent, body: INVENTORY });
    expect(put.status).toBe(204);
    // An admission event in w2's namespace, for the daily counts.
    const reports = await cp.call("POST", "/api/v1/agent/reports", {
      token: agent,
      body: {
        violations: [
          {
            time: new Date().toISOString(),
            source: "admission",
            outcome: "denied",
            namespace: "hidden-ns",
            kind: "Pod",
            name: "vault-1",
            ownerKind: "Deployment",
            ownerName: "vault",
            container: "app",
            image: "secret.example/vault:1",
            policy: "p-w2",
            action: "deny",
            code: "IMAGE_NOT_ALLOWED",
            message: "no",
          },
        ],
      },
    });
    expect(reports.body).toEqual({ accepted: 1 });
  }, 120_000);
  afterAll(async () => {
    await cp?.close();
  });

  it("answers current compliance by cluster, namespace and policy, with the report's time", async () => {
    const byCluster = await admin("GET", `${ORG}/compliance`);
    expect(byCluster.status).toBe(200);
    expect(byCluster.body.groups).toEqual([
      { cluster: "c1", workloads: 4, failing: 2, warning: 1, compliantPercent: 50 },
    ]);
    expect(typeof byCluster.body.asOf).toBe("string");
    const byPolicy = await admin("GET", `${ORG}/compliance?groupBy=policy`);
    expect(byPolicy.body.groups.map((g: any) => [g.policy, g.workloads, g.failing])).toEqual([
      ["p-org", 2, 0],
      ["p-w1", 1, 1],
      ["p-w2", 1, 1],
    ]);
    const byWorkspace = await admin("GET", `${ORG}/compliance?groupBy=workspace`);
    expect(byWorkspace.body.groups.map((g: any) => g.workspace)).toEqual(["w1", "w2"]);
    const failing = await admin("GET", `${ORG}/compliance/failing?limit=1`);
    expect(failing.body.items.map((i: any) => i.name)).toEqual(["vault"]);
    const next = await admin(
      "GET",
      `${ORG}/compliance/failing?limit=1&continue=${failing.body.continue}`,
    );
    expect(next.body.items.map((i: any) => i.name)).toEqual(["shop"]);
    expect(next.body.continue).toBeUndefined();
    const trend = await admin("GET", `${ORG}/compliance/trend?days=7&by=cluster`);
    expect(trend.body.series).toEqual([
      {
        key: "c1",
        points: [expect.objectContaining({ workloads: 4, failing: 2, compliantPercent: 50 })],
      },
    ]);
    expect(trend.body.total).toHaveLength(1);
    expect((await admin("GET", `${ORG}/compliance?groupBy=image`)).status).toBe(422);
    expect((await admin("GET", `${ORG}/compliance/trend?days=0`)).status).toBe(422);
  });

  it("shows a workspace admin only its namespaces, in every answer and every CSV", async () => {
    const as = (path: string) => cp.call("GET", path, { token: wsAdmin });
    const answers = await Promise.all([
      as(`${ORG}/compliance?groupBy=namespace`),
      as(`${ORG}/compliance?groupBy=policy`),
      as(`${ORG}/compliance?groupBy=workspace`),
      as(`${ORG}/compliance?groupBy=workload`),
      as(`${ORG}/compliance/failing`),
      as(`${ORG}/compliance/trend?by=policy`),
      as(`${ORG}/compliance/trend?by=cluster`),
      as(`${ORG}/violations/daily?by=policy`),
      as(`${ORG}/insights/violations`),
      as(`${ORG}/compliance?groupBy=policy&format=csv`),
      as(`${ORG}/compliance/failing?format=csv`),
      as(`${ORG}/compliance/trend?by=policy&format=csv`),
      as(`${ORG}/violations/daily?by=policy&format=csv`),
      as(`${ORG}/insights/violations?format=csv`),
    ]);
    for (const a of answers) {
      expect(a.status).toBe(200);
      const text = typeof a.body === "string" ? a.body : JSON.stringify(a.body);
      for (const secret of ["hidden-ns", "p-w2", "secret.example", "vault", "free", "w2"]) {
        expect(text).not.toContain(secret);
      }
    }
    const [byNamespace, byPolicy] = answers;
    expect(byNamespace?.body.groups).toEqual([
      {
        cluster: "c1",
        namespace: "web",
        workloads: 2,
        failing: 1,
        warning: 0,
        compliantPercent: 50,
      },
    ]);
    expect(byPolicy?.body.groups.map((g: any) => g.policy)).toEqual(["p-org", "p-w1"]);
    expect(answers[4]?.body.items.map((i: any) => i.name)).toEqual(["shop"]);
  });

  it("exports CSV with quoting, and a formula-looking cell made text", async () => {
    const r = await admin("GET", `${ORG}/compliance/failing?format=csv&namespace=web`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = String(r.body).split("\r\n");
    expect(lines[0]).toBe(
      "cluster,namespace,kind,name,policy,policyDeleted,code,container,image,message",
    );
    expect(lines[1]).toBe(
      "c1,web,Deployment,shop,p-w1,false,IMAGE_NOT_ALLOWED,,'=cmd|' /C calc'!A0,'=cmd|' /C calc'!A0 is not allowed",
    );
    expect((await admin("GET", `${ORG}/compliance?format=xml`)).status).toBe(422);
  });

  it("refuses a report with too many workloads (413) or a malformed workload (400, its index), storing nothing", async () => {
    const tiny = { namespace: "n", kind: "Pod", name: "p", containers: [], results: [] };
    const many = await cp.call("PUT", "/api/v1/agent/inventory", {
      token: agent,
      body: { ...INVENTORY, workloads: new Array(50_001).fill(tiny) },
    });
    expect(many.status).toBe(413);
    expect(many.body.error.message).toContain("at most 50000");
    const bad = await cp.call("PUT", "/api/v1/agent/inventory", {
      token: agent,
      body: {
        ...INVENTORY,
        workloads: [tiny, { ...tiny, containers: [{ name: "c", image: 1, type: "container" }] }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { path: "workloads[1].containers[0].image", message: "must be a string" },
    ]);
    const huge = await cp.call("PUT", "/api/v1/agent/inventory", {
      token: agent,
      raw: `{"pad":"${"x".repeat(33 * 1024 * 1024)}"}`,
    });
    expect(huge.status).toBe(413);
    expect((await admin("GET", `${ORG}/compliance`)).body.total.workloads).toBe(4);
    // Only agents send inventories.
    expect((await admin("PUT", "/api/v1/agent/inventory", INVENTORY)).status).toBe(403);
  });

  it("refuses an event record with an unknown outcome or a count below 1, alone", async () => {
    const base = {
      time: "2026-01-01T00:00:00Z",
      source: "admission",
      namespace: "web",
      kind: "Pod",
      name: "x",
      container: "app",
      image: "busybox",
      policy: "p-w1",
      action: "warn",
      code: "C",
      message: "m",
    };
    const r = await cp.call("POST", "/api/v1/agent/reports", {
      token: agent,
      body: {
        violations: [
          { ...base, outcome: "exploded" },
          { ...base, count: 0 },
          { ...base, count: 3 },
        ],
      },
    });
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected.map((x: any) => x.details[0].path)).toEqual([
      "violations[0].outcome",
      "violations[1].count",
    ]);
  });

  it("marks a deleted policy in groups, failing results, trend and events", async () => {
    const got = await admin("GET", `${ORG}/policies/p-w1`);
    const del = await cp.call("DELETE", `${ORG}/policies/p-w1`, {
      token: cp.admin,
      headers: { "if-match": `"${got.body.metadata.resourceVersion}"` },
    });
    expect(del.status).toBe(204);
    const groups = (await admin("GET", `${ORG}/compliance?groupBy=policy`)).body.groups;
    expect(groups.find((g: any) => g.policy === "p-w1")?.policyDeleted).toBe(true);
    expect(groups.find((g: any) => g.policy === "p-org")?.policyDeleted).toBeUndefined();
    const failing = (await admin("GET", `${ORG}/compliance/failing?namespace=web`)).body.items;
    expect(failing[0].results[0]).toMatchObject({ policy: "p-w1", policyDeleted: true });
    const trend = (await admin("GET", `${ORG}/compliance/trend?by=policy`)).body.series;
    expect(trend.find((s: any) => s.key === "p-w1")?.policyDeleted).toBe(true);
  });
});

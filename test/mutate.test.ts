import { describe, expect, it } from "vitest";
import { handleMutation } from "../src/app/webhook/mutate.js";
import { NamespaceCache } from "../src/app/webhook/namespaces.js";
import { createEvaluator } from "../src/core/evaluate/index.js";
import { deployment, pod, review } from "./support/admission.js";
import { compileDocs, policyDoc } from "./support/policies.js";

const D = `sha256:${"c".repeat(64)}`;
const pinning = createEvaluator(
  compileDocs(policyDoc("pin", { recipe: "block-latest-tag", action: "audit", pinDigests: true })),
);
const notPinning = createEvaluator(
  compileDocs(policyDoc("nopin", { recipe: "block-latest-tag", action: "audit" })),
);
const namespaces = new NamespaceCache();

async function mutate(body: unknown, evaluator = pinning, lookup = async (_image: string) => D) {
  const asked: string[] = [];
  const out = await handleMutation(
    JSON.stringify(body),
    evaluator,
    namespaces,
    async (image) => {
      asked.push(image);
      return lookup(image);
    },
    200,
  );
  const response = (
    out.body as {
      response: { allowed: boolean; patch?: string; patchType?: string; warnings?: string[] };
    }
  ).response;
  const patch = response.patch
    ? JSON.parse(Buffer.from(response.patch, "base64").toString())
    : undefined;
  return { out, response, patch, asked };
}

describe("POST /mutate (pinDigests)", () => {
  it("pins every unpinned image of a workload with a JSONPatch, asking once per image", async () => {
    const { response, patch, asked } = await mutate(
      review(deployment("d", ["nginx:1.25", "nginx:1.25", `busybox@${D}`, "redis"])),
    );
    expect(response.allowed).toBe(true);
    expect(response.patchType).toBe("JSONPatch");
    expect(patch).toEqual([
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: `nginx:1.25@${D}` },
      { op: "replace", path: "/spec/template/spec/containers/1/image", value: `nginx:1.25@${D}` },
      { op: "replace", path: "/spec/template/spec/containers/3/image", value: `redis:latest@${D}` },
    ]);
    expect(asked.sort()).toEqual(["nginx:1.25", "redis"]);
  });

  it("does nothing unless an applicable policy opts in (off by default: GitOps diffs)", async () => {
    const { response, asked } = await mutate(review(pod("p", ["nginx:1.25"])), notPinning);
    expect(response).toEqual({ uid: expect.any(String), allowed: true });
    expect(asked).toEqual([]);
  });

  it("never denies: an image it cannot resolve in time is left alone, with a warning", async () => {
    const slow = () => new Promise<string>(() => {});
    const { response, patch } = await mutate(review(pod("p", ["nginx:1.25"])), pinning, slow);
    expect(response.allowed).toBe(true);
    expect(patch).toBeUndefined();
    expect(response.warnings?.[0]).toMatch(
      /could not pin nginx:1.25 to a digest: no answer within 200 ms/,
    );
    const failing = async () => {
      throw new Error("REGISTRY_UNREACHABLE: connection refused");
    };
    expect(
      (await mutate(review(pod("p", ["nginx:1.25"])), pinning, failing)).response.warnings?.[0],
    ).toContain("REGISTRY_UNREACHABLE");
  });

  it("leaves invalid images to /validate and bad bodies get a 400", async () => {
    const { patch, asked } = await mutate(review(pod("p", ["Not Valid", "nginx:1"])));
    expect(asked).toEqual(["nginx:1"]);
    expect(patch).toHaveLength(1);
    expect((await handleMutation("nope", pinning, namespaces, async () => D, 100)).status).toBe(
      400,
    );
  });

  it("checks kubectl debug's ephemeral containers too, and ignores DELETE", async () => {
    const p = pod("p", [`a@${D}`], { ephemeralContainers: [{ name: "dbg", image: "busybox:1" }] });
    const { patch } = await mutate(
      review(p, {
        operation: "UPDATE",
        oldObject: pod("p", [`a@${D}`]),
        subResource: "ephemeralcontainers",
      }),
    );
    expect(patch).toEqual([
      { op: "replace", path: "/spec/ephemeralContainers/0/image", value: `busybox:1@${D}` },
    ]);
    expect((await mutate(review(pod("p", ["x:1"]), { operation: "DELETE" }))).asked).toEqual([]);
  });
});

describe("POST /mutate and exemptImages", () => {
  it("does not pin an image that every pinning policy exempts", async () => {
    const exempting = createEvaluator(
      compileDocs(
        policyDoc("pin", {
          recipe: "block-latest-tag",
          action: "audit",
          pinDigests: true,
          input: { exemptImages: ["docker.io/library/redis:*"] },
        }),
      ),
    );
    const { patch, asked } = await mutate(review(pod("p", ["nginx:1.25", "redis"])), exempting);
    expect(asked).toEqual(["nginx:1.25"]);
    expect(patch).toEqual([
      { op: "replace", path: "/spec/containers/0/image", value: `nginx:1.25@${D}` },
    ]);
  });
});

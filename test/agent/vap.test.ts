import { describe, expect, it } from "vitest";
import { verifyBundle } from "../../src/app/agent/bundle.js";
import { AGENT_MANAGER, desiredVap, MANAGED_BY } from "../../src/app/agent/vap.js";
import { policyDoc, workspaceDoc } from "../support/policies.js";
import { corpOnly } from "./support.js";

const applied = verifyBundle(
  {
    revision: 1,
    cluster: "c1",
    policies: [
      corpOnly(),
      policyDoc("team", { workspace: "ops", recipe: "block-latest-tag" }),
      policyDoc("signed", {
        recipe: "require-signature",
        input: {
          count: 1,
          authorities: [
            {
              name: "ci",
              keyless: {
                issuer: "https://token.actions.githubusercontent.com",
                subjectRegExp: "https://github[.]com/example/.*",
              },
            },
          ],
        },
      }),
    ],
    workspaces: [workspaceDoc("ops", ["c1/listed", "c2/elsewhere"])],
  },
  undefined,
  "b",
);

describe("the ValidatingAdmissionPolicies the agent applies", () => {
  const desired = desiredVap(applied.policies, applied.workspaces, "c1");

  it("labels every object as the agent's, so it deletes only its own", () => {
    const all = [...desired.policies, ...desired.bindings];
    expect(all.length).toBeGreaterThan(0);
    for (const o of all) expect(o.metadata.labels?.[MANAGED_BY]).toBe(AGENT_MANAGER);
  });

  it("builds a policy and its bindings per compilable policy, for this cluster's namespaces", () => {
    expect(desired.policies.map((p) => p.metadata.name)).toEqual([
      "customs-corp-only",
      "customs-team",
    ]);
    expect(desired.bindings.map((b) => b.metadata.name)).toEqual([
      "customs-corp-only",
      "customs-team",
      "customs-team-listed",
    ]);
    const listed = JSON.stringify(desired.bindings[2]);
    expect(listed).toContain('"listed"');
    expect(listed).not.toContain("elsewhere");
  });

  it("leaves supply-chain policies to the webhook, with the reason", () => {
    expect(desired.skipped).toEqual([
      { policy: "signed", reasons: [expect.stringContaining("cannot fetch")] },
    ]);
  });
});

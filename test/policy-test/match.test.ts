import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Violation } from "../../src/core/evaluate/index.js";
import {
  type Expectation,
  formatDiff,
  matchExpectation,
  type Observation,
  POLICY_RESULTS,
  unassertedResources,
  WORKLOAD_RESULTS,
} from "../../src/core/policy-test/index.js";

const violation = (policy: string, container: string, code: Violation["code"]): Violation => ({
  policy,
  action: "deny",
  scope: "organization",
  container,
  containerType: "containers",
  image: "busybox",
  normalizedImage: "docker.io/library/busybox:latest",
  code,
  message: `${container}: ${policy} says ${code}`,
});

const web = { kind: "Deployment", namespace: "team-a", name: "web" };
const OBSERVED: Observation = {
  policies: ["blocked", "latest", "elsewhere", "relaxed"],
  resources: [
    {
      id: web,
      source: "r.yaml",
      verdict: "deny",
      containers: ["app", "sidecar"],
      applicable: ["blocked", "latest", "relaxed"],
      violations: [
        violation("blocked", "app", "IMAGE_BLOCKED"),
        violation("latest", "sidecar", "LATEST_TAG_BLOCKED"),
      ],
      exempted: [{ policy: "relaxed", container: "app", exception: "legacy" }],
    },
    {
      id: { kind: "Pod", namespace: "default", name: "idle" },
      source: "r.yaml",
      verdict: "allow",
      containers: ["c"],
      applicable: [],
      violations: [],
      exempted: [],
    },
  ],
};

const expect_ = (fields: Partial<Expectation>): Expectation => ({
  path: "results[0]",
  resource: web,
  result: "pass",
  ...fields,
});

describe("matchExpectation", () => {
  const ROWS: Array<[string, Partial<Expectation>, string, boolean]> = [
    ["the verdict", { result: "deny" }, "deny", true],
    ["a wrong verdict", { result: "allow" }, "deny", false],
    [
      "the verdict with a code it carries",
      { result: "deny", code: "LATEST_TAG_BLOCKED" },
      "deny",
      true,
    ],
    [
      "the verdict with a code it does not carry",
      { result: "deny", code: "IMAGE_MISSING" },
      "deny",
      false,
    ],
    ["a failing policy", { policy: "blocked", result: "fail" }, "fail", true],
    [
      "a failing policy with its code",
      { policy: "blocked", result: "fail", code: "IMAGE_BLOCKED" },
      "fail",
      true,
    ],
    [
      "a failing policy with another code",
      { policy: "blocked", result: "fail", code: "DIGEST_REQUIRED" },
      "fail",
      false,
    ],
    [
      "a policy that fails elsewhere passes in this container",
      { policy: "latest", container: "app", result: "pass" },
      "pass",
      true,
    ],
    [
      "a policy failing in this container",
      { policy: "latest", container: "sidecar", result: "fail" },
      "fail",
      true,
    ],
    ["a policy that does not apply", { policy: "elsewhere", result: "skip" }, "skip", true],
    [
      "a policy that does not apply, expected to pass",
      { policy: "elsewhere", result: "pass" },
      "skip",
      false,
    ],
    ["an exception", { policy: "relaxed", result: "exempt" }, "exempt", true],
    [
      "an exception in another container",
      { policy: "relaxed", container: "sidecar", result: "pass" },
      "pass",
      true,
    ],
    ["no such policy", { policy: "nope", result: "pass" }, "missing", false],
    ["no such resource", { resource: { ...web, name: "api" }, result: "allow" }, "missing", false],
    ["no such container", { policy: "blocked", container: "x", result: "pass" }, "missing", false],
  ];
  it.each(ROWS)("%s", (_, fields, actual, passed) => {
    const o = matchExpectation(expect_(fields), OBSERVED);
    expect([o.actual, o.passed]).toEqual([actual, passed]);
  });

  it("passes exactly when the result is the actual one (and the code is among its codes)", () => {
    const results = [...POLICY_RESULTS, ...WORKLOAD_RESULTS];
    fc.assert(
      fc.property(
        fc.constantFrom(undefined, ...OBSERVED.policies),
        fc.constantFrom(...results),
        fc.constantFrom(undefined, "IMAGE_BLOCKED", "LATEST_TAG_BLOCKED", "IMAGE_MISSING"),
        fc.constantFrom(undefined, "app", "sidecar"),
        (policy, result, code, container) => {
          const o = matchExpectation(
            expect_({
              policy,
              result,
              code,
              container: policy === undefined ? undefined : container,
            }),
            OBSERVED,
          );
          expect(o.passed).toBe(
            o.actual === result && (code === undefined || o.codes.includes(code)),
          );
          if (!o.passed) expect(formatDiff("t.yaml", o)).toContain(`- ${result}`);
        },
      ),
    );
  });
});

describe("formatDiff", () => {
  it("shows the expected and actual results and the decision's messages", () => {
    const o = matchExpectation(expect_({ result: "allow" }), OBSERVED);
    expect(formatDiff("t/customs-test.yaml", o)).toBe(
      [
        "--- expected  t/customs-test.yaml results[0]",
        "+++ actual    Deployment/team-a/web verdict",
        "- allow",
        "+ deny (IMAGE_BLOCKED, LATEST_TAG_BLOCKED)",
        "  violation: app: blocked says IMAGE_BLOCKED",
        "  violation: sidecar: latest says LATEST_TAG_BLOCKED",
        '  exempt: exception "legacy" relaxes policy "relaxed" for container "app"',
        "",
      ].join("\n"),
    );
  });

  it("says which code was missing, and why a result is missing", () => {
    const code = matchExpectation(
      expect_({ policy: "blocked", result: "fail", code: "DIGEST_REQUIRED" }),
      OBSERVED,
    );
    expect(formatDiff("t.yaml", code)).toContain(
      "  expected code DIGEST_REQUIRED, the violations carry IMAGE_BLOCKED\n",
    );
    const missing = matchExpectation(expect_({ policy: "nope", result: "pass" }), OBSERVED);
    expect(formatDiff("t.yaml", missing)).toContain(
      '+ missing\n  no policy "nope" among the test\'s policies ("blocked", "latest", "elsewhere", "relaxed")\n',
    );
  });
});

describe("unassertedResources", () => {
  it("lists the resources no expectation names", () => {
    expect(unassertedResources([expect_({ result: "deny" })], OBSERVED)).toEqual([
      { kind: "Pod", namespace: "default", name: "idle" },
    ]);
    expect(unassertedResources([], OBSERVED)).toHaveLength(2);
  });
});

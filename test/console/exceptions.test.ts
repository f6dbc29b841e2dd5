/** The Exceptions page's logic: expiry in words, the form's document and its field errors. */
import { describe, expect, it } from "vitest";
import {
  describeExpiry,
  EMPTY_FORM,
  expiryInstant,
  formErrors,
  placeServerErrors,
  toExceptionDocument,
} from "../../console/src/lib/exceptions.js";
import { parseRoute, toHash } from "../../console/src/lib/route.js";
import { validateDocument } from "../../src/core/policy/index.js";

const NOW = Date.parse("2027-01-10T12:00:00Z");

describe("expiry in words", () => {
  it.each([
    ["2027-01-15", "expires in 5 days", "expiring"],
    ["2027-01-10", "expires in 12 h", "expiring"],
    ["2027-01-11", "expires in 1 day", "expiring"],
    ["2027-03-01", "expires in 50 days", "active"],
    ["2027-01-09", "expired today", "expired"],
    ["2027-01-05", "expired 4 days ago", "expired"],
    ["2027-01-10T11:00:00Z", "expired today", "expired"],
    ["2027-01-10T18:00:00Z", "expires in 6 h", "expiring"],
  ])("%s: %s (%s)", (expires, text, state) => {
    expect(describeExpiry(expires, NOW)).toEqual({ text, state });
  });

  it("a date is valid through that day, UTC, as the engine reads it", () => {
    expect(expiryInstant("2027-01-31")).toBe(Date.parse("2027-02-01T00:00:00Z"));
    expect(expiryInstant("soon")).toBeUndefined();
  });
});

describe("the create form", () => {
  const filled = {
    ...EMPTY_FORM,
    name: "legacy-busybox",
    policies: "corp-registry-only, no-latest",
    scope: "namespace" as const,
    namespace: "c1/team-a",
    images: "docker.io/library/busybox:*\n\n",
    workloads: "Deployment/legacy-*\nworker",
    reason: "vendor image",
    owner: "team-a@example.com",
    expires: "2027-01-31",
  };

  it("builds a document the validator accepts", () => {
    const doc = toExceptionDocument(filled);
    expect(doc.spec).toEqual({
      policies: ["corp-registry-only", "no-latest"],
      namespace: "c1/team-a",
      images: ["docker.io/library/busybox:*"],
      workloads: [{ kind: "Deployment", name: "legacy-*" }, { name: "worker" }],
      reason: "vendor image",
      owner: "team-a@example.com",
      expires: "2027-01-31",
    });
    expect(validateDocument(doc).kind).toBe("ImagePolicyException");
    expect(formErrors(filled)).toEqual({});
  });

  it("names each missing field at the path the server uses", () => {
    expect(Object.keys(formErrors(EMPTY_FORM)).sort()).toEqual(
      [
        "metadata.name",
        "spec",
        "spec.expires",
        "spec.namespace",
        "spec.owner",
        "spec.policies",
        "spec.reason",
      ].sort(),
    );
    expect(formErrors({ ...filled, scope: "workspace", workspace: "" })).toHaveProperty(
      "spec.workspace",
    );
  });

  it("places the server's field errors at the form's fields", () => {
    expect(
      placeServerErrors([
        { path: "spec.images[0]", message: "never matches" },
        { path: "spec.policies", message: '"*" alone' },
        { path: "spec.policies[1]", message: "not yours" },
        { path: "", message: "only admins" },
      ]),
    ).toEqual({
      "spec.images": "[0]: never matches",
      "spec.policies": '"*" alone [1]: not yours',
      spec: "only admins",
    });
  });
});

describe("the route", () => {
  it("round-trips", () => {
    expect(parseRoute("#/exceptions")).toEqual({ page: "exceptions" });
    expect(toHash({ page: "exceptions" })).toBe("#/exceptions");
  });
});

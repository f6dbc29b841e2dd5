/** Editing an exception in the console: stored document → form → replacing document. */
import { describe, expect, it } from "vitest";
import {
  formErrors,
  type StoredException,
  toEditedExceptionDocument,
  toExceptionDocument,
  toExceptionForm,
} from "../../console/src/lib/exceptions.js";
import { validateDocument } from "../../src/core/policy/index.js";

const stored = (spec: Record<string, unknown>, metadata = {}): StoredException => ({
  metadata: { name: "legacy", ...metadata },
  spec: { reason: "vendor image", owner: "ops", expires: "2027-01-31", ...spec },
});

describe("the edit form of a stored exception", () => {
  it.each<[string, Record<string, unknown>]>([
    ["namespace scope, images", { policies: ["a", "b"], namespace: "c1/team-a", images: ["x/*"] }],
    [
      "workspace scope, workloads",
      {
        policies: ["a"],
        workspace: "team-a",
        workloads: [{ kind: "Deployment", name: "legacy-*" }, { name: "worker" }],
      },
    ],
    [
      "organization scope, every policy",
      { policies: ["*"], images: ["docker.io/library/a:*", "b/*"] },
    ],
    ["an expiry instant", { policies: ["a"], images: ["x/*"], expires: "2027-01-31T12:00:00Z" }],
  ])("%s: unchanged form, same document, valid, no form errors", (_, spec) => {
    const original = stored(spec);
    const form = toExceptionForm(original);
    expect(formErrors(form)).toEqual({});
    const doc = toEditedExceptionDocument(form, original);
    expect(doc.spec).toEqual(original.spec);
    expect(validateDocument(doc).kind).toBe("ImagePolicyException");
  });

  it("writes the edited reason, owner, expiry, images, workloads and policies", () => {
    const original = stored({ policies: ["a"], namespace: "team-a", images: ["x/*"] });
    const form = {
      ...toExceptionForm(original),
      policies: "a, b",
      images: "x/*\ny/*",
      workloads: "StatefulSet/db-*",
      reason: "migration, JIRA-7",
      owner: "team-a@example.com",
      expires: "2027-03-01",
    };
    expect(toEditedExceptionDocument(form, original).spec).toEqual({
      policies: ["a", "b"],
      namespace: "team-a",
      images: ["x/*", "y/*"],
      workloads: [{ kind: "StatefulSet", name: "db-*" }],
      reason: "migration, JIRA-7",
      owner: "team-a@example.com",
      expires: "2027-03-01",
    });
  });

  it("keeps what the form does not show, and never renames", () => {
    const selector = { matchLabels: { env: "dev" } };
    const original = stored(
      { policies: ["a"], workspace: "team-a", namespaceSelector: selector, images: ["x/*"] },
      { labels: { team: "a" }, annotations: { ticket: "JIRA-7" } },
    );
    const form = { ...toExceptionForm(original), name: "other", reason: "changed" };
    const doc = toEditedExceptionDocument(form, original);
    expect(doc.metadata).toEqual({
      name: "legacy",
      labels: { team: "a" },
      annotations: { ticket: "JIRA-7" },
    });
    expect(doc.spec).toMatchObject({ namespaceSelector: selector, reason: "changed" });
    expect(validateDocument(doc).kind).toBe("ImagePolicyException");
  });

  it("an edit that empties a required field is a form error at its path", () => {
    const form = { ...toExceptionForm(stored({ policies: ["a"], images: ["x/*"] })), owner: " " };
    expect(formErrors(form)).toEqual({ "spec.owner": "Say who answers for it." });
    // Changing the scope drops the old one.
    const ws = { ...toExceptionForm(stored({ policies: ["a"], namespace: "n", images: ["x/*"] })) };
    expect(toExceptionDocument({ ...ws, scope: "organization" }).spec).not.toHaveProperty(
      "namespace",
    );
  });
});

import { describe, expect, it } from "vitest";
import { CustomsError } from "../../src/core/errors.js";
import { offlineImageFor, validateFactsFile } from "../../src/core/policy-test/index.js";
import { parseNormalized } from "../../src/core/reference/index.js";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;

const file = (images: unknown) => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "ImageFacts",
  images,
});

function errorsOf(doc: unknown): string[] {
  const r = validateFactsFile(doc);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

function ref(image: string) {
  const r = parseNormalized(image);
  if (!r.ok) throw new Error(r.message);
  return r.ref;
}

describe("validateFactsFile", () => {
  it("maps every group onto the core's facts", () => {
    const r = validateFactsFile(
      file({
        [`ghcr.io/acme/app@${A}`]: {
          signatures: [
            { key: "ci", transparencyLog: true },
            { issuer: "https://issuer", subject: "me", format: "sigstore-bundle", digest: B },
          ],
          rejectedSignatures: [{ code: "SIGNATURE_INVALID", message: "bad" }],
          attestations: [{ key: "ci", predicateType: "https://spdx.dev/Document", predicate: {} }],
          metadata: { labels: { a: "1" }, user: "1000", created: "2026-01-01T00:00:00Z" },
          vulnerabilities: {
            scanner: "trivy",
            createdAt: "2026-01-02T00:00:00Z",
            findings: [{ id: "CVE-1", severity: "high", fixedVersions: ["2"] }],
          },
        },
        "busybox:1.36": { digest: B, unavailable: { signatures: "REGISTRY_UNREACHABLE" } },
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [app, busybox] = r.images;
    expect(app?.digest).toEqual({ ok: true, value: A });
    expect(app?.signatures).toEqual({
      ok: true,
      value: {
        verified: [
          {
            signer: { kind: "key", keyId: "ci" },
            digest: A,
            transparencyLog: true,
            format: "cosign-v2",
          },
          {
            signer: { kind: "keyless", issuer: "https://issuer", subject: "me" },
            digest: B,
            transparencyLog: false,
            format: "sigstore-bundle",
          },
        ],
        rejected: [{ code: "SIGNATURE_INVALID", message: "bad" }],
      },
    });
    expect(app?.metadata).toEqual({
      ok: true,
      value: { labels: { a: "1" }, annotations: {}, user: "1000", created: "2026-01-01T00:00:00Z" },
    });
    expect(app?.vulnerabilities).toEqual({
      ok: true,
      value: {
        scanner: "trivy",
        createdAt: "2026-01-02T00:00:00Z",
        vulnerabilities: [
          {
            id: "CVE-1",
            aliases: [],
            severity: "high",
            package: "",
            installedVersion: "",
            fixedVersions: ["2"],
          },
        ],
      },
    });
    // Absent groups: what a registry holding nothing more answers.
    expect(busybox?.attestations).toEqual({ ok: true, value: { verified: [], rejected: [] } });
    expect(busybox?.vulnerabilities).toEqual({ ok: true, value: undefined });
    expect(busybox?.metadata).toEqual({
      ok: true,
      value: { labels: {}, annotations: {}, user: "" },
    });
    expect(busybox?.signatures).toMatchObject({ ok: false, code: "REGISTRY_UNREACHABLE" });
  });

  const ROWS: Array<[string, unknown, string]> = [
    ["not an object", "x", "(document): expected an object"],
    ["unknown top field", { ...file({}), image: {} }, "image: unknown field"],
    ["kind", { ...file({}), kind: "Facts" }, "kind: must be ImageFacts"],
    ["images not an object", file([]), "images: expected an object"],
    [
      "a key that is not an image",
      file({ "UPPER/Case": { digest: A } }),
      "images.UPPER/Case: is not an image reference",
    ],
    ["a tag without digest", file({ "busybox:1": {} }), "images.busybox:1.digest: is required"],
    [
      "a bad digest",
      file({ "busybox:1": { digest: "sha256:12" } }),
      'images.busybox:1.digest: "sha256:12" is not sha256:<64 hex>',
    ],
    ["two digests", file({ [`app@${A}`]: { digest: B } }), `images.app@${A}.digest: differs`],
    [
      "unknown entry field",
      file({ [`app@${A}`]: { signature: [] } }),
      `images.app@${A}.signature: unknown field`,
    ],
    [
      "signer both",
      file({ [`app@${A}`]: { signatures: [{ key: "k", issuer: "i", subject: "s" }] } }),
      `images.app@${A}.signatures[0]: gives \`key\``,
    ],
    [
      "signer neither",
      file({ [`app@${A}`]: { signatures: [{ issuer: "i" }] } }),
      `images.app@${A}.signatures[0]: needs \`key\``,
    ],
    [
      "transparencyLog",
      file({ [`app@${A}`]: { signatures: [{ key: "k", transparencyLog: "yes" }] } }),
      `images.app@${A}.signatures[0].transparencyLog: expected true or false`,
    ],
    [
      "format",
      file({ [`app@${A}`]: { signatures: [{ key: "k", format: "pgp" }] } }),
      `images.app@${A}.signatures[0].format:`,
    ],
    [
      "rejected code",
      file({ [`app@${A}`]: { rejectedSignatures: [{ code: "NOPE" }] } }),
      `images.app@${A}.rejectedSignatures[0].code:`,
    ],
    [
      "predicateType",
      file({ [`app@${A}`]: { attestations: [{ key: "k", predicate: {} }] } }),
      `images.app@${A}.attestations[0].predicateType: is required`,
    ],
    [
      "predicate",
      file({ [`app@${A}`]: { attestations: [{ key: "k", predicateType: "t" }] } }),
      `images.app@${A}.attestations[0].predicate: is required`,
    ],
    [
      "metadata label",
      file({ [`app@${A}`]: { metadata: { labels: { a: 1 } } } }),
      `images.app@${A}.metadata.labels.a: expected a string`,
    ],
    [
      "metadata created",
      file({ [`app@${A}`]: { metadata: { created: "yesterday" } } }),
      `images.app@${A}.metadata.created:`,
    ],
    [
      "finding severity",
      file({ [`app@${A}`]: { vulnerabilities: { findings: [{ id: "CVE-1", severity: "bad" }] } } }),
      `images.app@${A}.vulnerabilities.findings[0].severity:`,
    ],
    [
      "finding id",
      file({ [`app@${A}`]: { vulnerabilities: { findings: [{ severity: "low" }] } } }),
      `images.app@${A}.vulnerabilities.findings[0].id: is required`,
    ],
    [
      "unavailable code",
      file({ [`app@${A}`]: { unavailable: { metadata: "DOWN" } } }),
      `images.app@${A}.unavailable.metadata:`,
    ],
    [
      "unavailable group",
      file({ [`app@${A}`]: { unavailable: { config: "SOURCE_TIMEOUT" } } }),
      `images.app@${A}.unavailable.config: unknown field`,
    ],
    [
      "the same image twice",
      file({ busybox: { digest: A }, "docker.io/library/busybox": { digest: A } }),
      "images.docker.io/library/busybox: is the same image as",
    ],
  ];
  it.each(ROWS)("refuses %s with its path", (_, doc, expected) => {
    const errors = errorsOf(doc);
    expect(
      errors.some((e) => e.startsWith(expected)),
      errors.join("\n"),
    ).toBe(true);
  });
});

describe("offlineImageFor", () => {
  const r = validateFactsFile(
    file({
      busybox: { digest: A },
      [`ghcr.io/acme/app@${B}`]: {},
      "ghcr.io/acme/tool:v1": { digest: A },
    }),
  );
  const images = r.ok ? r.images : [];

  it.each([
    ["busybox", "busybox"],
    ["docker.io/library/busybox:latest", "busybox"],
    ["index.docker.io/library/busybox", "busybox"],
    [`ghcr.io/acme/app:v2@${B}`, `ghcr.io/acme/app@${B}`],
    [`ghcr.io/acme/tool:v9@${A}`, "ghcr.io/acme/tool:v1"],
    ["busybox:1.36", undefined],
    [`ghcr.io/acme/app@${A}`, undefined],
    ["ghcr.io/acme/app", undefined],
  ])("%s finds %s", (image, key) => {
    expect(r.ok).toBe(true);
    expect(offlineImageFor(images, ref(image))?.key).toBe(key);
  });
});

describe("report files in a facts file", () => {
  const REPORT = { scanner: "trivy", vulnerabilities: [] };
  const read = (file: string) => {
    if (file === "missing.json")
      throw new CustomsError("FILE_UNREADABLE", "missing.json: cannot read: ENOENT");
    return REPORT;
  };
  const entry = (vulnerabilities: unknown) => file({ [`app@${A}`]: { vulnerabilities } });

  it("reads the report a file names, with the reader given", () => {
    const r = validateFactsFile(entry({ report: "trivy.json" }), { readReport: read });
    expect(r.ok && r.images[0]?.vulnerabilities).toEqual({ ok: true, value: REPORT });
  });

  it.each([
    [
      "a file that cannot be read",
      { report: "missing.json" },
      read,
      `images.app@${A}.vulnerabilities.report: missing.json: cannot read: ENOENT`,
    ],
    [
      "a report file and findings",
      { report: "trivy.json", findings: [] },
      read,
      `images.app@${A}.vulnerabilities: \`report\` reads the whole report from a file: leave out findings`,
    ],
    [
      "no reader",
      { report: "trivy.json" },
      undefined,
      `images.app@${A}.vulnerabilities.report: report files are not read here`,
    ],
    [
      "not a string",
      { report: 1 },
      read,
      `images.app@${A}.vulnerabilities.report: expected a string`,
    ],
  ])("refuses %s with its path", (_, vulnerabilities, reader, expected) => {
    const r = validateFactsFile(
      entry(vulnerabilities),
      reader === undefined ? {} : { readReport: reader },
    );
    const errors = r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    expect(
      errors.some((e) => e.startsWith(expected)),
      errors.join("\n"),
    ).toBe(true);
  });
});

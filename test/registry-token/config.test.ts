import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CustomsError } from "../../src/core/errors.js";
import {
  parseAccounts,
  parseGrantFlag,
  parseTokenServiceConfig,
} from "../../src/core/registry-token/index.js";

const HASH = "$2y$04$abcdefghijklmnopqrstuuJ3G0P6zQ8cH0H1Hq1b5l3v0sP3m3x2a";
const config = (spec: string) =>
  parse(`apiVersion: customs.dev/v1alpha1\nkind: RegistryTokenService\nspec:\n${spec}`);
const MINIMAL = `  service: registry.example.com
  tls: {certificate: tls.crt, key: tls.key}
  signing: {certificate: s.crt, key: s.key}
  accountsFile: accounts.yaml
`;

function problems(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CustomsError);
    return (e as Error).message;
  }
  throw new Error("expected a CustomsError");
}

describe("parseTokenServiceConfig", () => {
  it("fills the documented defaults", () => {
    expect(parseTokenServiceConfig(config(MINIMAL), "c.yaml")).toMatchObject({
      service: "registry.example.com",
      issuer: "customs-registry-token",
      listen: { host: "0.0.0.0", port: 5001 },
      trustedCertificates: [],
      tokenLifetimeSeconds: 300,
      refreshTokenLifetimeSeconds: 604800,
      anonymous: [],
      rateLimit: { freeFailures: 5, baseDelaySeconds: 1, maxDelaySeconds: 300 },
    });
  });

  it.each([
    [`${MINIMAL}  tokenLifetime: 300\n`, "spec.tokenLifetime: unknown field"],
    [
      `${MINIMAL}  tokenLifetimeSeconds: 5\n`,
      "spec.tokenLifetimeSeconds: expected an integer from 60 to 3600",
    ],
    [
      `${MINIMAL}  anonymous: [{repositories: ["Public/*"], actions: [pull]}]\n`,
      "spec.anonymous[0].repositories[0]:",
    ],
    [
      `${MINIMAL}  anonymous: [{repositories: ["*"], actions: [write]}]\n`,
      "spec.anonymous[0].actions[0]: expected one of pull, push, delete",
    ],
    [`${MINIMAL}  trustedCertificates: old.crt\n`, "spec.trustedCertificates: expected a list"],
    [`${MINIMAL}  rateLimit: {freeFailures: -1}\n`, "spec.rateLimit.freeFailures"],
    [`${MINIMAL}  issuer: "two words"\n`, "spec.issuer: must not contain spaces"],
    ["  tls: {certificate: a}\n", "spec.service: is required"],
    ["  tls: {certificate: a}\n", "spec.tls.key: is required"],
    ["  tls: {certificate: a}\n", "spec.signing: expected an object"],
  ])("names the field: %#", (spec, message) => {
    const m = problems(() => parseTokenServiceConfig(config(spec), "c.yaml"));
    expect(m).toContain("c.yaml:");
    expect(m).toContain(message);
  });

  it("checks kind and apiVersion", () => {
    expect(
      problems(() => parseTokenServiceConfig({ apiVersion: "v1", kind: "X", spec: {} }, "c")),
    ).toMatch(/apiVersion[\s\S]*kind/);
  });

  it("never crashes on any JSON value: it returns a config or throws TOKEN_CONFIG_INVALID", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (doc) => {
        try {
          parseTokenServiceConfig(
            { apiVersion: "customs.dev/v1alpha1", kind: "RegistryTokenService", spec: doc },
            "c",
          );
        } catch (e) {
          expect((e as CustomsError).code).toBe("TOKEN_CONFIG_INVALID");
        }
      }),
    );
  });
});

describe("parseAccounts", () => {
  const doc = (accounts: unknown) => ({
    apiVersion: "customs.dev/v1alpha1",
    kind: "RegistryAccounts",
    accounts,
  });

  it("reads users and robots with their grants", () => {
    expect(
      parseAccounts(
        doc([
          {
            name: "ci",
            type: "robot",
            secret: HASH,
            grants: [{ repositories: ["team/*"], actions: ["pull", "push"] }],
          },
        ]),
        "a",
      ),
    ).toEqual([
      {
        name: "ci",
        type: "robot",
        secretHash: HASH,
        grants: [{ repositories: ["team/*"], actions: ["pull", "push"] }],
      },
    ]);
  });

  it("refuses a clear-text secret without quoting it", () => {
    const m = problems(() =>
      parseAccounts(doc([{ name: "ci", secret: "hunter2-clear-text" }]), "a.yaml"),
    );
    expect(m).toContain("accounts[0].secret: expected a bcrypt hash");
    expect(m).not.toContain("hunter2");
  });

  it.each([
    [[{ name: "a:b", secret: HASH }], "accounts[0].name"],
    [
      [
        { name: "ci", secret: HASH },
        { name: "ci", secret: HASH },
      ],
      'accounts[1].name: "ci" is given twice',
    ],
    [[{ name: "ci", secret: HASH, type: "admin" }], "accounts[0].type: expected user or robot"],
    [[{ name: "ci", secret: HASH, grant: [] }], "accounts[0].grant: unknown field"],
    [
      [{ name: "ci", secret: HASH, grants: [{ repositories: [] }] }],
      "accounts[0].grants[0].actions: is required",
    ],
  ])("names the field: %#", (accounts, message) => {
    const m = problems(() => parseAccounts(doc(accounts), "a.yaml"));
    expect(m).toContain(message);
  });
});

describe("parseGrantFlag", () => {
  it.each([
    ["team/*:pull,push", { repositories: ["team/*"], actions: ["pull", "push"] }],
    ["a,b/*:pull", { repositories: ["a", "b/*"], actions: ["pull"] }],
    ["*:pull", { repositories: ["*"], actions: ["pull"] }],
  ])("%s", (text, grant) => {
    expect(parseGrantFlag(text)).toEqual(grant);
  });

  it.each(["team/*", "team/*:", ":pull", "team/*:write", "Team:pull"])("refuses %s", (text) => {
    expect(() => parseGrantFlag(text)).toThrow(/--grant/);
  });
});

describe("toTokenSigner: the signing key must fit its certificate", () => {
  it("refuses a key of another certificate, an unsupported key type and unreadable PEM", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const { createCertificateAuthority } = await import("../../src/adapters/pki/index.js");
    const { toTokenSigner } = await import("../../src/adapters/registry-token/index.js");
    const a = await createCertificateAuthority("a");
    const b = await createCertificateAuthority("b");
    expect(toTokenSigner(a.certPem, a.keyPem).algorithm).toBe("ES256");
    expect(() => toTokenSigner(a.certPem, b.keyPem)).toThrow(/does not match/);
    const ed = generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(() => toTokenSigner(a.certPem, ed)).toThrow(CustomsError);
    expect(() => toTokenSigner("not a cert", a.keyPem)).toThrow(/cannot read/);
    try {
      toTokenSigner(a.certPem, b.keyPem);
    } catch (e) {
      expect((e as CustomsError).code).toBe("TOKEN_KEY_INVALID");
    }
  });
});

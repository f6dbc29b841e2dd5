import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TrustPolicies } from "../../src/app/supply/trust.js";
import type { Authority, TrustedRoot } from "../../src/core/policy/index.js";
import { PEM as TRUNCATED_PEM } from "./support.js";

const pem = () =>
  generateKeyPairSync("ec", { namedCurve: "P-256" })
    .publicKey.export({ type: "spki", format: "pem" })
    .toString();

const key = (name: string, text = pem()): Authority => ({
  name,
  kind: "key",
  key: { kind: "pem", pem: text },
});
const secret = (name: string): Authority => ({
  name,
  kind: "key",
  key: { kind: "secretRef", name: "cosign-ci", namespace: "customs-system", key: undefined },
});
const keyless = (name: string, root: TrustedRoot) =>
  ({
    name,
    kind: "keyless",
    issuer: { kind: "exact", value: "https://token.actions.githubusercontent.com" },
    subject: { kind: "regexp", value: "https://github\\.com/acme/.*" },
    trustedRoot: root,
  }) as Authority;

describe("trust policies from a policy's authorities", () => {
  it("names each key by its authority, once, under the public-good root", () => {
    const ci = key("ci");
    const release = key("release");
    const t = new TrustPolicies(() => {
      throw new Error("no file is read");
    }).for([ci, release, ci]);
    if (!t.ok) throw new Error(t.message);
    expect(t.value.policies).toHaveLength(1);
    expect(t.value.policies[0]?.keys.map((k) => k.id)).toEqual(["ci", "release"]);
    expect(t.value.policies[0]?.trust.name).toMatch(/public-good/);
    expect(t.value.policies[0]?.requireTlog).toBe(false);
    expect(t.value.skipped).toEqual([]);
  });

  it("refuses one name for two different authorities (a signer is known by name)", () => {
    const t = new TrustPolicies().for([key("ci"), key("ci")]);
    expect(t).toMatchObject({
      ok: false,
      code: "SOURCE_NOT_CONFIGURED",
      message: expect.stringContaining(
        'authority "ci" is defined differently by two policies; give different authorities different names',
      ),
    });
  });

  it("leaves out a key in a Secret, and fails closed when nothing else is left", () => {
    const both = new TrustPolicies().for([
      secret("ci"),
      keyless("release", { kind: "public-good" }),
    ]);
    if (!both.ok) throw new Error(both.message);
    expect(both.value.policies[0]?.keys).toEqual([]);
    expect(both.value.policies[0]?.identities).toHaveLength(1);
    expect(both.value.skipped).toEqual([
      'authority "ci": its key is in the Secret customs-system/cosign-ci, which is not read; give it inline (pem)',
    ]);
    const alone = new TrustPolicies().for([secret("ci")]);
    expect(alone).toMatchObject({ ok: false, code: "SOURCE_NOT_CONFIGURED" });
  });

  it("matches keyless identities with the policy's own matchers (RE2, whole value)", () => {
    const t = new TrustPolicies().for([keyless("release", { kind: "public-good" })]);
    if (!t.ok) throw new Error(t.message);
    const id = t.value.policies[0]?.identities[0];
    const issuer = "https://token.actions.githubusercontent.com";
    expect(id?.matches("https://github.com/acme/app/.github/workflows/r.yml@main", issuer)).toBe(
      true,
    );
    expect(id?.matches("https://github.com/evil/x?https://github.com/acme/", issuer)).toBe(false);
    expect(id?.matches("https://github.com/acme/app", "https://evil.test")).toBe(false);
  });

  it("a trusted root file that cannot be read fails closed, and is read again next time", () => {
    let reads = 0;
    const trust = new TrustPolicies((path) => {
      reads++;
      throw new Error(`${path}: ENOENT`);
    });
    const authorities = [
      keyless("public", { kind: "public-good" }),
      keyless("private", { kind: "file", path: "/etc/customs/trusted_root.json" }),
    ];
    for (let i = 1; i <= 2; i++) {
      expect(trust.for(authorities)).toMatchObject({
        ok: false,
        code: "SOURCE_NOT_CONFIGURED",
        message: expect.stringContaining("/etc/customs/trusted_root.json: ENOENT"),
      });
      expect(reads).toBe(i);
    }
    const bad = new TrustPolicies(() => "{not json").for(authorities);
    expect(bad).toMatchObject({
      ok: false,
      message: expect.stringContaining("/etc/customs/trusted_root.json: not JSON"),
    });
  });

  it("a key that does not parse fails closed naming the authority; good sets are parsed once", () => {
    expect(new TrustPolicies().for([key("ci", TRUNCATED_PEM)])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^the policy's authorities cannot be used: ci: not a PEM/),
    });
    const trust = new TrustPolicies();
    const set = [key("ci")];
    const a = trust.for(set);
    const b = trust.for(JSON.parse(JSON.stringify(set)));
    expect(a.ok && b.ok && a.value === b.value).toBe(true);
  });

  it("keys join every root, and the public-good one is always there for keys", () => {
    const root = JSON.stringify({
      mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      tlogs: [],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    });
    const t = new TrustPolicies(() => root).for([
      keyless("private", { kind: "file", path: "root.json" }),
      key("ci"),
    ]);
    if (!t.ok) throw new Error(t.message);
    expect(
      t.value.policies.map((p) => [p.trust.name, p.keys.map((k) => k.id), p.identities.length]),
    ).toEqual([
      [expect.stringContaining("root.json"), ["ci"], 1],
      [expect.stringMatching(/public-good/), ["ci"], 0],
    ]);
  });
});

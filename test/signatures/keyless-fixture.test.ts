import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  compileIdentity,
  fromBundleJson,
  publicGoodTrust,
  type TrustPolicy,
  verifyCandidate,
} from "../../src/adapters/sigstore/index.js";

/**
 * A real keyless Sigstore bundle made by GitHub Actions (a release of trailofbits/rfc8785.py,
 * 2024), verified offline against the public-good trusted root that @sigstore/tuf ships.
 */
const dir = resolve(import.meta.dirname, "../fixtures/sigstore");
const bundle = readFileSync(resolve(dir, "github-actions.whl.sigstore.json"));
const artifact = readFileSync(resolve(dir, "github-actions.whl"));
const SUBJECT =
  "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2";
const ISSUER = "https://token.actions.githubusercontent.com";

function policy(spec: Parameters<typeof compileIdentity>[0], requireTlog = true): TrustPolicy {
  return { keys: [], identities: [compileIdentity(spec)], trust: publicGoodTrust(), requireTlog };
}

function attempt(p: TrustPolicy, bytes = bundle, art = artifact) {
  try {
    const result = verifyCandidate(fromBundleJson(bytes, "fixture", art), p);
    return { ok: true as const, result };
  } catch (e) {
    return { ok: false as const, code: (e as { code?: string }).code, message: String(e) };
  }
}

describe("a real GitHub Actions keyless bundle against the shipped public-good root", () => {
  it("verifies with the exact identity and issuer, with the log required", () => {
    const r = attempt(policy({ subject: SUBJECT, issuer: ISSUER }));
    expect(r).toEqual({
      ok: true,
      result: {
        signer: { kind: "keyless", subject: SUBJECT, issuer: ISSUER },
        transparencyLog: true,
      },
    });
  });

  it.each([
    [
      "a whole-value RE2 pattern",
      { subjectRegexp: "https://github\\.com/trailofbits/.+", issuer: ISSUER },
      true,
    ],
    ["an issuer pattern", { subject: SUBJECT, issuerRegexp: "https://token\\.actions\\..*" }, true],
    [
      "a pattern matching only part of the subject",
      { subjectRegexp: "trailofbits", issuer: ISSUER },
      false,
    ],
    ["another workflow", { subject: SUBJECT.replace("v0.1.2", "v0.1.3"), issuer: ISSUER }, false],
    ["another issuer", { subject: SUBJECT, issuer: "https://accounts.google.com" }, false],
  ])("identity: %s", (_name, spec, ok) => {
    const r = attempt(policy(spec));
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.code).toBe("SIGNATURE_UNTRUSTED");
  });

  it("rejects a flipped byte in the artifact or the signature", () => {
    const tampered = Buffer.from(artifact);
    tampered[100] = (tampered[100] ?? 0) ^ 1;
    expect(attempt(policy({ subject: SUBJECT, issuer: ISSUER }), bundle, tampered)).toMatchObject({
      ok: false,
      code: "SIGNATURE_INVALID",
    });
    const doc = JSON.parse(bundle.toString("utf8"));
    const sig = Buffer.from(doc.messageSignature.signature, "base64");
    sig[10] = (sig[10] ?? 0) ^ 1;
    doc.messageSignature.signature = sig.toString("base64");
    const r = attempt(
      policy({ subject: SUBJECT, issuer: ISSUER }),
      Buffer.from(JSON.stringify(doc)),
    );
    expect(r.ok).toBe(false);
  });

  it("refuses keyless signatures when no identity is trusted, and bad patterns up front", () => {
    const none: TrustPolicy = {
      keys: [],
      identities: [],
      trust: publicGoodTrust(),
      requireTlog: false,
    };
    expect(attempt(none)).toMatchObject({ ok: false, code: "SIGNATURE_UNTRUSTED" });
    expect(() => compileIdentity({ subjectRegexp: "(unclosed", issuer: ISSUER })).toThrow(
      /IDENTITY|pattern/,
    );
    // RE2 has no backreferences: a JS RegExp feature is refused, not silently run.
    expect(() => compileIdentity({ subjectRegexp: "(a)\\1", issuer: ISSUER })).toThrow();
  });
});

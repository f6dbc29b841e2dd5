import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FailureLimiter } from "../../src/app/fleet/rate-limit.js";
import { hashSecret, isSecretOf, issueToken, toTokenParts } from "../../src/app/fleet/tokens.js";

describe("tokens: cst_<id>_<secret>", () => {
  it("a fresh token parses back to its id and secret, and only its secret matches", () => {
    const t = issueToken();
    expect(t.text).toMatch(/^cst_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(toTokenParts(t.text)).toEqual({ id: t.id, secret: t.secret });
    expect(isSecretOf(t.secret, t.secretHash)).toBe(true);
    expect(isSecretOf(`${t.secret}x`, t.secretHash)).toBe(false);
    expect(t.secretHash).toBe(hashSecret(t.secret));
    expect(t.secretHash).not.toContain(t.secret);
  });

  it.each([
    ["", undefined],
    ["cst_", undefined],
    ["cst_abc", undefined],
    ["cst_abc_", undefined],
    ["cst__secret", undefined],
    ["cst_XYZ_secret", undefined],
    ["Bearer cst_ab_cd", undefined],
    ["cst_ab_c_d", { id: "ab", secret: "c_d" }],
  ])("toTokenParts(%j)", (text, expected) => {
    expect(toTokenParts(text)).toEqual(expected);
  });

  it("never throws, whatever the text (property)", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const parts = toTokenParts(s);
        if (parts !== undefined) expect(`cst_${parts.id}_${parts.secret}`).toBe(s);
      }),
    );
  });

  it("a wrong hash of another length is simply no match", () => {
    expect(isSecretOf("x", "abcd")).toBe(false);
  });
});

describe("failed-authentication limiter (injected clock)", () => {
  const make = () => {
    let now = 0;
    const limiter = new FailureLimiter(() => now);
    return {
      limiter,
      advance: (ms: number) => {
        now += ms;
      },
    };
  };

  it("five failures in a minute block the address; the wait doubles up to 5 minutes", () => {
    const { limiter, advance } = make();
    for (let i = 0; i < 4; i++) limiter.fail("a");
    expect(limiter.retryAfterMs("a")).toBe(0);
    limiter.fail("a");
    const first = limiter.retryAfterMs("a");
    expect(first).toBeGreaterThan(0);
    limiter.fail("a");
    expect(limiter.retryAfterMs("a")).toBe(first * 2);
    for (let i = 0; i < 30; i++) limiter.fail("a");
    expect(limiter.retryAfterMs("a")).toBe(5 * 60_000);
    expect(limiter.retryAfterMs("b")).toBe(0);
    advance(5 * 60_000);
    expect(limiter.retryAfterMs("a")).toBe(0);
  });

  it("failures spread over more than a minute do not block", () => {
    const { limiter, advance } = make();
    for (let i = 0; i < 20; i++) {
      limiter.fail("a");
      advance(15_000);
      expect(limiter.retryAfterMs("a")).toBe(0);
    }
  });

  it("a success forgets the address", () => {
    const { limiter } = make();
    for (let i = 0; i < 5; i++) limiter.fail("a");
    expect(limiter.retryAfterMs("a")).toBeGreaterThan(0);
    limiter.succeed("a");
    expect(limiter.retryAfterMs("a")).toBe(0);
  });

  it("remembers a bounded number of addresses", () => {
    const now = 0;
    const limiter = new FailureLimiter(() => now, {
      free: 1,
      windowMs: 60_000,
      firstDelayMs: 1000,
      maxDelayMs: 8000,
      maxAddresses: 3,
    });
    for (const a of ["a", "b", "c", "d"]) limiter.fail(a);
    expect(limiter.retryAfterMs("a")).toBe(0);
    expect(limiter.retryAfterMs("d")).toBe(1000);
  });
});

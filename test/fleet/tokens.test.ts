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

  it("five failures in a minute block the key; a failure right after a block doubles it", () => {
    const { limiter, advance } = make();
    for (let i = 0; i < 4; i++) limiter.fail("a");
    expect(limiter.retryAfterMs("a")).toBe(0);
    limiter.fail("a");
    expect(limiter.retryAfterMs("a")).toBe(1000);
    let delay = 1000;
    for (let i = 0; i < 12; i++) {
      advance(delay);
      expect(limiter.retryAfterMs("a")).toBe(0);
      limiter.fail("a");
      delay = Math.min(delay * 2, 5 * 60_000);
      expect(limiter.retryAfterMs("a")).toBe(delay);
    }
    expect(delay).toBe(5 * 60_000);
    expect(limiter.retryAfterMs("b")).toBe(0);
  });

  it("attempts while blocked never extend the block", () => {
    const { limiter, advance } = make();
    for (let i = 0; i < 5; i++) limiter.fail("a");
    for (let i = 0; i < 100; i++) {
      limiter.fail("a");
      advance(5);
    }
    expect(limiter.retryAfterMs("a")).toBe(500);
    advance(500);
    expect(limiter.retryAfterMs("a")).toBe(0);
  });

  it("an agent polling every 10 s with a bad token is let through as Retry-After says", () => {
    const { limiter, advance } = make();
    let answered401 = 0;
    for (let t = 0; t < 60 * 60_000; t += 10_000) {
      if (limiter.retryAfterMs("agent") === 0) {
        limiter.fail("agent");
        answered401++;
      }
      advance(10_000);
    }
    // Blocked for at most 5 minutes at a time: it gets to try again every 5 minutes.
    expect(answered401).toBeGreaterThanOrEqual(12);
  });

  it("a key quiet for a whole window after its block starts over", () => {
    const { limiter, advance } = make();
    for (let i = 0; i < 5; i++) limiter.fail("a");
    advance(1000 + 60_000);
    limiter.fail("a");
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

  it("a success forgets the key", () => {
    const { limiter } = make();
    for (let i = 0; i < 5; i++) limiter.fail("a");
    expect(limiter.retryAfterMs("a")).toBeGreaterThan(0);
    limiter.succeed("a");
    expect(limiter.retryAfterMs("a")).toBe(0);
  });

  it("remembers a bounded number of keys", () => {
    const now = 0;
    const limiter = new FailureLimiter(() => now, {
      free: 1,
      windowMs: 60_000,
      firstDelayMs: 1000,
      maxDelayMs: 8000,
      maxKeys: 3,
    });
    for (const a of ["a", "b", "c", "d"]) limiter.fail(a);
    expect(limiter.retryAfterMs("a")).toBe(0);
    expect(limiter.retryAfterMs("d")).toBe(1000);
  });
});

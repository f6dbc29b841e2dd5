/**
 * Login time must not tell which accounts exist. bcrypt's work doubles with each step of
 * cost, so the token service must run the same bcrypt work for an unknown name as for every
 * known one, whatever cost each account's hash was made with. Asserted by counting the work
 * (an injected hasher records each compare's cost), never by wall-clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../src/adapters/pki/index.js";
import {
  bcryptCost,
  bcryptHasher,
  createLoginLimiter,
  createSecretVerifier,
  hashSecret,
  type SecretHasher,
} from "../../src/adapters/registry-token/index.js";
import { TokenService, type TokenState } from "../../src/app/registry/token.js";
import { loadTokenConfig, loadTokenKeys } from "../../src/app/registry/token-files.js";
import { toAccountDirectory } from "../../src/core/registry-token/index.js";
import { basic, CI, SERVICE, type TokenFiles, writeTokenFiles } from "./setup.js";

/** The real bcrypt, recording the cost of every compare. */
function countingHasher() {
  const compares: number[] = [];
  const hasher: SecretHasher = {
    hash: (secret, cost) => bcryptHasher.hash(secret, cost),
    async compare(secret, hash) {
      compares.push(bcryptCost(hash));
      return bcryptHasher.compare(secret, hash);
    },
  };
  return { hasher, compares };
}

/** bcrypt runs 2^cost rounds of its key schedule: the work a compare takes. */
const work = (costs: readonly number[]) => costs.reduce((n, c) => n + 2 ** c, 0);

describe("createSecretVerifier", () => {
  const cheap = hashSecret("cheap secret", 4);
  const dear = hashSecret("dear secret", 6);

  it("runs the same compares for unknown names, known names of each cost, right or wrong", async () => {
    const { hasher, compares } = countingHasher();
    const verifier = createSecretVerifier([cheap, dear, cheap], hasher);
    expect(verifier.costs).toEqual([4, 6]);
    const runs: { ok: boolean; costs: number[] }[] = [];
    for (const [hash, secret] of [
      [undefined, "anything"],
      [cheap, "cheap secret"],
      [cheap, "wrong"],
      [dear, "dear secret"],
      [dear, "wrong"],
    ] as const) {
      compares.length = 0;
      const ok = await verifier.verify(hash, secret);
      runs.push({ ok, costs: [...compares] });
    }
    expect(runs.map((r) => r.ok)).toEqual([false, true, false, true, false]);
    for (const r of runs) expect(r.costs).toEqual([4, 6]);
    expect(new Set(runs.map((r) => work(r.costs))).size).toBe(1);
  });

  it("an unknown name never matches, even with the dummy secret", async () => {
    const verifier = createSecretVerifier([cheap]);
    expect(await verifier.verify(undefined, "customs-no-such-account")).toBe(false);
  });

  it("refuses secrets over 72 bytes without any bcrypt work, known account or not", async () => {
    const { hasher, compares } = countingHasher();
    const verifier = createSecretVerifier([cheap], hasher);
    expect(await verifier.verify(cheap, `cheap secret${"x".repeat(80)}`)).toBe(false);
    expect(await verifier.verify(undefined, "y".repeat(80))).toBe(false);
    expect(compares).toEqual([]);
  });

  it("an empty accounts file still checks at the default cost", () => {
    expect(createSecretVerifier([], countingHasher().hasher).costs).toEqual([10]);
  });
});

describe("TokenService: login work does not depend on the account", () => {
  let files: TokenFiles;
  let state: TokenState;

  beforeAll(async () => {
    files = await writeTokenFiles(await createCertificateAuthority("tls"), [CI]);
    const config = loadTokenConfig(files.config);
    const accounts = [
      { name: "cheap", type: "user" as const, secretHash: hashSecret("s1", 4), grants: [] },
      { name: "dear", type: "robot" as const, secretHash: hashSecret("s2", 5), grants: [] },
    ];
    state = { config, keys: loadTokenKeys(config), directory: toAccountDirectory(accounts) };
  });
  afterAll(() => files.cleanup());

  it("unknown, cheap and dear accounts each cost one compare at every cost in the file", async () => {
    const { hasher, compares } = countingHasher();
    const service = new TokenService(
      state,
      createLoginLimiter({ ...state.config.rateLimit, freeFailures: 1000 }),
      () => {},
      Date.now,
      hasher,
    );
    const seen: Record<string, { status: number; costs: number[] }> = {};
    for (const [who, name, secret] of [
      ["unknown", "mallory", "s1"],
      ["cheap right", "cheap", "s1"],
      ["cheap wrong", "cheap", "s2"],
      ["dear right", "dear", "s2"],
      ["dear wrong", "dear", "s1"],
    ] as const) {
      compares.length = 0;
      const r = await service.handle({
        method: "GET",
        query: new URLSearchParams(`service=${SERVICE}`),
        form: undefined,
        authorization: basic(name, secret),
        client: `client-${who}`,
      });
      seen[who] = { status: r.status, costs: [...compares] };
    }
    expect(Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, v.status]))).toEqual({
      unknown: 401,
      "cheap right": 200,
      "cheap wrong": 401,
      "dear right": 200,
      "dear wrong": 401,
    });
    for (const v of Object.values(seen)) expect(v.costs).toEqual([4, 5]);
  });

  it("a reload with accounts of a new cost checks at that cost too", async () => {
    const { hasher, compares } = countingHasher();
    const service = new TokenService(
      state,
      createLoginLimiter(state.config.rateLimit),
      () => {},
      Date.now,
      hasher,
    );
    const more = [
      ...state.directory.accounts.values(),
      {
        name: "dearer",
        type: "user" as const,
        secretHash: hashSecret("s3", 6),
        grants: [],
      },
    ];
    service.replace({ ...state, directory: toAccountDirectory(more) });
    await service.handle({
      method: "GET",
      query: new URLSearchParams(`service=${SERVICE}`),
      form: undefined,
      authorization: basic("nobody-here", "x"),
      client: "client-reload",
    });
    expect(compares).toEqual([4, 5, 6]);
  });
});

import { describe, expect, it } from "vitest";
import { toRules } from "../../src/app/secrets/scan.js";
import { builtinDetectors, EMPTY_SECRETS_CONFIG, scanText } from "../../src/core/secrets/index.js";
import {
  ALNUM,
  B64,
  DIGITS,
  HEX,
  LOWER,
  PLANTABLE,
  pemKey,
  pick,
  plant,
  random,
  UPPER,
} from "./corpus.js";

const rules = toRules(EMPTY_SECRETS_CONFIG, true);
const found = (text: string, kind: "normal" | "lockfile" | "minified" = "normal") =>
  scanText(text, rules, kind).map((m) => ({
    id: m.detector.id,
    secret: m.secret,
    line: m.line,
    column: m.column,
  }));
const p = (...parts: string[]) => parts.join("");

describe("every built-in detector finds its documented shape", () => {
  it("has a generator for every detector but the PEM one", () => {
    const ids = builtinDetectors().map((d) => d.id);
    expect([...PLANTABLE, "private-key"].sort()).toEqual([...ids].sort());
  });

  it.each(
    PLANTABLE.flatMap((id) => [1, 2, 3].map((seed) => [id, seed] as const)),
  )("%s (seed %i)", (id, seed) => {
    const planted = plant(id, seed);
    const text = `first line\n  ${planted.line}\nlast line\n`;
    const hits = found(text);
    expect(hits).toEqual([
      { id, secret: planted.secret, line: 2, column: 3 + planted.line.indexOf(planted.secret) },
    ]);
  });

  it.each(["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "])("PEM private key %s", (kind) => {
    const key = pemKey(random(7), kind);
    const hits = found(`# key\n${key.line}\n`);
    expect(hits.map((h) => [h.id, h.secret, h.line])).toEqual([["private-key", key.secret, 2]]);
  });
});

const r = random(99);
const LOOK_ALIKES: [string, string][] = [
  ["AWS docs example key", `key = ${p("AKIA", "IOSFODNN7", "EXAMPLE")}`],
  ["AWS key ID one character short", `key = ${p("AK", "IA")}${pick(r, UPPER, 15)}`],
  ["AWS key ID inside a longer upper-case run", `X${p("AK", "IA")}${pick(r, UPPER, 16)}`],
  ["40 base64 characters with no aws keyword", `secret = ${pick(r, B64, 40)}`],
  ["Stripe key too short", `${p("sk_", "live_")}${pick(r, ALNUM, 20)}`],
  ["Stripe placeholder", `${p("sk_", "test_")}${"x".repeat(24)}`],
  ["GitHub token one short", `${p("gh", "p_")}${pick(r, ALNUM, 35)}`],
  ["GitHub token in a longer word", `${p("gh", "p_")}${pick(r, ALNUM, 40)}`],
  ["a UUID", "id: 123e4567-e89b-12d3-a456-426614174000"],
  ["a git SHA-1 and SHA-256", `${pick(r, HEX, 40)} ${pick(r, HEX, 64)}`],
  ["a Slack-ish word", "the xoxo- greeting"],
  ["URL without password", "https://user@example.com/path"],
  ["URL with placeholder password", "postgres://user:password@localhost/db"],
  ["URL with template password", `https://bot:${"$"}{TOKEN}@git.internal/x`],
  ["URL with masked password", "https://bot:****@git.internal/x"],
  ["PEM public key", `-----BEGIN PUBLIC KEY-----\n${pick(r, B64, 64)}\n-----END PUBLIC KEY-----`],
  [
    "PEM private key with elided body",
    `-----BEGIN RSA ${p("PRIVATE", " KEY")}-----\n...\n-----END RSA ${p("PRIVATE", " KEY")}-----`,
  ],
  ["Twilio SK with 31 hex", `${p("S", "K")}${pick(r, HEX, 31)}`],
  ["Mailchimp without region", `${pick(r, HEX, 32)}-uk1`],
  ["Google key with 34 characters", `${p("AI", "za")}${pick(r, ALNUM, 34)}`],
  ["low-entropy facebook value", `facebook_secret = "${"ab".repeat(16)}"`],
  [
    "digits that look like a Twitter ID without the keyword",
    `${pick(r, DIGITS, 18)}-${pick(r, ALNUM, 40)}`,
  ],
  ["Twilio auth token with 31 hex", `TWILIO_AUTH_TOKEN=${pick(r, HEX, 31)}`],
  ["Twilio auth token with 33 hex", `TWILIO_AUTH_TOKEN=${pick(r, HEX, 33)}`],
  ["Twilio auth token in upper-case hex", `TWILIO_AUTH_TOKEN=${pick(r, "0123456789ABCDEF", 32)}`],
  ["Twilio account SID (no auth or token in the name)", `TWILIO_ACCOUNT=${pick(r, HEX, 32)}`],
  ["32 hex under a token name without twilio", `AUTH_TOKEN=${pick(r, HEX, 32)}`],
  ["low-entropy Twilio value", `twilio_auth_token = "${"ab".repeat(16)}"`],
  ["Twitter secret with 49 characters", `TWITTER_API_SECRET=${pick(r, ALNUM, 49)}`],
  ["Twitter secret with 51 characters", `TWITTER_API_SECRET=${pick(r, ALNUM, 51)}`],
  ["Twitter consumer key (not a secret)", `TWITTER_CONSUMER_KEY=${pick(r, ALNUM, 50)}`],
  ["50 characters under a secret name without twitter", `API_SECRET=${pick(r, ALNUM, 50)}`],
  ["docker config with an empty password", `{"auths": {"r": {"username": "u", "password": ""}}}`],
  [
    "docker config whose auth has no password",
    `{"auths": {"r": {"auth": "${Buffer.from("u:").toString("base64")}"}}}`,
  ],
  ["docker config with a placeholder password", `{"auths": {"r": {"password": "changeme"}}}`],
  ["a JSON object with an auth flag", `{"auth": true, "password": 1}`],
  ["lowercase hex 32 with mailgun-like but wrong prefix", `kei-${pick(r, LOWER, 32)}`],
];

describe("look-alikes that must not fire", () => {
  it.each(LOOK_ALIKES)("%s", (_name, text) => {
    expect(found(`${text}\n`)).toEqual([]);
  });
});

describe("lockfiles and minified code: only prefixed tokens", () => {
  const integrity = `"integrity": "sha512-${pick(r, B64, 86)}=="`;
  const twitterish = `twitter_token = "${pick(r, DIGITS, 10)}-${pick(r, ALNUM, 40)}"`;

  it("a lockfile's hashes do not fire, a GitHub token in it does", () => {
    const token = plant("github-pat", 5);
    const lock = `{\n  ${integrity},\n  ${twitterish},\n  "resolved": "${token.secret}"\n}\n`;
    expect(found(lock, "lockfile").map((h) => h.id)).toEqual(["github-pat"]);
    expect(
      found(lock, "normal")
        .map((h) => h.id)
        .sort(),
    ).toEqual(["github-pat", "twitter-access-token"]);
  });

  it("minified code with base64 blobs and keyword-shaped values does not fire", () => {
    const blob = `data:image/png;base64,${"A".repeat(40)}${pick(r, B64, 4000)}`;
    const minified = `var a="${blob}";${twitterish};var aws_secret="${pick(r, B64, 40)}";`;
    expect(found(minified, "minified")).toEqual([]);
  });
});

describe("one finding per secret", () => {
  it("a Picatic-shaped key is reported once, by the narrower detector", () => {
    const key = plant("picatic-api-key", 1);
    expect(found(key.line).map((h) => h.id)).toEqual(["picatic-api-key"]);
  });
});

/**
 * Secrets made at run time to each service's documented shape, from a seeded generator, so
 * the repository holds no literal that looks like a live key (and trips no scanner).
 */

export const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const LOWER = "abcdefghijklmnopqrstuvwxyz";
export const DIGITS = "0123456789";
export const ALNUM = UPPER + LOWER + DIGITS;
export const HEX = "0123456789abcdef";
export const B64 = `${ALNUM}+/`;

/** mulberry32: small, seeded, good enough to make varied tokens. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick(rand: () => number, alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rand() * alphabet.length)];
  return out;
}

/** Joined at run time: no token prefix appears whole in this file. */
const p = (...parts: string[]) => parts.join("");

export interface Planted {
  readonly id: string;
  /** The line to write into a file. */
  readonly line: string;
  /** The secret inside `line` (what a detector must report). */
  readonly secret: string;
}

type Maker = (r: () => number) => { line: string; secret: string };

const plain =
  (
    make: (r: () => number) => string,
    around: (s: string) => string = (s) => `token = "${s}"`,
  ): Maker =>
  (r) => {
    const secret = make(r);
    return { line: around(secret), secret };
  };

export const MAKERS: Record<string, Maker> = {
  "aws-access-key-id": plain((r) => p("AK", "IA") + pick(r, UPPER + DIGITS, 16)),
  "aws-secret-access-key": plain(
    (r) => pick(r, B64, 40),
    (s) => `aws_secret_access_key = ${s}`,
  ),
  "amazon-mws-auth-token": plain(
    (r) =>
      `${p("amzn", ".mws.")}${pick(r, HEX, 8)}-${pick(r, HEX, 4)}-${pick(r, HEX, 4)}-${pick(r, HEX, 4)}-${pick(r, HEX, 12)}`,
  ),
  "facebook-access-token": plain((r) => p("EA", "A") + pick(r, ALNUM, 150)),
  "facebook-app-secret": plain(
    (r) => pick(r, HEX, 32),
    (s) => `FACEBOOK_APP_SECRET: "${s}"`,
  ),
  "google-api-key": plain((r) => p("AI", "za") + pick(r, `${ALNUM}_-`, 35)),
  "google-oauth-client-id": plain(
    (r) =>
      `${pick(r, DIGITS, 12)}-${pick(r, LOWER + DIGITS, 32)}${p(".apps", ".googleusercontent.com")}`,
  ),
  "google-oauth-client-secret": plain((r) => p("GOC", "SPX-") + pick(r, ALNUM, 28)),
  "mailchimp-api-key": plain((r) => `${pick(r, HEX, 32)}-us${1 + Math.floor(r() * 20)}`),
  "mailgun-api-key": plain((r) => p("ke", "y-") + pick(r, LOWER + DIGITS, 32)),
  "braintree-access-token": plain(
    (r) => `${p("access_token", "$production$")}${pick(r, LOWER + DIGITS, 16)}$${pick(r, HEX, 32)}`,
  ),
  "picatic-api-key": plain((r) => p("sk_", "live_") + pick(r, LOWER + DIGITS, 32)),
  "square-access-token": plain((r) => p("sq0", "atp-") + pick(r, ALNUM, 22)),
  "square-oauth-secret": plain((r) => p("sq0", "csp-") + pick(r, ALNUM, 43)),
  "stripe-secret-key": plain((r) => p("sk_", "live_") + pick(r, UPPER, 2) + pick(r, ALNUM, 30)),
  "stripe-test-secret-key": plain((r) => p("sk_", "test_") + pick(r, ALNUM, 24)),
  "stripe-restricted-key": plain((r) => p("rk_", "live_") + pick(r, ALNUM, 40)),
  "twilio-api-key": plain((r) => p("S", "K") + pick(r, HEX, 32)),
  "twilio-auth-token": plain(
    (r) => pick(r, HEX, 32),
    (s) => `TWILIO_AUTH_TOKEN=${s}`,
  ),
  "twitter-api-secret": plain(
    (r) => pick(r, ALNUM, 50),
    (s) => `twitter_consumer_secret: "${s}"`,
  ),
  "twitter-access-token": plain(
    (r) => `${pick(r, DIGITS, 18)}-${pick(r, ALNUM, 40)}`,
    (s) => `twitter_access_token = '${s}'`,
  ),
  "twitter-bearer-token": plain(
    (r) => "A".repeat(22) + pick(r, "BCDEFG", 1) + pick(r, `${ALNUM}%`, 90),
  ),
  "github-pat": plain((r) => p("gh", "p_") + pick(r, ALNUM, 36)),
  "github-oauth-token": plain((r) => p("gh", "o_") + pick(r, ALNUM, 36)),
  "github-user-token": plain((r) => p("gh", "u_") + pick(r, ALNUM, 36)),
  "github-app-token": plain((r) => p("gh", "s_") + pick(r, ALNUM, 36)),
  "github-refresh-token": plain((r) => p("gh", "r_") + pick(r, ALNUM, 36)),
  "github-fine-grained-pat": plain(
    (r) => `${p("github", "_pat_")}${pick(r, ALNUM, 22)}_${pick(r, ALNUM, 59)}`,
  ),
  "slack-token": plain(
    (r) => `${p("xo", "xb-")}${pick(r, DIGITS, 12)}-${pick(r, DIGITS, 13)}-${pick(r, ALNUM, 24)}`,
  ),
  "slack-webhook-url": plain(
    (r) =>
      `${p("hooks.", "slack.com")}/services/T${pick(r, UPPER + DIGITS, 8)}/B${pick(r, UPPER + DIGITS, 8)}/${pick(r, ALNUM, 24)}`,
    (s) => `webhook: https://${s}`,
  ),
  "docker-config-password": plain(
    (r) => pick(r, ALNUM, 24),
    (s) => `{"auths": {"r.example": {"username": "ci", "password": "${s}"}}}`,
  ),
  "url-password": plain(
    (r) => pick(r, ALNUM, 16),
    (s) => `DATABASE_URL=postgres://app:${s}@db.internal:5432/app`,
  ),
};

/** A PEM block: several lines, so it is made separately. */
export function pemKey(rand: () => number, kind = "RSA "): Planted {
  const body = Array.from({ length: 6 }, () => pick(rand, B64, 64)).join("\n");
  const line = `-----BEGIN ${kind}${p("PRIV", "ATE KEY")}-----\n${body}\n-----END ${kind}${p("PRIV", "ATE KEY")}-----`;
  return { id: "private-key", line, secret: body };
}

export function plant(id: string, seed: number): Planted {
  const make = MAKERS[id];
  if (make === undefined) throw new Error(`no maker for ${id}`);
  return { id, ...make(random(seed)) };
}

export const PLANTABLE = Object.keys(MAKERS);

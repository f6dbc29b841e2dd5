/**
 * The built-in detectors. Each has a stable ID (finding rule IDs, inline ignores, config
 * `disable`), keywords that must appear before its regex runs, and a pattern of our own.
 *
 * Pattern style: a literal prefix first (V8 finds it with a fast string search), bounded
 * repetitions only, and `(?<![…])`/`(?![…])` guards so a token inside a longer run of the
 * same characters (a hash, a base64 blob) does not fire.
 */
import type { Severity } from "../findings/types.js";
import { DOCKER_CONFIG_SCANNER } from "./docker-config.js";
import type { Confidence, Detector } from "./types.js";
import { isPasswordPlaceholder, URL_PASSWORD_SCANNER } from "./url-password.js";
import { fromV8 } from "./v8-regex.js";

/** Docs and templates: `AKIAIOSFODNN7EXAMPLE`, `sk_test_xxxxxxxx…`, `your-api-key`. */
const PLACEHOLDER_WORDS = /example|placeholder|dummy|sample|x{8}|X{8}|0{12}|1{12}|\*{4}/i;
function isPlaceholder(secret: string): boolean {
  return PLACEHOLDER_WORDS.test(secret);
}

interface Spec {
  id: string;
  name: string;
  severity: Severity;
  confidence?: Confidence;
  summary: string;
  keywords: string[];
  pattern: string;
  minEntropy?: number;
  /** Point findings at the whole match instead of the secret in it. */
  pointAtMatch?: boolean;
}

const ALNUM = "(?<![A-Za-z0-9])";
const END = "(?![A-Za-z0-9])";
/** `key = "value"`, `key: value`, `"key": "value"`, `key => 'value'`. */
const ASSIGN = `["']?\\s{0,5}(?:=>|:=|[:=])\\s{0,5}["'\`]?`;
function cased(word: string): string[] {
  return [word, word.toUpperCase(), word[0]?.toUpperCase() + word.slice(1)];
}

const SPECS: Spec[] = [
  {
    id: "aws-access-key-id",
    name: "AWS access key ID",
    severity: "high",
    summary: "`AKIA`/`ASIA`/`ABIA`/`ACCA` + 16 of `A-Z0-9` (20 characters).",
    keywords: ["AKIA", "ASIA", "ABIA", "ACCA"],
    pattern: `${ALNUM}((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})${END}`,
  },
  {
    id: "aws-secret-access-key",
    name: "AWS secret access key",
    severity: "critical",
    confidence: "context",
    summary:
      "40 characters of `A-Za-z0-9/+` assigned to a name holding `aws` and `secret` (`aws_secret_access_key = …`), or to `SecretAccessKey`.",
    keywords: [...cased("aws"), "SecretAccessKey"],
    pattern: `(?:(?:aws|AWS|Aws)[A-Za-z0-9_.-]{0,30}(?:secret|Secret|SECRET)[A-Za-z0-9_.-]{0,20}|SecretAccessKey)${ASSIGN}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    minEntropy: 3.5,
  },
  {
    id: "amazon-mws-auth-token",
    name: "Amazon MWS auth token",
    severity: "high",
    summary: "`amzn.mws.` + a UUID (lowercase hex).",
    keywords: ["amzn.mws."],
    pattern:
      "amzn\\.mws\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])",
  },
  {
    id: "facebook-access-token",
    name: "Facebook access token",
    severity: "high",
    summary: "`EAA` + 90–400 of `A-Za-z0-9` (user and page access tokens).",
    keywords: ["EAA"],
    pattern: `${ALNUM}(EAA[A-Za-z0-9]{90,400})${END}`,
    minEntropy: 3.5,
  },
  {
    id: "facebook-app-secret",
    name: "Facebook app secret",
    severity: "high",
    confidence: "context",
    summary: "32 lowercase hex characters assigned to a name holding `facebook`.",
    keywords: cased("facebook"),
    pattern: `(?:facebook|Facebook|FACEBOOK)[A-Za-z0-9_.-]{0,25}${ASSIGN}([0-9a-f]{32})(?![0-9A-Za-z])`,
    minEntropy: 3,
  },
  {
    id: "google-api-key",
    name: "Google API key",
    severity: "high",
    summary: "`AIza` + 35 of `A-Za-z0-9_-`.",
    keywords: ["AIza"],
    pattern: `(?<![A-Za-z0-9_-])(AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])`,
  },
  {
    id: "google-oauth-client-id",
    name: "Google OAuth client ID",
    severity: "medium",
    summary: "digits + `-` + 32 of `a-z0-9` + `.apps.googleusercontent.com`.",
    keywords: [".apps.googleusercontent.com"],
    pattern: `${ALNUM}([0-9]{6,20}-[0-9a-z]{32}\\.apps\\.googleusercontent\\.com)`,
  },
  {
    id: "google-oauth-client-secret",
    name: "Google OAuth client secret",
    severity: "high",
    summary: "`GOCSPX-` + 28 of `A-Za-z0-9_-`.",
    keywords: ["GOCSPX-"],
    pattern: `(GOCSPX-[A-Za-z0-9_-]{28})(?![A-Za-z0-9_-])`,
  },
  {
    id: "mailchimp-api-key",
    name: "Mailchimp API key",
    severity: "high",
    summary: "32 lowercase hex characters + `-us` + 1–2 digits.",
    keywords: ["-us"],
    pattern: `${ALNUM}([0-9a-f]{32}-us[0-9]{1,2})(?![0-9])`,
  },
  {
    id: "mailgun-api-key",
    name: "Mailgun API key",
    severity: "high",
    summary: "`key-` + 32 of `a-z0-9`.",
    keywords: ["key-"],
    pattern: `${ALNUM}(key-[0-9a-z]{32})${END}`,
    minEntropy: 3,
  },
  {
    id: "braintree-access-token",
    name: "PayPal Braintree access token",
    severity: "critical",
    summary: "`access_token$production$` + 16 of `a-z0-9` + `$` + 32 lowercase hex.",
    keywords: ["access_token$production$"],
    pattern: "access_token\\$production\\$[0-9a-z]{16}\\$[0-9a-f]{32}(?![0-9a-f])",
  },
  {
    // Before Stripe: a Picatic key is also a Stripe-shaped `sk_live_…`; the narrower wins.
    id: "picatic-api-key",
    name: "Picatic API key",
    severity: "high",
    summary: "`sk_live_` + exactly 32 of `a-z0-9`.",
    keywords: ["sk_live_"],
    pattern: `${ALNUM}(sk_live_[0-9a-z]{32})${END}`,
  },
  {
    id: "square-access-token",
    name: "Square access token",
    severity: "critical",
    summary: "`sq0atp-` + 22 of `A-Za-z0-9_-`.",
    keywords: ["sq0atp-"],
    pattern: "(sq0atp-[0-9A-Za-z_-]{22})(?![0-9A-Za-z_-])",
  },
  {
    id: "square-oauth-secret",
    name: "Square OAuth secret",
    severity: "critical",
    summary: "`sq0csp-` + 43 of `A-Za-z0-9_-`.",
    keywords: ["sq0csp-"],
    pattern: "(sq0csp-[0-9A-Za-z_-]{43})(?![0-9A-Za-z_-])",
  },
  {
    id: "stripe-secret-key",
    name: "Stripe live secret key",
    severity: "critical",
    summary: "`sk_live_` + 24–99 of `A-Za-z0-9`.",
    keywords: ["sk_live_"],
    pattern: `${ALNUM}(sk_live_[0-9a-zA-Z]{24,99})${END}`,
  },
  {
    id: "stripe-test-secret-key",
    name: "Stripe test-mode secret key",
    severity: "low",
    summary: "`sk_test_` + 24–99 of `A-Za-z0-9` (test mode: no money moves, but test data leaks).",
    keywords: ["sk_test_"],
    pattern: `${ALNUM}(sk_test_[0-9a-zA-Z]{24,99})${END}`,
  },
  {
    id: "stripe-restricted-key",
    name: "Stripe restricted key",
    severity: "high",
    summary: "`rk_live_` or `rk_test_` + 24–99 of `A-Za-z0-9`.",
    keywords: ["rk_live_", "rk_test_"],
    pattern: `${ALNUM}(rk_(?:live|test)_[0-9a-zA-Z]{24,99})${END}`,
  },
  {
    id: "twilio-api-key",
    name: "Twilio API key",
    severity: "high",
    summary: "`SK` + 32 hex characters.",
    keywords: ["SK"],
    pattern: `${ALNUM}(SK[0-9a-fA-F]{32})${END}`,
    minEntropy: 3,
  },
  {
    id: "twilio-auth-token",
    name: "Twilio auth token",
    severity: "critical",
    confidence: "context",
    summary:
      "32 lowercase hex characters assigned to a name holding `twilio` and `auth` or `token` (`TWILIO_AUTH_TOKEN=…`).",
    keywords: cased("twilio"),
    pattern: `(?:twilio|Twilio|TWILIO)[A-Za-z0-9_.-]{0,20}(?:auth|Auth|AUTH|token|Token|TOKEN)[A-Za-z0-9_.-]{0,20}${ASSIGN}([0-9a-f]{32})(?![0-9A-Za-z])`,
    minEntropy: 3,
  },
  {
    id: "twitter-api-secret",
    name: "Twitter API (consumer) secret",
    severity: "high",
    confidence: "context",
    summary:
      "50 of `A-Za-z0-9` assigned to a name holding `twitter` and `secret` (`TWITTER_CONSUMER_SECRET`, `twitter_api_secret`).",
    keywords: cased("twitter"),
    pattern: `(?:twitter|Twitter|TWITTER)[A-Za-z0-9_.-]{0,25}(?:secret|Secret|SECRET)[A-Za-z0-9_.-]{0,10}${ASSIGN}([0-9A-Za-z]{50})${END}`,
    minEntropy: 3.5,
  },
  {
    id: "twitter-access-token",
    name: "Twitter access token",
    severity: "high",
    confidence: "context",
    summary: "digits + `-` + 40 of `A-Za-z0-9`, assigned to a name holding `twitter`.",
    keywords: cased("twitter"),
    pattern: `(?:twitter|Twitter|TWITTER)[A-Za-z0-9_.-]{0,25}${ASSIGN}([0-9]{1,20}-[0-9A-Za-z]{40})${END}`,
    minEntropy: 3.5,
  },
  {
    id: "twitter-bearer-token",
    name: "Twitter bearer token",
    severity: "high",
    confidence: "context",
    summary: "20–24 `A` + 50–130 of `A-Za-z0-9%` (app-only bearer tokens).",
    keywords: ["AAAAAAAAAAAAAAAAAAAA"],
    pattern: `(?<![A-Za-z0-9%])(A{20,24}[B-Za-z0-9%][A-Za-z0-9%]{49,129})(?![A-Za-z0-9%])`,
  },
  ...github(),
  {
    id: "slack-token",
    name: "Slack token",
    severity: "high",
    summary:
      "`xoxb-`, `xoxa-`, `xoxp-`, `xoxr-` or `xoxs-` + dash-separated groups of `A-Za-z0-9`.",
    keywords: ["xox"],
    pattern: `${ALNUM}(xox[baprs]-[0-9A-Za-z]{10,48}(?:-[0-9A-Za-z]{4,48}){1,4})(?![A-Za-z0-9-])`,
  },
  {
    id: "slack-webhook-url",
    name: "Slack webhook URL",
    severity: "high",
    summary: "`https://hooks.slack.com/services/…` or `/workflows/…` + 40–140 path characters.",
    keywords: ["hooks.slack.com"],
    pattern: "(hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9+/_-]{40,140})",
  },
  {
    id: "private-key",
    name: "Private key (PEM)",
    severity: "critical",
    summary:
      "A `-----BEGIN … PRIVATE KEY-----` block (RSA, EC, DSA, OPENSSH, ENCRYPTED, PKCS#8, PGP `PRIVATE KEY BLOCK`) with a body of at least 32 characters; the body is the secret.",
    keywords: ["PRIVATE KEY"],
    pattern:
      "-----BEGIN (?:(?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY|PGP PRIVATE KEY BLOCK)-----\\s*([A-Za-z0-9+/=:,.\\s-]{32,16384}?)\\s*-----END ",
    minEntropy: 4,
    pointAtMatch: true,
  },
];

function github(): Spec[] {
  const kinds: [string, string, string][] = [
    ["ghp", "github-pat", "GitHub personal access token (classic)"],
    ["gho", "github-oauth-token", "GitHub OAuth access token"],
    ["ghu", "github-user-token", "GitHub user-to-server token"],
    ["ghs", "github-app-token", "GitHub server-to-server (app installation) token"],
    ["ghr", "github-refresh-token", "GitHub refresh token"],
  ];
  const tokens: Spec[] = kinds.map(([prefix, id, name]) => ({
    id,
    name,
    severity: "critical",
    summary: `\`${prefix}_\` + 36 of \`A-Za-z0-9\`.`,
    keywords: [`${prefix}_`],
    pattern: `${ALNUM}(${prefix}_[0-9A-Za-z]{36})${END}`,
  }));
  tokens.push({
    id: "github-fine-grained-pat",
    name: "GitHub fine-grained personal access token",
    severity: "critical",
    summary: "`github_pat_` + 22 of `A-Za-z0-9` + `_` + 59 of `A-Za-z0-9`.",
    keywords: ["github_pat_"],
    pattern: `${ALNUM}(github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})${END}`,
  });
  return tokens;
}

const DOCKER_CONFIG: Detector = {
  id: "docker-config-password",
  name: "Registry password in a docker config",
  severity: "critical",
  confidence: "high",
  summary:
    "An entry of a docker config (`.dockerconfigjson`, `.dockercfg`, `config.json`) with a `password`, an `auth` (base64 `user:password`) or an `identitytoken`.",
  keywords: ['"auth', '"password"', '"identitytoken"'],
  regex: DOCKER_CONFIG_SCANNER,
  minEntropy: 0,
  isPlaceholder: (secret) => isPlaceholder(secret) || isPasswordPlaceholder(secret),
};

const URL_PASSWORD: Detector = {
  id: "url-password",
  name: "Password in a URL",
  severity: "high",
  confidence: "context",
  summary:
    "`scheme://user:password@host`; obvious placeholders (`password`, `$VAR`, `<pass>`, `****`, `xxx`) are skipped.",
  keywords: ["://"],
  regex: URL_PASSWORD_SCANNER,
  minEntropy: 0,
  isPlaceholder: isPasswordPlaceholder,
};

function toDetector(spec: Spec): Detector {
  return {
    id: spec.id,
    name: spec.name,
    severity: spec.severity,
    confidence: spec.confidence ?? "high",
    summary: spec.summary,
    keywords: spec.keywords,
    regex: fromV8(spec.pattern, spec.pointAtMatch),
    minEntropy: spec.minEntropy ?? 0,
    isPlaceholder,
  };
}

/** Compiled once per process; detectors are immutable values. */
let compiled: readonly Detector[] | undefined;
export function builtinDetectors(): readonly Detector[] {
  compiled ??= [...SPECS.map(toDetector), DOCKER_CONFIG, URL_PASSWORD];
  return compiled;
}

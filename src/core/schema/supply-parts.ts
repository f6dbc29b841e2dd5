/**
 * The parts of the supply-chain recipes' input: authorities (keys and keyless identities),
 * globs or RE2 expressions, label requirements, vulnerability allowlist entries, durations.
 */
import { MAX_REGEX_LENGTH } from "../policy/index.js";
import { type CelRule, either, named, object, string, text } from "./model.js";

const DURATION = "^[1-9][0-9]{0,8}[smhdw]$";
const EXPIRY =
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$";
/**
 * What JavaScript's `\s` and `trim()` take for white space, as the characters themselves: in
 * Go's regexp `\s` is only ASCII, and neither knows the other's `\u` escapes.
 */
const SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
const PEM = `^[${SPACE}]*-----BEGIN PUBLIC KEY-----\\r?\\n[A-Za-z0-9+/=\\r\\n]+-----END PUBLIC KEY-----[${SPACE}]*$`;
/** A glob of builders and sources: no white space, and more than `*` (supply-matchers.ts). */
const GLOB = `^[^${SPACE}]*[^*${SPACE}][^${SPACE}]*$`;

const regExp = (description: string) => text(description, MAX_REGEX_LENGTH);

export const duration = (description: string) => string({ description, pattern: DURATION });

export const allowlistEntry = object(
  {
    id: text("A CVE, GHSA or scanner ID.", 256),
    expires: string({ description: "2026-12-31 or a date-time.", pattern: EXPIRY }),
    reason: string({ maxLength: 4096 }),
  },
  { required: ["id", "expires"] },
);

/** A glob (`*` = any run) as a string, or `{regExp: RE2}`. */
export const textMatch = either(
  string({ maxLength: 4096, pattern: GLOB }),
  named(
    "RegExpMatch",
    object(
      { regExp: regExp("An RE2 expression (matches the whole value).") },
      { required: ["regExp"] },
    ),
  ),
  { description: "A glob (`*` = any run) as a string, or `{regExp: RE2}`." },
);

const exactOrRegExp = (field: string): CelRule => ({
  rule: `has(self.${field}) != has(self.${field}RegExp)`,
  message: `set exactly one of \`${field}\` and \`${field}RegExp\``,
  fieldPath: `.${field}`,
});

export const authority = object(
  {
    name: text("Names the authority in messages; unique in the list.", 253),
    key: object(
      {
        pem: string({ description: "A PEM public key.", maxLength: 16_384, pattern: PEM }),
        secretRef: object(
          {
            name: text("Secret name.", 253),
            namespace: text("Secret namespace (default: the webhook's).", 63),
            key: text("Key in the Secret.", 253),
          },
          { required: ["name"] },
        ),
      },
      {
        rules: [
          {
            rule: "has(self.pem) != has(self.secretRef)",
            message: "set exactly one of `pem` and `secretRef`",
          },
        ],
      },
    ),
    keyless: object(
      {
        issuer: text("OIDC issuer, exactly."),
        issuerRegExp: regExp("OIDC issuer, RE2."),
        subject: text("Certificate subject, exactly."),
        subjectRegExp: regExp("Certificate subject, RE2."),
        trustedRoot: text("`public-good` or a trusted_root.json path."),
      },
      { rules: [exactOrRegExp("issuer"), exactOrRegExp("subject")] },
    ),
  },
  {
    required: ["name"],
    rules: [
      {
        rule: "has(self.key) != has(self.keyless)",
        message: "set exactly one of `key` and `keyless`",
      },
    ],
  },
);

export const labelRequirement = object(
  {
    key: text("Label or annotation key.", 317),
    value: string({ description: "Value (exact, or a glob with `*`).", maxLength: 4096 }),
    valueRegExp: regExp("Value, RE2."),
  },
  {
    required: ["key"],
    rules: [
      {
        rule: "!(has(self.value) && has(self.valueRegExp))",
        message: "set at most one of `value` and `valueRegExp`",
        fieldPath: ".value",
      },
    ],
  },
);

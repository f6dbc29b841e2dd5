/**
 * The image reference grammar of github.com/distribution/reference (v0.6), written as named
 * pieces so each regular expression can be read against the grammar it implements:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | \[ IPv6address \]
 *   domain-name      := domain-component ['.' domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   remote-name      := path-component ['/' path-component]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := digest-algorithm ":" digest-hex
 *   digest-algorithm := component [ [+.-_] component ]*   with component /[A-Za-z][A-Za-z0-9]*\/
 *   digest-hex       := /[0-9a-fA-F]{32,}/
 *   identifier       := /[a-f0-9]{64}/
 *
 * Every piece is free of ambiguous repetition (separators and alphanumerics are disjoint
 * character classes), so matching is linear in the input; inputs are also capped in length
 * before any expression runs (see MAX_REFERENCE_LENGTH).
 */

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
// IPv6 addresses are only checked for their character set, as distribution/reference does.
const ipv6Address = "\\[(?:[a-fA-F0-9:]+)\\]";
const host = `(?:${domainName}|${ipv6Address})`;
const optionalPort = "(?::[0-9]+)?";
const domainAndPort = `${host}${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const tag = "[\\w][\\w.-]{0,127}";
const digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
const name = `(?:${domainAndPort}/)?${remoteName}`;

/** Whole reference: captures name, tag and digest. */
export const referenceRegexp = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
/**
 * The same expression with the name's domain and remote name captured too, so one match does
 * the work of distribution/reference's two (`ReferenceRegexp`, then `anchoredNameRegexp` on
 * the name). The split is the same: a domain cannot contain "/", so the only domain either
 * expression can take is the first path element, and both try it before none.
 */
export const referenceSplitRegexp = new RegExp(
  `^(?:(${domainAndPort})/)?(${remoteName})(?::(${tag}))?(?:@(${digest}))?$`,
);
/** A name split into its domain (optional) and remote name. */
export const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
/** A bare 64-hex identifier, which ParseNormalizedNamed refuses as a name. */
export const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;
export const anchoredTagRegexp = new RegExp(`^${tag}$`);
export const anchoredDigestRegexp = new RegExp(`^${digest}$`);

/** distribution/reference's NameTotalLengthMax, applied to the repository path. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/**
 * Not in distribution/reference: a cap on the whole string before parsing, so that hostile
 * inputs (a 10 MB "image") cost nothing. No registry or runtime accepts references this long
 * (host names stop at 253 characters, paths at 255, tags at 128, digests at 135).
 */
export const MAX_REFERENCE_LENGTH = 4096;

export const DEFAULT_DOMAIN = "docker.io";
export const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
export const OFFICIAL_REPO_PREFIX = "library/";
export const LOCALHOST = "localhost";

/**
 * Digest algorithms that github.com/opencontainers/go-digest knows, with the length of their
 * hex encoding. Other algorithms that fit the grammar are "unsupported", as in go-digest.
 */
export const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};
export const DIGEST_HEX_REGEXP = /^[a-f0-9]+$/;

/**
 * go-digest's DigestRegexpAnchored. Digest.Validate uses it, not the reference grammar's digest
 * pattern, to tell an unknown algorithm ("unsupported") from a malformed digest ("invalid
 * format"): unlike the grammar it wants the algorithm in lowercase (`SHA256:…` is invalid).
 */
export const GO_DIGEST_ANCHORED_REGEXP = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

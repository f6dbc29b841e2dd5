/**
 * fast-check arbitraries for image references, built from the pieces of the
 * distribution/reference grammar (src/core/reference/grammar.ts):
 *
 * - `validReferenceArb`: references that ParseNormalizedNamed accepts, each with the domain,
 *   path, tag and digest it must produce (worked out here from the grammar, not by our parser);
 * - `mutatedReferenceArb`: mostly-valid references (including near-limit and invalid pieces)
 *   then edited by a few character insertions, deletions and replacements, for differential
 *   tests against the Go oracle.
 */
import fc from "fast-check";

const HEX = "0123456789abcdef";
const HEX_UPPER = "0123456789ABCDEF";

/** A string of exactly n characters drawn from `chars`. */
function exactly(chars: string, n: number): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...chars), { minLength: n, maxLength: n })
    .map((cs) => cs.join(""));
}

// ---- domain ----------------------------------------------------------------------------------

/** domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/ */
const domainComponentArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,6}[a-z0-9])?$/),
  fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?$/),
  fc.constantFrom("example", "registry", "Registry", "COM", "local", "io", "docker", "a", "0"),
);

/** A domain name that splitDockerDomain takes for a host: it has a dot. */
const dottedDomainArb = fc
  .array(domainComponentArb, { minLength: 2, maxLength: 4 })
  .map((parts) => parts.join("."));

const ipv4Arb = fc.ipV4();

/** The grammar only checks an IPv6 address for its characters, as distribution/reference does. */
const ipv6Arb = fc.oneof(
  fc.constantFrom("[::1]", "[2001:db8::1]", "[fe80::1]", "[::]", "[FFFF::1]"),
  fc.stringMatching(/^\[[0-9a-fA-F:]{1,16}\]$/),
);

const portArb = fc.oneof(
  fc.constantFrom("5000", "443", "80", "0", "00080", "65535", "99999"),
  fc.nat(70000).map(String),
);

/**
 * Hosts that parse as a domain in ParseNormalizedNamed: they contain "." or ":" (always, with
 * a port), are `localhost`, or contain an uppercase letter.
 */
const validHostArb = fc.oneof(
  fc.constantFrom(
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "localhost",
    "gcr.io",
    "quay.io",
    "Registry.Example.COM",
    "Foo",
    "127.0.0.1",
  ),
  dottedDomainArb,
  ipv4Arb,
  ipv6Arb,
);

const validDomainArb: fc.Arbitrary<string> = fc.oneof(
  validHostArb,
  fc.tuple(fc.oneof(validHostArb, domainComponentArb), portArb).map(([h, p]) => `${h}:${p}`),
);

// ---- path ------------------------------------------------------------------------------------

/** path-component := alpha-numeric [separator alpha-numeric]*, separator := [_.]|__|[-]+ */
const pathComponentArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,8}){0,3}$/),
  },
  { weight: 1, arbitrary: fc.constantFrom("library", "busybox", "ubuntu", "app", "a", "0", "x-y") },
);

const pathArb = fc
  .array(pathComponentArb, { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join("/"));

// ---- tag and digest --------------------------------------------------------------------------

/** tag := /[\w][\w.-]{0,127}/ */
const validTagArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^\w[\w.-]{0,15}$/) },
  { weight: 1, arbitrary: fc.constantFrom("latest", "v1.2.3", "_", "1", "A-b_C.d") },
  { weight: 1, arbitrary: fc.integer({ min: 120, max: 128 }).map((n) => "t".repeat(n)) },
);

/** Supported algorithms (go-digest with sha256 and sha512 linked in) and their hex lengths. */
const SUPPORTED: ReadonlyArray<readonly [string, number]> = [
  ["sha256", 64],
  ["sha384", 96],
  ["sha512", 128],
];

const validDigestArb = fc
  .constantFrom(...SUPPORTED)
  .chain(([algorithm, size]) => exactly(HEX, size).map((hex) => `${algorithm}:${hex}`));

/** Digests of every kind: wrong lengths, uppercase hex, unknown or odd algorithms. */
const anyDigestArb = fc.oneof(
  { weight: 3, arbitrary: validDigestArb },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          "sha256",
          "sha384",
          "sha512",
          "SHA256",
          "Sha256",
          "sha256+b64u",
          "md5",
          "multihash+base58",
          "sha3-256",
          "blake3",
          "constructor",
          "toString",
          "valueOf",
          "a.b_c-d+e",
        ),
        fc.constantFrom(31, 32, 63, 64, 65, 95, 96, 97, 127, 128, 129),
        fc.boolean(),
      )
      .chain(([algorithm, size, upper]) =>
        exactly(upper ? HEX_UPPER : HEX, size).map((hex) => `${algorithm}:${hex}`),
      ),
  },
);

// ---- whole references ------------------------------------------------------------------------

export interface ExpectedReference {
  readonly input: string;
  readonly domain: string;
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

function join(
  domain: string | undefined,
  path: string,
  tag: string | undefined,
  digest: string | undefined,
): string {
  let s = domain === undefined ? path : `${domain}/${path}`;
  if (tag !== undefined) s += `:${tag}`;
  if (digest !== undefined) s += `@${digest}`;
  return s;
}

/** splitDockerDomain's test of a first path element: is it a registry host? */
function takenForHost(element: string): boolean {
  return element === "localhost" || /[.:]/.test(element) || element.toLowerCase() !== element;
}

/**
 * References ParseNormalizedNamed accepts, with what it must return. The model: a written
 * domain stays (index.docker.io becomes docker.io); without one the image is on docker.io;
 * on docker.io a single-component path gets `library/`. Cases the model does not cover are
 * filtered out: a path over 255 characters, a written domain that would not be taken for a host
 * (`[0]`: no dot, colon or uppercase), a first path component that would be (it has a dot or is
 * `localhost`), and a bare 64-hex identifier.
 */
export const validReferenceArb: fc.Arbitrary<ExpectedReference> = fc
  .record({
    domain: fc.option(validDomainArb, { nil: undefined }),
    path: pathArb,
    tag: fc.option(validTagArb, { nil: undefined }),
    digest: fc.option(validDigestArb, { nil: undefined }),
  })
  .filter(({ domain, path }) => {
    if (domain !== undefined) return takenForHost(domain);
    if (!path.includes("/")) return true;
    return !takenForHost(path.slice(0, path.indexOf("/")));
  })
  .map(({ domain, path, tag, digest }) => {
    const input = join(domain, path, tag, digest);
    const expectedDomain =
      domain === undefined || domain === "index.docker.io" ? "docker.io" : domain;
    const expectedPath =
      expectedDomain === "docker.io" && !path.includes("/") ? `library/${path}` : path;
    return { input, domain: expectedDomain, path: expectedPath, tag, digest };
  })
  .filter((r) => r.path.length <= 255 && !/^[a-f0-9]{64}$/.test(r.input));

/** Hosts, valid or not: everything a first path element may look like. */
const anyDomainArb = fc.oneof(
  { weight: 4, arbitrary: validDomainArb },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "foo.bar_baz",
      "-a.com",
      "a-.com",
      "a..b",
      ".a",
      "a.",
      "[::1",
      "::1",
      "[::1]:",
      "[fe80::1%eth0]",
      "[::ffff:10.0.0.1]",
      "localhost:",
      "host:port",
      "LOCALHOST",
      "dOcker.io",
      "example.com:5000:6000",
      "a:1",
    ),
  },
);

/** Paths near the 255-character limit (with and without library/ added on docker.io). */
const longPathArb = fc
  .tuple(fc.integer({ min: 245, max: 258 }), fc.constantFrom("", "library/", "ns/"))
  .map(([n, prefix]) => prefix + "a".repeat(Math.max(1, n - prefix.length)));

const anyPathArb = fc.oneof(
  { weight: 8, arbitrary: pathArb },
  { weight: 1, arbitrary: longPathArb },
  {
    weight: 1,
    arbitrary: fc.constantFrom("", "/", "a//b", "a/", "a--b", "a__b", "a___b", "a..b", "A", "_a"),
  },
);

const anyTagArb = fc.oneof(
  { weight: 6, arbitrary: validTagArb },
  { weight: 1, arbitrary: fc.integer({ min: 126, max: 131 }).map((n) => "t".repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom("", ".a", "-a", "a b", "a:b", "a@b", "a/b") },
);

const mostlyValidReferenceArb = fc
  .record({
    domain: fc.option(anyDomainArb, { nil: undefined, freq: 2 }),
    path: anyPathArb,
    tag: fc.option(anyTagArb, { nil: undefined, freq: 2 }),
    digest: fc.option(anyDigestArb, { nil: undefined, freq: 3 }),
  })
  .map(({ domain, path, tag, digest }) => join(domain, path, tag, digest));

/** Characters mutations draw from: the grammar's punctuation, letters of both cases, digits. */
const mutationCharArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(..."/:@._-[]") },
  { weight: 6, arbitrary: fc.constantFrom(..."abcdefxyzABCDEFXYZ0123456789") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(" ", "\t", "\n", "\u0000", "+", "%", "#", "é", "İ", "K"),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);

type Mutation =
  | { readonly kind: "insert"; readonly at: number; readonly char: string }
  | { readonly kind: "delete"; readonly at: number }
  | { readonly kind: "replace"; readonly at: number; readonly char: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), char: mutationCharArb }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), char: mutationCharArb }),
);

function mutate(s: string, mutations: readonly Mutation[]): string {
  // Work on code points so that a mutation never splits a surrogate pair (JSON to the Go
  // oracle would turn a lone surrogate into U+FFFD and the two sides would see different input).
  const chars = [...s];
  for (const m of mutations) {
    const at = m.at % (chars.length + 1);
    if (m.kind === "insert") chars.splice(at, 0, m.char);
    else if (at < chars.length) {
      if (m.kind === "delete") chars.splice(at, 1);
      else chars[at] = m.char;
    }
  }
  return chars.join("");
}

/** Mostly-valid references, then (two times in three) edited by one to four mutations. */
export const mutatedReferenceArb: fc.Arbitrary<string> = fc
  .tuple(
    mostlyValidReferenceArb,
    fc.oneof(
      { weight: 1, arbitrary: fc.constant([] as Mutation[]) },
      { weight: 2, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) },
    ),
  )
  .map(([s, mutations]) => mutate(s, mutations));

/**
 * The image reference grammar (src/core/reference) as tables. Every expected value here was
 * worked out by hand from github.com/distribution/reference v0.6.0 (normalize.go,
 * reference.go, regexp.go) and github.com/opencontainers/go-digest v1.0.0 (Digest.Validate),
 * not by running our code; test/reference.differential.test.ts compares with the Go code itself.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CustomsError, type ReferenceErrorCode } from "../src/core/errors.js";
import {
  type ImageParts,
  type ImageReference,
  MAX_REFERENCE_LENGTH,
  parseImageReference,
  parseNormalized,
  parseStrict,
  splitHostPort,
  toFamiliarName,
  toFamiliarString,
  toImageParseOutput,
  toImageParts,
  toName,
  toNormalizedString,
} from "../src/core/reference/index.js";
import { validReferenceArb } from "./helpers/reference-arbitraries.js";

const SHA = "0123456789abcdef".repeat(4);
const D256 = `sha256:${SHA}`;
const D384 = `sha384:${"0123456789abcdef".repeat(6)}`;
const D512 = `sha512:${"0123456789abcdef".repeat(8)}`;
const hex = (n: number) => "0123456789abcdef".repeat(Math.ceil(n / 16)).slice(0, n);

type Expected = Partial<ImageReference> & { domain: string; path: string };

function ref({ domain, path, tag, digest }: Expected): ImageReference {
  return { domain, path, tag, digest };
}

/** A short test title for an input that may be thousands of characters long. */
function label(s: string): string {
  const json = JSON.stringify(s);
  return json.length <= 70 ? json : `${json.slice(0, 60)}…" (${s.length} characters)`;
}

function labelled<T extends readonly [string, ...unknown[]]>(rows: readonly T[]) {
  return rows.map((row) => [label(row[0]), ...row] as const);
}

function mustParse(s: string): ImageReference {
  const result = parseNormalized(s);
  if (!result.ok) throw new Error(`${s}: ${result.code} ${result.message}`);
  return result.ref;
}

describe("parseNormalized (ParseNormalizedNamed)", () => {
  // [input, domain, path, tag?, digest?]
  const accepted: ReadonlyArray<readonly [string, Expected]> = [
    // No domain: Docker Hub, and library/ for a single component.
    ["busybox", { domain: "docker.io", path: "library/busybox" }],
    ["busybox:latest", { domain: "docker.io", path: "library/busybox", tag: "latest" }],
    ["busybox:LATEST", { domain: "docker.io", path: "library/busybox", tag: "LATEST" }],
    ["library/busybox", { domain: "docker.io", path: "library/busybox" }],
    ["foo/bar", { domain: "docker.io", path: "foo/bar" }],
    ["a/b/c", { domain: "docker.io", path: "a/b/c" }],
    // "docker.io" alone is an image name, not a host (no "/").
    ["docker.io", { domain: "docker.io", path: "library/docker.io" }],
    // Docker Hub written out; index.docker.io is folded into docker.io, registry-1 is not.
    ["docker.io/busybox", { domain: "docker.io", path: "library/busybox" }],
    ["docker.io/ubuntu", { domain: "docker.io", path: "library/ubuntu" }],
    ["docker.io/library/busybox", { domain: "docker.io", path: "library/busybox" }],
    ["docker.io/foo/bar", { domain: "docker.io", path: "foo/bar" }],
    ["index.docker.io/busybox", { domain: "docker.io", path: "library/busybox" }],
    ["index.docker.io/foo/bar", { domain: "docker.io", path: "foo/bar" }],
    ["registry-1.docker.io/busybox", { domain: "registry-1.docker.io", path: "busybox" }],
    ["Docker.IO/busybox", { domain: "Docker.IO", path: "busybox" }],
    // localhost is a host only before a "/".
    ["localhost/app", { domain: "localhost", path: "app" }],
    ["localhost:5000/app:v1", { domain: "localhost:5000", path: "app", tag: "v1" }],
    ["localhost", { domain: "docker.io", path: "library/localhost" }],
    ["localhost:5000", { domain: "docker.io", path: "library/localhost", tag: "5000" }],
    // IP addresses; IPv6 in brackets.
    ["127.0.0.1/app", { domain: "127.0.0.1", path: "app" }],
    ["127.0.0.1:5000/app", { domain: "127.0.0.1:5000", path: "app" }],
    ["[::1]/app", { domain: "[::1]", path: "app" }],
    ["[::1]:5000/app", { domain: "[::1]:5000", path: "app" }],
    ["[2001:db8::1]:443/a/b:v", { domain: "[2001:db8::1]:443", path: "a/b", tag: "v" }],
    // Uppercase is allowed in the host (and makes the first element a host).
    ["Foo/bar", { domain: "Foo", path: "bar" }],
    ["Registry.Example.COM:5000/app", { domain: "Registry.Example.COM:5000", path: "app" }],
    // A first element with a dot that is no domain: the whole name is a path, domain empty.
    ["foo.bar_baz/x", { domain: "", path: "foo.bar_baz/x" }],
    // Separators: [._], "__" and any run of "-".
    ["a_b.c__d---e", { domain: "docker.io", path: "library/a_b.c__d---e" }],
    // Tags: \w then up to 127 of [\w.-].
    [
      `busybox:${"t".repeat(128)}`,
      { domain: "docker.io", path: "library/busybox", tag: "t".repeat(128) },
    ],
    ["busybox:_.-", { domain: "docker.io", path: "library/busybox", tag: "_.-" }],
    // Digests: sha256, sha384, sha512 in lowercase hex.
    [`busybox@${D256}`, { domain: "docker.io", path: "library/busybox", digest: D256 }],
    [
      `busybox:1.36@${D256}`,
      { domain: "docker.io", path: "library/busybox", tag: "1.36", digest: D256 },
    ],
    [`example.com/app@${D384}`, { domain: "example.com", path: "app", digest: D384 }],
    [`example.com/app@${D512}`, { domain: "example.com", path: "app", digest: D512 }],
    // Lengths: the path may have 255 characters, library/ included.
    ["a".repeat(247), { domain: "docker.io", path: `library/${"a".repeat(247)}` }],
    [`example.com/${"a".repeat(255)}`, { domain: "example.com", path: "a".repeat(255) }],
    // Host names have no length limit in the grammar.
    [`${"a.".repeat(1999)}a/x`, { domain: `${"a.".repeat(1999)}a`, path: "x" }],
    // A 64-hex string is refused only as the whole input.
    [`library/${SHA}`, { domain: "docker.io", path: `library/${SHA}` }],
    [`${SHA}:latest`, { domain: "docker.io", path: `library/${SHA}`, tag: "latest" }],
  ];

  it.each(labelled(accepted))("accepts %s", (_label, input, expected) => {
    expect(parseNormalized(input)).toEqual({ ok: true, ref: ref(expected) });
  });

  const refused: ReadonlyArray<readonly [string, ReferenceErrorCode]> = [
    // docker.io/library/ + "" does not match.
    ["", "IMAGE_REFERENCE_INVALID"],
    [":tag", "IMAGE_REFERENCE_INVALID"],
    [`@${D256}`, "IMAGE_REFERENCE_INVALID"],
    ["/", "IMAGE_REFERENCE_INVALID"],
    ["//", "IMAGE_REFERENCE_INVALID"],
    ["a//b", "IMAGE_REFERENCE_INVALID"],
    ["a/", "IMAGE_REFERENCE_INVALID"],
    ["docker.io/", "IMAGE_REFERENCE_INVALID"],
    ["--", "IMAGE_REFERENCE_INVALID"],
    ["__", "IMAGE_REFERENCE_INVALID"],
    ["a___b", "IMAGE_REFERENCE_INVALID"],
    [".", "IMAGE_REFERENCE_INVALID"],
    ["a..b", "IMAGE_REFERENCE_INVALID"],
    ["-a", "IMAGE_REFERENCE_INVALID"],
    ["busybox:", "IMAGE_REFERENCE_INVALID"],
    ["busybox:.a", "IMAGE_REFERENCE_INVALID"],
    [`busybox:${"t".repeat(129)}`, "IMAGE_REFERENCE_INVALID"],
    ["busy box", "IMAGE_REFERENCE_INVALID"],
    ["busybox\n", "IMAGE_REFERENCE_INVALID"],
    ["busy\u0000box", "IMAGE_REFERENCE_INVALID"],
    ["busybóx", "IMAGE_REFERENCE_INVALID"],
    ["example.com:5000:6000/x", "IMAGE_REFERENCE_INVALID"],
    ["[fe80::1%eth0]/app", "IMAGE_REFERENCE_INVALID"],
    // Uppercase in the repository (before the first ":") is its own error.
    ["Busybox", "IMAGE_REFERENCE_UPPERCASE"],
    ["foo/Bar", "IMAGE_REFERENCE_UPPERCASE"],
    ["example.com/App", "IMAGE_REFERENCE_UPPERCASE"],
    // ... and so is the algorithm of a digest when no tag comes first (it is before the ":").
    [`busybox@SHA256:${SHA}`, "IMAGE_REFERENCE_UPPERCASE"],
    // Length of the path.
    ["a".repeat(248), "IMAGE_REFERENCE_NAME_TOO_LONG"],
    [`example.com/${"a".repeat(256)}`, "IMAGE_REFERENCE_NAME_TOO_LONG"],
    // The input is within the cap: the docker.io/library/ that parsing adds does not count.
    ["a".repeat(MAX_REFERENCE_LENGTH), "IMAGE_REFERENCE_NAME_TOO_LONG"],
    // Our cap on the whole input (the one deliberate deviation).
    ["a".repeat(MAX_REFERENCE_LENGTH + 1), "IMAGE_REFERENCE_TOO_LONG"],
    // A 64-hex identifier alone.
    [SHA, "IMAGE_REFERENCE_HEX_ONLY"],
    // Digests: length first, then lowercase hex, as go-digest checks them.
    [`busybox@sha256:${hex(63)}`, "IMAGE_REFERENCE_DIGEST_LENGTH"],
    [`busybox@sha256:${hex(65)}`, "IMAGE_REFERENCE_DIGEST_LENGTH"],
    [`busybox@sha384:${hex(64)}`, "IMAGE_REFERENCE_DIGEST_LENGTH"],
    [`busybox@sha512:${hex(129)}`, "IMAGE_REFERENCE_DIGEST_LENGTH"],
    [`busybox@sha256:${hex(MAX_REFERENCE_LENGTH - 15)}`, "IMAGE_REFERENCE_DIGEST_LENGTH"],
    [`busybox@sha256:${SHA.toUpperCase()}`, "IMAGE_REFERENCE_DIGEST_INVALID"],
    [`busybox:1@SHA256:${SHA}`, "IMAGE_REFERENCE_DIGEST_INVALID"],
    [`busybox@md5:${hex(32)}`, "IMAGE_REFERENCE_DIGEST_UNSUPPORTED"],
    [`busybox@sha256+b64u:${SHA}`, "IMAGE_REFERENCE_DIGEST_UNSUPPORTED"],
    [`busybox@constructor:${hex(32)}`, "IMAGE_REFERENCE_DIGEST_UNSUPPORTED"],
    [`busybox@sha256:${hex(31)}`, "IMAGE_REFERENCE_INVALID"],
  ];

  it.each(
    refused.map(([input, code]) => [label(input), code, input] as const),
  )("refuses %s with %s", (_label, code, input) => {
    const result = parseNormalized(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.message).not.toBe("");
    }
  });

  it("says the input is too long only when it is", () => {
    const result = parseNormalized("a".repeat(MAX_REFERENCE_LENGTH + 1));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(`longer than ${MAX_REFERENCE_LENGTH}`);
  });

  it("parseImageReference throws a CustomsError with the code", () => {
    expect(parseImageReference("busybox")).toEqual(
      ref({ domain: "docker.io", path: "library/busybox" }),
    );
    expect(() => parseImageReference("foo/Bar")).toThrowError(CustomsError);
    try {
      parseImageReference(SHA);
    } catch (e) {
      expect((e as CustomsError).code).toBe("IMAGE_REFERENCE_HEX_ONLY");
    }
  });
});

describe("parseStrict (Parse)", () => {
  const accepted: ReadonlyArray<readonly [string, Expected]> = [
    // No defaults: no docker.io, no library/.
    ["busybox", { domain: "", path: "busybox" }],
    ["docker.io/busybox", { domain: "docker.io", path: "busybox" }],
    ["index.docker.io/busybox", { domain: "index.docker.io", path: "busybox" }],
    // The first of several components is the domain whenever it can be one.
    ["foo/bar", { domain: "foo", path: "bar" }],
    ["a/b/c", { domain: "a", path: "b/c" }],
    ["Foo/bar", { domain: "Foo", path: "bar" }],
    ["foo.bar_baz/x", { domain: "", path: "foo.bar_baz/x" }],
    ["localhost:5000", { domain: "", path: "localhost", tag: "5000" }],
    ["localhost:5000/app", { domain: "localhost:5000", path: "app" }],
    ["[::1]:5000/app", { domain: "[::1]:5000", path: "app" }],
    // No identifier check in Parse.
    [SHA, { domain: "", path: SHA }],
    ["a".repeat(255), { domain: "", path: "a".repeat(255) }],
    [`app:v1@${D256}`, { domain: "", path: "app", tag: "v1", digest: D256 }],
  ];

  it.each(labelled(accepted))("accepts %s", (_label, input, expected) => {
    expect(parseStrict(input)).toEqual({ ok: true, ref: ref(expected) });
  });

  const refused: ReadonlyArray<readonly [string, ReferenceErrorCode]> = [
    ["", "IMAGE_REFERENCE_EMPTY"],
    ["foo/Bar", "IMAGE_REFERENCE_UPPERCASE"],
    ["Busybox", "IMAGE_REFERENCE_UPPERCASE"],
    [":tag", "IMAGE_REFERENCE_INVALID"],
    [`@${D256}`, "IMAGE_REFERENCE_INVALID"],
    ["a".repeat(256), "IMAGE_REFERENCE_NAME_TOO_LONG"],
    ["a".repeat(MAX_REFERENCE_LENGTH + 1), "IMAGE_REFERENCE_TOO_LONG"],
    [`app@sha256:${hex(63)}`, "IMAGE_REFERENCE_DIGEST_LENGTH"],
    [`app@sha256:${SHA.toUpperCase()}`, "IMAGE_REFERENCE_DIGEST_INVALID"],
    // go-digest: an unknown algorithm must be lowercase to be merely "unsupported".
    [`app@SHA256:${SHA}`, "IMAGE_REFERENCE_DIGEST_INVALID"],
    [`app@Md5:${hex(32)}`, "IMAGE_REFERENCE_DIGEST_INVALID"],
    [`app@md5:${hex(32)}`, "IMAGE_REFERENCE_DIGEST_UNSUPPORTED"],
    [`app@md5:${hex(32).toUpperCase()}`, "IMAGE_REFERENCE_DIGEST_UNSUPPORTED"],
    // Names of Object.prototype members are algorithms like any other.
    [`app@constructor:${hex(32)}`, "IMAGE_REFERENCE_DIGEST_UNSUPPORTED"],
    [`app@toString:${hex(64)}`, "IMAGE_REFERENCE_DIGEST_INVALID"],
    [`app@hasOwnProperty:${hex(64)}`, "IMAGE_REFERENCE_DIGEST_INVALID"],
  ];

  it.each(
    refused.map(([input, code]) => [label(input), code, input] as const),
  )("refuses %s with %s", (_label, code, input) => {
    const result = parseStrict(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(code);
  });
});

describe("normalized and familiar strings", () => {
  // [input, String(), FamiliarName, FamiliarString]
  const table: ReadonlyArray<readonly [string, string, string, string]> = [
    ["busybox", "docker.io/library/busybox", "busybox", "busybox"],
    ["busybox:1", "docker.io/library/busybox:1", "busybox", "busybox:1"],
    ["docker.io/library/busybox", "docker.io/library/busybox", "busybox", "busybox"],
    ["index.docker.io/busybox", "docker.io/library/busybox", "busybox", "busybox"],
    ["library/a/b", "docker.io/library/a/b", "library/a/b", "library/a/b"],
    ["foo/bar:v", "docker.io/foo/bar:v", "foo/bar", "foo/bar:v"],
    [
      "registry-1.docker.io/busybox",
      "registry-1.docker.io/busybox",
      "registry-1.docker.io/busybox",
      "registry-1.docker.io/busybox",
    ],
    [
      "localhost:5000/app:v1",
      "localhost:5000/app:v1",
      "localhost:5000/app",
      "localhost:5000/app:v1",
    ],
    ["[::1]:5000/app", "[::1]:5000/app", "[::1]:5000/app", "[::1]:5000/app"],
    ["Foo/bar", "Foo/bar", "Foo/bar", "Foo/bar"],
    ["foo.bar_baz/x", "foo.bar_baz/x", "foo.bar_baz/x", "foo.bar_baz/x"],
    // The familiar form of these no longer names Docker Hub (as in distribution/reference).
    ["docker.io/0.0/a", "docker.io/0.0/a", "0.0/a", "0.0/a"],
    ["docker.io/localhost/a", "docker.io/localhost/a", "localhost/a", "localhost/a"],
    [`busybox@${D256}`, `docker.io/library/busybox@${D256}`, "busybox", `busybox@${D256}`],
    [`busybox:1@${D256}`, `docker.io/library/busybox:1@${D256}`, "busybox", `busybox:1@${D256}`],
  ];

  it.each(labelled(table))("%s", (_label, input, normalized, familiarName, familiar) => {
    const r = mustParse(input);
    expect(toNormalizedString(r)).toBe(normalized);
    expect(toFamiliarName(r)).toBe(familiarName);
    expect(toFamiliarString(r)).toBe(familiar);
  });

  it("toName keeps the port and drops tag and digest", () => {
    expect(toName(mustParse("localhost:5000/app:v1"))).toBe("localhost:5000/app");
    expect(toName(mustParse(`busybox:1@${D256}`))).toBe("docker.io/library/busybox");
    expect(toName(ref({ domain: "", path: "a/b" }))).toBe("a/b");
  });

  it("toImageParseOutput gives one line of `customs image parse -o json`", () => {
    expect(toImageParseOutput("busybox")).toEqual({
      input: "busybox",
      normalized: "docker.io/library/busybox",
      familiar: "busybox",
      domain: "docker.io",
      path: "library/busybox",
    });
    expect(toImageParseOutput(`localhost:5000/app:v1@${D256}`)).toEqual({
      input: `localhost:5000/app:v1@${D256}`,
      normalized: `localhost:5000/app:v1@${D256}`,
      familiar: `localhost:5000/app:v1@${D256}`,
      domain: "localhost:5000",
      path: "app",
      tag: "v1",
      digest: D256,
    });
    expect(toImageParseOutput("foo/Bar")).toEqual({
      input: "foo/Bar",
      error: expect.any(String),
      code: "IMAGE_REFERENCE_UPPERCASE",
    });
  });
});

describe("toImageParts (spec: How an image is seen)", () => {
  const parts = (p: Partial<ImageParts> & Pick<ImageParts, "hostname" | "imageName">) => ({
    port: "",
    shortName: undefined,
    tag: "latest",
    digest: "",
    ...p,
  });

  const table: ReadonlyArray<readonly [string, ImageParts]> = [
    [
      "busybox",
      parts({ hostname: "docker.io", imageName: "library/busybox", shortName: "busybox" }),
    ],
    [
      "docker.io/library/busybox:1.36",
      parts({
        hostname: "docker.io",
        imageName: "library/busybox",
        shortName: "busybox",
        tag: "1.36",
      }),
    ],
    // Docker Hub's API host counts as docker.io, with library/ and the short name.
    [
      "registry-1.docker.io/busybox",
      parts({ hostname: "docker.io", imageName: "library/busybox", shortName: "busybox" }),
    ],
    [
      "registry-1.docker.io/library/busybox",
      parts({ hostname: "docker.io", imageName: "library/busybox", shortName: "busybox" }),
    ],
    ["registry-1.docker.io/foo/bar", parts({ hostname: "docker.io", imageName: "foo/bar" })],
    // Any case of the host is the same host.
    [
      "REGISTRY-1.DOCKER.IO/busybox",
      parts({ hostname: "docker.io", imageName: "library/busybox", shortName: "busybox" }),
    ],
    [
      "Docker.IO/busybox",
      parts({ hostname: "docker.io", imageName: "library/busybox", shortName: "busybox" }),
    ],
    ["docker.io/library/a/b", parts({ hostname: "docker.io", imageName: "library/a/b" })],
    ["foo/bar", parts({ hostname: "docker.io", imageName: "foo/bar" })],
    // Hosts, ports, IPv6.
    [
      "Registry.Example.COM:5000/app",
      parts({ hostname: "registry.example.com", port: "5000", imageName: "app" }),
    ],
    [
      "registry.mycorp.local:5000/team/app:v1",
      parts({ hostname: "registry.mycorp.local", port: "5000", imageName: "team/app", tag: "v1" }),
    ],
    ["[::1]:5000/app", parts({ hostname: "[::1]", port: "5000", imageName: "app" })],
    ["[::1]/app", parts({ hostname: "[::1]", imageName: "app" })],
    ["localhost/app", parts({ hostname: "localhost", imageName: "app" })],
    ["localhost:5000/app", parts({ hostname: "localhost", port: "5000", imageName: "app" })],
    ["127.0.0.1:5000/app", parts({ hostname: "127.0.0.1", port: "5000", imageName: "app" })],
    // A name without a valid domain in front keeps an empty host.
    ["foo.bar_baz/x", parts({ hostname: "", imageName: "foo.bar_baz/x" })],
    // Tags and digests: latest only when neither is written.
    [
      `busybox@${D256}`,
      parts({
        hostname: "docker.io",
        imageName: "library/busybox",
        shortName: "busybox",
        tag: "",
        digest: D256,
      }),
    ],
    [
      `busybox:1@${D256}`,
      parts({
        hostname: "docker.io",
        imageName: "library/busybox",
        shortName: "busybox",
        tag: "1",
        digest: D256,
      }),
    ],
    [
      "busybox:latest",
      parts({ hostname: "docker.io", imageName: "library/busybox", shortName: "busybox" }),
    ],
  ];

  it.each(labelled(table))("%s", (_label, input, expected) => {
    expect(toImageParts(mustParse(input))).toEqual(expected);
  });

  it.each([
    ["docker.io", "docker.io", ""],
    ["localhost:5000", "localhost", "5000"],
    ["[::1]", "[::1]", ""],
    ["[::1]:5000", "[::1]", "5000"],
    ["[2001:db8::1]:443", "[2001:db8::1]", "443"],
    ["", "", ""],
  ])("splitHostPort(%j)", (domain, host, port) => {
    expect(splitHostPort(domain)).toEqual({ host, port });
  });
});

/** Would splitDockerDomain take the first element of the familiar name for a host? */
function familiarFirstElementIsHost(r: ImageReference): boolean {
  const name = toFamiliarName(r);
  if (!name.includes("/")) return false;
  const first = name.slice(0, name.indexOf("/"));
  return first === "localhost" || /[.:]/.test(first) || first.toLowerCase() !== first;
}

describe("properties", () => {
  const tooLong = (s: string) => s.length > MAX_REFERENCE_LENGTH;

  function answers(s: string): void {
    for (const parse of [parseNormalized, parseStrict]) {
      const result = parse(s);
      if (result.ok) {
        expect(typeof result.ref.path).toBe("string");
      } else {
        expect(result.code).toMatch(/^IMAGE_REFERENCE_/);
        if (tooLong(s)) expect(result.code).toBe("IMAGE_REFERENCE_TOO_LONG");
      }
    }
    expect(toImageParseOutput(s).input).toBe(s);
  }

  it("any string, of any Unicode, gets an answer and never an exception", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.string({ unit: "binary-ascii", maxLength: 200 }),
          fc.string({ unit: fc.constantFrom(..."/:@._-[]aZ09"), maxLength: 300 }),
        ),
        (s) => answers(s),
      ),
      { numRuns: 2000 },
    );
  });

  it("long strings, up to 20,000 characters, get an answer", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", minLength: 3000, maxLength: 20_000, size: "max" }),
          fc.string({
            unit: fc.constantFrom(..."a.-/:"),
            minLength: 3000,
            maxLength: 20_000,
            size: "max",
          }),
        ),
        (s) => answers(s),
      ),
      { numRuns: 100 },
    );
  });

  it("valid references parse to what the grammar says", () => {
    fc.assert(
      fc.property(validReferenceArb, (expected) => {
        expect(parseNormalized(expected.input)).toEqual({
          ok: true,
          ref: ref(expected),
        });
      }),
      { numRuns: 2000 },
    );
  });

  it("normalized and familiar strings parse back to the same reference", () => {
    fc.assert(
      fc.property(validReferenceArb, ({ input }) => {
        const r = mustParse(input);
        expect(parseNormalized(toNormalizedString(r))).toEqual({ ok: true, ref: r });
        // FamiliarString drops docker.io even when the first path element then reads as a host
        // (docker.io/0.0/a -> "0.0/a", which is 0.0's repository a): distribution/reference
        // does so too, so the familiar form round-trips only without such an element.
        if (!familiarFirstElementIsHost(r)) {
          expect(parseNormalized(toFamiliarString(r))).toEqual({ ok: true, ref: r });
        }
        // The normalized string is complete: the strict parser reads the same reference.
        expect(parseStrict(toNormalizedString(r))).toEqual({ ok: true, ref: r });
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [`${"a".repeat(3999)}!`, "IMAGE_REFERENCE_INVALID"],
    ["a-".repeat(2000), "IMAGE_REFERENCE_INVALID"],
    [`${"0.".repeat(2000)}/x`, "IMAGE_REFERENCE_INVALID"],
    ["a".repeat(4000), "IMAGE_REFERENCE_NAME_TOO_LONG"],
    [`${"a_".repeat(1999)}A`, "IMAGE_REFERENCE_UPPERCASE"],
    [`x/${"a__".repeat(1331)}a!`, "IMAGE_REFERENCE_INVALID"],
    [`${"[".repeat(2000)}::1]/x`, "IMAGE_REFERENCE_INVALID"],
    [`busybox@${"a+".repeat(1990)}:${hex(32)}`, "IMAGE_REFERENCE_INVALID"],
  ] as const)("adversarial input %# is answered with %s", (input, code) => {
    expect(input.length).toBeLessThanOrEqual(MAX_REFERENCE_LENGTH);
    const result = parseNormalized(input);
    expect(result.ok ? "ok" : result.code).toBe(code);
  });
});

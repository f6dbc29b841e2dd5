/**
 * Differential test: src/core/reference against github.com/distribution/reference v0.6.0
 * itself (test/oracles/reference, built by scripts/build-oracles.sh). Every input goes to both;
 * success and failure must agree, and on success every field of `customs image parse -o json`.
 * For ASCII inputs the error code must also be the class of Go's error (see `goErrorCode`).
 *
 * The oracle runs once for the whole file. Without Go and without a built oracle the suite
 * skips, and says why.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type ImageParseOutput, toImageParseOutput } from "../src/core/reference/index.js";
import { ensureOracle, oracleAvailability, runOracle } from "./helpers/oracles.js";
import { mutatedReferenceArb } from "./helpers/reference-arbitraries.js";

const SHA256 = "a".repeat(64);
const HEX64 = "0123456789abcdef".repeat(4);
const hex = (n: number) => "0123456789abcdef".repeat(Math.ceil(n / 16)).slice(0, n);

/** Hand-written inputs, each chosen for a rule or an edge of the grammar. */
const CORPUS: readonly string[] = [
  // Docker Hub and its aliases; library/ defaults.
  "busybox",
  "busybox:latest",
  "library/busybox",
  "docker.io/busybox",
  "docker.io/ubuntu",
  "docker.io/library/ubuntu",
  "docker.io/library/ubuntu/extra",
  "docker.io/foo/bar",
  "index.docker.io/busybox",
  "index.docker.io/library/busybox",
  "index.docker.io/foo/bar",
  "registry-1.docker.io/busybox",
  "registry-1.docker.io/library/busybox",
  "Docker.io/busybox",
  "DOCKER.IO/library/busybox",
  "docker.io",
  "docker.io/",
  "library",
  "library/",
  "library/a/b",
  "foo/bar",
  "foo/bar/baz",
  // Familiar forms whose first element then reads as a host.
  "docker.io/0.0/a",
  "docker.io/localhost/a",
  "docker.io/a:1/b",
  // localhost.
  "localhost",
  "localhost/app",
  "localhost:5000",
  "localhost:5000/app",
  "localhost:5000/app:v1",
  "localhost:/app",
  "localhost:port/app",
  "LOCALHOST/app",
  "Localhost:5000/app",
  "localhost/",
  // IPv4 and IPv6.
  "127.0.0.1/app",
  "127.0.0.1:5000/app",
  "10.0.0.1:5000/team/app:v1",
  "256.256.256.256/app",
  "1.2.3/app",
  "[::1]/app",
  "[::1]:5000/app",
  "[::1]:5000/app:v1",
  "[2001:db8::1]:443/a/b",
  "[FE80::1]/app",
  "[fe80::1%eth0]/app",
  "[::ffff:10.0.0.1]/app",
  "[::1/app",
  "::1/app",
  "[::1]",
  "[::1]:5000",
  "[]/app",
  "[:]/app",
  // Uppercase in host and path.
  "Foo/bar",
  "FOO/bar",
  "foo/Bar",
  "Foo/Bar",
  "Registry.Example.COM:5000/app",
  "registry.example.com/App",
  "BUSYBOX",
  "Busybox:latest",
  "busybox:LATEST",
  "example.com/a/B/c",
  // A first element with a dot or colon that is not a valid domain.
  "foo.bar_baz/x",
  "foo_bar.baz/x",
  "-foo.com/x",
  "foo-.com/x",
  "foo..com/x",
  ".foo/x",
  "foo./x",
  "a:b/c",
  "a:1/c",
  "example.com:5000:6000/x",
  "example.com:/x",
  "example.com:-1/x",
  "xn--bcher-kva.example/x",
  `${"a".repeat(63)}.com/x`,
  `${"a".repeat(64)}.com/x`,
  `${"a".repeat(4000)}.com/x`,
  `${"a.".repeat(2000)}com/x`,
  // Digests.
  `busybox@sha256:${SHA256}`,
  `busybox:1.36@sha256:${SHA256}`,
  `docker.io/library/busybox@sha256:${SHA256}`,
  `example.com/app@sha384:${hex(96)}`,
  `example.com/app@sha512:${hex(128)}`,
  `busybox@sha256:${hex(63)}`,
  `busybox@sha256:${hex(65)}`,
  `busybox@sha256:${hex(31)}`,
  `busybox@sha256:${hex(32)}`,
  `busybox@sha384:${hex(64)}`,
  `busybox@sha384:${hex(95)}`,
  `busybox@sha512:${hex(127)}`,
  `busybox@sha512:${hex(129)}`,
  `busybox@sha256:${"A".repeat(64)}`,
  `busybox@sha256:${HEX64.toUpperCase()}`,
  `busybox@sha256:${"g".repeat(64)}`,
  `busybox@SHA256:${SHA256}`,
  `busybox@Sha256:${SHA256}`,
  `busybox@sha256+b64u:${SHA256}`,
  `busybox@sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564`,
  `busybox@md5:${hex(32)}`,
  `busybox@md5:${hex(31)}`,
  `busybox@md5:${hex(32).toUpperCase()}`,
  `busybox@multihash+base58:${hex(64)}`,
  `busybox@sha3-256:${SHA256}`,
  `busybox@a.b_c-d+e:${hex(32)}`,
  `busybox@constructor:${hex(32)}`,
  `busybox@toString:${hex(32)}`,
  `busybox@valueOf:${hex(64)}`,
  `busybox@hasOwnProperty:${hex(32)}`,
  `busybox@__proto__:${hex(32)}`,
  `busybox@1sha:${hex(32)}`,
  // After a tag, so that the uppercase check (which reads up to the first ":") lets them by.
  `busybox:1@SHA256:${SHA256}`,
  `busybox:1@Sha256:${SHA256}`,
  `busybox:1@Md5:${hex(32)}`,
  `busybox:1@toString:${hex(32)}`,
  `busybox:1@valueOf:${hex(64)}`,
  `busybox:1@constructor:${hex(32)}`,
  `busybox:1@md5:${hex(32).toUpperCase()}`,
  `busybox@sha256:`,
  `busybox@:${SHA256}`,
  `busybox@${SHA256}`,
  `busybox@sha256:${SHA256}@sha256:${SHA256}`,
  `busybox@sha256:${hex(4096 - 15)}`,
  `busybox@md5:${hex(4096 - 12)}`,
  // 64-hex identifiers.
  HEX64,
  SHA256,
  hex(63),
  hex(65),
  HEX64.toUpperCase(),
  `${HEX64}:latest`,
  `library/${HEX64}`,
  `docker.io/${HEX64}`,
  `sha256:${SHA256}`,
  `@sha256:${SHA256}`,
  // Tags.
  `busybox:${"t".repeat(127)}`,
  `busybox:${"t".repeat(128)}`,
  `busybox:${"t".repeat(129)}`,
  "busybox:_",
  "busybox:.",
  "busybox:-",
  "busybox:.a",
  "busybox:-a",
  "busybox:a.-_",
  "busybox:",
  "busybox::",
  "busybox:a:b",
  "busybox:a@b",
  ":tag",
  ":",
  "@",
  "localhost:5000:tag",
  "example.com:5000/app:5000",
  // Path lengths (docker.io adds library/ to one component: 8 characters).
  "a".repeat(247),
  "a".repeat(248),
  "a".repeat(255),
  "a".repeat(256),
  `ns/${"a".repeat(252)}`,
  `ns/${"a".repeat(253)}`,
  `example.com/${"a".repeat(255)}`,
  `example.com/${"a".repeat(256)}`,
  `example.com/${"a/".repeat(127)}a`,
  `example.com/${"a/".repeat(128)}a`,
  "a".repeat(4090),
  "a".repeat(4096),
  // Separators and punctuation.
  "",
  " ",
  "/",
  "//",
  "a//b",
  "a/",
  "/a",
  "a/b/",
  "a--b",
  "a---b",
  "a__b",
  "a___b",
  "a_b",
  "a.b",
  "a..b",
  "a._b",
  "a-_b",
  "-a",
  "a-",
  "_a",
  "a_",
  ".",
  "..",
  "--",
  "__",
  "___",
  "a/--/b",
  "a/__/b",
  "a/./b",
  "a/../b",
  "./a",
  "0",
  "0/0",
  "0.0/0",
  // Unicode, control characters, spaces.
  "busybóx",
  "ünïcode/app",
  "example.com/ünïcode",
  "例子.com/app",
  "İ/x",
  "\u212A/x",
  "example.com/\u212A",
  "busybox:\u212A",
  "😀",
  "busybox:😀",
  "busybox\n",
  "\nbusybox",
  "busy\nbox",
  "busybox\r\n",
  "busy\u0000box",
  "busybox\u0000",
  "\u0000",
  "\t",
  "busybox ",
  " busybox",
  "busy box",
  "busybox: latest",
  "example.com /app",
  "busybox\u00a0",
  "busybox\u200b",
  "\ufeffbusybox",
  "busybox#x",
  "busybox%20",
  "busybox+x",
];

/** One answer of the Go oracle (test/oracles/reference/main.go). */
interface OracleAnswer {
  input: string;
  normalized?: string;
  familiar?: string;
  domain?: string;
  path?: string;
  tag?: string;
  digest?: string;
  error?: string;
}

/**
 * Our error code for the class of a distribution/reference (or go-digest) error message. An
 * unknown message fails the test: the oracle found an error we have no code for.
 */
function goErrorCode(message: string): string {
  if (/^invalid repository name \(.*\), cannot specify 64-byte hexadecimal strings$/s.test(message))
    return "IMAGE_REFERENCE_HEX_ONLY";
  if (message.endsWith("must be lowercase")) return "IMAGE_REFERENCE_UPPERCASE";
  const byMessage: Record<string, string> = {
    "invalid reference format": "IMAGE_REFERENCE_INVALID",
    "repository name must have at least one component": "IMAGE_REFERENCE_EMPTY",
    "repository name must not be more than 255 characters": "IMAGE_REFERENCE_NAME_TOO_LONG",
    "invalid checksum digest format": "IMAGE_REFERENCE_DIGEST_INVALID",
    "invalid checksum digest length": "IMAGE_REFERENCE_DIGEST_LENGTH",
    "unsupported digest algorithm": "IMAGE_REFERENCE_DIGEST_UNSUPPORTED",
  };
  const code = Object.hasOwn(byMessage, message) ? byMessage[message] : undefined;
  if (code === undefined) throw new Error(`unknown distribution/reference error: ${message}`);
  return code;
}

/**
 * Non-ASCII letters that lowercase to ASCII differ between Go's simple case mapping and
 * JavaScript's full one (Go: "İ" -> "i"; JavaScript: "İ" -> "i̇"), which changes whether an
 * invalid reference is "uppercase" or just "invalid". Both reject it; for such inputs only the
 * rejection is compared.
 */
const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

/** What does not agree between the two answers, or undefined when they agree. */
function disagreement(ours: ImageParseOutput, theirs: OracleAnswer): string | undefined {
  if (theirs.input !== ours.input) return `the oracle received ${JSON.stringify(theirs.input)}`;
  if (theirs.error !== undefined) {
    if (ours.error === undefined) return `Go rejects it (${theirs.error}); we accept it`;
    if (isAscii(ours.input) && ours.code !== goErrorCode(theirs.error)) {
      return `error class: Go "${theirs.error}" (${goErrorCode(theirs.error)}), ours ${ours.code} "${ours.error}"`;
    }
    return undefined;
  }
  if (ours.error !== undefined) return `Go accepts it; we reject it (${ours.code}: ${ours.error})`;
  const { input: _in, ...goFields } = theirs;
  const { input: _ours, ...ourFields } = ours;
  if (JSON.stringify(sorted(goFields)) !== JSON.stringify(sorted(ourFields))) {
    return `fields: Go ${JSON.stringify(sorted(goFields))}, ours ${JSON.stringify(sorted(ourFields))}`;
  }
  return undefined;
}

function sorted(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** The fast-check seed of the generated inputs; set REFERENCE_DIFF_SEED to try others. */
const SEED = Number(process.env.REFERENCE_DIFF_SEED ?? 20250611);
const GENERATED_RUNS = Number(process.env.REFERENCE_DIFF_RUNS ?? 5000);

const MAX_INPUT = 4096;

function generatedInputs(): string[] {
  const mutated = fc.sample(mutatedReferenceArb, { seed: SEED, numRuns: GENERATED_RUNS });
  // Plus some plain noise over the grammar's alphabet and over all of Unicode.
  const noise = fc.sample(
    fc.oneof(
      fc.string({ unit: fc.constantFrom(..."/:@._-[]aAzZ09f"), maxLength: 40 }),
      fc.string({ unit: "binary-ascii", maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 20 }),
    ),
    { seed: SEED + 1, numRuns: Math.ceil(GENERATED_RUNS / 10) },
  );
  return [...mutated, ...noise].filter((s) => s.length <= MAX_INPUT);
}

const availability = oracleAvailability("reference");
if (availability.skipReason !== undefined) {
  console.warn(`reference.differential.test.ts skipped: ${availability.skipReason}`);
}

describe.skipIf(availability.skipReason !== undefined)(
  "parseNormalized agrees with distribution/reference ParseNormalizedNamed",
  () => {
    let generated: string[] = [];
    const answers = new Map<string, OracleAnswer>();

    beforeAll(() => {
      ensureOracle(availability);
      generated = generatedInputs();
      const inputs = [...new Set([...CORPUS, ...generated])];
      const results = runOracle<OracleAnswer>(availability.path, inputs);
      inputs.forEach((input, i) => {
        answers.set(input, results[i] as OracleAnswer);
      });
    }, 300_000);

    it("keeps every corpus input within the 4096-character cap", () => {
      expect(CORPUS.filter((s) => s.length > MAX_INPUT)).toEqual([]);
    });

    it.each(
      CORPUS.map((s) => [JSON.stringify(s).slice(0, 90), s] as const),
    )("corpus %s", (_label, input) => {
      const theirs = answers.get(input);
      expect(theirs).toBeDefined();
      expect(disagreement(toImageParseOutput(input), theirs as OracleAnswer)).toBeUndefined();
    });

    it(`${GENERATED_RUNS} generated references and ${Math.ceil(GENERATED_RUNS / 10)} noise strings (seed ${SEED})`, () => {
      const problems: string[] = [];
      let accepted = 0;
      for (const input of generated) {
        const theirs = answers.get(input) as OracleAnswer;
        if (theirs.error === undefined) accepted++;
        const problem = disagreement(toImageParseOutput(input), theirs);
        if (problem !== undefined) problems.push(`${JSON.stringify(input)}: ${problem}`);
      }
      expect(problems.slice(0, 25)).toEqual([]);
      // The generator must exercise both outcomes in earnest.
      expect(accepted).toBeGreaterThan(generated.length / 10);
      expect(generated.length - accepted).toBeGreaterThan(generated.length / 10);
    });
  },
);

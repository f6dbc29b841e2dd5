/**
 * Differential test: how Customs reads YAML (src/app/documents, both the fast path and the
 * careful one) against sigs.k8s.io/yaml v1.6.0's YAMLToJSON itself (test/oracles/yaml, built by
 * scripts/build-oracles.sh): the conversion kubectl and the API server apply to a manifest.
 * Every document goes to both. Where Kubernetes gets JSON, Customs must get the same values;
 * where Kubernetes refuses, Customs must refuse too.
 *
 * Deliberate differences, kept out of the comparison and said here:
 * - a key given twice: go-yaml v2 keeps the last, Customs refuses the document (which value
 *   an admission tool and the API server each see must not differ);
 * - a mapping key that go-yaml reads as a float or a null: sigs.k8s.io/yaml writes a float
 *   key with Go's 32-bit `%g` (`4e9` becomes "4e+09", `8e67` ".inf") and refuses a null key;
 *   Customs writes the number as JavaScript does ("4000000000") and a null key as "", and
 *   refuses `.inf` and `.nan` keys as it refuses those values. No Kubernetes field has such
 *   keys; a label key like that is refused by the API server's validation anyway. The same
 *   for an integer key beyond 2^53: Go writes its exact digits (or refuses one past int64),
 *   JavaScript's number holds it rounded.
 *
 * - `[-]`: go-yaml reads a lone `-` in a flow sequence as the string "-", the YAML parser
 *   Customs uses refuses it as a block sequence inside a flow one. Customs refuses the
 *   document with its line and column: it never reads it otherwise than Kubernetes.
 *
 * Go's JSON writes object keys sorted; both sides are compared with their keys sorted.
 *
 * Without Go and without a built oracle the suite skips, and says why.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveGoScalar } from "../src/app/documents/go-scalar.js";
import { parseDocuments } from "../src/app/documents/index.js";
import { ensureOracle, oracleAvailability, runOracle } from "./helpers/oracles.js";

interface OracleAnswer {
  readonly json?: unknown;
  readonly error?: string;
}

type Ours = { ok: true; value: unknown } | { ok: false; message: string };

function ours(text: string, fast: boolean): Ours {
  try {
    const docs = parseDocuments(text, "doc.yaml", { fast });
    if (docs.length !== 1) return { ok: false, message: `${docs.length} documents` };
    return { ok: true, value: docs[0]?.value };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Scalars from the issue and from go-yaml's resolve.go, each at an edge of its rules. */
const SCALARS: readonly string[] = [
  // Not numbers to go-yaml: a number starts with a sign, a digit or a dot.
  "e0",
  "e1",
  "E5",
  "-e3",
  "+e3",
  "._",
  "._5",
  "._e1",
  // Go's base-0 integers: prefixes, a leading 0 for octal, underscores removed first.
  "0o17",
  "0O17",
  "0x1F",
  "0X1f",
  "-0x10",
  "+0x10",
  "0b101",
  "-0b101",
  "+0b101",
  "0B11",
  "017",
  "08",
  "09.5",
  "0_17",
  "1_000",
  "1__0",
  "-_1",
  "0x_1f",
  "0b",
  "0x",
  "0o",
  "+0x",
  "-0",
  "+0",
  "00",
  // Range edges of int64 and uint64.
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775808",
  "-9223372036854775809",
  "18446744073709551615",
  "18446744073709551616",
  "0xFFFFFFFFFFFFFFFF",
  "0x10000000000000000",
  `0b${"1".repeat(64)}`,
  `-0b${"1".repeat(64)}`,
  // Floats in YAML's style, and what Go's ParseFloat refuses.
  "1.5",
  "1.",
  ".5",
  "+.5",
  "-.5",
  ".5_0",
  ".5e1_0",
  "1e3",
  "1E3",
  "1e+3",
  "1.5e-3",
  "1e400",
  "-1e400",
  "1e-400",
  "1.5_0",
  "1_0.5",
  "1e_3",
  ".e1",
  "1:20",
  "190:20:30",
  "0x1p3",
  "Infinity",
  "NaN",
  "-.nan",
  // Map entries: booleans and nulls of YAML 1.1, as go-yaml lists them.
  "y",
  "Y",
  "yes",
  "YES",
  "yEs",
  "n",
  "no",
  "on",
  "ON",
  "oN",
  "off",
  "true",
  "True",
  "tRue",
  "false",
  "~",
  "null",
  "Null",
  "NULL",
  "nULL",
  // Timestamps stay the strings they were written as.
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  "2001-12-14 21:59:43.10",
  "2001-1-2",
  "20011-12-14",
  // Ordinary manifest words.
  "nginx",
  "nginx:1.27",
  "registry.example.com:5000/app@sha256:abc",
  "v1.2.3",
  "1.2.3",
  "-",
  ".",
  "+",
  "-1",
  "+1",
  "12",
];

/** Each scalar as a value, as a key, quoted, and under an explicit tag. */
function documentsFor(scalar: string): string[] {
  const docs = [`v: ${scalar}\n`, `${scalar}: v\n`, `v: "${scalar}"\n`, `list: [${scalar}]\n`];
  for (const tag of ["!!int", "!!float", "!!bool", "!!null", "!!str"]) {
    docs.push(`v: ${tag} "${scalar}"\n`);
  }
  return docs;
}

/** Whether a document falls under one of the differences the header lists. */
function deliberate(text: string, key: string | undefined): boolean {
  if (text === "list: [-]\n") return true;
  if (key === undefined) return false;
  const { type, value } = resolveGoScalar(key);
  const inexact = type === "int" && !Number.isSafeInteger(value);
  return (type === "float" || type === "null" || inexact) && text.includes(`${key}: `);
}

/** JSON with every object's keys sorted, as Go's encoding/json writes maps. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const availability = oracleAvailability("yaml");
if (availability.skipReason !== undefined) {
  console.warn(`yaml.differential.test.ts skipped: ${availability.skipReason}`);
}

describe.skipIf(availability.skipReason !== undefined)(
  "YAML typing: Customs against sigs.k8s.io/yaml (go-yaml v2)",
  () => {
    const oracle = (texts: readonly string[]) => runOracle<OracleAnswer>(availability.path, texts);

    beforeAll(() => {
      ensureOracle(availability);
    });

    /** Each text with the scalar it was made from (undefined: no scalar used as a key). */
    function compare(
      texts: readonly string[],
      keys: readonly (string | undefined)[] = [],
    ): string[] {
      const answers = oracle(texts);
      const mismatches: string[] = [];
      texts.forEach((text, i) => {
        if (deliberate(text, keys[i])) return;
        const go = answers[i] as OracleAnswer;
        for (const fast of [true, false]) {
          const mine = ours(text, fast);
          const path = fast ? "fast" : "careful";
          if (go.error !== undefined) {
            if (mine.ok) {
              mismatches.push(
                `${JSON.stringify(text)} (${path}): Kubernetes refuses (${go.error}), Customs reads ${JSON.stringify(mine.value)}`,
              );
            }
          } else if (!mine.ok) {
            mismatches.push(
              `${JSON.stringify(text)} (${path}): Kubernetes reads ${JSON.stringify(go.json)}, Customs refuses (${mine.message})`,
            );
          } else if (canonical(mine.value) !== canonical(go.json)) {
            mismatches.push(
              `${JSON.stringify(text)} (${path}): Kubernetes reads ${JSON.stringify(go.json)}, Customs ${JSON.stringify(mine.value)}`,
            );
          }
        }
      });
      return mismatches;
    }

    it("reads every hand-picked scalar as Kubernetes does, as value, key, quoted and tagged", () => {
      const texts = SCALARS.flatMap(documentsFor);
      const keys = SCALARS.flatMap((s) => documentsFor(s).map(() => s));
      expect(texts.length).toBeGreaterThan(900);
      expect(compare(texts, keys)).toEqual([]);
    });

    it("reads generated scalars as Kubernetes does", () => {
      // Characters that decide a plain scalar's type in go-yaml, and a few that do not.
      const scalar = fc
        .array(fc.constantFrom(..."0123456789+-._eExXoObBnNyYtTfFlLaAsSuU~:"), {
          minLength: 1,
          maxLength: 8,
        })
        .map((chars) => chars.join(""))
        // Not a YAML indicator at the start, and no ": " or " #" inside: still one scalar.
        .filter((s) => !/^[-:~]$|^[-?:]\s|:$|^[?]/.test(s) && !s.includes(": "));
      const scalars = fc.sample(scalar, { numRuns: 3000, seed: 20261206 });
      const texts = scalars.flatMap((s) => [`v: ${s}\n`, `${s}: v\n`]);
      const keys = scalars.flatMap((s) => [s, s]);
      expect(compare(texts, keys)).toEqual([]);
    });

    it("reads whole manifests with unusual names and labels as Kubernetes does", () => {
      const texts = SCALARS.map(
        (s) =>
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${s}\n  labels:\n    app: ${s}\n    ${s}: x\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${s}\n          image: nginx:1.27\n`,
      );
      expect(compare(texts, SCALARS)).toEqual([]);
    });
  },
);

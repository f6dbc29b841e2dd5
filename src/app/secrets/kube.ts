/**
 * Kubernetes Secrets in YAML and JSON files (multi-document YAML, `kind: List`): each Secret's
 * `data` and `stringData` entries with the line of their key, for the Collector to decode and
 * scan. A file that does not parse is still scanned as text; only its Secrets are not read.
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import type { KubeSecret, KubeSecretEntry } from "../../core/secrets/index.js";
import { LineIndex, readYamlStream } from "../documents/index.js";

/** Files worth parsing: YAML and JSON by name, holding the word `Secret`. */
export function mayHoldKubeSecrets(path: string, bytes: Buffer): boolean {
  return /\.(?:ya?ml|json)$/i.test(path) && bytes.includes("Secret");
}

export function readKubeSecrets(text: string): KubeSecret[] {
  let stream: ReturnType<typeof readYamlStream>;
  try {
    stream = readYamlStream(text);
  } catch {
    return [];
  }
  const lines = new LineIndex(text);
  const secrets: KubeSecret[] = [];
  stream.docs.forEach((doc, index) => {
    // A document too deep or broken is left to the text scan: its Secrets cannot be trusted.
    if (doc.errors.length > 0 || stream.tooDeep?.index === index) return;
    collect(doc.contents, lines, secrets, 0);
  });
  return secrets;
}

/** A Secret, or a List (`kind: List`, `SecretList`, …) whose `items` hold Secrets. */
function collect(node: unknown, lines: LineIndex, out: KubeSecret[], depth: number): void {
  if (!isMap(node)) return;
  const kind = scalar(node, "kind");
  if (kind === "Secret") {
    out.push(toSecret(node, lines));
    return;
  }
  const items = node.get("items", true);
  if (depth < 4 && kind?.endsWith("List") && isSeq(items))
    for (const item of items.items) collect(item, lines, out, depth + 1);
}

function toSecret(node: YAMLMap, lines: LineIndex): KubeSecret {
  const metadata = node.get("metadata", true);
  const name = isMap(metadata) ? scalar(metadata, "name") : undefined;
  const namespace = isMap(metadata) ? scalar(metadata, "namespace") : undefined;
  const entries: KubeSecretEntry[] = [];
  for (const field of ["data", "stringData"] as const) {
    const values = node.get(field, true);
    if (!isMap(values)) continue;
    for (const pair of values.items) {
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (!isScalar(key) || !isScalar(value) || typeof value.value !== "string") continue;
      const at = lines.positionAt(key.range?.[0] ?? 0);
      entries.push({
        field,
        key: String(key.value),
        value: value.value,
        line: at.line,
        column: at.column,
      });
    }
  }
  return {
    ...(name === undefined ? {} : { name }),
    ...(namespace === undefined ? {} : { namespace }),
    entries,
  };
}

function scalar(map: YAMLMap, key: string): string | undefined {
  const node = map.get(key, true);
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

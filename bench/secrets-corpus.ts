/**
 * The tree `bench/secrets.ts` scans: source-like files (JavaScript, Python, Go, YAML,
 * Markdown, JSON, a lockfile and minified bundles) from a pool of benign lines, with secrets
 * of every built-in service planted at known places. Generated, never real.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { B64, HEX, LOWER, PLANTABLE, pemKey, pick, plant, random } from "../test/secrets/corpus.js";

export interface PlantedAt {
  readonly id: string;
  readonly path: string;
  readonly line: number;
}

const TEMPLATES: ((r: () => number) => string)[] = [
  (r) => `import { ${pick(r, LOWER, 6)} } from "./${pick(r, LOWER, 8)}.js";`,
  (r) => `export function ${pick(r, LOWER, 7)}(value: string, options = {}) {`,
  (r) =>
    `  const ${pick(r, LOWER, 5)} = await fetch(\`https://api.${pick(r, LOWER, 6)}.com/v1/\${id}\`);`,
  (r) => `  if (${pick(r, LOWER, 4)}.length > ${Math.floor(r() * 1000)}) return undefined;`,
  (r) => `def ${pick(r, LOWER, 8)}(self, key=None, secret=None):`,
  (r) => `    logger.info("processing %s items for %s", len(items), "${pick(r, LOWER, 9)}")`,
  (r) => `func (s *Server) ${pick(r, LOWER, 7)}(ctx context.Context, req *pb.Request) error {`,
  (r) => `	return fmt.Errorf("${pick(r, LOWER, 6)}: %w", err)`,
  (r) =>
    `  image: registry.example.com/${pick(r, LOWER, 6)}:${Math.floor(r() * 9)}.${Math.floor(r() * 20)}`,
  (r) => `  checksum: sha256:${pick(r, HEX, 64)}`,
  (r) => `    "version": "${Math.floor(r() * 9)}.${Math.floor(r() * 30)}.${Math.floor(r() * 50)}",`,
  (r) => `    "integrity": "sha512-${pick(r, B64, 86)}==",`,
  (r) =>
    `The ${pick(r, LOWER, 7)} service reads its API key from the environment (see docs/${pick(r, LOWER, 5)}.md).`,
  (r) => `// TODO(${pick(r, LOWER, 5)}): handle the secret rotation case when the token expires`,
  (r) =>
    `  id: ${pick(r, HEX, 8)}-${pick(r, HEX, 4)}-${pick(r, HEX, 4)}-${pick(r, HEX, 4)}-${pick(r, HEX, 12)}`,
  (r) => `const url = "https://${pick(r, LOWER, 6)}.example.org/path?q=${pick(r, LOWER, 4)}";`,
  () => "",
  () => "}",
];

const KINDS = [".ts", ".py", ".go", ".yaml", ".md", ".json"];

/** A planted line: the service's name in the variable, as real config files have it. */
function plantedLine(id: string, seed: number): string {
  if (id === "private-key") return pemKey(random(seed)).line;
  const { line } = plant(id, seed);
  return line.replace(/^token = /, `${id.replace(/-/g, "_")} = `);
}

/** Writes about `bytes` of files under `root`; one file in `plantEvery` holds a secret. */
export function writeCorpus(root: string, bytes: number, plantEvery = 40): PlantedAt[] {
  const r = random(2026);
  const ids = [...PLANTABLE, "private-key"];
  const planted: PlantedAt[] = [];
  let written = 0;
  for (let n = 0; written < bytes; n++) {
    const folder = join(root, `pkg${Math.floor(n / 200)}`, `mod${Math.floor(n / 20) % 10}`);
    if (n % 20 === 0) mkdirSync(folder, { recursive: true });
    const special =
      n % 97 === 5 ? "package-lock.json" : n % 89 === 7 ? `bundle${n}.min.js` : undefined;
    const name = special ?? `file${n}${KINDS[n % KINDS.length]}`;
    const lines = special?.endsWith(".min.js")
      ? [minified(r)]
      : body(r, 100 + Math.floor(r() * 700));
    if (n % plantEvery === 3 && special === undefined) {
      const id = ids[planted.length % ids.length] as string;
      const at = Math.floor(r() * lines.length);
      lines.splice(at, 0, plantedLine(id, n));
      planted.push({ id, path: join(folder, name), line: at + 1 });
    }
    const text = `${lines.join("\n")}\n`;
    writeFileSync(join(folder, name), text);
    written += text.length;
  }
  return planted;
}

function body(r: () => number, count: number): string[] {
  return Array.from({ length: count }, () =>
    (TEMPLATES[Math.floor(r() * TEMPLATES.length)] as (r: () => number) => string)(r),
  );
}

function minified(r: () => number): string {
  const parts = Array.from(
    { length: 400 },
    () => `function ${pick(r, LOWER, 2)}(a,b){return a.${pick(r, LOWER, 3)}(b)}`,
  );
  return `${parts.join(";")};var img="data:image/png;base64,${"A".repeat(30)}${pick(r, B64, 20000)}";`;
}

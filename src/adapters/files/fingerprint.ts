import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * A digest of the contents of files and folders (recursively, hidden entries skipped, as
 * readInputs reads them). Content, not mtime: Kubernetes updates mounted Secrets and
 * ConfigMaps by swapping a symlink, which leaves some mtimes untouched.
 */
export async function fingerprint(paths: readonly string[]): Promise<string> {
  const hash = createHash("sha256");
  const visit = async (path: string): Promise<void> => {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      hash.update(`missing:${path}\n`);
      return;
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => !n.startsWith(".")).sort();
      for (const name of names) await visit(join(path, name));
    } else {
      hash.update(`file:${path}\n`);
      hash.update(await readFile(path));
    }
  };
  for (const path of paths) await visit(path);
  return hash.digest("hex");
}

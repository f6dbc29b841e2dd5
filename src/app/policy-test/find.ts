import { type InputText, readInputs } from "../../adapters/files/index.js";
import type { Glob } from "../../core/glob.js";

export const TEST_FILE_NAME = "customs-test.yaml";

/** `customs-test.yaml` or `NAME.customs-test.yaml`: the files `customs test` runs. */
export function isTestFileName(name: string): boolean {
  return name === TEST_FILE_NAME || name.endsWith(`.${TEST_FILE_NAME}`);
}

/**
 * The test files under the paths (a file named is always read, whatever its name), sorted
 * as the walk finds them; `exclude` as `--exclude`.
 */
export async function findTestFiles(
  paths: readonly string[],
  exclude: readonly Glob[],
  cwd = process.cwd(),
): Promise<InputText[]> {
  return readInputs(paths, cwd, isTestFileName, { exclude });
}

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const FIXTURES = resolve(import.meta.dirname, "fixtures");

export function fixture(name: string): string {
  return readFileSync(resolve(FIXTURES, name), "utf8");
}

export function fixturePath(name: string): string {
  return resolve(FIXTURES, name);
}

import { CustomsError } from "../../core/errors.js";
import { write } from "../io.js";
import { toYamlStream } from "./install.js";

const SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function objectName(flag: string, value: string): string {
  if (!SUBDOMAIN.test(value))
    throw new CustomsError("USAGE", `${flag}: "${value}" is not a valid object name`);
  return value;
}

export function printObjects(objects: readonly unknown[], output: string): void {
  if (output === "json")
    write(`${JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)}\n`);
  else if (output === "yaml") write(toYamlStream(objects));
  else throw new CustomsError("USAGE", `-o: "${output}" is not yaml or json`);
}

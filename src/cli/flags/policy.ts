import type { Command } from "commander";
import { collect } from "../io.js";

/** `-p, --policy`: where ImagePolicies and Workspaces are read from (repeatable). */
export function policyOption(command: Command, required = true): Command {
  const description = "ImagePolicy/Workspace file or folder (repeatable)";
  return required
    ? command.requiredOption("-p, --policy <path>", description, collect)
    : command.option("-p, --policy <path>", description, collect);
}

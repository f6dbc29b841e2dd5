/**
 * Who may write an ImagePolicyException. An exception turns denials into allows, so writing
 * one needs more than writing a policy of its scope: the caller must also be allowed to
 * write every policy it relaxes. Organization admins may relax anything; a workspace admin
 * only policies whose whole reach is inside its workspaces, named one by one (never `*`,
 * which would take in the organization's policies), with an exception scoped inside them
 * too. Nobody else writes exceptions.
 */
import { ALL_POLICIES } from "../policy/index.js";
import { canAdministerOrganization, canWritePolicy, type Principal } from "./authorize.js";
import type { AttachmentRow, PolicyRow } from "./store.js";

export interface ExceptionRefusal {
  readonly path: string;
  readonly message: string;
}

/**
 * Undefined when the caller may write an exception of `scope` relaxing `policies`; else why
 * not, at the field it is about. `rows` are the named policies that exist (a name without a
 * row is a policy that does not exist, which a workspace admin cannot show to be its own).
 */
export function exceptionRefusal(
  p: Principal,
  org: string,
  scope: PolicyRow["scope"],
  policies: readonly string[],
  rows: ReadonlyMap<string, PolicyRow>,
  attachments: readonly AttachmentRow[],
): ExceptionRefusal | undefined {
  if (canAdministerOrganization(p, org)) return undefined;
  if (p.role !== "workspace-admin" || p.organization !== org) {
    return { path: "", message: "only organization and workspace admins write exceptions" };
  }
  if (!canWritePolicy(p, org, scope, attachments)) {
    return {
      path: "spec",
      message:
        "the exception's scope reaches beyond your workspaces (set spec.workspace or spec.namespace to one of them)",
    };
  }
  for (const [i, name] of policies.entries()) {
    const path = `spec.policies[${i}]`;
    if (name === ALL_POLICIES) {
      return {
        path,
        message: '"*" relaxes the organization\'s policies too: name your own policies',
      };
    }
    const row = rows.get(name);
    if (row === undefined) return { path, message: `no policy "${name}" of yours exists` };
    if (!canWritePolicy(p, org, row.scope, attachments)) {
      return { path, message: `policy "${name}" is not one of your workspaces' policies` };
    }
  }
  return undefined;
}

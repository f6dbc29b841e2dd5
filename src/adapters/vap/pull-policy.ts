/**
 * require-pull-policy in CEL (src/core/evaluate/pod-recipes.ts `checkPullPolicy`). It is decided
 * per container, so it has its own list: the containers of the pod spec whose image the
 * request brings in (as `variables.checked`, images.ts), each as `POLICY|IMAGE`. Only valid
 * images matter here: an invalid one already fails through `variables.failures`, whose
 * recipe test passes every valid entry for this recipe (rules.ts).
 *
 * From the image as written (valid, so the reference grammar holds): it has a digest when it
 * holds `@`; its tag is what follows `:` in the last path segment, else `latest` when there is
 * no digest, else none, exactly ImageParts.tag. At admission the API server has already
 * defaulted imagePullPolicy (pod templates included), so it is set; the test still reads an
 * absent one as the engine does, `latest` pulling Always.
 */
import type { ImagePolicy } from "../../core/policy/index.js";
import { celString } from "./cel.js";
import type { CelVariable } from "./images.js";
import { patternRegex } from "./rules.js";

/** Every container of a pod spec variable, all types, as `POLICY|IMAGE` (images only). */
function containersOf(spec: string): string {
  const list = (field: string) => `(has(${spec}.${field}) ? ${spec}.${field} : [])`;
  const all = ["containers", "initContainers", "ephemeralContainers"].map(list).join(" + ");
  return (
    `(${all}).filter(c, has(c.image) && !(c.image in variables.oldImages))` +
    ".map(c, (has(c.imagePullPolicy) ? c.imagePullPolicy : '') + '|' + c.image)"
  );
}

/** CEL over `x` (`POLICY|IMAGE`): does this container pass? */
function passes(policy: ImagePolicy): string {
  const p = "x.split('|')[0]";
  const image = "x.substring(x.indexOf('|') + 1)";
  const name = `${image}.split('@')[0]`;
  const last = `${name}.substring(${name}.lastIndexOf('/') + 1)`;
  const tag = `(${last}.indexOf(':') >= 0 ? ${last}.substring(${last}.indexOf(':') + 1) : ${image}.indexOf('@') >= 0 ? '' : 'latest')`;
  const immutable = (policy.immutableTags ?? []).map((t) =>
    t.includes("*") ? `t.matches(${celString(patternRegex(t))})` : `t == ${celString(t)}`,
  );
  const tests = [
    `${image}.indexOf('@') >= 0`,
    `${p} == 'Always'`,
    `(${p} == '' && ${tag} == 'latest')`,
    ...(immutable.length === 0 ? [] : [`[${tag}].all(t, t != '' && (${immutable.join(" || ")}))`]),
  ];
  return tests.join(" || ");
}

export function pullPolicyVariables(policy: ImagePolicy): CelVariable[] {
  return [
    { name: "pullContainers", expression: containersOf("variables.podSpec") },
    {
      name: "pullFailures",
      expression: `variables.pullContainers.filter(x, !(${passes(policy)}))`,
    },
  ];
}

/** The regexes immutableTags compile to, for the cost check. */
export function pullPolicyRegexes(policy: ImagePolicy): string[] {
  return (policy.immutableTags ?? []).filter((t) => t.includes("*")).map(patternRegex);
}

export function pullPolicyValidation(title: string): Record<string, string> {
  const images = "variables.pullFailures.map(x, x.substring(x.indexOf('|') + 1)).join(', ')";
  const listed = `(size(${images}) > 1000 ? ${images}.substring(0, 1000) + '...' : ${images})`;
  const advice =
    "; a mutable tag is pulled only when the node lacks it: set imagePullPolicy: Always, or pin the image to a digest";
  return {
    expression: "size(variables.pullFailures) == 0",
    messageExpression: `${celString(`customs ${title}: imagePullPolicy is not Always for `)} + ${listed} + ${celString(advice)}`,
    message: `customs ${title}: a container with a mutable tag does not set imagePullPolicy: Always${advice}`,
    reason: "Forbidden",
  };
}

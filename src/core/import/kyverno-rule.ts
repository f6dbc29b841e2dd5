/**
 * The image checks of one Kyverno rule's `validate` (pattern, anyPattern, foreach, deny, cel)
 * and of a ValidatingPolicy's validations.
 */

import { isObj, type Obj } from "./build.js";
import { isAllContainersExpression, readCelImageTest } from "./cel.js";
import {
  type CheckWithNotes,
  checkFromCel,
  checkFromDeny,
  checkFromPattern,
} from "./kyverno-checks.js";
import { ok, refuse, type Translated } from "./types.js";

const CONTAINER_KEYS: Record<string, string> = {
  containers: "containers",
  "=(containers)": "containers",
  initContainers: "initContainers",
  "=(initContainers)": "initContainers",
  ephemeralContainers: "ephemeralContainers",
  "=(ephemeralContainers)": "ephemeralContainers",
};

/** The one image pattern of a pod pattern (`spec.containers[].image` and its siblings). */
function podPatternImage(pattern: unknown): Translated<string> {
  if (!isObj(pattern) || Object.keys(pattern).join() !== "spec" || !isObj(pattern.spec)) {
    return refuse("pattern checks more than spec.*Containers[].image");
  }
  const images = new Set<string>();
  for (const [key, list] of Object.entries(pattern.spec)) {
    if (CONTAINER_KEYS[key] === undefined)
      return refuse(`pattern checks spec.${key}, not only images`);
    if (!Array.isArray(list) || list.length !== 1 || !isObj(list[0])) {
      return refuse(`pattern spec.${key} is not one container pattern`);
    }
    const c = list[0];
    const keys = Object.keys(c);
    if (
      keys.length !== 1 ||
      (keys[0] !== "image" && keys[0] !== "=(image)") ||
      typeof Object.values(c)[0] !== "string"
    ) {
      return refuse(`pattern spec.${key}[] checks ${keys.join(", ")}, not only image`);
    }
    images.add(String(Object.values(c)[0]));
  }
  if (images.size !== 1)
    return refuse(`pattern gives different images per container list: ${[...images].join(", ")}`);
  return ok([...images][0] ?? "");
}

const FOREACH_LISTS: ReadonlySet<string> = new Set([
  "request.object.spec.containers",
  "request.object.spec.initContainers",
  "request.object.spec.ephemeralContainers",
  "request.object.spec.[initContainers,ephemeralContainers,containers][]",
  "request.object.spec.[containers,initContainers,ephemeralContainers][]",
  "request.object.spec.[ephemeralContainers,initContainers,containers][]",
]);

function foreachCheck(entries: unknown): Translated<CheckWithNotes> {
  if (!Array.isArray(entries) || entries.length === 0)
    return refuse("validate.foreach is not a list");
  let first: CheckWithNotes | undefined;
  for (const [i, e] of entries.entries()) {
    if (!isObj(e)) return refuse(`validate.foreach[${i}] is not an object`);
    const list = typeof e.list === "string" ? e.list.split(" ").join("") : "";
    if (!FOREACH_LISTS.has(list))
      return refuse(
        `validate.foreach[${i}].list ${JSON.stringify(e.list)} is not a list of containers`,
      );
    for (const key of Object.keys(e)) {
      if (!["list", "pattern", "deny"].includes(key))
        return refuse(`validate.foreach[${i}].${key} is not translated`);
    }
    let check: Translated<CheckWithNotes>;
    if (e.pattern !== undefined) {
      const p = e.pattern;
      const keys = isObj(p) ? Object.keys(p) : [];
      if (
        !isObj(p) ||
        keys.length !== 1 ||
        (keys[0] !== "image" && keys[0] !== "=(image)") ||
        typeof Object.values(p)[0] !== "string"
      ) {
        return refuse(`validate.foreach[${i}].pattern checks more than the image`);
      }
      check = checkFromPattern(String(Object.values(p)[0]));
    } else if (isObj(e.deny)) {
      check = checkFromDeny(e.deny.conditions);
    } else {
      return refuse(`validate.foreach[${i}] has no pattern or deny`);
    }
    if (!check.ok) return check;
    if (first === undefined) first = check.value;
    else if (JSON.stringify(first.check) !== JSON.stringify(check.value.check)) {
      return refuse("validate.foreach checks container lists differently");
    }
  }
  return first === undefined ? refuse("validate.foreach is empty") : ok(first);
}

/** The image checks of a CEL validation list (with its variables). */
export function celChecks(
  expressions: unknown,
  variables: unknown,
  path: string,
): Translated<CheckWithNotes[]> {
  if (!Array.isArray(expressions) || expressions.length === 0)
    return refuse(`${path} has no expressions`);
  const all = new Set<string>();
  if (Array.isArray(variables)) {
    for (const v of variables) {
      if (
        isObj(v) &&
        typeof v.name === "string" &&
        typeof v.expression === "string" &&
        isAllContainersExpression(v.expression)
      ) {
        all.add(v.name);
      }
    }
  }
  const checks: CheckWithNotes[] = [];
  for (const e of expressions) {
    const expression = isObj(e) && typeof e.expression === "string" ? e.expression : "";
    const test = readCelImageTest(expression, all);
    if (!test.ok) return test;
    const check = checkFromCel(test.value, expression);
    if (!check.ok) return check;
    if (!checks.some((c) => JSON.stringify(c.check) === JSON.stringify(check.value.check)))
      checks.push(check.value);
  }
  return ok(checks);
}

export function ruleChecks(validate: Obj): Translated<CheckWithNotes[]> {
  const one = (c: Translated<CheckWithNotes>): Translated<CheckWithNotes[]> =>
    c.ok ? ok([c.value]) : c;
  if (validate.pattern !== undefined) {
    const image = podPatternImage(validate.pattern);
    return image.ok ? one(checkFromPattern(image.value)) : image;
  }
  if (validate.anyPattern !== undefined) {
    if (!Array.isArray(validate.anyPattern)) return refuse("validate.anyPattern is not a list");
    const images: string[] = [];
    for (const p of validate.anyPattern) {
      const image = podPatternImage(p);
      if (!image.ok) return image;
      if (image.value.includes("!"))
        return refuse("validate.anyPattern with a negated image pattern is not translated");
      images.push(image.value);
    }
    return one(checkFromPattern(images.join(" | ")));
  }
  if (validate.foreach !== undefined) return one(foreachCheck(validate.foreach));
  if (isObj(validate.cel))
    return celChecks(validate.cel.expressions, validate.cel.variables, "validate.cel");
  if (isObj(validate.deny)) return one(checkFromDeny(validate.deny.conditions));
  const what = Object.keys(validate).filter(
    (k) =>
      !["message", "failureAction", "failureActionOverrides", "allowExistingViolations"].includes(
        k,
      ),
  );
  return refuse(
    `validate.${what.join(", ") || "(nothing)"} is not an image check Customs translates`,
  );
}

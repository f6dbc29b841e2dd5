import type { LintCode } from "../errors.js";
import { type IssueCollector, join } from "./fields.js";
import type { ImagePolicy } from "./types.js";

const HUB_ALIASES = ["index.docker.io", "registry-1.docker.io"];

/** Can this exemptImages pattern's first segment be a registry host (as normalized images have)? */
function startsWithHost(pattern: string): boolean {
  if (pattern.startsWith("*")) return true;
  // A normalized image always holds "/"; a pattern without one (`nginx:*`) means a tag.
  const slash = pattern.indexOf("/");
  if (slash < 0) return false;
  const first = pattern.slice(0, slash);
  return (
    first.includes("*") ||
    first.includes(".") ||
    first.includes(":") ||
    first === "localhost" ||
    first.startsWith("[")
  );
}

/**
 * Warnings for policies that are valid but surely not what their author meant. They never
 * change a decision; `customs policy validate` prints them and `--strict` fails on them.
 */
export function lintPolicy(issues: IssueCollector, policy: ImagePolicy): void {
  const warn = (path: string, code: LintCode, message: string) => issues.warn(path, code, message);
  if (
    policy.namespaceSelector !== undefined &&
    Object.keys(policy.namespaceSelector.matchLabels).length === 0 &&
    policy.namespaceSelector.matchExpressions.length === 0
  ) {
    warn(
      "spec.namespaceSelector",
      "LINT_SELECTOR_EMPTY",
      "an empty selector selects every namespace; remove it or add matchLabels/matchExpressions",
    );
  }
  policy.exemptImages?.forEach((pattern, i) => {
    if (startsWithHost(pattern)) return;
    warn(
      join("spec.input.exemptImages", i),
      "LINT_EXEMPT_NOT_NORMALIZED",
      `"${pattern}" is matched against the normalized image, which always starts with its registry (docker.io/library/nginx:1.27): write the registry, e.g. "docker.io/library/${pattern.replace(/^library\//, "")}", or start the pattern with *`,
    );
  });
  const allowlist = policy.recipe === "custom" || policy.recipe === "allowed-name-tag";
  policy.rules.forEach((rule, i) => {
    const at = join("spec.input.rules", i);
    const host = rule.hostname?.toLowerCase();
    if (host !== undefined && HUB_ALIASES.includes(host)) {
      warn(
        join(at, "hostname"),
        "LINT_DOCKER_HUB_ALIAS",
        `images from ${host} are Docker Hub images and are matched as docker.io: this rule never matches; write hostname: docker.io`,
      );
    }
    const name = rule.imageName;
    const onHub =
      host === undefined || host === "docker.io" || host === "*" || HUB_ALIASES.includes(host);
    if (allowlist && name !== undefined && onHub && !name.includes("/") && !name.startsWith("*")) {
      warn(
        join(at, "imageName"),
        "LINT_DOCKER_HUB_SHORT_NAME",
        `"${name}" never matches a Docker Hub image, whose names always have a namespace: "busybox" is library/busybox. Write "library/${name}"${host === undefined ? ", or set a hostname if you mean another registry" : ""}`,
      );
    }
    if (rule.tag?.negate && rule.tag.values.length === 0) {
      warn(
        join(at, "tag.negate"),
        "LINT_NEGATE_WITHOUT_VALUE",
        "negate has no effect without a tag value",
      );
    }
    const checks = [rule.hostname, rule.port, rule.imageName, ...(rule.tag?.values ?? [])].filter(
      (v) => v !== undefined && v !== "" && v.replaceAll("*", "") !== "",
    );
    const listsImages = allowlist || policy.recipe === "blocked-images";
    if (listsImages && checks.length === 0 && !rule.requireDigest) {
      warn(
        at,
        "LINT_RULE_MATCHES_EVERYTHING",
        policy.recipe === "blocked-images"
          ? "this rule matches every image: the policy blocks everything"
          : "this rule matches every image: the policy allows everything",
      );
    }
  });
}

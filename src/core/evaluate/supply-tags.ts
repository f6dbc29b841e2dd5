import type { CompiledPolicy, TagHandling } from "../policy/index.js";
import type { ImageFacts as SupplyFacts } from "../supply/facts.js";
import type { SupplyFailure } from "./supply-types.js";

/**
 * How tags are treated where a decision is made. At admission, a tag is refused whatever the
 * mode: with `pin` the mutating webhook should already have rewritten it to the verified
 * digest, and a tag that reaches the validating webhook unpinned (the mutation failed, timed
 * out or is not installed) could name other bytes by the time the kubelet pulls. In the CLI
 * (`customs check`), `pin` decides on the digest the tag names now, as the webhook will pin
 * it; `refuse` refuses it there too.
 */
export interface TagRule {
  /** The mode of policies that do not set `input.tagHandling`. */
  readonly defaultHandling: TagHandling;
  /** Deciding an admission request (true) or manifests in the CLI (false). */
  readonly admission: boolean;
}

/** A rule that refuses tags everywhere: the safe choice where nothing pins. */
export const REFUSE_TAGS: TagRule = { defaultHandling: "refuse", admission: true };

/** The mode a policy decides tags with, or undefined for recipes that do not verify content. */
export function tagHandlingOf(compiled: CompiledPolicy, rule: TagRule): TagHandling | undefined {
  const input = compiled.supply?.input;
  switch (input?.recipe) {
    case "require-signature":
    case "require-provenance":
    case "vulnerability-threshold":
      return input.tagHandling ?? rule.defaultHandling;
    default:
      return undefined;
  }
}

/** TAG_NOT_PINNED when `image` (without a digest) must not be decided by tag here. */
export function tagFailure(
  compiled: CompiledPolicy,
  rule: TagRule,
  hasDigest: boolean,
  facts: SupplyFacts | undefined,
): SupplyFailure | undefined {
  if (hasDigest) return undefined;
  const mode = tagHandlingOf(compiled, rule);
  if (mode === undefined || (mode === "pin" && !rule.admission)) return undefined;
  const now = facts?.digest.ok === true ? ` (the tag names ${facts.digest.value} now)` : "";
  const reason =
    mode === "pin"
      ? `the image is named by tag and was not pinned to its verified digest${now}; tagHandling pin needs the mutating webhook (customs serve --mutate) to rewrite it to name:tag@sha256:…, and it did not`
      : `the image is named by tag${now}, which can be moved to other bytes after it is verified; tagHandling refuse admits only name@sha256:… or name:tag@sha256:… (customs pin writes it)`;
  return { code: "TAG_NOT_PINNED", verb: "is not pinned as required by", reason };
}

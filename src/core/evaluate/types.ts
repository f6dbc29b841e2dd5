import type { ViolationCode } from "../errors.js";
import type { Action } from "../policy/index.js";

export type ContainerKind = "containers" | "initContainers" | "ephemeralContainers";

/** One container image to decide on. `image` is undefined when the container has none. */
export interface ContainerInput {
  readonly container: string;
  readonly containerType: ContainerKind;
  readonly image: string | undefined;
  /** `imagePullPolicy` as written (undefined when absent), for recipes about pulling. */
  readonly imagePullPolicy?: string;
}

/**
 * The workload a decision is about, for what looks beyond one container: exceptions that
 * name workloads, recipes about the pod's pull secrets. Optional: a caller that has only
 * images (a Dockerfile's base image, a preview of one image) decides without it.
 */
export interface WorkloadContext {
  readonly kind: string;
  readonly name: string;
  /** The names in the pod spec's `imagePullSecrets`. */
  readonly imagePullSecrets?: readonly string[];
  /** What the caller knows of the namespace's pull secrets (require-pull-secret). */
  readonly pullSecrets?: PullSecretFacts;
}

/**
 * The pull secrets a caller knows besides the pod spec's own names. Optional and partial:
 * what is not known is not held against the workload (a secret named but unknown counts by
 * its name).
 */
export interface PullSecretFacts {
  /**
   * The `imagePullSecrets` of the workload's ServiceAccount, when that ServiceAccount is
   * known: the API server's ServiceAccount admission plugin copies them into every Pod.
   */
  readonly serviceAccountSecrets?: readonly string[];
  /** The registry keys of the namespace's known pull Secrets (their `auths`), by Secret name. */
  readonly secretKeys: ReadonlyMap<string, readonly string[]>;
}

/** One failed check (spec: Decisions). */
export interface Violation {
  readonly policy: string;
  readonly action: Action;
  /** The policy's scope in words: `organization`, `workspace tko-day1-ops-ws`, `namespace team-a`. */
  readonly scope: string;
  readonly container: string;
  readonly containerType: ContainerKind;
  /** The image as written. */
  readonly image: string;
  /** Normalized with its implied tag, or "" when the image does not parse. */
  readonly normalizedImage: string;
  readonly code: ViolationCode;
  readonly message: string;
}

export type Verdict = "allow" | "warn" | "deny";

export interface Decision {
  readonly verdict: Verdict;
  readonly violations: readonly Violation[];
  /** Violations that exceptions exempted; present only when there are some. */
  readonly exempted?: readonly Exemption[];
}

/** A violation that an ImagePolicyException exempted: it no longer counts for the verdict. */
export interface Exemption extends Violation {
  /** The exception's name. */
  readonly exception: string;
  /** Its expiry as written (`2027-01-31` or a date-time). */
  readonly expires: string;
}

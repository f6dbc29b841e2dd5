import { withTimeBudget } from "../../adapters/registry/index.js";
import {
  type AdmissionResponse,
  buildPinPatch,
  clipWords,
  type PinTarget,
  planPins,
  planVerifiedPins,
} from "../../core/admission/index.js";
import { CustomsError } from "../../core/errors.js";
import { type Evaluator, NO_NEEDS } from "../../core/evaluate/index.js";
import { toPinnedImage } from "../pin/index.js";
import type { SupplyContext } from "../supply/index.js";
import {
  type AdmissionOutcome,
  answered,
  type NamespaceDirectory,
  readReview,
} from "./admission.js";

/** Resolves an image to the digest its registry serves now (the registry client, in production). */
export type DigestLookup = (image: string) => Promise<string>;

function timeout<T>(ms: number): Promise<T> {
  return new Promise((_, reject) =>
    setTimeout(
      () => reject(new CustomsError("SOURCE_TIMEOUT", `no answer within ${ms} ms`)),
      ms,
    ).unref(),
  );
}

/**
 * The digest to pin an image to for supply-chain policies, from the facts provider that
 * /validate decides with: /validate then verifies exactly the digest written into the
 * workload, so what the kubelet pulls is what was verified, whatever the tag names later.
 */
async function verifiedDigest(image: string, supply: SupplyContext, budgetMs: number) {
  const deadline = supply.now() + budgetMs;
  const facts = await supply.provider.factsFor(
    image,
    { needs: NO_NEEDS, authorities: [] },
    deadline,
  );
  if (!facts.digest.ok)
    throw new CustomsError(facts.digest.code, `${facts.digest.code}: ${facts.digest.message}`);
  return facts.digest.value;
}

/**
 * `POST /mutate`: pins images to digests for policies with `pinDigests: true`, and for
 * signature, provenance and vulnerability policies in `tagHandling: pin` mode. It never denies
 * (that is /validate's job, which the API server calls after mutation); an image whose digest
 * cannot be had within the budget is left as it is, with a warning, and /validate judges it
 * (a tag under a `pin` policy is then refused, TAG_NOT_PINNED).
 */
export async function handleMutation(
  text: string,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  lookup: DigestLookup,
  budgetMs: number,
  supply?: SupplyContext,
): Promise<AdmissionOutcome> {
  const read = readReview(text);
  if ("bad" in read) return read.bad;
  const { request } = read;
  const namespace = request.namespace || "default";
  const applicable = evaluator.applicable(namespaces.facts(namespace));
  const verified = supply === undefined ? [] : planVerifiedPins(request, applicable, supply.tags);
  const verifiedImages = new Set(verified.map((t) => t.image));
  const targets: PinTarget[] = [...verified];
  for (const t of planPins(request, applicable)) {
    if (!targets.some((v) => v.pointer === t.pointer)) targets.push(t);
  }
  const pinned = new Map<string, string>();
  const warnings: string[] = [];
  const images = [...new Set(targets.map((t) => t.image))];
  await Promise.all(
    images.map(async (image) => {
      try {
        const digest =
          supply !== undefined && verifiedImages.has(image)
            ? await verifiedDigest(image, supply, budgetMs)
            : await Promise.race([
                withTimeBudget(budgetMs, () => lookup(image)),
                timeout<string>(budgetMs),
              ]);
        pinned.set(image, toPinnedImage(image, digest));
      } catch (e) {
        warnings.push(
          clipWords(`customs: could not pin ${image} to a digest: ${(e as Error).message}`, 250),
        );
      }
    }),
  );
  const ops = buildPinPatch(targets, pinned);
  let response: AdmissionResponse = { uid: request.uid, allowed: true };
  if (ops.length > 0) {
    response = {
      ...response,
      patchType: "JSONPatch",
      patch: Buffer.from(JSON.stringify(ops)).toString("base64"),
    };
  }
  if (warnings.length > 0) response = { ...response, warnings };
  return answered(request, response);
}

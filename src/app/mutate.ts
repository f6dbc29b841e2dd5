import {
  ADMISSION_API_VERSION,
  type AdmissionResponse,
  buildPinPatch,
  planPins,
} from "../core/admission/index.js";
import type { Evaluator } from "../core/evaluate/index.js";
import { type AdmissionOutcome, type NamespaceDirectory, readReview } from "./admission.js";
import { toPinnedImage } from "./pin.js";

/** Resolves an image to the digest its registry serves now (the registry client, in production). */
export type DigestLookup = (image: string) => Promise<string>;

function timeout<T>(ms: number): Promise<T> {
  return new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
  );
}

/**
 * `POST /mutate`: pins images to digests for policies with `pinDigests: true`. It never denies
 * (that is /validate's job, which the API server calls after mutation); an image whose digest
 * cannot be had within the budget is left as it is, with a warning, and /validate judges it.
 */
export async function handleMutation(
  text: string,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  lookup: DigestLookup,
  budgetMs: number,
): Promise<AdmissionOutcome> {
  const read = readReview(text);
  if ("bad" in read) return read.bad;
  const { request } = read;
  const namespace = request.namespace || "default";
  const targets = planPins(request, evaluator.applicable(namespaces.facts(namespace)));
  const pinned = new Map<string, string>();
  const warnings: string[] = [];
  const images = [...new Set(targets.map((t) => t.image))];
  await Promise.all(
    images.map(async (image) => {
      try {
        const digest = await Promise.race([lookup(image), timeout<string>(budgetMs)]);
        pinned.set(image, toPinnedImage(image, digest));
      } catch (e) {
        warnings.push(
          `customs: could not pin ${image} to a digest: ${(e as Error).message}`.slice(0, 250),
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
  return {
    status: 200,
    body: { apiVersion: ADMISSION_API_VERSION, kind: "AdmissionReview", response },
    response,
    request: {
      kind: request.kind.kind,
      namespace: request.namespace,
      name: request.name,
      operation: request.operation,
    },
  };
}

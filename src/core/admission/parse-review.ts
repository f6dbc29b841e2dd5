import { isPlainObject } from "../policy/fields.js";
import { printable } from "../policy/index.js";
import { ADMISSION_API_VERSION, type AdmissionRequest, type Operation } from "./types.js";

export type ParsedReview =
  | { readonly ok: true; readonly request: AdmissionRequest }
  | { readonly ok: false; readonly message: string; readonly code?: "ADMISSION_KIND_MISMATCH" };

const OPERATIONS: readonly Operation[] = ["CREATE", "UPDATE", "DELETE", "CONNECT"];
/** Kubernetes sends a UUID; anything else this long is not from an API server. */
const MAX_UID_LENGTH = 128;

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Checks the envelope of an AdmissionReview. Anything wrong here is a 400 for the caller:
 * without a uid there is no response the API server could match, so nothing may be allowed.
 */
export function parseAdmissionReview(body: unknown): ParsedReview {
  const fail = (message: string): ParsedReview => ({ ok: false, message });
  if (!isPlainObject(body)) return fail("the body is not a JSON object");
  if (body.apiVersion !== ADMISSION_API_VERSION) {
    return fail(
      `apiVersion must be ${ADMISSION_API_VERSION}, got ${JSON.stringify(printable(String(body.apiVersion), 60))}`,
    );
  }
  if (body.kind !== "AdmissionReview")
    return fail(
      `kind must be AdmissionReview, got ${JSON.stringify(printable(String(body.kind), 60))}`,
    );
  const r = body.request;
  if (!isPlainObject(r)) return fail("request is missing or not an object");
  const uid = str(r.uid);
  if (uid === undefined || uid === "" || uid.length > MAX_UID_LENGTH)
    return fail("request.uid is missing or invalid");
  const kind = r.kind;
  if (!isPlainObject(kind) || str(kind.kind) === undefined || str(kind.version) === undefined) {
    return fail("request.kind must be {group, version, kind}");
  }
  const operation = str(r.operation) as Operation | undefined;
  if (operation === undefined || !OPERATIONS.includes(operation))
    return fail("request.operation is missing or invalid");
  const resource = isPlainObject(r.resource) ? r.resource : {};
  const gvk = {
    group: str(kind.group) ?? "",
    version: str(kind.version) ?? "",
    kind: str(kind.kind) ?? "",
  };
  for (const field of ["object", "oldObject"] as const) {
    const mismatch = kindMismatch(r[field], gvk);
    if (mismatch !== undefined)
      return {
        ok: false,
        code: "ADMISSION_KIND_MISMATCH",
        message: `ADMISSION_KIND_MISMATCH: request.${field} is ${mismatch}, but request.kind says ${gvkText(gvk)}`,
      };
  }
  return {
    ok: true,
    request: {
      uid,
      kind: gvk,
      resource: {
        group: str(resource.group) ?? "",
        version: str(resource.version) ?? "",
        resource: str(resource.resource) ?? "",
      },
      subResource: str(r.subResource) || undefined,
      name: str(r.name) ?? "",
      namespace: str(r.namespace) ?? "",
      operation,
      object: r.object,
      oldObject: r.oldObject,
      dryRun: r.dryRun === true,
    },
  };
}

type Gvk = { readonly group: string; readonly version: string; readonly kind: string };

function gvkText(g: Gvk): string {
  return JSON.stringify(
    printable(`${g.group === "" ? "" : `${g.group}/`}${g.version}, Kind=${g.kind}`, 200),
  );
}

/**
 * The object's own apiVersion and kind, when it states them, must be those of request.kind.
 * The API server converts the object to the kind it names (matchPolicy: Equivalent sends
 * `kind` of the converted object, `requestKind` of the original), so a difference is not a
 * review from an API server: deciding it as one kind while the object is another would judge
 * (and record) the wrong containers, e.g. a Deployment's read as a Pod's finds none.
 */
function kindMismatch(object: unknown, expected: Gvk): string | undefined {
  if (!isPlainObject(object)) return undefined;
  const apiVersion = object.apiVersion;
  const kind = object.kind;
  if (apiVersion === undefined && kind === undefined) return undefined;
  const wanted = expected.group === "" ? expected.version : `${expected.group}/${expected.version}`;
  if (apiVersion === wanted && kind === expected.kind) return undefined;
  return JSON.stringify(printable(`${String(apiVersion)}, Kind=${String(kind)}`, 200));
}

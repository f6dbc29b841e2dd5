/**
 * AdmissionReview admission.k8s.io/v1, the parts Customs reads and writes.
 * https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request
 */

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource: {
    readonly group: string;
    readonly version: string;
    readonly resource: string;
  };
  readonly subResource: string | undefined;
  readonly name: string;
  readonly namespace: string;
  readonly operation: Operation;
  readonly object: unknown;
  readonly oldObject: unknown;
  readonly dryRun: boolean;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  readonly patchType?: "JSONPatch";
  /** Base64 of a JSON array of JSONPatch operations. */
  readonly patch?: string;
}

export interface AdmissionReviewResponse {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: "AdmissionReview";
  readonly response: AdmissionResponse;
}

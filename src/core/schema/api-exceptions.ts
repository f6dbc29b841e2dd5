/**
 * ImagePolicyException documents as the control plane's API takes and answers them, from the
 * CRD's own description (exception.ts), like ImagePolicy's (api-documents.ts).
 */
import { document, documentMetadata, SERVER_METADATA } from "./api-documents.js";
import { IMAGE_POLICY_EXCEPTION_SCHEMA, IMAGE_POLICY_EXCEPTION_SPEC } from "./exception.js";
import { extend, list, named, object, string } from "./model.js";

const EXCEPTION_METADATA = documentMetadata(
  IMAGE_POLICY_EXCEPTION_SCHEMA,
  "ImagePolicyExceptionMetadata",
);

export const IMAGE_POLICY_EXCEPTION_SPEC_SCHEMA = named(
  "ImagePolicyExceptionSpec",
  IMAGE_POLICY_EXCEPTION_SPEC,
);

export const IMAGE_POLICY_EXCEPTION = named(
  "ImagePolicyException",
  extend(
    document(
      IMAGE_POLICY_EXCEPTION_SCHEMA,
      "ImagePolicyException",
      IMAGE_POLICY_EXCEPTION_SPEC_SCHEMA,
      EXCEPTION_METADATA,
    ),
    {},
    { description: "An ImagePolicyException (docs/policy-language.md, Exceptions)." },
  ),
);

/** A stored exception as the API answers it: the document, with the control plane's metadata. */
export const EXCEPTION = named(
  "Exception",
  extend(
    IMAGE_POLICY_EXCEPTION,
    {
      metadata: named(
        "ExceptionMetadata",
        extend(EXCEPTION_METADATA, {}, { required: Object.keys(SERVER_METADATA) }),
      ),
    },
    { description: "An ImagePolicyException stored in the control plane, with its bookkeeping." },
  ),
);

/** Created or replaced: the exception, and the validator's lint warnings (expiry). */
export const EXCEPTION_WRITTEN = named(
  "ExceptionWritten",
  extend(
    EXCEPTION,
    {
      warnings: list(
        object(
          { code: string(), path: string(), message: string() },
          { required: ["code", "path", "message"] },
        ),
      ),
    },
    { required: ["warnings"] },
  ),
);

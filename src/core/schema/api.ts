/**
 * Every schema of the control plane's OpenAPI document, by component name: request bodies,
 * answers, and the ImagePolicy and Workspace documents (from the same descriptions as the
 * CRDs). Routes name theirs (`body`, `response`); the console's types are generated from the
 * document (console/src/lib/api-types.ts).
 */

import {
  AGENT_KEYS,
  AGENT_NAMESPACES,
  AGENT_REGISTER,
  AGENT_REGISTERED,
  AGENT_REPORTS,
  BUNDLE,
  BUNDLE_KEY_ROTATE,
  NAMESPACES_REPORTED,
  PUBLISHED_KEY,
  REPORTS_ACCEPTED,
} from "./api-agents.js";
import {
  COMPLIANCE,
  COMPLIANCE_TREND,
  FAILING_WORKLOADS,
  INVENTORY_REPORT,
  VIOLATIONS_DAILY,
} from "./api-compliance.js";
import {
  IMAGE_POLICY,
  IMAGE_POLICY_SPEC_SCHEMA,
  POLICY,
  POLICY_WRITTEN,
  WORKSPACE_DOCUMENT,
} from "./api-documents.js";
import {
  EXCEPTION,
  EXCEPTION_WRITTEN,
  IMAGE_POLICY_EXCEPTION,
  IMAGE_POLICY_EXCEPTION_SPEC_SCHEMA,
} from "./api-exceptions.js";
import {
  ADMIN_TOKEN_REQUEST,
  AUTH_METHODS,
  ERROR_SCHEMA,
  NAMED_REQUEST,
  OPENAPI_DOCUMENT,
  PREVIEW_REQUEST,
  PREVIEW_RESPONSE,
  SESSION,
  TOKEN_REQUEST,
} from "./api-messages.js";
import {
  ATTACHMENT,
  CLUSTER,
  CLUSTER_CREATED,
  ORGANIZATION,
  paged,
  REPORTED_NAMESPACE,
  TOKEN,
  TOKEN_CREATED,
  WHOAMI,
  WORKSPACE,
  WORKSPACE_NAMESPACE,
  whole,
} from "./api-records.js";
import { AUDIT_ENTRY, INSIGHTS, VIOLATION } from "./api-reports.js";
import type { Schema } from "./model.js";

export { ERROR_SCHEMA };

export const API_SCHEMAS: readonly Schema[] = [
  ERROR_SCHEMA,
  OPENAPI_DOCUMENT,
  // Documents of the policy language.
  IMAGE_POLICY,
  IMAGE_POLICY_SPEC_SCHEMA,
  WORKSPACE_DOCUMENT,
  POLICY,
  POLICY_WRITTEN,
  paged("PolicyList", POLICY),
  PREVIEW_REQUEST,
  PREVIEW_RESPONSE,
  IMAGE_POLICY_EXCEPTION,
  IMAGE_POLICY_EXCEPTION_SPEC_SCHEMA,
  EXCEPTION,
  EXCEPTION_WRITTEN,
  paged("ExceptionList", EXCEPTION),
  // Records.
  NAMED_REQUEST,
  ORGANIZATION,
  paged("OrganizationList", ORGANIZATION),
  WORKSPACE,
  paged("WorkspaceList", WORKSPACE),
  ATTACHMENT,
  whole("WorkspaceNamespaceList", WORKSPACE_NAMESPACE),
  CLUSTER,
  CLUSTER_CREATED,
  paged("ClusterList", CLUSTER),
  whole("ReportedNamespaceList", REPORTED_NAMESPACE),
  TOKEN_REQUEST,
  ADMIN_TOKEN_REQUEST,
  TOKEN,
  TOKEN_CREATED,
  whole("TokenList", TOKEN),
  INSIGHTS,
  paged("ViolationList", VIOLATION),
  paged("AuditList", AUDIT_ENTRY),
  WHOAMI,
  // Sign-in.
  AUTH_METHODS,
  SESSION,
  // Agents.
  AGENT_REGISTER,
  AGENT_REGISTERED,
  AGENT_NAMESPACES,
  NAMESPACES_REPORTED,
  BUNDLE,
  AGENT_KEYS,
  whole("BundleKeyList", PUBLISHED_KEY),
  BUNDLE_KEY_ROTATE,
  AGENT_REPORTS,
  REPORTS_ACCEPTED,
  // The fleet's state.
  INVENTORY_REPORT,
  COMPLIANCE,
  FAILING_WORKLOADS,
  COMPLIANCE_TREND,
  VIOLATIONS_DAILY,
];

import { Counter, Gauge, Registry } from "prom-client";
import { LatencyHistogram } from "./latency-histogram.js";

/** The webhook's Prometheus metrics, on a registry of its own (no global state). */
export interface WebhookMetrics {
  readonly registry: Registry;
  readonly requests: Counter<"path" | "code">;
  readonly decisions: Counter<"verdict">;
  readonly violations: Counter<"policy" | "action" | "code">;
  /** Violations an ImagePolicyException exempted, by policy and exception. */
  readonly exemptions: Counter<"policy" | "exception">;
  /** By path; observed on every review, so outside prom-client (latency-histogram.ts). */
  readonly latency: LatencyHistogram;
  readonly reloads: Counter<"what" | "result">;
  /** Policies in the cluster that validation refuses, so none of them is in force. */
  readonly policiesInvalid: Gauge;
}

export function createMetrics(): WebhookMetrics {
  const registry = new Registry();
  return {
    registry,
    requests: new Counter({
      name: "customs_http_requests_total",
      help: "HTTP requests by path and status code.",
      labelNames: ["path", "code"],
      registers: [registry],
    }),
    decisions: new Counter({
      name: "customs_admission_decisions_total",
      help: "Admission decisions by verdict (allow, warn, deny).",
      labelNames: ["verdict"],
      registers: [registry],
    }),
    violations: new Counter({
      name: "customs_policy_violations_total",
      help: "Policy violations found at admission, by policy, action and code.",
      labelNames: ["policy", "action", "code"],
      registers: [registry],
    }),
    exemptions: new Counter({
      name: "customs_policy_exemptions_total",
      help: "Violations that ImagePolicyExceptions exempted at admission, by policy and exception.",
      labelNames: ["policy", "exception"],
      registers: [registry],
    }),
    latency: new LatencyHistogram(
      "customs_request_duration_seconds",
      "Time from the end of the request body to the response, by path.",
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registry,
    ),
    reloads: new Counter({
      name: "customs_reloads_total",
      help: "Reloads of policies and certificates, by result.",
      labelNames: ["what", "result"],
      registers: [registry],
    }),
    policiesInvalid: new Gauge({
      name: "customs_policies_invalid",
      help: "ImagePolicies and Workspaces in the cluster that validation refuses and that are left out (see their status).",
      registers: [registry],
    }),
  };
}

import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The control plane's Prometheus metrics, on a registry of its own. */
export interface ControlPlaneMetrics {
  readonly registry: Registry;
  readonly requests: Counter<"route" | "method" | "code">;
  readonly latency: Histogram<"route" | "method">;
  readonly authFailures: Counter;
}

/**
 * `connected` and `waiting` are read when scraped: agents this replica heard from within
 * 90 s, and long polls open right now.
 */
export function createControlPlaneMetrics(
  connected: () => number,
  waiting: () => number,
): ControlPlaneMetrics {
  const registry = new Registry();
  new Gauge({
    name: "customs_control_plane_connected_agents",
    help: "Agents this replica heard from within the last 90 seconds.",
    registers: [registry],
    collect() {
      this.set(connected());
    },
  });
  new Gauge({
    name: "customs_control_plane_waiting_long_polls",
    help: "Agents' long polls waiting for a change right now.",
    registers: [registry],
    collect() {
      this.set(waiting());
    },
  });
  return {
    registry,
    requests: new Counter({
      name: "customs_control_plane_requests_total",
      help: "API requests by route template, method and status code.",
      labelNames: ["route", "method", "code"],
      registers: [registry],
    }),
    latency: new Histogram({
      name: "customs_control_plane_request_duration_seconds",
      help: "Time to answer API requests (long polls excluded), by route template.",
      labelNames: ["route", "method"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: "customs_control_plane_auth_failures_total",
      help: "Failed authentications (unknown, wrong or revoked tokens).",
      registers: [registry],
    }),
  };
}

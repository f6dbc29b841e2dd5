import { describe, expect, it } from "vitest";
import { customsInProcess } from "../support/cli.js";

const AGENT = [
  "agent",
  "--control-plane",
  "https://127.0.0.1:1",
  "--tls-cert",
  "c",
  "--tls-key",
  "k",
];
const SERVE = ["serve", "webhook", "--tls-cert", "c", "--tls-key", "k"];

describe("the audit's flags: bad combinations are usage errors (exit 2)", () => {
  it.each([
    [[...SERVE, "-p", "x", "--audit-interval", "60000"], "--audit-interval needs --from-cluster"],
    [
      [...SERVE, "--from-cluster", "--audit-interval", "60000", "--workers", "2"],
      "--audit-interval runs with --workers 1 only",
    ],
    [
      [...SERVE, "--from-cluster", "--audit-interval", "60000", "--audit-qps", "0"],
      "--audit-qps must be an integer from 1 to 1000",
    ],
    [
      [...SERVE, "--from-cluster", "--audit-interval", "10"],
      "--audit-interval must be an integer from 1000",
    ],
    [["install", "webhook", "--audit-qps", "3"], "--audit-qps needs --audit-interval"],
    [
      [...SERVE, "--from-cluster", "--audit-interval", "60000", "--audit-batch", "0"],
      "--audit-batch must be an integer from 1 to 100000",
    ],
    [["install", "webhook", "--audit-batch", "50"], "--audit-batch needs --audit-interval"],
    [
      [...AGENT, "--token", "t", "--audit-batch", "x"],
      "--audit-batch must be an integer from 1 to 100000",
    ],
  ])("%j", async (args, message) => {
    const r = await customsInProcess(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

import { describe, expect, it } from "vitest";
import { customsInProcess } from "../support/cli.js";

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
  ])("%j", async (args, message) => {
    const r = await customsInProcess(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

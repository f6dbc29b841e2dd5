import { describe, expect, it } from "vitest";
import { customsInProcess } from "../support/cli.js";

const BASE = [
  "agent",
  "--control-plane",
  "https://127.0.0.1:1",
  "--tls-cert",
  "c",
  "--tls-key",
  "k",
];

describe("customs agent: bad input is a usage error (exit 2) that says what is wrong", () => {
  it.each([
    [[], "--token"],
    [["--token", "t", "--wait", "61"], "--wait must be an integer from 1 to 60"],
    [["--token", "t", "--audit-interval", "10"], "--audit-interval must be an integer from 1000"],
    [["--token", "t", "--listen", "nowhere"], "--listen must be HOST:PORT"],
    [["--token", "t", "--audit-qps", "0"], "--audit-qps must be an integer from 1 to 1000"],
    [["--token-file", "/nonexistent/token"], "--token-file /nonexistent/token"],
    [["--token", "t", "--ca-file", "/nonexistent/ca.pem"], "--ca-file /nonexistent/ca.pem"],
    [["--token", "t", "--control-plane", "ftp://x"], "--control-plane must be an https:// URL"],
  ])("%j", async (extra, message) => {
    const r = await customsInProcess([...BASE, ...extra]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

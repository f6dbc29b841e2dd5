/**
 * `customs serve webhook` and `customs serve control-plane` are sibling subcommands; the old
 * spelling of the webhook, `customs serve -p … --tls-cert …`, still runs it, with a note.
 * Both spellings are driven to the same refusal (a broken policy file), which only the
 * webhook's action gives: no listener is started, nothing waits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customs, tempFiles } from "./support/cli.js";
import { type TestPki, testPki } from "./support/tls.js";

const DEPRECATED = "`customs serve` without a subcommand is deprecated";

describe("customs serve spellings", () => {
  let pki: TestPki;
  const files = tempFiles({ "p.yaml": "kind: ImagePolicy\n" });
  beforeAll(async () => {
    pki = await testPki();
  });
  afterAll(() => {
    pki.cleanup();
    files.cleanup();
  });
  const webhookArgs = () => [
    "-p",
    `${files.dir}/p.yaml`,
    "--listen",
    "127.0.0.1:0",
    "--tls-cert",
    pki.certFile,
    "--tls-key",
    pki.keyFile,
  ];

  it("`serve webhook` runs the webhook, without a note", () => {
    const r = customs(["serve", "webhook", ...webhookArgs()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("p.yaml: document 0");
    expect(r.stderr).not.toContain(DEPRECATED);
  });

  it("`serve` without a subcommand still runs the webhook, and says it is deprecated", () => {
    const r = customs(["serve", ...webhookArgs()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("p.yaml: document 0");
    expect(r.stderr).toContain(`${DEPRECATED}; use \`customs serve webhook\``);
  });

  it("`serve control-plane` is not the webhook: its flags are its own", () => {
    const r = customs(["serve", "control-plane", "--tls-cert", pki.certFile]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("give both --tls-cert and --tls-key, or neither");
    expect(r.stderr).not.toContain(DEPRECATED);
  });

  it("the webhook's flags are checked before anything starts", () => {
    const r = customs(["serve", "webhook", ...webhookArgs(), "--drain-timeout", "soon"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--drain-timeout must be a positive integer, got "soon"');
  });
});

import { generateKeyPairSync } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { customsInProcess, tempFiles } from "../support/cli.js";

const IMAGE = `registry.invalid/app@sha256:${"ab".repeat(32)}`;
const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 })
  .publicKey.export({ type: "spki", format: "pem" })
  .toString();
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .publicKey.export({ type: "spki", format: "pem" })
  .toString();

describe("customs verify: bad input exits 2 with a message naming it", () => {
  const files = tempFiles({
    "weak.pub": rsa1024,
    "root.json": '{"mediaType": "x"}',
    "junk.pub": "junk",
    "good.pub": p256,
  });
  afterAll(files.cleanup);
  const at = (name: string) => `${files.dir}/${name}`;

  it.each([
    ["no key and no identity", [IMAGE], /give --key, or a keyless identity/],
    ["an identity without issuer", [IMAGE, "--certificate-identity", "a@b.c"], /OIDC issuer/],
    [
      "exact and pattern together",
      [
        IMAGE,
        "--certificate-identity",
        "a",
        "--certificate-identity-regexp",
        "a",
        "--certificate-oidc-issuer",
        "i",
      ],
      /not both/,
    ],
    [
      "an invalid RE2 pattern",
      [IMAGE, "--certificate-identity-regexp", "(", "--certificate-oidc-issuer", "i"],
      /certificate identity pattern "\("/,
    ],
    [
      "a weak RSA key",
      [IMAGE, "--key", "KEY:weak.pub"],
      /weak\.pub: rsa 1024 keys are not supported/,
    ],
    ["a file that is no key", [IMAGE, "--key", "KEY:junk.pub"], /junk\.pub: not a PEM public key/],
    ["a missing key file", [IMAGE, "--key", "KEY:absent.pub"], /absent\.pub: cannot read: ENOENT/],
    [
      "a root that is no trusted root",
      [IMAGE, "--key", "KEY:good.pub", "--trusted-root", "KEY:root.json"],
      /root\.json: not a Sigstore trusted root/,
    ],
    [
      "--type without --attestations",
      [IMAGE, "--key", "KEY:weak.pub", "--type", "spdx"],
      /--type needs --attestations/,
    ],
    ["a bad reference", ["Not/A/Ref", "--key", "KEY:weak.pub"], /Not\/A\/Ref/],
    [
      "a bad output format",
      [IMAGE, "--key", "KEY:weak.pub", "-o", "xml"],
      /-o\/--output must be one of human, json, got "/,
    ],
  ])("%s", async (_name, args, message) => {
    const r = await customsInProcess([
      "verify",
      ...args.map((a) => (a.startsWith("KEY:") ? at(a.slice(4)) : a)),
    ]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });
});

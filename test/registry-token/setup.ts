import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { createCertificateAuthority, type PemPair } from "../../src/adapters/pki/index.js";
import { hashSecret } from "../../src/adapters/registry-token/index.js";
import type { Grant } from "../../src/core/registry-token/index.js";

export const SERVICE = "customs-test-registry";
export const ISSUER = "customs-test-issuer";

export interface TestAccount {
  readonly name: string;
  readonly secret: string;
  readonly type?: "user" | "robot";
  readonly grants: readonly Grant[];
}

/** The accounts of the issue: CI pushes team/*, the cluster pulls everything, nobody else. */
export const CI = {
  name: "ci",
  secret: "ci secret 1",
  type: "robot",
  grants: [{ repositories: ["team/*"], actions: ["pull", "push"] }],
} as const satisfies TestAccount;
export const PULLER = {
  name: "cluster-pull",
  secret: "pull secret 2",
  type: "robot",
  grants: [{ repositories: ["*"], actions: ["pull"] }],
} as const satisfies TestAccount;
export const NOBODY = {
  name: "nobody",
  secret: "nobody secret 3",
  grants: [],
} as const satisfies TestAccount;

export function accountsYaml(accounts: readonly TestAccount[]): string {
  return stringify({
    apiVersion: "customs.dev/v1alpha1",
    kind: "RegistryAccounts",
    // Cost 4: the lowest; the tests log in often.
    accounts: accounts.map((a) => ({
      name: a.name,
      type: a.type ?? "user",
      secret: hashSecret(a.secret, 4),
      grants: a.grants,
    })),
  });
}

export interface TokenFiles {
  readonly dir: string;
  readonly config: string;
  readonly accounts: string;
  readonly signer: PemPair;
  write(name: string, text: string): string;
  cleanup(): void;
}

/** A configuration folder: TLS pair, signing pair, accounts, config.yaml (relative paths). */
export async function writeTokenFiles(
  tls: PemPair,
  accounts: readonly TestAccount[],
  spec: Record<string, unknown> = {},
  signer?: PemPair,
): Promise<TokenFiles> {
  const dir = mkdtempSync(join(tmpdir(), "customs-token-"));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const signing = signer ?? (await createCertificateAuthority("customs test token signer"));
  write("tls.crt", tls.certPem);
  write("tls.key", tls.keyPem);
  write("signing.crt", signing.certPem);
  write("signing.key", signing.keyPem);
  write("accounts.yaml", accountsYaml(accounts));
  const config = write(
    "config.yaml",
    stringify({
      apiVersion: "customs.dev/v1alpha1",
      kind: "RegistryTokenService",
      spec: {
        service: SERVICE,
        issuer: ISSUER,
        listen: { host: "127.0.0.1", port: 0 },
        tls: { certificate: "tls.crt", key: "tls.key" },
        signing: { certificate: "signing.crt", key: "signing.key" },
        accountsFile: "accounts.yaml",
        rateLimit: { freeFailures: 3, baseDelaySeconds: 1, maxDelaySeconds: 4 },
        ...spec,
      },
    }),
  );
  return {
    dir,
    config,
    accounts: join(dir, "accounts.yaml"),
    signer: signing,
    write,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const basic = (name: string, secret: string) =>
  `Basic ${Buffer.from(`${name}:${secret}`).toString("base64")}`;

/** The claims of a JWT, unverified (the tests check what was signed). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

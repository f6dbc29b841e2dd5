import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ROOT } from "./cli.js";

export const CHART = join(ROOT, "deploy/helm/customs");

/** Helm as scripts/helm/build.sh installs it; undefined (with the reason) when it is not built. */
export function helmBinary(): { path: string } | { skip: string } {
  const path = join(process.env.CUSTOMS_CACHE ?? join(homedir(), ".cache/customs"), "bin/helm");
  if (!existsSync(path))
    return { skip: `${path} not found (bash scripts/helm/build.sh builds it)` };
  return { path };
}

export interface HelmRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function helm(path: string, args: string[]): HelmRun {
  const r = spawnSync(path, args, {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    // No user configuration, no repositories, no cache outside the test's reach.
    env: { ...process.env, HELM_CONFIG_HOME: "/nonexistent", HELM_DATA_HOME: "/nonexistent" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` of the chart, its documents as objects (empty documents left out). */
export function helmTemplate(path: string, args: string[]): Record<string, unknown>[] {
  const r = helm(path, ["template", "customs", CHART, "--namespace", "customs-system", ...args]);
  if (r.status !== 0) throw new Error(`helm template ${args.join(" ")}: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);
}

// Rendered objects are walked freely here; their shapes are checked field by field.
// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;

const fromB64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/** What a registry render must agree on besides its objects: the clear passwords it was given. */
export interface RegistryExpectations {
  /** htpasswd users and their clear passwords (token mode: none; the secrets are generated). */
  readonly passwords: Readonly<Record<string, string>>;
  /** The DNS names the serving certificate must hold (self-signed mode). */
  readonly dnsNames: readonly string[];
}

/**
 * The objects of `customs registry manifests` or of the chart's `registry.enabled`, keyed by
 * kind/namespace/name, with what each run generates (CA, keys, certificates, bcrypt hashes,
 * the token accounts' random secrets) first checked for what it must do, then masked:
 * the CA verifies the serving certificate, which names `dnsNames`; every bcrypt hash verifies
 * its account's password (given, or read from the pull and push Secrets); the signing key
 * belongs to its certificate, which is the registry's one trusted root; every pull Secret's
 * `auth` is its username and password. Data holding YAML (token accounts) is compared parsed,
 * since Helm's toYaml and our printer lay out the same document differently.
 */
export async function maskRegistryMaterial(
  objects: readonly Obj[],
  expect: RegistryExpectations,
): Promise<Map<string, Obj>> {
  const { X509Certificate, createPrivateKey, createPublicKey } = await import("node:crypto");
  const { default: bcrypt } = await import("bcryptjs");
  const { parse } = await import("yaml");
  const fail = (message: string): never => {
    throw new Error(message);
  };
  const copies = objects.map((o) => structuredClone(o));
  const passwords: Record<string, string> = { ...expect.passwords };
  // Pass 1: the clear secrets of the pull and push Secrets (token mode generates them).
  for (const o of copies) {
    if (o.kind !== "Secret" || o.type !== "kubernetes.io/dockerconfigjson") continue;
    const config = JSON.parse(fromB64(o.data[".dockerconfigjson"]));
    for (const entry of Object.values(config.auths) as Obj[]) {
      if (fromB64(entry.auth) !== `${entry.username}:${entry.password}`)
        fail(`${o.metadata.name}: auth is not username:password`);
      const known = passwords[entry.username];
      if (known !== undefined && known !== entry.password)
        fail(`${o.metadata.name}: another password for ${entry.username}`);
      passwords[entry.username] = entry.password;
      entry.password = "<generated>";
      entry.auth = "<generated>";
    }
    o.data[".dockerconfigjson"] = config;
  }
  const verified = (name: string, hash: string) => {
    const password = passwords[name];
    if (password === undefined || !bcrypt.compareSync(password, hash))
      fail(`the bcrypt hash of ${name} does not verify its password`);
    if (!/^\$2y\$10\$/.test(hash)) fail(`the hash of ${name} is not $2y$ with cost 10`);
    return "<bcrypt>";
  };
  let signingCert: string | undefined;
  const out = new Map<string, Obj>();
  for (const o of copies) {
    const name = o.metadata.name;
    if (o.kind === "Secret" && o.type === "kubernetes.io/tls") {
      const ca = new X509Certificate(fromB64(o.data["ca.crt"]));
      const serving = new X509Certificate(fromB64(o.data["tls.crt"]));
      if (!ca.ca || !serving.verify(ca.publicKey)) fail("the CA does not verify the serving cert");
      const sans = (serving.subjectAltName ?? "").split(", ").sort();
      if (JSON.stringify(sans) !== JSON.stringify(expect.dnsNames.map((n) => `DNS:${n}`).sort()))
        fail(`the serving certificate names ${sans.join(" ")}`);
      const key = createPrivateKey(fromB64(o.data["tls.key"]));
      if (!createPublicKey(key).equals(serving.publicKey)) fail("tls.key is not tls.crt's key");
      for (const k of Object.keys(o.data)) o.data[k] = "<generated>";
    }
    if (o.kind === "Secret" && name === "registry-htpasswd") {
      o.data.htpasswd = fromB64(o.data.htpasswd)
        .split("\n")
        .map((line: string) => {
          const colon = line.indexOf(":");
          return colon < 0
            ? line
            : `${line.slice(0, colon)}:${verified(line.slice(0, colon), line.slice(colon + 1))}`;
        });
    }
    if (o.kind === "Secret" && name === "registry-token-accounts") {
      const doc = parse(fromB64(o.data["accounts.yaml"]));
      for (const a of doc.accounts)
        a.secret = passwords[a.name] === undefined ? a.secret : verified(a.name, a.secret);
      o.data["accounts.yaml"] = doc;
    }
    if (o.kind === "Secret" && name === "registry-token-signing") {
      signingCert = fromB64(o.data["signing.crt"]);
      const cert = new X509Certificate(signingCert);
      const key = createPrivateKey(fromB64(o.data["signing.key"]));
      if (!createPublicKey(key).equals(cert.publicKey))
        fail("signing.key is not signing.crt's key");
      if (key.asymmetricKeyDetails?.namedCurve !== "prime256v1")
        fail("the signing key is not P-256");
      o.data = { "signing.crt": "<generated>", "signing.key": "<generated>" };
    }
    out.set(`${o.kind}/${o.metadata.namespace ?? ""}/${name}`, o);
  }
  const roots = [...out.values()].find((o) => o.metadata.name === "registry-token-roots");
  if (roots !== undefined) {
    if (roots.data["rootcertbundle.pem"] !== `${signingCert?.trim()}\n`)
      fail("the registry does not trust exactly the signing certificate");
    roots.data["rootcertbundle.pem"] = "<generated>";
  }
  return out;
}

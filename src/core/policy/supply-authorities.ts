import { isPlainObject, join, typeName } from "./fields.js";
import { readExactOrRegExp, type SupplyReader } from "./supply-matchers.js";
import type { Authority, KeySource, TrustedRoot } from "./supply-types.js";

/** null is absent, as everywhere (and as Kubernetes prunes it). */
const isAbsent = (v: unknown) => v === undefined || v === null;

const PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\s*$/;

function readKey(r: SupplyReader, path: string, value: unknown): KeySource | undefined {
  const o = r.issues.readObject(path, value, ["pem", "secretRef"]);
  if (o === undefined) return undefined;
  if (isAbsent(o.pem) === isAbsent(o.secretRef)) {
    r.issues.error(path, "set exactly one of `pem` and `secretRef`");
    return undefined;
  }
  if (!isAbsent(o.pem)) {
    const pem = r.issues.readString(join(path, "pem"), o.pem, { nonEmpty: true });
    if (pem === undefined) return undefined;
    if (!PEM.test(pem.trim())) {
      r.issues.error(join(path, "pem"), "expected a PEM public key (-----BEGIN PUBLIC KEY----- …)");
      return undefined;
    }
    return { kind: "pem", pem };
  }
  const at = join(path, "secretRef");
  const ref = r.issues.readObject(at, o.secretRef, ["name", "namespace", "key"]);
  if (ref === undefined) return undefined;
  const name = r.issues.readString(join(at, "name"), ref.name, { required: true, nonEmpty: true });
  const namespace = r.issues.readString(join(at, "namespace"), ref.namespace, { nonEmpty: true });
  const key = r.issues.readString(join(at, "key"), ref.key, { nonEmpty: true });
  return name === undefined ? undefined : { kind: "secretRef", name, namespace, key };
}

function readTrustedRoot(r: SupplyReader, path: string, value: unknown): TrustedRoot | undefined {
  if (value === undefined || value === null || value === "public-good") {
    return { kind: "public-good" };
  }
  const s = r.issues.readString(path, value, { nonEmpty: true });
  if (s === undefined) return undefined;
  return { kind: "file", path: s };
}

function readAuthority(r: SupplyReader, path: string, value: unknown): Authority | undefined {
  const o = r.issues.readObject(path, value, ["name", "key", "keyless"]);
  if (o === undefined) return undefined;
  const name = r.issues.readString(join(path, "name"), o.name, { required: true, nonEmpty: true });
  if (isAbsent(o.key) === isAbsent(o.keyless)) {
    r.issues.error(path, "set exactly one of `key` and `keyless`");
    return undefined;
  }
  if (!isAbsent(o.key)) {
    const key = readKey(r, join(path, "key"), o.key);
    return name === undefined || key === undefined ? undefined : { name, kind: "key", key };
  }
  const at = join(path, "keyless");
  const k = r.issues.readObject(at, o.keyless, [
    "issuer",
    "issuerRegExp",
    "subject",
    "subjectRegExp",
    "trustedRoot",
  ]);
  if (k === undefined) return undefined;
  const issuer = readExactOrRegExp(r, at, k, "issuer");
  const subject = readExactOrRegExp(r, at, k, "subject");
  const trustedRoot = readTrustedRoot(r, join(at, "trustedRoot"), k.trustedRoot);
  if (name === undefined || issuer === undefined || subject === undefined) return undefined;
  if (trustedRoot === undefined) return undefined;
  return { name, kind: "keyless", issuer, subject, trustedRoot };
}

/** The authorities of a signature or provenance policy: at least one, names unique. */
export function readAuthorities(r: SupplyReader, path: string, value: unknown): Authority[] {
  const list = r.issues.readList(path, value);
  if (list === undefined || list.length === 0) {
    // A list of another type was reported by readList; null is absent, so it needs one too.
    if (value !== undefined && value !== null && !Array.isArray(value)) return [];
    r.issues.error(path, "needs at least one authority (a key or a keyless identity)");
    return [];
  }
  const out: Authority[] = [];
  const seen = new Set<string>();
  list.forEach((v, i) => {
    if (!isPlainObject(v)) {
      r.issues.error(join(path, i), `expected an object {name, key | keyless}, got ${typeName(v)}`);
      return;
    }
    const a = readAuthority(r, join(path, i), v);
    if (a === undefined) return;
    if (seen.has(a.name)) {
      r.issues.error(join(join(path, i), "name"), `authority "${a.name}" is listed twice`);
      return;
    }
    seen.add(a.name);
    out.push(a);
  });
  return out;
}

import type { RegexHit, SecretRegex } from "./types.js";

/**
 * Registry credentials in a docker config: `.dockerconfigjson` (`{"auths": {server: entry}}`,
 * what `kubectl create secret docker-registry` writes, and `~/.docker/config.json`) and the
 * older `.dockercfg` (`{server: entry}`). Each entry's password is the secret: its `password`
 * field, else the password half of `auth` (base64 of `user:password`), else `identitytoken`.
 * One hit per entry, so a password given both ways is reported once.
 *
 * A regex cannot decode `auth`, so this scanner parses the JSON: each `{…}` (balanced, strings
 * skipped) that holds `"auth` or `"password"` and parses as an object of that shape.
 */
export const DOCKER_CONFIG_SCANNER: SecretRegex = {
  *matchAll(text: string): Iterable<RegexHit> {
    let tries = 0;
    for (let open = text.indexOf("{"); open !== -1 && tries < MAX_TRIES; ) {
      const close = objectEnd(text, open);
      if (close === -1) {
        // An unclosed `{` (prose, code): the config may open after it. Each costs a pass.
        tries++;
        open = text.indexOf("{", open + 1);
        continue;
      }
      const slice = text.slice(open, close + 1);
      let entries: Entry[] = [];
      if (slice.includes('"auth') || slice.includes('"password"')) {
        tries++;
        try {
          entries = dockerConfigEntries(JSON.parse(slice));
        } catch {
          // Not JSON from here: an object may still start further in.
        }
      }
      for (const entry of entries) {
        const hit = locate(text, open, close, entry);
        if (hit !== undefined) yield hit;
      }
      // Past a docker config; else into this object, where a config may be nested.
      open = text.indexOf("{", entries.length > 0 ? close + 1 : open + 1);
    }
  },
  test: (value) => {
    for (const _ of DOCKER_CONFIG_SCANNER.matchAll(value)) return true;
    return false;
  },
};

/** Objects parsed (or unclosed braces passed) per text at most: a text full of braces stays linear. */
const MAX_TRIES = 64;

/** The `}` that closes the `{` at `open` (JSON strings skipped), or -1. */
function objectEnd(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return -1;
}

type Entry = Readonly<Record<string, unknown>>;

function isRecord(v: unknown): v is Entry {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `auths` entries (config.json), or the top level's entries (`.dockercfg`). Outside `auths` an
 * entry needs an `auth` field: `{"db": {"password": …}}` is some other config.
 */
function dockerConfigEntries(config: unknown): Entry[] {
  if (!isRecord(config)) return [];
  if (isRecord(config.auths))
    return Object.values(config.auths).filter(
      (e): e is Entry =>
        isRecord(e) &&
        (typeof e.auth === "string" ||
          typeof e.password === "string" ||
          typeof e.identitytoken === "string"),
    );
  return Object.values(config).filter((e): e is Entry => isRecord(e) && typeof e.auth === "string");
}

/**
 * The span in `text` of the entry's secret. A `password` is found as its JSON string; an
 * `auth` is itself the span (its decoded password is not in the text) when it decodes to
 * `user:password` with a non-empty password.
 */
function locate(text: string, from: number, to: number, entry: Entry): RegexHit | undefined {
  const find = (needle: string) => {
    const at = text.indexOf(needle, from);
    return at !== -1 && at + needle.length <= to + 1 ? at : -1;
  };
  if (typeof entry.password === "string" && entry.password !== "") {
    const quoted = JSON.stringify(entry.password);
    const at = find(quoted);
    // Past the opening quote; the closing one is excluded (escapes included, as written).
    if (at !== -1) return { start: at + 1, end: at + quoted.length - 1 };
  }
  if (typeof entry.auth === "string" && hasPassword(entry.auth)) {
    const at = find(`"${entry.auth}"`);
    if (at !== -1) return { start: at + 1, end: at + 1 + entry.auth.length };
  }
  if (typeof entry.identitytoken === "string" && entry.identitytoken !== "") {
    const at = find(`"${entry.identitytoken}"`);
    if (at !== -1) return { start: at + 1, end: at + 1 + entry.identitytoken.length };
  }
  return undefined;
}

function hasPassword(auth: string): boolean {
  const decoded = decodeBase64Text(auth);
  if (decoded === undefined) return false;
  const colon = decoded.indexOf(":");
  return colon !== -1 && colon < decoded.length - 1;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 (RFC 4648 §4, padded), as Kubernetes decodes a Secret's `data` (Go's
 * encoding/base64 StdEncoding, which skips `\r` and `\n`). Undefined when invalid. The bytes
 * come back as UTF-8 text; `binary` is true when they hold a NUL (a keystore, a zip), which
 * is not scanned, as binary files are not.
 */
export function decodeBase64(value: string): { text: string; binary: boolean } | undefined {
  const compact = value.replace(/[\r\n]/g, "");
  if (!BASE64.test(compact)) return undefined;
  const bytes = Uint8Array.from(atob(compact), (c) => c.charCodeAt(0));
  return { text: new TextDecoder().decode(bytes), binary: bytes.includes(0) };
}

function decodeBase64Text(value: string): string | undefined {
  const decoded = decodeBase64(value);
  return decoded === undefined || decoded.binary ? undefined : decoded.text;
}

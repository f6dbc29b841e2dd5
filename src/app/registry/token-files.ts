import { dirname, resolve } from "node:path";
import { parseDocument, stringify } from "yaml";
import {
  readOptionalTextFileSync,
  readTextFileSync,
  writeFileAtomicSync,
} from "../../adapters/files/index.js";
import { toPublicKeys, toTokenSigner } from "../../adapters/registry-token/index.js";
import { CustomsError, type ErrorCode } from "../../core/errors.js";
import {
  type Account,
  parseAccounts,
  parseTokenServiceConfig,
  type TokenServiceConfig,
  toAccountsDocument,
} from "../../core/registry-token/index.js";
import { documentValue, YAML_OPTIONS } from "../documents/index.js";
import type { TokenKeys } from "./token.js";

function readText(path: string, code: ErrorCode): string {
  return readTextFileSync(path, { code });
}

/** One YAML document as plain data; syntax errors name file:line:column. */
export function readYamlFile(path: string, code: ErrorCode): unknown {
  return parseYamlText(readText(path, code), path, code);
}

function parseYamlText(text: string, path: string, code: ErrorCode): unknown {
  const doc = parseDocument(text, YAML_OPTIONS);
  const error = doc.errors[0];
  if (error !== undefined) {
    const before = text.slice(0, error.pos[0]).split("\n");
    const where = `${path}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
    throw new CustomsError(code, `${where}: ${error.message.split("\n")[0]}`);
  }
  const value = documentValue(doc);
  if (!value.ok) throw new CustomsError(code, `${path}: ${value.message}`);
  return value.value;
}

/** The configuration, with every file path made absolute against the configuration's folder. */
export function loadTokenConfig(path: string): TokenServiceConfig {
  const c = parseTokenServiceConfig(readYamlFile(path, "TOKEN_CONFIG_INVALID"), path);
  const at = (p: string) => resolve(dirname(path), p);
  return {
    ...c,
    tls: { certificate: at(c.tls.certificate), key: at(c.tls.key) },
    signing: { certificate: at(c.signing.certificate), key: at(c.signing.key) },
    trustedCertificates: c.trustedCertificates.map(at),
    accountsFile: at(c.accountsFile),
  };
}

/** The signer and the certificates whose refresh tokens are honoured. */
export function loadTokenKeys(c: TokenServiceConfig): TokenKeys {
  const cert = readText(c.signing.certificate, "TOKEN_KEY_INVALID");
  const signer = toTokenSigner(cert, readText(c.signing.key, "TOKEN_KEY_INVALID"));
  const trusted = c.trustedCertificates.map((p) => readText(p, "TOKEN_KEY_INVALID"));
  try {
    return { signer, verifiers: toPublicKeys([cert, ...trusted]) };
  } catch (e) {
    throw new CustomsError(
      "TOKEN_KEY_INVALID",
      `spec.trustedCertificates: ${(e as Error).message}`,
    );
  }
}

/** A missing accounts file is an empty one (`account add` creates it). */
export function loadAccounts(path: string, missingOk = false): Account[] {
  const code = "ACCOUNTS_INVALID";
  const text = missingOk ? readOptionalTextFileSync(path, { code }) : readText(path, code);
  if (text === undefined) return [];
  return parseAccounts(parseYamlText(text, path, code), path);
}

/**
 * Writes the file whole (writeFileAtomicSync), so a reloading server never reads half of it.
 * Owner-only: it holds the accounts' password hashes.
 */
export function saveAccounts(path: string, accounts: readonly Account[]): void {
  writeFileAtomicSync(path, stringify(toAccountsDocument(accounts)), { mode: 0o600 });
}

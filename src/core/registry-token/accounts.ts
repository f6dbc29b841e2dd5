import { TOKEN_API_VERSION } from "./config.js";
import { FieldReader, join } from "./fields.js";
import { readGrants } from "./grant-fields.js";
import { type CompiledGrant, compileGrants, type Grant } from "./grants.js";

/**
 * The accounts file (`customs registry account add|remove|list` edits it): users and robot
 * accounts, each with a bcrypt hash of its secret and its grants. No clear-text secret is
 * ever stored.
 */
export type AccountType = "user" | "robot";

export interface Account {
  readonly name: string;
  readonly type: AccountType;
  /** bcrypt (`$2a$`, `$2b$` or `$2y$`). */
  readonly secretHash: string;
  readonly grants: readonly Grant[];
}

export interface AccountDirectory {
  readonly accounts: ReadonlyMap<string, Account>;
  readonly grants: ReadonlyMap<string, readonly CompiledGrant[]>;
}

// Basic credentials split at the first colon, so a name cannot hold one; the rest keeps
// names readable in logs and Secrets.
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

export function isAccountName(name: string): boolean {
  return ACCOUNT_NAME.test(name);
}

export function isBcryptHash(hash: string): boolean {
  return BCRYPT.test(hash);
}

export function parseAccounts(doc: unknown, where: string): Account[] {
  const r = new FieldReader("ACCOUNTS_INVALID");
  const top = r.object("", doc, ["apiVersion", "kind", "accounts"]) ?? {};
  r.header("", top, "RegistryAccounts", TOKEN_API_VERSION);
  const accounts: Account[] = [];
  const seen = new Set<string>();
  r.list("accounts", top.accounts).forEach((item, i) => {
    const at = join("accounts", i);
    const a = r.object(at, item, ["name", "type", "secret", "grants"]);
    if (a === undefined) return;
    const name = r.string(join(at, "name"), a.name);
    if (name !== undefined && !isAccountName(name))
      r.fail(join(at, "name"), "letters, digits, '.', '_', '@' and '-' only (at most 128)");
    else if (name !== undefined && seen.has(name))
      r.fail(join(at, "name"), `"${name}" is given twice`);
    if (name !== undefined) seen.add(name);
    const type = a.type ?? "user";
    if (type !== "user" && type !== "robot") r.fail(join(at, "type"), "expected user or robot");
    const secretHash = r.string(join(at, "secret"), a.secret);
    // The message never repeats the value: it may be a clear-text secret pasted by mistake.
    if (secretHash !== undefined && !isBcryptHash(secretHash))
      r.fail(
        join(at, "secret"),
        "expected a bcrypt hash ($2y$...); `customs registry account add` writes one",
      );
    const grants = readGrants(r, join(at, "grants"), a.grants);
    accounts.push({
      name: name ?? "",
      type: type === "robot" ? "robot" : "user",
      secretHash: secretHash ?? "",
      grants,
    });
  });
  r.finish(where);
  return accounts;
}

export function toAccountDirectory(accounts: readonly Account[]): AccountDirectory {
  return {
    accounts: new Map(accounts.map((a) => [a.name, a])),
    grants: new Map(accounts.map((a) => [a.name, compileGrants(a.grants)])),
  };
}

/** The document `customs registry account` writes back. */
export function toAccountsDocument(accounts: readonly Account[]) {
  return {
    apiVersion: TOKEN_API_VERSION,
    kind: "RegistryAccounts",
    accounts: accounts.map((a) => ({
      name: a.name,
      type: a.type,
      secret: a.secretHash,
      grants: a.grants.map((g) => ({ repositories: [...g.repositories], actions: [...g.actions] })),
    })),
  };
}

/** `REPOS:ACTIONS` as given to `--grant`, e.g. `team/*:pull,push` (split at the last colon). */
export function parseGrantFlag(text: string): Grant {
  const r = new FieldReader("USAGE");
  const colon = text.lastIndexOf(":");
  const repos = colon < 0 ? "" : text.slice(0, colon);
  const actions = colon < 0 ? [] : text.slice(colon + 1).split(",");
  const grants = readGrants(r, "--grant", [{ repositories: repos.split(","), actions }]);
  r.finish(
    `--grant "${text}" (expected REPOSITORY_PATTERN[,...]:ACTION[,...], e.g. team/*:pull,push)`,
  );
  return grants[0] ?? { repositories: [], actions: [] };
}

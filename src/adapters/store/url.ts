import { CustomsError } from "../../core/errors.js";

/** Where the control plane's data lives, decided from `--database`. */
export type StoreLocation =
  | { readonly dialect: "sqlite"; readonly path: string }
  | { readonly dialect: "postgres"; readonly url: string };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * `sqlite:PATH` (also `sqlite://PATH`, `sqlite::memory:`), a plain path, or a
 * `postgres://`/`postgresql://` URL. A one-letter "scheme" is a Windows drive, so a path.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const text = url.trim();
  if (text === "") throw new CustomsError("STORE_URL_INVALID", "the database URL is empty");
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme.length === 1) return { dialect: "sqlite", path: text };
  if (scheme === "sqlite") {
    const rest = text.slice("sqlite:".length);
    const path = rest.startsWith("//") ? rest.slice(2) : rest;
    if (path === "") throw new CustomsError("STORE_URL_INVALID", "sqlite: needs a path");
    return { dialect: "sqlite", path };
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    try {
      new URL(text);
    } catch {
      throw new CustomsError("STORE_URL_INVALID", `not a valid URL: ${redactUrl(text)}`);
    }
    return { dialect: "postgres", url: text };
  }
  throw new CustomsError(
    "STORE_URL_INVALID",
    `unsupported database "${scheme}:" (use a path, sqlite:PATH or postgres://…)`,
  );
}

/** The URL with its password replaced, for logs and messages: passwords never reach a log. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, "***");
    }
    return parsed.toString();
  } catch {
    // Not a URL we can parse: hide anything between "://user:" and "@" by hand.
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
  }
}

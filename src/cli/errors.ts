import { isCustomsError } from "../core/errors.js";
import { printable } from "../core/policy/index.js";
import { EXIT_INPUT } from "./io.js";

/**
 * How the CLI reports errors: as text for people, or under `-o json` as one JSON object per
 * error on standard error (docs/cli.md, "Errors"), so a script reading JSON never has to parse
 * a sentence. Standard output stays the command's result alone.
 */
export type ErrorFormat = "human" | "json";

let errorFormat: ErrorFormat = "human";

export function setErrorFormat(format: ErrorFormat): void {
  errorFormat = format;
}

/**
 * Whether the command line asks for JSON (`-o json`, `-ojson`, `--output json`,
 * `--output=json`). Read from the words themselves, not from parsed options: an error can
 * come before or during option parsing.
 */
export function asksForJson(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") return false;
    if (word === "-ojson" || word === "--output=json") return true;
    if ((word === "-o" || word === "--output") && argv[i + 1] === "json") return true;
  }
  return false;
}

export interface ErrorJson {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly path?: string;
    readonly details?: unknown;
  };
}

/** Errors with a code of their own (CustomsError, and the registry client's) keep it. */
function codeOf(error: unknown): string | undefined {
  if (isCustomsError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && /^[A-Z][A-Z_]*$/.test(code)
    ? code
    : undefined;
}

/** The JSON form of an error; an error of no known kind is INTERNAL (a bug). */
export function toErrorJson(error: unknown, about?: string): ErrorJson {
  const code = codeOf(error) ?? "INTERNAL";
  const text = error instanceof Error ? error.message : String(error);
  const message = about === undefined ? text : `${printable(about)}: ${text}`;
  const path = isCustomsError(error) ? error.path : undefined;
  const details = isCustomsError(error) ? error.details : undefined;
  return {
    error: {
      code,
      message,
      ...(path === undefined ? {} : { path }),
      ...(details === undefined ? {} : { details }),
    },
  };
}

/**
 * Reports one error on standard error and sets exit status 2; `about` names what it concerns
 * (an image, a file). The text form keeps the messages of earlier releases: CustomsErrors
 * print their message, registry errors their code first, anything else is an internal error.
 */
export function reportError(error: unknown, about?: string): void {
  process.exitCode = EXIT_INPUT;
  if (errorFormat === "json") {
    process.stderr.write(`${JSON.stringify(toErrorJson(error, about))}\n`);
    return;
  }
  const prefix = about === undefined ? "customs: " : `customs: ${printable(about)}: `;
  // Registry errors keep their code in front, as scripts have matched on it; the check is by
  // name so that printing an error never loads the registry client.
  if (isCustomsError(error) && error.name !== "RegistryError") {
    process.stderr.write(`${prefix}${error.message}\n`);
    return;
  }
  const code = codeOf(error);
  if (code !== undefined) {
    process.stderr.write(`${prefix}${code}: ${(error as Error).message}\n`);
    return;
  }
  process.stderr.write(
    `${prefix}internal error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (process.env.CUSTOMS_DEBUG && error instanceof Error)
    process.stderr.write(`${error.stack ?? ""}\n`);
}

import { readFile, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { sendError } from "../http/index.js";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * The console's file for a URL path, or undefined. The decoded path is resolved inside the
 * console folder and anything that lands outside it (`..`, encoded slashes, NUL) is refused,
 * so no request can read another file of the machine.
 */
export async function findConsoleFile(
  root: string,
  urlPath: string,
): Promise<{ file: string; type: string } | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const base = resolve(root);
  const file = resolve(join(base, decoded));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  try {
    if (!(await stat(file)).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return { file, type: TYPES[extname(file).toLowerCase()] ?? "application/octet-stream" };
}

/**
 * Serves the console: its files, and `index.html` for any other GET path (the console routes
 * in the browser). Hashed assets are cached for a year, the rest revalidated.
 */
export async function serveConsole(
  root: string,
  urlPath: string,
  res: ServerResponse,
  head: boolean,
): Promise<void> {
  const found =
    (await findConsoleFile(root, urlPath)) ?? (await findConsoleFile(root, "/index.html"));
  if (found === undefined) {
    sendError(res, 404, "NOT_FOUND", "the console is not built (npm run build:console)");
    return;
  }
  const body = await readFile(found.file);
  const immutable = found.file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    "content-type": found.type,
    "content-length": body.length,
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  res.end(head ? undefined : body);
}

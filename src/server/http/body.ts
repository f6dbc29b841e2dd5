import { isAscii } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { CustomsError, type ServerErrorCode } from "../../core/errors.js";

/** The status and wire code of each refusal a listener makes before any handler decides. */
const WIRE: Record<ServerErrorCode, readonly [number, string]> = {
  BODY_TOO_LARGE: [413, "BODY_TOO_LARGE"],
  BODY_UNREADABLE: [400, "BAD_REQUEST"],
};

/** Is `e` a refusal of readBody's (too large, unreadable)? */
export function isBodyError(e: unknown): e is CustomsError & { readonly code: ServerErrorCode } {
  return e instanceof CustomsError && Object.hasOwn(WIRE, e.code);
}

/** HTTP status and wire code of a body refusal. */
export function toBodyWireError(code: ServerErrorCode): { status: number; code: string } {
  const [status, wire] = WIRE[code];
  return { status, code: wire };
}

function tooLarge(limit: number): CustomsError {
  return new CustomsError("BODY_TOO_LARGE", `the body is larger than ${limit} bytes`);
}

/**
 * Reads a request body up to `limit` bytes. A larger body is refused as soon as it crosses the
 * limit (its Content-Length is checked first), so a client cannot make the process buffer it.
 * Throws CustomsError BODY_TOO_LARGE (413) or BODY_UNREADABLE (400, the client went away).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => readBodyThen(req, limit, resolve, reject));
}

/**
 * readBody with callbacks, for a hot path that answers without a promise per request. Exactly
 * one of `done` and `fail` is called, once. The chunks are joined once, at the end, into a
 * buffer of the size already counted.
 */
export function readBodyThen(
  req: IncomingMessage,
  limit: number,
  done: (text: string) => void,
  fail: (e: CustomsError) => void,
): void {
  let settled = false;
  const refuse = (e: CustomsError) => {
    if (settled) return;
    settled = true;
    fail(e);
  };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    refuse(tooLarge(limit));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.removeAllListeners("data");
      req.resume();
      refuse(tooLarge(limit));
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (settled) return;
    settled = true;
    const [only] = chunks;
    done(textOf(chunks.length === 1 && only !== undefined ? only : Buffer.concat(chunks, size)));
  });
  // A client that goes away mid-body destroys the request with an error ("aborted",
  // ECONNRESET), which Node emits to a request that listens for errors; no 'aborted' listener.
  req.on("error", (e: Error) =>
    refuse(new CustomsError("BODY_UNREADABLE", `the body could not be read: ${e.message}`)),
  );
}

/**
 * A body as UTF-8 text. JSON from the API server is nearly always ASCII, whose UTF-8 and
 * Latin-1 decodings are the same string: Latin-1 is a copy, UTF-8 a decoder (a tenth of a
 * webhook's request in the profile), and checking for ASCII first costs little.
 */
function textOf(body: Buffer): string {
  return isAscii(body) ? body.toString("latin1") : body.toString("utf8");
}

import { StringDecoder } from "node:string_decoder";
import type { HttpError } from "./errors.js";

type Body = AsyncIterable<Buffer> & {
  destroy(error?: Error): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
};

/**
 * Stops a body nobody will read and frees its connection. Destroying it emits undici's
 * "Request aborted", which nobody waits for: without a listener it would be uncaught.
 */
export function discard(body: Body): void {
  body.on("error", () => undefined);
  body.destroy();
}

/**
 * The whole body, refused (and the connection dropped) at the first piece that takes it
 * over `max`: a hostile server cannot make us hold more than `max` bytes.
 */
export async function readCapped(body: Body, max: number, tooLarge: () => HttpError) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      discard(body);
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

export async function* readChunks(body: Body, fail: (error: unknown) => HttpError) {
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (error) {
    throw fail(error);
  }
}

/**
 * Newline-delimited text (a Kubernetes watch: one JSON event per line). A line longer than
 * `max` bytes ends the stream: without a bound, a server that never sends a newline would
 * grow one string without end.
 */
export async function* readLines(
  body: Body,
  max: number,
  fail: (error: unknown) => HttpError,
  tooLarge: () => HttpError,
): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  try {
    for await (const chunk of body) {
      pending += decoder.write(chunk as Buffer);
      let end = pending.indexOf("\n");
      while (end !== -1) {
        yield stripCr(pending.slice(0, end));
        pending = pending.slice(end + 1);
        end = pending.indexOf("\n");
      }
      // Characters, not bytes: a UTF-8 character is at most 4 bytes, close enough for a bound.
      if (pending.length > max) {
        discard(body);
        throw tooLarge();
      }
    }
  } catch (error) {
    throw fail(error);
  }
  pending += decoder.end();
  if (pending !== "") yield stripCr(pending);
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

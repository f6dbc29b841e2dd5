/**
 * readBodyThen: the text it gives is the body's UTF-8 decoding whatever the chunks and
 * characters (the ASCII fast path included), and a client that goes away mid-body is a
 * BODY_UNREADABLE refusal.
 */
import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CustomsError } from "../src/core/errors.js";
import { readBodyThen, startListener } from "../src/server/http/index.js";

/** A request whose body arrives in the given chunks. */
function requestOf(chunks: readonly Buffer[]): IncomingMessage {
  return Object.assign(Readable.from(chunks), { headers: {} }) as unknown as IncomingMessage;
}

function read(chunks: readonly Buffer[], limit: number): Promise<string> {
  return new Promise((resolve, reject) => readBodyThen(requestOf(chunks), limit, resolve, reject));
}

/** A buffer cut at the given offsets (anywhere, a UTF-8 sequence's middle included). */
function cut(bytes: Buffer, at: readonly number[]): Buffer[] {
  const points = [...new Set(at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

describe("readBodyThen", () => {
  it("gives the UTF-8 text of any body, ASCII or not, in any chunks", async () => {
    const texts = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string(),
      fc.json(),
      fc.constantFrom('{"a":"é"}', "\u007f\u0080", "plain ascii", ""),
    );
    await fc.assert(
      fc.asyncProperty(texts, fc.array(fc.nat(), { maxLength: 6 }), async (text, at) => {
        const bytes = Buffer.from(text, "utf8");
        expect(await read(cut(bytes, at), 1 << 20)).toBe(bytes.toString("utf8"));
      }),
    );
  });

  it("refuses a body over the limit", async () => {
    await expect(read([Buffer.from("x".repeat(20))], 16)).rejects.toMatchObject({
      code: "BODY_TOO_LARGE",
    });
  });

  it("refuses with BODY_UNREADABLE when the client goes away mid-body", async () => {
    let refused: (e: CustomsError) => void = () => {};
    const refusal = new Promise<CustomsError>((resolve) => {
      refused = resolve;
    });
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const listener = await startListener({
      host: "127.0.0.1",
      port: 0,
      tls: undefined,
      requestTimeoutMs: 10_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      handler: (req) => {
        readBodyThen(
          req,
          1 << 20,
          () => refused(new Error("the body was read whole") as CustomsError),
          (e) => refused(e),
        );
        arrived();
      },
    });
    try {
      const socket = connect(listener.port, "127.0.0.1", () => {
        socket.write("POST /validate HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789");
      });
      socket.on("error", () => {});
      // The client goes away once the handler reads the body, 10 bytes of the 100 announced.
      await arrival;
      socket.destroy();
      const e = await refusal;
      expect(e.code).toBe("BODY_UNREADABLE");
    } finally {
      await listener.drain(0);
    }
  });
});

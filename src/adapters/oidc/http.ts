import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
import { CustomsError } from "../../core/errors.js";

/** How the provider is spoken to: its CAs (besides Node's roots), a deadline and a size cap. */
export interface ProviderTransport {
  readonly ca?: string;
  readonly timeoutMs?: number;
}

const MAX_BYTES = 1024 * 1024;

function failed(message: string): CustomsError {
  return new CustomsError("OIDC_PROVIDER_FAILED", message);
}

/**
 * One request to the provider, answered JSON. No redirects are followed (discovery, keys and
 * tokens are answered where they are asked). TLS is always verified; plain http only for a
 * loopback provider (the configuration allows no other).
 */
export async function requestJson(
  transport: ProviderTransport,
  url: string,
  options: {
    method?: "GET" | "POST";
    form?: URLSearchParams;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: unknown }> {
  const target = new URL(url);
  const body = options.form?.toString();
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (body !== undefined) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  const where = `${options.method ?? "GET"} ${target.origin}${target.pathname}`;
  let status = 0;
  const text = await new Promise<string>((resolve, reject) => {
    const common = {
      method: options.method ?? "GET",
      headers,
      timeout: transport.timeoutMs ?? 10_000,
    };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) {
          req.destroy(failed(`${where}: the answer is over ${MAX_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on("end", () => {
        status = res.statusCode ?? 0;
        resolve(Buffer.concat(chunks).toString("utf8"));
      });
      res.on("error", reject);
    };
    const req =
      target.protocol === "https:"
        ? https.request(
            target,
            {
              ...common,
              ca: transport.ca === undefined ? undefined : [...rootCertificates, transport.ca],
            },
            onResponse,
          )
        : http.request(target, common, onResponse);
    req.on("timeout", () => req.destroy(failed(`${where}: no answer in time`)));
    req.on("error", (e) =>
      reject(e instanceof CustomsError ? e : failed(`${where}: ${(e as Error).message}`)),
    );
    req.end(body);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw failed(`${where}: the answer (${status}) is not JSON`);
  }
  return { status, body: parsed };
}

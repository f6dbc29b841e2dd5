import { CustomsError } from "../../core/errors.js";
import { HttpClient, isHttpError } from "../http/index.js";

/** How the provider is spoken to: its CAs (besides Node's roots), a deadline and a size cap. */
export interface ProviderTransport {
  readonly ca?: string;
  readonly timeoutMs?: number;
}

const MAX_BYTES = 1024 * 1024;

function failed(message: string, cause?: unknown): CustomsError {
  return new CustomsError(
    "OIDC_PROVIDER_FAILED",
    message,
    undefined,
    cause === undefined ? {} : { cause },
  );
}

/**
 * One HTTP client per transport: its pool of connections to the provider is kept across
 * sign-ins, and the client goes with the transport (a provider reconfigured gets a new one).
 */
const clients = new WeakMap<ProviderTransport, HttpClient>();

function clientFor(transport: ProviderTransport): HttpClient {
  let client = clients.get(transport);
  if (client === undefined) {
    // Plain http is possible only for a loopback provider: the configuration allows no other.
    client = new HttpClient({
      allowPlainHttp: true,
      ...(transport.ca === undefined ? {} : { ca: transport.ca }),
    });
    clients.set(transport, client);
  }
  return client;
}

/**
 * One request to the provider, answered JSON. No redirects are followed (discovery, keys and
 * tokens are answered where they are asked). TLS is always verified.
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
  if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  const method = options.method ?? "GET";
  const where = `${method} ${target.origin}${target.pathname}`;
  let res: Awaited<ReturnType<HttpClient["request"]>>;
  try {
    res = await clientFor(transport).request({
      method,
      url: target,
      headers,
      ...(body === undefined ? {} : { body }),
      maxBytes: MAX_BYTES,
      timeoutMs: transport.timeoutMs ?? 10_000,
    });
  } catch (error) {
    if (isHttpError(error)) {
      const why =
        error.code === "RESPONSE_TOO_LARGE"
          ? `the answer is over ${MAX_BYTES} bytes`
          : error.code === "HTTP_TIMEOUT"
            ? "no answer in time"
            : error.message;
      throw failed(`${where}: ${why}`, error);
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body.toString("utf8"));
  } catch {
    throw failed(`${where}: the answer (${res.status}) is not JSON`);
  }
  return { status: res.status, body: parsed };
}

import { request } from "node:https";

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTPS request trusting `ca`; the body as text. */
export function https(
  url: string,
  ca: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.headers, ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
export function bearerParams(header: string | string[] | undefined): Record<string, string> {
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  return Object.fromEntries([...text.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/**
 * What docker does for one request: try it, read the Bearer challenge, ask the realm for a
 * token for the challenge's scope with Basic credentials, retry with the token.
 */
export async function dockerStyle(
  url: string,
  ca: string,
  credentials: { name: string; secret: string } | undefined,
  method = "GET",
): Promise<{ first: Answer; token?: Answer; final: Answer }> {
  const first = await https(url, ca, { method });
  if (first.status !== 401) return { first, final: first };
  const p = bearerParams(first.headers["www-authenticate"]);
  const realm = new URL(p.realm ?? "");
  realm.searchParams.set("service", p.service ?? "");
  if (p.scope) realm.searchParams.set("scope", p.scope);
  const headers: Record<string, string> = credentials
    ? {
        authorization: `Basic ${Buffer.from(`${credentials.name}:${credentials.secret}`).toString("base64")}`,
      }
    : {};
  const token = await https(realm.toString(), ca, { headers });
  if (token.status !== 200) return { first, token, final: token };
  const bearer = (JSON.parse(token.body) as { token: string }).token;
  const final = await https(url, ca, { method, headers: { authorization: `Bearer ${bearer}` } });
  return { first, token, final };
}

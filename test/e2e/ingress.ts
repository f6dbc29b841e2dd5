/**
 * The e2e node has no ingress controller, and the registry bundle (`customs registry manifests`)
 * is reached through an Ingress: the registry on `/`, the token service on `/token`, one host,
 * one certificate. This is the smallest controller that honours such an Ingress as ingress-nginx
 * does: it reads the Ingress and its TLS Secret from the cluster, terminates TLS with that
 * certificate on the node address, and forwards each request by host and path (Exact before
 * Prefix, longest prefix first) to the backend Service's cluster IP, over HTTPS when the
 * `nginx.ingress.kubernetes.io/backend-protocol: HTTPS` annotation says so. Bodies stream both
 * ways (image layers are large). It is test infrastructure, not part of Customs.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, request as httpsRequest } from "node:https";
import type { Cluster } from "./cluster.js";

interface Route {
  readonly host: string;
  readonly path: string;
  readonly exact: boolean;
  readonly target: string; // https://IP:PORT or http://IP:PORT
}

export interface RunningIngress {
  readonly address: string;
  stop(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field.
type Obj = any;

async function getJson(cluster: Cluster, args: string[]): Promise<Obj> {
  const r = await cluster.kubectl(["get", ...args, "-o", "json"]);
  if (r.code !== 0) throw new Error(`kubectl get ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Serves the Ingress `namespace/name` on `address:port` (the node address, inside the test namespace). */
export async function startIngress(
  cluster: Cluster,
  namespace: string,
  name: string,
  address: string,
  port = 443,
): Promise<RunningIngress> {
  const ingress = await getJson(cluster, ["-n", namespace, "ingress", name]);
  const https =
    ingress.metadata?.annotations?.["nginx.ingress.kubernetes.io/backend-protocol"] === "HTTPS";
  const routes: Route[] = [];
  for (const rule of ingress.spec.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      const svc = await getJson(cluster, ["-n", namespace, "service", p.backend.service.name]);
      const wanted = p.backend.service.port;
      const servicePort = (svc.spec.ports as Obj[]).find((sp) =>
        wanted.name !== undefined ? sp.name === wanted.name : sp.port === wanted.number,
      );
      if (servicePort === undefined)
        throw new Error(
          `ingress: service ${svc.metadata.name} has no port ${JSON.stringify(wanted)}`,
        );
      routes.push({
        host: rule.host ?? "",
        path: p.path,
        exact: p.pathType === "Exact",
        target: `${https ? "https" : "http"}://${svc.spec.clusterIP}:${servicePort.port}`,
      });
    }
  }
  // Exact matches win, then the longest prefix (the Ingress API's precedence).
  routes.sort((a, b) => Number(b.exact) - Number(a.exact) || b.path.length - a.path.length);
  const tlsSecret = ingress.spec.tls?.[0]?.secretName;
  if (tlsSecret === undefined) throw new Error("ingress: no TLS section");
  const secret = await getJson(cluster, ["-n", namespace, "secret", tlsSecret]);
  const cert = Buffer.from(secret.data["tls.crt"], "base64");
  const key = Buffer.from(secret.data["tls.key"], "base64");

  const match = (host: string, path: string): Route | undefined =>
    routes.find(
      (r) =>
        (r.host === "" || r.host === host) &&
        (r.exact
          ? path === r.path
          : r.path === "/" || path === r.path || path.startsWith(`${r.path.replace(/\/$/, "")}/`)),
    );

  const server = createServer({ cert, key }, (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    const url = new URL(req.url ?? "/", "https://ingress");
    const route = match(host, url.pathname);
    if (route === undefined) {
      res.writeHead(404).end("no ingress rule\n");
      return;
    }
    const target = new URL(`${url.pathname}${url.search}`, route.target);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const upstream = send(
      target,
      {
        method: req.method,
        headers: {
          ...req.headers,
          "x-forwarded-proto": "https",
          "x-forwarded-host": req.headers.host,
        },
        // ingress-nginx does not verify HTTPS backends unless told to.
        rejectUnauthorized: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`upstream: ${error.message}\n`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });
  return {
    address: `${address}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

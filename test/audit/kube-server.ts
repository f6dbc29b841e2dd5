/**
 * The in-memory API server (fake-kube.ts) over HTTPS, for code that takes a KubeConnection
 * (the agent): lists, gets, watches as JSON lines, and the writes FakeKube accepts, answered
 * with the status FakeKube's KubeError carries.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { type KubeConnection, KubeError } from "../../src/adapters/kube/index.js";
import type { TestPki } from "../support/tls.js";
import type { FakeKube } from "./fake-kube.js";

const ONE_OBJECT = [
  /^\/apis\/wgpolicyk8s\.io\/v1alpha2\/namespaces\/[^/]+\/policyreports\/[^/]+$/,
  /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/[^/]+\/leases\/[^/]+$/,
  /^\/api\/v1\/namespaces\/[^/]+$/,
  /^\/version$/,
];

export interface KubeServer {
  readonly connection: KubeConnection;
  close(): Promise<void>;
}

export async function serveFakeKube(kube: FakeKube, pki: TestPki): Promise<KubeServer> {
  const server: Server = createServer(
    { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        const path = url.pathname;
        const answer = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        const failed = (e: unknown) =>
          answer(e instanceof KubeError && e.status > 0 ? e.status : 500, {
            kind: "Status",
            message: e instanceof Error ? e.message : String(e),
          });
        if (req.method === "GET" && url.searchParams.has("watch")) {
          const controller = new AbortController();
          res.on("close", () => controller.abort());
          res.writeHead(200, { "content-type": "application/json" });
          void kube.watch(
            path,
            url.searchParams.get("resourceVersion") ?? "",
            (e) => res.write(`${JSON.stringify(e)}\n`),
            controller.signal,
          );
          return;
        }
        if (req.method === "GET") {
          if (ONE_OBJECT.some((r) => r.test(path))) {
            kube
              .get(path)
              .then(
                (o) => (o === undefined ? answer(404, { kind: "Status" }) : answer(200, o)),
                failed,
              );
            return;
          }
          kube
            .list(`${path}${url.search}`)
            .then(
              (l) =>
                answer(200, { items: l.items, metadata: { resourceVersion: l.resourceVersion } }),
              failed,
            );
          return;
        }
        const body =
          chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString("utf8"));
        kube
          .send(req.method as "POST" | "PUT" | "DELETE", path, body)
          .then((o) => answer(req.method === "POST" ? 201 : 200, o), failed);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connection: {
      server: `https://127.0.0.1:${port}`,
      ca: pki.caPem,
      token: "test",
      cert: undefined,
      key: undefined,
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

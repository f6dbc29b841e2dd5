/**
 * A STAND-IN FOR HARBOR (Harbor itself cannot run here): a small HTTPS server on 127.0.0.1
 * that answers the two API v2.0 endpoints Customs reads, with bodies written from Harbor's
 * documented schema (api/v2.0/swagger.yaml: Artifact.scan_overview, NativeReportSummary;
 * the `vulnerabilities` addition), basic auth and the router's single path decoding.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { type TestPki, testPki } from "../support/tls.js";
import { fixture } from "./fixture.js";

export const USER = "robot$shop+ci";
export const PASSWORD = "s3cret-robot-token";
export const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const REPORT_TYPE = "application/vnd.security.vulnerability.report; version=1.1";

export interface SeenRequest {
  readonly url: string;
  readonly authorization: string | undefined;
  readonly acceptVulnerabilities: string | undefined;
}

interface StoredArtifact {
  readonly status?: string;
  readonly report?: string;
}

/** project/repository@digest → what Harbor holds. */
const ARTIFACTS: Record<string, StoredArtifact> = {
  [`shop/team/api@${D(1)}`]: { status: "Success", report: fixture("harbor-additions.json") },
  [`shop/web@${D(2)}`]: { status: "Running" },
  [`shop/new@${D(3)}`]: {},
  [`shop/gone@${D(4)}`]: { status: "Success" },
  [`shop/garbage@${D(5)}`]: {
    status: "Success",
    report:
      '{"application/vnd.security.vulnerability.report; version=1.1": {"vulnerabilities": 7}}',
  },
  [`shop/empty@${D(6)}`]: { status: "Success", report: "{}" },
};

export interface HarborStandIn {
  readonly url: string;
  readonly port: number;
  readonly pki: TestPki;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

function overview(status: string | undefined) {
  if (status === undefined) return {};
  return {
    scan_overview: {
      [REPORT_TYPE]: {
        report_id: "5f1b7c8e-4a7d-4c8e-9a62-0f3c0b1d2e3f",
        scan_status: status,
        severity: "Critical",
        duration: 12,
        summary: { total: 4, fixable: 2, summary: { Critical: 1, Medium: 1, Low: 1, None: 1 } },
        start_time: "2026-11-20T09:39:50.000Z",
        end_time: "2026-11-20T09:40:02.000Z",
        complete_percent: status === "Success" ? 100 : 40,
        scanner: { name: "Trivy", vendor: "Aqua Security", version: "v0.50.1" },
      },
    },
  };
}

const errors = (code: string, message: string) => JSON.stringify({ errors: [{ code, message }] });

export async function startHarborStandIn(): Promise<HarborStandIn> {
  const pki = await testPki();
  const seen: SeenRequest[] = [];
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
  const server: Server = createServer(
    { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) },
    (req, res) => {
      const raw = req.url ?? "";
      seen.push({
        url: raw,
        authorization: req.headers.authorization,
        acceptVulnerabilities: req.headers["x-accept-vulnerabilities"] as string | undefined,
      });
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(body);
      };
      if (req.headers.authorization !== expected)
        return send(401, errors("UNAUTHORIZED", "unauthorized"), {
          "www-authenticate": 'Basic realm="harbor"',
        });
      // Harbor's router decodes the path once, then splits it on slashes.
      const [pathname = "", query = ""] = raw.split("?");
      const parts = decodeURIComponent(pathname).split("/");
      // ["", "api", "v2.0", "projects", P, "repositories", R, "artifacts", D, ...rest]
      const [
        ,
        api,
        version,
        projects,
        project,
        repositories,
        repo = "",
        artifacts,
        digest,
        ...rest
      ] = parts;
      const routed =
        api === "api" &&
        version === "v2.0" &&
        projects === "projects" &&
        repositories === "repositories" &&
        artifacts === "artifacts";
      const addition = rest.join("/");
      if (!routed || (addition !== "" && addition !== "additions/vulnerabilities"))
        return send(404, errors("NOT_FOUND", "no route"));
      const repository = decodeURIComponent(repo);
      if (project === "secret") return send(403, errors("FORBIDDEN", "forbidden"));
      if (repository === "slow") return; // never answers
      if (repository === "busy")
        return send(429, errors("TOO_MANY_REQUESTS", "slow down"), { "retry-after": "30" });
      if (repository === "broken") return send(500, errors("UNKNOWN", "internal error"));
      const stored = ARTIFACTS[`${project}/${repository}@${digest}`];
      if (stored === undefined)
        return send(404, errors("NOT_FOUND", `artifact ${digest} not found`));
      if (addition === "") {
        if (!query.includes("with_scan_overview=true"))
          return send(200, JSON.stringify({ digest }));
        return send(
          200,
          JSON.stringify({ id: 7, digest, type: "IMAGE", ...overview(stored.status) }),
        );
      }
      if (stored.report === undefined) return send(404, errors("NOT_FOUND", "report not found"));
      return send(200, stored.report);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    pki,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          pki.cleanup();
          resolve();
        });
      }),
  };
}

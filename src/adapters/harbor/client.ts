/**
 * Reads an image's vulnerability report from Harbor's API v2.0
 * (https://github.com/goharbor/harbor/blob/main/api/v2.0/swagger.yaml): the artifact with its
 * scan overview, then the report itself from the artifact's `vulnerabilities` addition.
 */
import { CustomsError, isCustomsError } from "../../core/errors.js";
import type { VulnerabilityReport } from "../../core/supply/facts.js";
import { HARBOR_REPORT_TYPES, parseHarborReport } from "../../core/vuln/index.js";
import type { HttpClient } from "../http/index.js";
import { checkStatus, createClient, get, type HarborRequest, where } from "./http.js";
import { type HarborScanOverview, toScanOverview } from "./overview.js";

export interface HarborOptions {
  /** Harbor's base URL, e.g. https://harbor.example.com. */
  readonly url: string;
  /** A user or robot account (`robot$project+name`); basic auth. */
  readonly username?: string;
  readonly password?: string;
  /** PEM CA certificates trusted in addition to Node's roots. */
  readonly ca?: readonly string[];
  /** Per request, for the whole answer. Default 10 s. */
  readonly timeoutMs?: number;
  /** Plain HTTP, for a Harbor without TLS on a trusted network only. */
  readonly allowPlainHttp?: boolean;
}

/** Where an image is in Harbor: `harbor.example.com/<project>/<repository>@<digest>`. */
export interface HarborArtifact {
  readonly project: string;
  /** May hold slashes (`team/api`). */
  readonly repository: string;
  readonly digest: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Artifacts are small; a report of a large image is tens of MiB at most. */
const MAX_ARTIFACT_BYTES = 4 * 1024 * 1024;
const MAX_REPORT_BYTES = 128 * 1024 * 1024;
const ACCEPT = HARBOR_REPORT_TYPES.join(", ");

export class HarborClient {
  private readonly base: URL;
  private readonly http: HttpClient;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;

  constructor(options: HarborOptions) {
    this.base = parseBaseUrl(options);
    this.http = createClient(options.ca);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.username !== undefined) {
      const pair = `${options.username}:${options.password ?? ""}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
    }
    this.headers = headers;
  }

  /** The scan overview, or undefined when the artifact was never scanned. */
  async fetchScanOverview(artifact: HarborArtifact): Promise<HarborScanOverview | undefined> {
    const req = this.request(
      `${artifactPath(artifact)}?with_scan_overview=true`,
      MAX_ARTIFACT_BYTES,
    );
    const res = await get(req, this.http);
    checkStatus(res, req, `no artifact ${describe(artifact)}`);
    return toScanOverview(parseBody(res.body, req), where(req.url));
  }

  /** The newest finished scan's report; HARBOR_NO_REPORT when there is none (yet). */
  async fetchVulnerabilityReport(artifact: HarborArtifact): Promise<VulnerabilityReport> {
    const overview = await this.fetchScanOverview(artifact);
    if (overview === undefined) throw noReport(artifact, "was never scanned");
    // Only a finished scan has a complete report; a running one would read as "clean".
    if (overview.status !== "Success")
      throw noReport(artifact, `scan status is ${overview.status}`);
    const req = this.request(
      `${artifactPath(artifact)}/additions/vulnerabilities`,
      MAX_REPORT_BYTES,
    );
    const res = await get(req, this.http);
    checkStatus(res, req, `no vulnerability report for ${describe(artifact)}`);
    const body = parseBody(res.body, req);
    if (typeof body === "object" && body !== null && Object.keys(body).length === 0)
      throw noReport(artifact, "has an empty report");
    try {
      return parseHarborReport(body, `Harbor ${where(req.url)}`);
    } catch (e) {
      if (isCustomsError(e)) throw new CustomsError("HARBOR_ERROR", e.message, e.path);
      throw e;
    }
  }

  /** Frees keep-alive sockets, so that a CLI process can exit. */
  close(): void {
    this.http.close();
  }

  private request(path: string, maxBytes: number): HarborRequest {
    const url = new URL(`${this.base.pathname.replace(/\/$/, "")}${path}`, this.base);
    return {
      url,
      headers: { ...this.headers, "x-accept-vulnerabilities": ACCEPT },
      timeoutMs: this.timeoutMs,
      maxBytes,
    };
  }
}

/**
 * Harbor's router decodes the path once before matching, so a repository's slashes must be
 * encoded twice (`team/api` → `team%252Fapi`); the API documentation says so.
 */
export function artifactPath(a: HarborArtifact): string {
  if (!NAME.test(a.project)) throw usage(`Harbor project "${a.project}" is not a valid name`);
  const parts = a.repository.split("/");
  if (a.repository.length > 255 || !parts.every((p) => NAME.test(p)))
    throw usage(`Harbor repository "${a.repository}" is not a valid name`);
  if (!DIGEST.test(a.digest)) throw usage(`"${a.digest}" is not a sha256 digest`);
  const repository = encodeURIComponent(encodeURIComponent(a.repository));
  return `/api/v2.0/projects/${a.project}/repositories/${repository}/artifacts/${a.digest}`;
}

/** `harbor.example.com/shop/team/api@sha256:…` → project `shop`, repository `team/api`. */
export function toHarborArtifact(path: string, digest: string): HarborArtifact {
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1)
    throw usage(`"${path}" has no project: Harbor images are <host>/<project>/<repository>`);
  return { project: path.slice(0, slash), repository: path.slice(slash + 1), digest };
}

function parseBaseUrl(options: HarborOptions): URL {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw usage(`Harbor URL "${options.url}" is not a URL`);
  }
  if (url.username || url.password)
    throw usage("put Harbor credentials in options, not in the URL");
  if (url.protocol === "https:" || (url.protocol === "http:" && options.allowPlainHttp)) return url;
  throw usage(`Harbor URL must be https:// (got ${url.protocol})`);
}

function parseBody(body: Buffer, req: HarborRequest): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new CustomsError("HARBOR_ERROR", `Harbor ${where(req.url)}: answer is not JSON`);
  }
}

function describe(a: HarborArtifact): string {
  return `${a.project}/${a.repository}@${a.digest}`;
}

function noReport(a: HarborArtifact, why: string): CustomsError {
  return new CustomsError("HARBOR_NO_REPORT", `Harbor: ${describe(a)} ${why}`);
}

function usage(message: string): CustomsError {
  return new CustomsError("USAGE", message);
}

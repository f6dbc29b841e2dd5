/**
 * The sign-in of the control plane with a real Dex, as a browser does it but without one:
 * follow the redirects, fill Dex's login form, come back with the cookies. Shared by the
 * API-level suites (test/sso/*.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OidcProvider } from "../../src/adapters/oidc/index.js";
import { openStore } from "../../src/adapters/store/index.js";
import { bootstrap } from "../../src/app/fleet/bootstrap.js";
import type { FleetStore } from "../../src/core/fleet/store.js";
import { parseOidcConfig } from "../../src/core/oidc/config.js";
import {
  type ControlPlaneServer,
  startControlPlane,
} from "../../src/server/control-plane/server.js";
import { type DexServer, type DexUser, freePort, startDex } from "../support/dex.js";
import { type TestPki, testPki } from "../support/tls.js";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  json(): any;
}

export function call(
  ca: string,
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: o.method ?? "GET", headers: o.headers ?? {}, ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(o.body);
  });
}

/** name=value of each Set-Cookie of an answer (attributes dropped; Max-Age=0 as ""). */
export function cookiesOf(a: Answer): Record<string, string> {
  const set = a.headers["set-cookie"];
  const out: Record<string, string> = {};
  for (const line of Array.isArray(set) ? set : set === undefined ? [] : [set]) {
    const [pair] = line.split(";");
    const eq = (pair ?? "").indexOf("=");
    out[(pair ?? "").slice(0, eq)] = /Max-Age=0\b/.test(line) ? "" : (pair ?? "").slice(eq + 1);
  }
  return out;
}

export const USERS: readonly DexUser[] = [
  {
    email: "alice@example.com",
    username: "alice",
    password: "alice-pw-1",
    groups: ["team-a-admins"],
  },
  {
    email: "bob@example.com",
    username: "bob",
    password: "bob-pw-2",
    groups: ["team-b-admins", "staff"],
  },
  {
    email: "carol@example.com",
    username: "carol",
    password: "carol-pw-3",
    groups: ["contractors"],
  },
];

export const MAPPINGS = [
  { group: "team-a-admins", role: "workspace-admin", workspaces: ["team-a"] },
  { group: "team-b-admins", role: "workspace-admin", workspaces: ["team-b"] },
  { group: "staff", role: "viewer", workspaces: ["team-b"] },
];

export interface SsoWorld {
  readonly pki: TestPki;
  readonly dex: DexServer;
  readonly server: ControlPlaneServer;
  readonly store: FleetStore;
  readonly admin: string;
  readonly url: string;
  /** Moves the control plane's clock (sessions' idle and absolute ends). */
  advance(ms: number): void;
  /** Signs in through Dex with a password; the cookies the control plane set. */
  signIn(email: string, password: string, returnTo?: string): Promise<SignInResult>;
  close(): Promise<void>;
}

export interface SignInResult {
  /** The control plane's final answer (302 to the console). */
  readonly answer: Answer;
  readonly session: string | undefined;
  /** The callback URL Dex sent the browser to (for replays). */
  readonly callback: string;
  readonly signInCookie: string;
}

/** Dex's login form: its action (HTML-escaped in the page). */
function formAction(html: string, base: string): string {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no login form in Dex's page:\n${html.slice(0, 500)}`);
  return new URL(action.replace(/&amp;/g, "&"), base).toString();
}

export async function startSsoWorld(
  options: { idleTimeout?: string; absoluteTimeout?: string } = {},
): Promise<SsoWorld> {
  const pki = await testPki();
  const dir = mkdtempSync(join(tmpdir(), "customs-sso-"));
  const store = await openStore(`sqlite:${join(dir, "cp.db")}`);
  const admin = (await bootstrap(store)) ?? "";
  const dexPort = await freePort();
  const issuer = `https://127.0.0.1:${dexPort}/dex`;
  writeFileSync(join(dir, "client-secret"), "s3cret-of-the-customs-client\n");
  const config = parseOidcConfig({
    issuer,
    clientID: "customs",
    clientSecretFile: join(dir, "client-secret"),
    scopes: ["openid", "email", "profile", "groups"],
    usernameClaim: "email",
    mappings: MAPPINGS,
    ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
    ...(options.absoluteTimeout === undefined ? {} : { absoluteTimeout: options.absoluteTimeout }),
  });
  const cpPort = await freePort();
  const url = `https://127.0.0.1:${cpPort}`;
  const provider = new OidcProvider(
    {
      issuer,
      clientId: "customs",
      clientSecret: readFileSync(join(dir, "client-secret"), "utf8").trim(),
      tokenAuthMethod: config.tokenAuthMethod,
      redirectUrl: `${url}/api/v1/auth/oidc/callback`,
      scopes: config.scopes,
    },
    { transport: { ca: pki.caPem } },
  );
  let offset = 0;
  const server = await startControlPlane({
    store,
    host: "127.0.0.1",
    port: cpPort,
    tls: { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) },
    now: () => new Date(Date.now() + offset),
    oidc: { config, provider },
    consoleDir: join(import.meta.dirname, "../../dist/console"),
  });
  const dex = await startDex({
    certFile: pki.certFile,
    keyFile: pki.keyFile,
    caPem: pki.caPem,
    port: dexPort,
    users: USERS,
    client: {
      id: "customs",
      secret: "s3cret-of-the-customs-client",
      redirectURIs: [`${url}/api/v1/auth/oidc/callback`],
    },
  });
  const ca = pki.caPem;

  const signIn = async (email: string, password: string, returnTo = "#/policies") => {
    const start = await call(
      ca,
      `${url}/api/v1/auth/oidc/sign-in?return=${encodeURIComponent(returnTo)}`,
    );
    if (start.status !== 302) throw new Error(`sign-in answered ${start.status}: ${start.text}`);
    const signInCookie = cookiesOf(start)["__Host-customs-sign-in"] ?? "";
    let next = String(start.headers.location);
    let page: Answer | undefined;
    // Dex: the authorization endpoint sends the browser to its only connector's login page.
    for (let i = 0; i < 5; i++) {
      page = await call(ca, next);
      if (page.status !== 302 && page.status !== 303) break;
      next = new URL(String(page.headers.location), next).toString();
    }
    if (page?.status !== 200) throw new Error(`Dex answered ${page?.status}: ${page?.text}`);
    const action = formAction(page.text, next);
    let answer = await call(ca, action, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ login: email, password }).toString(),
    });
    let location = new URL(String(answer.headers.location), action).toString();
    for (let i = 0; i < 5 && !location.startsWith(url); i++) {
      answer = await call(ca, location);
      if (answer.status !== 302 && answer.status !== 303)
        throw new Error(
          `Dex answered ${answer.status} at ${location}: ${answer.text.slice(0, 300)}`,
        );
      location = new URL(String(answer.headers.location), location).toString();
    }
    const done = await call(ca, location, {
      headers: { cookie: `__Host-customs-sign-in=${signInCookie}` },
    });
    return {
      answer: done,
      session: cookiesOf(done)["__Host-customs-session"],
      callback: location,
      signInCookie,
    };
  };

  return {
    pki,
    dex,
    server,
    store,
    admin,
    url,
    advance: (ms) => {
      offset += ms;
    },
    signIn,
    async close() {
      await dex.stop().catch(() => {});
      await server.close(100);
      await store.close();
      pki.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

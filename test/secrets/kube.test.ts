import { afterEach, describe, expect, it } from "vitest";
import { scanSecrets } from "../../src/app/secrets/scan.js";
import type { Finding } from "../../src/core/findings/index.js";
import { EMPTY_SECRETS_CONFIG } from "../../src/core/secrets/index.js";
import { tempFiles } from "../support/cli.js";
import { ALNUM, pemKey, pick, plant, random } from "./corpus.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function scan(name: string, text: string): Promise<Finding[]> {
  const t = tempFiles({ [name]: text });
  cleanups.push(t.cleanup);
  const report = await scanSecrets({ paths: [t.dir], config: EMPTY_SECRETS_CONFIG });
  return [...report.findings];
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

const rand = random(7);
const awsId = plant("aws-access-key-id", 7).secret;
const awsSecret = plant("aws-secret-access-key", 8).secret;
const pem = pemKey(rand);
const github = plant("github-pat", 9).secret;
const password = pick(rand, ALNUM, 20);
const dockerconfig = JSON.stringify({
  auths: { "r.example": { username: "u", password, auth: b64(`u:${password}`) } },
});
const authOnly = pick(rand, ALNUM, 18);
const dockercfg = JSON.stringify({ "r.example": { auth: b64(`u:${authOnly}`), email: "u@x" } });

function secret(body: string, kind = "Secret", meta = "name: app\n  namespace: prod"): string {
  return `apiVersion: v1\nkind: ${kind}\nmetadata:\n  ${meta}\n${body}`;
}

interface Row {
  name: string;
  file: string;
  text: string;
  /** ruleId, line, message fragment, the secret (never in the output) */
  want: [string, number, string, string | undefined][];
}

const ROWS: Row[] = [
  {
    name: "data: an AWS key pair under its names",
    file: "s.yaml",
    text: secret(
      `type: Opaque\ndata:\n  AWS_ACCESS_KEY_ID: ${b64(awsId)}\n  AWS_SECRET_ACCESS_KEY: ${b64(awsSecret)}\n`,
    ),
    want: [
      ["aws-access-key-id", 8, "in Secret prod/app, key AWS_ACCESS_KEY_ID", awsId],
      ["aws-secret-access-key", 9, "in Secret prod/app, key AWS_SECRET_ACCESS_KEY", awsSecret],
    ],
  },
  {
    name: "stringData: found once (the text scan sees it; the reader does not repeat it)",
    file: "s.yml",
    text: secret(`stringData:\n  token: ${github}\n`),
    want: [["github-pat", 7, "GitHub personal access token", github]],
  },
  {
    name: "stringData: a multi-line .env value, found in the text",
    file: "s.yml",
    text: secret(`stringData:\n  app.env: |\n    A=1\n    aws_secret_access_key=${awsSecret}\n`),
    want: [["aws-secret-access-key", 9, "AWS secret access key", awsSecret]],
  },
  {
    name: "dockerconfigjson: one finding for password and auth",
    file: "pull.yaml",
    text: secret(
      `type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(dockerconfig)}\n`,
    ),
    want: [["docker-config-password", 8, "Registry password in a docker config", password]],
  },
  {
    name: "dockercfg: the auth field (base64 user:password)",
    file: "pull.yaml",
    text: secret(`type: kubernetes.io/dockercfg\ndata:\n  .dockercfg: ${b64(dockercfg)}\n`),
    want: [["docker-config-password", 8, "key .dockercfg", authOnly]],
  },
  {
    name: "tls.key: a PEM private key, decoded",
    file: "tls.yaml",
    text: secret(
      `type: kubernetes.io/tls\ndata:\n  tls.crt: ${b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")}\n  tls.key: ${b64(`${pem.line}\n`)}\n`,
    ),
    want: [["private-key", 9, "in Secret prod/app, key tls.key", pem.secret]],
  },
  {
    name: "bad base64: reported as such, the rest still scanned",
    file: "bad.yaml",
    text: secret(`data:\n  broken: "not base64!"\n  good: ${b64(awsId)}\n`),
    want: [
      ["kube-secret-invalid-base64", 7, "Secret prod/app, data key broken", undefined],
      ["aws-access-key-id", 8, "key good", awsId],
    ],
  },
  {
    name: "a ConfigMap: its data is not decoded",
    file: "cm.yaml",
    text: secret(`data:\n  AWS_ACCESS_KEY_ID: ${b64(awsId)}\n  x: "not base64!"\n`, "ConfigMap"),
    want: [],
  },
  {
    name: "a List of Secrets in JSON (kubectl get secrets -o json), no namespace",
    file: "list.json",
    text: JSON.stringify(
      {
        apiVersion: "v1",
        kind: "List",
        items: [
          { kind: "ConfigMap", metadata: { name: "c" }, data: { k: b64(awsId) } },
          {
            kind: "Secret",
            metadata: { name: "s" },
            data: { ".dockerconfigjson": b64(dockerconfig) },
          },
        ],
      },
      null,
      2,
    ),
    want: [["docker-config-password", 20, "in Secret s, key .dockerconfigjson", password]],
  },
  {
    name: "multi-document YAML: the second Secret's line",
    file: "all.yaml",
    text: `${secret("data: {}\n")}---\n${secret(`data:\n  k: ${b64(awsId)}\n`, "Secret", "name: two")}`,
    want: [["aws-access-key-id", 13, "in Secret two, key k", awsId]],
  },
  {
    name: "customs-ignore on the key's line",
    file: "ignored.yaml",
    text: secret(`data:\n  k: ${b64(awsId)} # customs-ignore\n`),
    want: [],
  },
  {
    name: "not YAML or JSON by name: not parsed",
    file: "notes.txt",
    text: secret(`data:\n  k: ${b64(awsId)}\n`),
    want: [],
  },
];

describe("Kubernetes Secrets", () => {
  it.each(ROWS.map((r) => [r.name, r] as const))("%s", async (_name, row) => {
    const findings = await scan(row.file, row.text);
    expect(findings.map((f) => [f.ruleId, f.location?.line])).toEqual(
      row.want.map(([id, line]) => [id, line]),
    );
    row.want.forEach(([, , message], i) => {
      expect(findings[i]?.message).toContain(message);
    });
    const out = JSON.stringify(findings);
    for (const [, , , value] of row.want) if (value !== undefined) expect(out).not.toContain(value);
    expect(out).not.toContain(b64(`u:${authOnly}`));
    for (const f of findings)
      expect(f.fingerprint).toMatch(
        /^secrets\/[a-z0-9-]+\/:[^:]+\.(?:ya?ml|json):\d+(?::[^:]+(?::\d+)?)?$/,
      );
  });

  it("fingerprints are stable and name the place, not the value", async () => {
    const text = secret(`data:\n  k: ${b64(awsId)}\n  k2: ${b64(github)}\n`);
    const a = await scan("s.yaml", text);
    const b = await scan(
      "s.yaml",
      text.replace(b64(awsId), b64(plant("aws-access-key-id", 99).secret)),
    );
    expect(a.map((f) => (f.fingerprint ?? "").replace(/^.*s\.yaml/, ""))).toEqual([
      ":7:k:1",
      ":8:k2:1",
    ]);
    const place = (f: Finding) => (f.fingerprint ?? "").replace(/^.*s\.yaml/, "");
    expect(b.map(place)).toEqual(a.map(place));
  });

  it("a file that does not parse is still scanned as text, without crashing", async () => {
    const findings = await scan("broken.yaml", `kind: Secret\ndata: [\n  ${github}\n`);
    expect(findings.map((f) => f.ruleId)).toEqual(["github-pat"]);
  });
});

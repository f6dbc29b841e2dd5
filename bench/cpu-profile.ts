/**
 * Where a server's CPU time goes, from a V8 `.cpuprofile` (`node --cpu-prof`): each sample's
 * self time is given to the category of the innermost frame of its stack that names one, so
 * time spent in Node's internals on behalf of, say, the logger counts as logging.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export const CATEGORIES = [
  "TLS (encryption, socket reads and writes)",
  "HTTP parsing and routing",
  "body reading",
  "JSON parse",
  "review envelope and extraction",
  "evaluation",
  "response building",
  "metrics",
  "logging",
  "garbage collection",
  "other",
] as const;

export type Category = (typeof CATEGORIES)[number] | "idle";

/**
 * Customs' own functions on the webhook's hot path, by name. The webhook runs from the bundle
 * (dist/bundle, scripts/bundle-cli.mjs), whose chunks are named after one of their modules
 * and a hash (`admission-….js` holds app/webhook/admission and core/admission, `reply-….js`
 * all of server/http): a frame's URL there says little of where its code comes from, so the
 * names decide. A name not listed falls back to its module's path (an unbundled build) and
 * then to its caller.
 */
const OWN_FUNCTIONS: ReadonlyArray<readonly [Category, readonly string[]]> = [
  // JSON.parse is a builtin V8 inlines into its caller, whose self time it then is.
  ["JSON parse", ["readReview"]],
  [
    "review envelope and extraction",
    [
      "parseAdmissionReview",
      "kindMismatch",
      "withKind",
      "extractResources",
      "visitResource",
      "readWorkload",
      "readWorkload$1",
      "readMetadata",
      "readContainers",
      "readContainer",
      "readPullSecrets",
      "podSpecPathOf",
      "field",
      "printable",
      "decide",
      "admitRequestWithSupply",
      "factRequestMemo",
      "decideAdmission",
      "answered",
      "RequestSummary",
      "policyAdmission",
      "isPolicyRequest",
    ],
  ],
  ["evaluation", ["reviewAdmission", "auditKey", "clipWords", "exceptionsAnnotation"]],
  ["response building", ["outcomeText", "sendJsonText", "sendJson", "sendText"]],
  [
    "metrics",
    [
      // After the answer is written, `answer` only counts (and, at debug, logs) it.
      "answer",
      "request",
      "latency",
      "decision",
      "violation",
      "exemption",
      "add1",
      "add2",
      "add3",
      "branch",
      "leaf",
      "statusText",
      "observe",
    ],
  ],
  ["body reading", ["readBodyThen", "admit"]],
  ["HTTP parsing and routing", ["handle", "onRequest"]],
];

const OWN_BY_NAME = new Map<string, Category>(
  OWN_FUNCTIONS.flatMap(([category, names]) => names.map((n) => [n, category] as const)),
);

/** The category a frame names, or undefined when it says nothing (the caller's decides). */
function frameCategory(f: CallFrame): Category | undefined {
  const { url, functionName: fn } = f;
  if (fn === "(idle)") return "idle";
  if (fn === "(garbage collector)") return "garbage collection";
  if (/pino|sonic-boom|thread-stream/.test(url)) return "logging";
  if (/prom-client|server\/metrics|server\/latency-histogram|server\/webhook-counters/.test(url))
    return "metrics";
  if (url === "" && fn === "parse") return "JSON parse";
  if (/webhook-bare/.test(url)) return "JSON parse";
  if (url === "" && fn === "stringify") return "response building";
  // TLSWrap's write: encrypting the record and writing it to the socket (the system call,
  // which on loopback also wakes the reader), all native, under one frame.
  if (url === "" && (fn === "writev" || fn === "writeUtf8String" || fn === "writeBuffer"))
    return "TLS (encryption, socket reads and writes)";
  if (/\/dist\//.test(url) && !/node_modules/.test(url)) {
    const named = OWN_BY_NAME.get(fn);
    if (named !== undefined) return named;
  }
  if (/\/core\/(evaluate|policy|image|glob)\//.test(url)) return "evaluation";
  if (/\/dist\/bundle\/evaluate-/.test(url)) return "evaluation";
  if (/\/core\/(admission|workload)\/|\/app\/webhook\//.test(url)) {
    return fn === "handleAdmission" ? undefined : "review envelope and extraction";
  }
  if (/server\/http\/reply|node:_http_outgoing/.test(url) || fn === "writeHead")
    return "response building";
  if (/server\/http\/body/.test(url)) return "body reading";
  if (/node:_http_incoming|node:internal\/streams\/readable/.test(url)) return "body reading";
  if (/node:_http_server|node:_http_common|server\/webhook|server\/http\/listener/.test(url))
    return "HTTP parsing and routing";
  if (/node:_tls_wrap|node:tls|node:internal\/stream_base_commons|node:net/.test(url))
    return "TLS (encryption, socket reads and writes)";
  return undefined;
}

/**
 * Milliseconds of self time by category (idle left out), from one profile; with `window`, only
 * the samples taken within it (µs of the monotonic clock, `process.hrtime` / 1000, which V8's
 * timestamps share), so that start-up and warm-up are left out.
 */
export function timeByCategory(
  profile: CpuProfile,
  window?: { readonly from: number; readonly to: number },
): Map<Category, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, Category>();
  const categoryOf = (id: number): Category => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const path: number[] = [];
    let found: Category = "other";
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const cached = memo.get(at);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      path.push(at);
      const node = byId.get(at);
      const c = node === undefined ? undefined : frameCategory(node.callFrame);
      if (c !== undefined) {
        found = c;
        break;
      }
    }
    for (const p of path) memo.set(p, found);
    return found;
  };
  const out = new Map<Category, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window !== undefined && (at < window.from || at > window.to)) return;
    const c = categoryOf(id);
    out.set(c, (out.get(c) ?? 0) + delta / 1000);
  });
  out.delete("idle");
  return out;
}

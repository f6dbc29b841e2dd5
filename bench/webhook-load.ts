/**
 * The load generator of `npm run bench:webhook`, run in its own process (pinned to the core the
 * server does not use): POST /validate over keep-alive TLS through one undici Pool.
 *
 *   node webhook-load.js <port> <ca file> <body file> <connections> <seconds> [rate]
 *
 * The body file holds one review, sent as it is each time, or one with the marker
 * UNIQUE0000000000 in it: each request then replaces every marker with its own number, so
 * that no two requests are about the same workload.
 * Without a rate it is closed-loop (each connection sends its next request when the previous
 * answer ends: the server's maximum); with one it is open-loop (requests leave on a fixed
 * schedule whatever the answers do, so a slow server shows as latency, not as fewer requests).
 * Prints one JSON line: { requests, ok, errors, seconds, rps, p50, p99 } (ms).
 */
import { readFileSync } from "node:fs";
import { Pool } from "undici";

const [port, caFile, bodyFile, connectionsArg, secondsArg, rateArg] = process.argv.slice(2);
const connections = Number(connectionsArg);
const seconds = Number(secondsArg);
const rate = rateArg === undefined ? undefined : Number(rateArg);
const template = readFileSync(String(bodyFile));
const MARKER = "UNIQUE0000000000";
const marks: number[] = [];
for (let at = template.indexOf(MARKER); at >= 0; at = template.indexOf(MARKER, at + 1)) {
  marks.push(at);
}
let sent = 0;
/** The next request's body: the template, with this request's number in every marker. */
function nextBody(): Buffer {
  if (marks.length === 0) return template;
  const body = Buffer.from(template);
  const number = String(++sent).padStart(MARKER.length, "0");
  for (const at of marks) body.write(number, at, "latin1");
  return body;
}
const pool = new Pool(`https://127.0.0.1:${port}`, {
  connections,
  pipelining: 1,
  connect: { ca: readFileSync(String(caFile)), servername: "localhost" },
});
const headers = { "content-type": "application/json" };

let ok = 0;
let errors = 0;
/** Latencies in µs of the measured requests (after the warm-up second). */
const latencies: number[] = [];

async function once(): Promise<void> {
  const start = process.hrtime.bigint();
  try {
    const body = nextBody();
    const r = await pool.request({ path: "/validate", method: "POST", headers, body });
    await r.body.dump();
    if (r.statusCode === 200) ok++;
    else errors++;
  } catch {
    errors++;
  }
  latencies.push(Number(process.hrtime.bigint() - start) / 1000);
}

// Opens every connection (TLS handshakes are not part of what is measured).
await Promise.all(Array.from({ length: connections }, () => once()));
ok = 0;
errors = 0;
latencies.length = 0;

const began = process.hrtime.bigint();
const deadline = began + BigInt(Math.round(seconds * 1e9));
const now = () => process.hrtime.bigint();

if (rate === undefined) {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (now() < deadline) await once();
    }),
  );
} else {
  // Requests leave at their scheduled times: every timer tick (about 1 ms) sends those due by
  // then, so the offered rate does not depend on how fast answers come back.
  const total = Math.floor(rate * seconds);
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((Number(now() - began) / 1e9) * rate));
      while (sent < due) {
        sent++;
        const p = once();
        inFlight.add(p);
        void p.then(() => inFlight.delete(p));
      }
      if (sent >= total) done();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inFlight);
}
const elapsed = Number(now() - began) / 1e9;
await pool.close();
const sorted = Float64Array.from(latencies).sort();
const at = (p: number) =>
  (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) / 1000;
process.stdout.write(
  `${JSON.stringify({
    requests: ok + errors,
    ok,
    errors,
    seconds: elapsed,
    rps: (ok + errors) / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  })}\n`,
);

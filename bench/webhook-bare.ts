/**
 * The bare limit `npm run bench:webhook` compares the webhook with: a Node HTTPS server with
 * the same certificate and keep-alive, that reads the body, runs one `JSON.parse`, makes a
 * trivial check (every container has an image) and answers an AdmissionReview. Nothing a real
 * webhook needs beyond that: no policies, no metrics, no logs.
 *
 *   node webhook-bare.js <port> <cert file> <key file>
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:https";

const [port, certFile, keyFile] = process.argv.slice(2);
const server = createServer(
  { cert: readFileSync(String(certFile)), key: readFileSync(String(keyFile)) },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const review = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const containers: Array<{ image?: unknown }> =
        review.request?.object?.spec?.template?.spec?.containers ?? [];
      const allowed = containers.every((c) => typeof c.image === "string");
      const text = JSON.stringify({
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        response: { uid: review.request?.uid, allowed },
      });
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
    });
  },
);
server.keepAliveTimeout = 30_000;
server.listen(Number(port), "127.0.0.1");
// `--cpu-prof` writes its profile at exit, which a signal's default action skips.
process.once("SIGINT", () => process.exit(0));

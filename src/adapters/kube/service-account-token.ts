import { readFileSync } from "node:fs";
import { SERVICE_ACCOUNT_TOKEN_FILE } from "./config.js";

/**
 * A token source for KubeClient in a pod: the projected service account token is read on
 * each request, because the kubelet rotates it (about hourly) and a token read at start
 * expires. When the file cannot be read (not in a pod, or a moment during the kubelet's
 * swap), the token the connection was made with is used.
 */
export function serviceAccountTokenSource(fallback: string | undefined): () => string | undefined {
  return () => {
    try {
      return readFileSync(SERVICE_ACCOUNT_TOKEN_FILE, "utf8").trim();
    } catch {
      return fallback;
    }
  };
}

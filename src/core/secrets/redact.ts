/**
 * How a secret appears in any output: a short prefix, an ellipsis and the length. The prefix
 * is at most 4 characters and at most a quarter of the secret, so a short password shows one
 * character at most and no output ever holds the whole value.
 */
export function redactSecret(secret: string): string {
  const shown = Math.min(4, Math.floor(secret.length / 4));
  return `${secret.slice(0, shown)}…(${secret.length} chars)`;
}

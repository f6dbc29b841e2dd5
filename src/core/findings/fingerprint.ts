/**
 * SARIF `partialFingerprints` are how code scanning tells "the same alert as last run" from
 * "a new alert": two results of one run with the same fingerprint are merged into one alert,
 * so a fingerprint must name one problem at one place, and keep naming it when unrelated lines
 * move. It is built from identities (file, resource, rule, subject), never from a line number,
 * an absolute path, a time or a secret's value.
 */

/** The identity of a finding within one run: its file (or image), its rule and its subject. */
export function findingIdentity(uri: string, ruleId: string, subject: string | undefined): string {
  return subject === undefined || subject === ""
    ? `${uri}|${ruleId}`
    : `${uri}|${ruleId}|${subject}`;
}

/**
 * Makes the keys of one run unique in order of appearance: the second of two equal keys gets
 * `#2`, the third `#3`. Results are emitted in a stable order (file order), so the suffix is
 * stable across runs; it only tells apart findings whose identities are truly equal, such as
 * the same instruction written twice in one Dockerfile.
 */
export function uniqueFingerprints(keys: readonly string[]): string[] {
  const used = new Set(keys);
  const count = new Map<string, number>();
  const out: string[] = [];
  const taken = new Set<string>();
  for (const key of keys) {
    if (!taken.has(key)) {
      taken.add(key);
      out.push(key);
      continue;
    }
    let n = count.get(key) ?? 1;
    let next: string;
    // A literal key of the form `x#2` elsewhere in the run is skipped over, not collided with.
    do {
      n += 1;
      next = `${key}#${n}`;
    } while (taken.has(next) || used.has(next));
    count.set(key, n);
    taken.add(next);
    out.push(next);
  }
  return out;
}

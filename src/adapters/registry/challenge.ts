/**
 * `WWW-Authenticate` parsing (RFC 7235 section 4.1; the registry's use of it:
 * https://distribution.github.io/distribution/spec/auth/token/). A header may hold several
 * challenges: `Basic realm="r", Bearer realm="https://auth/token",service="s",scope="a:b:pull"`.
 */
export interface Challenge {
  /** Lowercase scheme: `basic`, `bearer`, … */
  readonly scheme: string;
  /** Parameter names lowercase, values unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseChallenges(header: string): Challenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let rest = header.trim();
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, "");
    const name = TOKEN.exec(rest)?.[0];
    if (name === undefined) break;
    rest = rest.slice(name.length);
    const afterSpace = rest.replace(/^\s*/, "");
    const current = challenges[challenges.length - 1];
    if (afterSpace.startsWith("=") && current !== undefined) {
      const { value, remainder } = readValue(afterSpace.slice(1).replace(/^\s*/, ""));
      current.params[name.toLowerCase()] = value;
      rest = remainder;
    } else {
      challenges.push({ scheme: name.toLowerCase(), params: Object.create(null) });
      rest = afterSpace;
    }
  }
  return challenges;
}

function readValue(s: string): { value: string; remainder: string } {
  if (!s.startsWith('"')) {
    // Lenient: real servers send unquoted URLs, which are not RFC tokens.
    const value = /^[^\s,]*/.exec(s)?.[0] ?? "";
    return { value, remainder: s.slice(value.length) };
  }
  let value = "";
  let i = 1;
  for (; i < s.length && s[i] !== '"'; i++) {
    // quoted-pair: a backslash takes the next character literally.
    if (s[i] === "\\" && i + 1 < s.length) i++;
    value += s[i];
  }
  return { value, remainder: s.slice(i + 1) };
}

/** The first challenge of `scheme`, if the header offers it. */
export function findChallenge(header: string | undefined, scheme: string): Challenge | undefined {
  if (header === undefined) return undefined;
  return parseChallenges(header).find((c) => c.scheme === scheme);
}

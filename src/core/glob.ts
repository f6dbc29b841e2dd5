/**
 * Path globs for allowlists, matched without regular expressions (patterns come from users):
 * `*` any run of characters except `/`, `**` any run including `/`, `?` one character except
 * `/`; everything else is literal. A pattern without `/` matches the file name at any depth
 * (`*.md`); one with `/` matches the whole relative path (`test/fixtures/**`); a trailing `/`
 * means everything under that folder. Matching is dynamic programming, O(pattern × path).
 */

export interface Glob {
  readonly source: string;
  readonly tokens: readonly string[];
  readonly basenameOnly: boolean;
}

export function compileGlob(pattern: string): Glob {
  let p = pattern.startsWith("./") ? pattern.slice(2) : pattern;
  if (p.startsWith("/")) p = p.slice(1);
  if (p.endsWith("/")) p = `${p}**`;
  const tokens: string[] = [];
  for (let i = 0; i < p.length; i++) {
    if (p.startsWith("**/", i)) {
      // Zero or more whole folders: `a/**/b` matches `a/b` and `a/x/y/b`.
      tokens.push("**/");
      i += 2;
    } else if (p.startsWith("**", i)) {
      tokens.push("**");
      i++;
    } else tokens.push(p[i] as string);
  }
  return { source: pattern, tokens, basenameOnly: !p.includes("/") };
}

export function matchGlob(glob: Glob, path: string): boolean {
  const normal = path.replace(/\\/g, "/").replace(/^\.\//, "");
  const subject = glob.basenameOnly ? normal.slice(normal.lastIndexOf("/") + 1) : normal;
  return matchTokens(glob.tokens, subject);
}

function matchTokens(tokens: readonly string[], s: string): boolean {
  // reach[j]: the tokens so far can consume exactly s[0..j).
  let reach = new Uint8Array(s.length + 1);
  reach[0] = 1;
  for (const t of tokens) {
    const next = new Uint8Array(s.length + 1);
    for (let j = 0; j <= s.length; j++) {
      if (!reach[j]) continue;
      if (t === "**") {
        for (let k = j; k <= s.length; k++) next[k] = 1;
        break;
      }
      if (t === "*") {
        for (let k = j; k <= s.length; k++) {
          next[k] = 1;
          if (s[k] === "/") break;
        }
      } else if (t === "**/") {
        next[j] = 1;
        for (let k = s.indexOf("/", j); k !== -1; k = s.indexOf("/", k + 1)) next[k + 1] = 1;
      } else if (t === "?" ? j < s.length && s[j] !== "/" : s[j] === t) next[j + 1] = 1;
    }
    reach = next;
  }
  return reach[s.length] === 1;
}

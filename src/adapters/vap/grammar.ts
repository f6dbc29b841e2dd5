/**
 * The reference grammar as RE2 source text for CEL's `matches()`. The pieces are taken from
 * the engine's own regular expressions (src/core/reference/grammar.ts), not copied: the
 * grammar is written there once, in RE2-compatible syntax (no lookaround, no backreferences),
 * and `referencePieces()` checks that the pieces put back together give the engine's
 * `referenceSplitRegexp` exactly, so the two can never drift apart silently.
 */
import { CustomsError } from "../../core/errors.js";
import {
  anchoredDigestRegexp,
  anchoredIdentifierRegexp,
  anchoredNameRegexp,
  anchoredTagRegexp,
  DIGEST_HEX_LENGTHS,
  referenceSplitRegexp,
} from "../../core/reference/grammar.js";

export interface ReferencePieces {
  /** domain := host [':' port-number] */
  readonly domain: string;
  /** remote-name := path-component ['/' path-component]* */
  readonly remoteName: string;
  readonly tag: string;
  /** The grammar's digest (any algorithm that fits). */
  readonly digest: string;
  /** A bare 64-hex identifier. */
  readonly identifier: string;
}

/** A RegExp's source as RE2 text: JavaScript writes "/" as "\/" in `source`. */
function sourceOf(re: RegExp): string {
  return re.source.replaceAll("\\/", "/");
}

function unanchor(re: RegExp): string {
  const s = sourceOf(re);
  if (!s.startsWith("^") || !s.endsWith("$"))
    throw new CustomsError("INTERNAL", `grammar: ${s} is not anchored`);
  return s.slice(1, -1);
}

/** `^(?:(DOMAIN)/)?(REMOTE)$`: DOMAIN holds no "/", so the first ")/)?(" ends it. */
const NAME_SHAPE = /^\^\(\?:\((.+?)\)\/\)\?\((.+)\)\$$/;

export function referencePieces(): ReferencePieces {
  const name = NAME_SHAPE.exec(sourceOf(anchoredNameRegexp));
  if (name === null || name[1] === undefined || name[2] === undefined) {
    throw new CustomsError(
      "INTERNAL",
      "grammar: anchoredNameRegexp no longer has the shape ^(?:(domain)/)?(remote)$",
    );
  }
  const pieces: ReferencePieces = {
    domain: name[1],
    remoteName: name[2],
    tag: unanchor(anchoredTagRegexp),
    digest: unanchor(anchoredDigestRegexp),
    identifier: unanchor(anchoredIdentifierRegexp),
  };
  const rebuilt = `^(?:(${pieces.domain})/)?(${pieces.remoteName})(?::(${pieces.tag}))?(?:@(${pieces.digest}))?$`;
  if (rebuilt !== sourceOf(referenceSplitRegexp)) {
    throw new CustomsError(
      "INTERNAL",
      "grammar: the pieces no longer rebuild referenceSplitRegexp",
    );
  }
  return pieces;
}

/**
 * Digests that go-digest accepts: a known algorithm with lowercase hex of its exact length.
 * Inside a reference the grammar's digest already matched, so this is the whole digest check
 * of parse.ts `checkDigest` (unknown algorithms fail there too, as "unsupported").
 */
export function supportedDigest(): string {
  const alternatives = Object.entries(DIGEST_HEX_LENGTHS).map(
    ([algorithm, size]) => `${algorithm}:[a-f0-9]{${size}}`,
  );
  return `(?:${alternatives.join("|")})`;
}

export interface ReferenceRegexes {
  /** The whole normalized string `domain/remainder`, digest included and checked. */
  readonly reference: string;
  /** A first path element that is a domain. */
  readonly domain: string;
  /** A bare 64-hex identifier. */
  readonly identifier: string;
}

/** Anchored RE2 expressions for the CEL of image canonicalization. */
export function referenceRegexes(): ReferenceRegexes {
  const p = referencePieces();
  return {
    reference: `^(?:${p.domain}/)?${p.remoteName}(?::${p.tag})?(?:@${supportedDigest()})?$`,
    domain: `^${p.domain}$`,
    identifier: `^${p.identifier}$`,
  };
}

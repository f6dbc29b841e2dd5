/**
 * Offsets in a text as lines and columns, and the characters a manifest may not hold.
 * Lines and columns are 1-based; columns count UTF-16 code units, SARIF's default unit.
 */

export interface TextPosition {
  line: number;
  column: number;
}

/** Line starts of a text, found on first use: positions cost nothing unless someone asks. */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  positionAt(offset: number): TextPosition {
    const starts = this.lineStarts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] as number) + 1 };
  }

  private lineStarts(): number[] {
    if (this.starts === undefined) {
      const starts = [0];
      for (let at = this.text.indexOf("\n"); at !== -1; at = this.text.indexOf("\n", at + 1)) {
        starts.push(at + 1);
      }
      this.starts = starts;
    }
    return this.starts;
  }
}

/**
 * Characters YAML 1.1 and 1.2 do not allow in a stream (the spec's c-printable): C0 controls
 * other than tab, LF and CR; DEL; C1 controls other than NEL; lone surrogates; U+FFFE and
 * U+FFFF. go-yaml, which kubectl and the API server read manifests with, refuses them, so a
 * manifest holding one would never run; a terminal escape hidden in a name must not reach
 * anyone's screen either. A byte order mark is allowed at the very start only.
 */
const FORBIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|(?<!^)\ufeff/;

/** The offset of the first character a YAML stream may not hold, or -1. */
export function findForbiddenCharacter(text: string): number {
  const match = FORBIDDEN.exec(text);
  return match === null ? -1 : match.index;
}

/** `U+0007`: how a message names a character without printing it. */
export function codePointName(text: string, offset: number): string {
  const code = text.codePointAt(offset) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Control and bidirectional-override characters, which would garble or disguise a message. */
const UNSAFE_IN_MESSAGE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from the input made safe to print inside one line of an error message. */
export function escapeForMessage(text: string, maxLength = 1000): string {
  const short = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return short.replace(
    UNSAFE_IN_MESSAGE,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Cutting messages to the lengths Kubernetes shows. A message cut mid-word reads as a
 * different word ("no answer w"), and one whose code was cut cannot be looked up, so texts
 * are cut at a word boundary with an ellipsis, and codes go first where they are kept.
 */

/** `text` if it fits in `max` characters, else its longest whole-word prefix that does, plus "…". */
export function clipWords(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return "…".slice(0, max);
  const room = text.slice(0, max - 1);
  // The room ends at a word's end when the next character is a space: keep that word.
  const space = /\s/.test(text.charAt(max - 1)) ? room.length : room.search(/\s\S*$/);
  // A long token (an image reference with its digest) is dropped whole rather than cut,
  // unless that would lose more than half the room: then it is cut where it must be.
  const cut = space >= room.length / 2 ? space : room.length;
  return `${room.slice(0, cut).trimEnd()}…`;
}

/** One line per item (`prefix` kept whole, `text` clipped), fitting `max` characters in all. */
export function fitLines(
  header: string,
  items: readonly { readonly prefix: string; readonly text: string }[],
  max: number,
): string {
  const whole = [header, ...items.map((i) => i.prefix + i.text)].join("\n");
  if (whole.length <= max) return whole;
  // Each line gets an equal share; so that every code stays readable, a share never drops
  // below what a code and a few words need, and lines that no longer fit are counted instead.
  const MIN_LINE = 80;
  const more = (n: number) => `- … and ${n} more`;
  let shown = items.length;
  const room = (n: number) =>
    max - header.length - n - (n < items.length ? more(items.length - n).length + 1 : 0);
  while (shown > 1 && room(shown) / shown < MIN_LINE) shown--;
  const share = Math.max(1, Math.floor(room(shown) / shown));
  const lines = items
    .slice(0, shown)
    .map((i) => i.prefix + clipWords(i.text, Math.max(1, share - i.prefix.length)));
  if (shown < items.length) lines.push(more(items.length - shown));
  return clipWords([header, ...lines].join("\n"), max);
}

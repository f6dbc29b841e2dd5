/**
 * RFC 6901 JSON pointers (https://www.rfc-editor.org/rfc/rfc6901): the stable way results,
 * problems and SARIF locations name a field inside a document.
 */

/** Escapes one reference token: `~` first, so that the `~1` made for `/` is not escaped again. */
export function escapePointerSegment(segment: string): string {
  if (!segment.includes("~") && !segment.includes("/")) return segment;
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function toJsonPointer(segments: readonly (string | number)[]): string {
  let pointer = "";
  for (const segment of segments) pointer += `/${escapePointerSegment(String(segment))}`;
  return pointer;
}

/**
 * The reference tokens of a pointer, or undefined when it is not a pointer: it must be "" or
 * start with "/", and `~` may only be followed by 0 or 1.
 */
export function parseJsonPointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/") || /~(?![01])/.test(pointer)) return undefined;
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

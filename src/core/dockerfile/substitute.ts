import type { EscapeChar } from "./syntax.js";

/**
 * Variable substitution as BuildKit does it in FROM (and other instructions):
 * `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:+alt}`, `${NAME+alt}`.
 * A variable is "set" when the map has the name (`undefined` = declared without a value,
 * which BuildKit expands to "" — we report it as missing, since the result is then unknown).
 */
export interface Expansion {
  readonly value: string;
  /** Every variable the text refers to, in order, without repeats. */
  readonly used: readonly string[];
  /** Variables with no value where one was needed: the result depends on --build-arg. */
  readonly missing: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index of the `}` closing a `${` whose body starts at `from`, honouring nesting. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

export function expandVariables(
  text: string,
  vars: ReadonlyMap<string, string | undefined>,
  esc: EscapeChar = "\\",
): Expansion {
  const used: string[] = [];
  const missing: string[] = [];
  const note = (list: string[], name: string) => {
    if (!list.includes(name)) list.push(name);
  };
  const expand = (input: string, depth: number): string => {
    let out = "";
    for (let i = 0; i < input.length; i++) {
      const c = input[i] as string;
      if (c === esc && input[i + 1] === "$") {
        out += "$";
        i++;
        continue;
      }
      if (c !== "$") {
        out += c;
        continue;
      }
      if (input[i + 1] === "{") {
        const close = closingBrace(input, i + 2);
        if (close === -1 || depth > 8) {
          out += input.slice(i);
          break;
        }
        out += braced(input.slice(i + 2, close), depth);
        i = close;
        continue;
      }
      const name = NAME.exec(input.slice(i + 1))?.[0];
      if (name === undefined) {
        out += c;
        continue;
      }
      note(used, name);
      const value = vars.get(name);
      if (value === undefined) note(missing, name);
      out += value ?? "";
      i += name.length;
    }
    return out;
  };
  const braced = (body: string, depth: number): string => {
    const name = NAME.exec(body)?.[0] ?? "";
    note(used, name);
    const op = /^(:?[-+])/.exec(body.slice(name.length))?.[1];
    const set = vars.get(name) !== undefined;
    const value = vars.get(name) ?? "";
    if (name === "" || (op === undefined && body !== name)) {
      // `${X#pattern}` and friends: the result is not worked out here.
      note(missing, name || body);
      return "";
    }
    const word = () => expand(body.slice(name.length + (op?.length ?? 0)), depth + 1);
    switch (op) {
      case ":-":
        return set && value !== "" ? value : word();
      case "-":
        return set ? value : word();
      case ":+":
        return set && value !== "" ? word() : "";
      case "+":
        return set ? word() : "";
      default:
        if (!set) note(missing, name);
        return value;
    }
  };
  const value = expand(text, 0);
  return { value, used, missing };
}

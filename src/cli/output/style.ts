/** ANSI styling, only when the stream is a terminal and NO_COLOR is unset (no-color.org). */
export interface Style {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export function createStyle(
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv = process.env,
): Style {
  const enabled = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb";
  if (!enabled) {
    const id = (s: string) => s;
    return { red: id, yellow: id, green: id, dim: id, bold: id };
  }
  return {
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

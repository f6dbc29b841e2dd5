/**
 * CSV of the control plane's lists (`?format=csv`, docs/control-plane.md, CSV export):
 * RFC 4180 (CRLF line ends, fields quoted when they hold a comma, a quote or a line break,
 * quotes doubled). A text cell that begins with `=`, `+`, `-` or `@` is prefixed with `'`:
 * spreadsheets run such cells as formulas, and names, images and messages come from
 * clusters and users, so an exported file must never carry a formula. Numbers are written
 * as numbers (a negative number is not text and gets no prefix).
 */
export type CsvCell = string | number | boolean | undefined | null;

const FORMULA_START = new Set(["=", "+", "-", "@"]);

export function csvCell(value: CsvCell): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const text = FORMULA_START.has(value.charAt(0)) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) lines.push(row.map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

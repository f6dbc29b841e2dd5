// Module hooks that append the URL of every module loaded to the file named by
// CUSTOMS_RECORD_LOADS, one a line: what a command loads at start, as Node sees it.
import { appendFileSync } from "node:fs";

export async function load(url, context, next) {
  appendFileSync(process.env.CUSTOMS_RECORD_LOADS, `${url}\n`);
  return next(url, context);
}

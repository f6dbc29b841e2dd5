// Runs the compiled CLI module by module (dist/cli/main.js), as bin/customs does after a
// plain `tsc` build: the start-up test reads which modules load from it.
import { fileURLToPath } from "node:url";

const main = new URL("../../dist/cli/main.js", import.meta.url);
import(fileURLToPath(main)).then((m) => m.main(process.argv.slice(2)));

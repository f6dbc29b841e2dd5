// With record-loads.mjs: CommonJS `require`s (packages loaded through createRequire, and what
// they require) do not pass through the module hooks, so they are recorded here, in the main
// thread, to the same file, as file: URLs.
import { appendFileSync } from "node:fs";
import Module from "node:module";
import { pathToFileURL } from "node:url";

const load = Module._load;
Module._load = function recordedLoad(request, parent, isMain, ...rest) {
  try {
    const file = Module._resolveFilename(request, parent, isMain);
    if (file.startsWith("/"))
      appendFileSync(process.env.CUSTOMS_RECORD_LOADS, `${pathToFileURL(file).href}\n`);
  } catch {
    // Unresolvable: `load` reports it as it would without the record.
  }
  return load.call(this, request, parent, isMain, ...rest);
};

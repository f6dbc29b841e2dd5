import { it } from "vitest";
import { startNodeCluster } from "../node.js";
it("debug", async () => {
  const node = await startNodeCluster({ log: (l) => console.log(l), keepDir: true }).catch((e) => { console.log("FAILED", e.message.slice(0,2000)); return undefined; });
  console.log("dir", node?.dir);
}, 600000);

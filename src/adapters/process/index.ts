export { isPrimaryProcess, superviseWorkers } from "./workers.js";

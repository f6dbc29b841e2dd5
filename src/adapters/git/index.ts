export { type AddedLines, DiffParser, gitAddedLines } from "./log.js";
export { checkRef, type HistoryScope, resolveScope, splitRange } from "./revisions.js";
export { gitFileAt } from "./show.js";

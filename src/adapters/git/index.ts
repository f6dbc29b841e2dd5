export { type AddedLines, DiffParser, gitAddedLines } from "./log.js";

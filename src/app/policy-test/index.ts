export { findTestFiles, isTestFileName, TEST_FILE_NAME } from "./find.js";
export { OfflineSources } from "./offline.js";
export { runPolicyTest, type TestFileReport } from "./run.js";

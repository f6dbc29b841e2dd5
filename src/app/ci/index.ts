export {
  CI_CONCURRENCY,
  CI_CONFIG_FILE,
  type CiContext,
  type CiRunner,
  type LoadedCiConfig,
  loadCiConfig,
  runCiChecks,
} from "./ci.js";
export { isDockerfileName, readDockerfiles } from "./dockerfile-files.js";
export {
  DEFAULT_CONFIG_PATH,
  type DockerfileLintOptions,
  lintDockerfiles,
  loadDockerfileConfig,
} from "./dockerfile-lint.js";
export { CI_RUNNERS } from "./runners.js";

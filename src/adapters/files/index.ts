export { fingerprint } from "./fingerprint.js";
export { type InputText, MAX_INPUT_BYTES, readInputs } from "./read-inputs.js";
export { type Reloader, watchFiles } from "./reloader.js";
export {
  digestInputs,
  type StableInputsOptions,
  type StableInputsWatcher,
  watchStableInputs,
} from "./stable.js";

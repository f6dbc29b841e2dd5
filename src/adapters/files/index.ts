export { fingerprint } from "./fingerprint.js";
export { type InputText, MAX_INPUT_BYTES, readInputs } from "./read-inputs.js";

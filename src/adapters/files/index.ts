export { type InputText, MAX_INPUT_BYTES, readInputs } from "./read-inputs.js";

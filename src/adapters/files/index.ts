export { fingerprint } from "./fingerprint.js";
export {
  type ReadFileOptions,
  readFileBytes,
  readOptionalFileBytes,
  readOptionalTextFile,
  readOptionalTextFileSync,
  readTextFile,
  readTextFileSync,
} from "./read-file.js";
export {
  type InputText,
  MAX_INPUT_BYTES,
  type ReadInputsOptions,
  readInputs,
} from "./read-inputs.js";
export { type Reloader, watchFiles } from "./reloader.js";
export {
  digestInputs,
  type StableInputsOptions,
  type StableInputsWatcher,
  watchStableInputs,
} from "./stable.js";
export { type FileBytes, FileBytesReader, type WalkedFile, walkFiles } from "./walk-files.js";
export {
  ensureDir,
  type WriteFileOptions,
  writeFileAtomic,
  writeFileAtomicSync,
} from "./write-atomic.js";
export { type FolderFile, writeFolderOnce } from "./write-folder.js";

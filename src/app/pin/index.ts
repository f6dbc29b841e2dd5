export {
  describeEntry,
  type FromEntry,
  type ScannedDockerfile,
  scanDockerfilesForPinning,
  verifyPinned,
} from "./dockerfile.js";
export {
  type PinEntry,
  type PinnedFile,
  pinTexts,
  scanForPinning,
  toPinnedImage,
  unifiedDiff,
  unpinnedEntries,
} from "./pin.js";

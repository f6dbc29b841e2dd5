export {
  blobPath,
  type LayerDescriptor,
  type LayoutImage,
  layoutBlob,
  readLayout,
  uncompressed,
} from "./layout.js";
export { readTar, type TarEntry } from "./tar.js";

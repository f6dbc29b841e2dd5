export { isBodyError, readBody, readBodyThen, toBodyWireError } from "./body.js";
export {
  type Listener,
  type ListenerOptions,
  readTlsFiles,
  startListener,
  type TlsFiles,
  type TlsMaterial,
} from "./listener.js";
export {
  type ErrorBody,
  type ErrorDetail,
  errorBody,
  sendError,
  sendJson,
  sendJsonText,
  sendText,
} from "./reply.js";

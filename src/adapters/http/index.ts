export {
  HttpClient,
  type HttpClientOptions,
  type HttpHeaders,
  type HttpRequest,
  type HttpResponse,
  type HttpStream,
} from "./client.js";
export { describeRequest, HttpError, type HttpErrorCode, isHttpError } from "./errors.js";
export { redirectTarget } from "./redirect.js";

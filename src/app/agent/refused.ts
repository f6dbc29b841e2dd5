import { errorText } from "../../adapters/control-plane/index.js";
import { CustomsError } from "../../core/errors.js";

/**
 * The control plane answered `request` with an error status. The status goes in `details` so
 * that a log line can be filtered on it; the message keeps the control plane's own words.
 */
export function refusedBy(request: string, status: number, body: unknown): CustomsError {
  return new CustomsError(
    "AGENT_CONTROL_PLANE_REFUSED",
    `${request}: ${status} ${errorText(body)}`,
    undefined,
    { details: { status } },
  );
}

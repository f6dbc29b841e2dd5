import { BlockList, isIP } from "node:net";
import { CustomsError } from "../../core/errors.js";

/** The proxies whose `X-Forwarded-For` is believed (`--trusted-proxy CIDR`, repeatable). */
export interface TrustedProxies {
  has(address: string): boolean;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/**
 * Parses `CIDR` or a single address per entry. Anything else is a USAGE error: a typo here
 * would silently make every client look like the proxy (or let clients pick their address).
 */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [network = "", bits, ...rest] = entry.trim().split("/");
    const family = isIP(network);
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (
      family === 0 ||
      rest.length > 0 ||
      (bits !== undefined && !/^\d{1,3}$/.test(bits)) ||
      prefix > max
    ) {
      throw new CustomsError(
        "USAGE",
        `--trusted-proxy must be an address or CIDR (10.0.0.0/8, fd00::/8), got "${entry}"`,
      );
    }
    list.addSubnet(network, prefix, family === 4 ? "ipv4" : "ipv6");
  }
  return {
    has(address) {
      const a = plainAddress(address);
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/**
 * The client's address for rate limiting and logs. `X-Forwarded-For` is read only when the
 * direct peer is a trusted proxy (anyone else could write any address there): walking it from
 * the right, trusted proxies are skipped and the first other address is the client. An entry
 * that is not an address ends the walk at the last one known good.
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | readonly string[] | undefined,
  trusted: TrustedProxies | undefined,
): string {
  let client = plainAddress(peer);
  if (trusted === undefined || forwardedFor === undefined || !trusted.has(client)) return client;
  const hops = (typeof forwardedFor === "string" ? [forwardedFor] : forwardedFor)
    .join(",")
    .split(",")
    .map((h) => plainAddress(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? "";
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trusted.has(hop)) return client;
  }
  return client;
}

/**
 * Sizes for `max-image-size`: a whole number of bytes, or a Kubernetes quantity with a binary
 * (Ki, Mi, Gi, Ti, Pi, Ei) or decimal (k, M, G, T, P, E) suffix, as memory limits are written
 * (k8s.io/apimachinery resource.Quantity). Decimal fractions are allowed (`1.5Gi`) and rounded
 * up to a whole byte. Not accepted: exponents (`1e9`), milli (`m`) and signs, which no one
 * means for an image's size.
 */
const SUFFIX: Readonly<Record<string, number>> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([0-9]{1,18})(?:\.([0-9]{1,9}))?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** Bytes of a size, or undefined when it is not one (or past 2^63). */
export function toBytes(text: string): number | undefined {
  const m = QUANTITY.exec(text);
  if (m === null) return undefined;
  const whole = m[1] ?? "0";
  const fraction = m[2] ?? "";
  const unit = SUFFIX[m[3] ?? ""] ?? 1;
  const value = Math.ceil((Number(whole) + (fraction === "" ? 0 : Number(`0.${fraction}`))) * unit);
  return Number.isFinite(value) && value <= 2 ** 63 ? value : undefined;
}

/** Bytes in words for messages: 524288000 bytes (500.0 MiB). */
export function describeBytes(bytes: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let unit = "";
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return unit === "" ? `${bytes} bytes` : `${bytes} bytes (${v.toFixed(1)} ${unit})`;
}

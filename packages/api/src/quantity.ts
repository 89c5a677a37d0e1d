/**
 * Kubernetes resource quantities ("500m", "2", "10Gi", "1e3"), parsed exactly as integers of milli-units
 * so quota arithmetic never rounds. Mirrors k8s.io/apimachinery/pkg/api/resource: a value that is not a
 * whole number of milli-units rounds up, as Kubernetes does.
 */
export const quantityPattern = '^[+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+|[KMGTPE]i|[mkMGTPE])?$';
const quantityRe = new RegExp(quantityPattern);

const binary: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const decimalExp: Record<string, number> = { m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Largest quantity accepted: what fits an int64 of units, as in Kubernetes. */
const maxMilli = ((1n << 63n) - 1n) * 1000n;

export class QuantityError extends Error {
  override name = 'QuantityError';
}

/** Parses a non-negative quantity into milli-units; throws QuantityError with the reason. */
export function parseQuantity(text: string): bigint {
  if (typeof text !== 'string' || !quantityRe.test(text)) {
    throw new QuantityError(`"${String(text)}" is not a quantity (examples: 500m, 2, 1.5, 10Gi, 1e3)`);
  }
  const m = /^[+]?(\d*)(?:\.(\d*))?(.*)$/.exec(text);
  const whole = m?.[1] ?? '';
  const frac = m?.[2] ?? '';
  const suffix = m?.[3] ?? '';
  let digits = BigInt((whole || '0') + frac);
  let exp10 = -frac.length; // value = digits * 10^exp10 * multiplier
  let multiplier = 1n;
  if (suffix in binary) multiplier = binary[suffix] ?? 1n;
  else if (/^[eE]/.test(suffix)) exp10 += Number(suffix.slice(1));
  else exp10 += decimalExp[suffix] ?? 0;
  exp10 += 3; // milli-units
  if (exp10 > 40) {
    if (digits === 0n) return 0n;
    throw new QuantityError(`"${text}" is too large`);
  }
  digits *= multiplier;
  let milli: bigint;
  if (exp10 >= 0) milli = digits * 10n ** BigInt(exp10);
  else {
    const div = 10n ** BigInt(-exp10);
    milli = (digits + div - 1n) / div;
  }
  if (milli > maxMilli) throw new QuantityError(`"${text}" is too large`);
  return milli;
}

/** Whether text is a valid quantity. */
export function isQuantity(text: string): boolean {
  try {
    parseQuantity(text);
    return true;
  } catch {
    return false;
  }
}

const binaryOrder: [string, bigint][] = [
  ['Ei', 1n << 60n],
  ['Pi', 1n << 50n],
  ['Ti', 1n << 40n],
  ['Gi', 1n << 30n],
  ['Mi', 1n << 20n],
  ['Ki', 1n << 10n],
];

/**
 * Formats milli-units back as a canonical quantity: memory-like values (hint 'binary') in the largest exact
 * binary suffix, others as whole units or milli-units ("2", "1500m").
 */
export function formatQuantity(milli: bigint, hint: 'binary' | 'decimal' = 'decimal'): string {
  if (milli < 0n) return '-' + formatQuantity(-milli, hint);
  if (milli % 1000n !== 0n) return `${milli}m`;
  const units = milli / 1000n;
  if (hint === 'binary' && units !== 0n) {
    for (const [suffix, size] of binaryOrder) if (units % size === 0n) return `${units / size}${suffix}`;
  }
  return `${units}`;
}

/**
 * Kubernetes quantities ("500m", "2", "10Gi", "1e3") checked and compared exactly as the API does, so a form
 * refuses before submitting what the server would refuse. A copy of packages/api/src/quantity.ts
 * (quantityPattern, parseQuantity): importing it from @shipyard/api brings zod and every kind's schema into
 * the bundle (+36 KiB gzipped, measured), so quantity.test.ts checks this copy against the original instead.
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
const maxMilli = ((1n << 63n) - 1n) * 1000n;

/** Why `text` is not a quantity the API accepts: 'format' (the pattern), 'tooLarge' (over int64); or null. */
export function quantityProblem(text: string): 'format' | 'tooLarge' | null {
  return milliOrProblem(text).problem ?? null;
}

/** The quantity in milli-units (rounded up, as Kubernetes does), or undefined when the API would refuse it. */
export function parseMilli(text: string | undefined): bigint | undefined {
  return text === undefined ? undefined : milliOrProblem(text).milli;
}

function milliOrProblem(text: string): { milli?: bigint; problem?: 'format' | 'tooLarge' } {
  if (!quantityRe.test(text)) return { problem: 'format' };
  const m = /^[+]?(\d*)(?:\.(\d*))?(.*)$/.exec(text);
  const whole = m?.[1] ?? '';
  const frac = m?.[2] ?? '';
  const suffix = m?.[3] ?? '';
  let digits = BigInt((whole || '0') + frac);
  let exp10 = -frac.length;
  let multiplier = 1n;
  if (suffix in binary) multiplier = binary[suffix] ?? 1n;
  else if (/^[eE]/.test(suffix)) exp10 += Number(suffix.slice(1));
  else exp10 += decimalExp[suffix] ?? 0;
  exp10 += 3;
  if (exp10 > 40) return digits === 0n ? { milli: 0n } : { problem: 'tooLarge' };
  digits *= multiplier;
  let milli: bigint;
  if (exp10 >= 0) milli = digits * 10n ** BigInt(exp10);
  else {
    const div = 10n ** BigInt(-exp10);
    milli = (digits + div - 1n) / div;
  }
  return milli > maxMilli ? { problem: 'tooLarge' } : { milli };
}

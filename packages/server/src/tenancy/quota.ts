/**
 * ResourceQuota hard lists as exact amounts (milli-units, bigint): sums, maxima and canonical text. Quota
 * decisions compare these, never the strings ("1" and "1000m" are the same amount).
 */
import { formatQuantity, parseQuantity, QuantityError } from '@shipyard/api';
import { fieldPath } from '../http/field-path.js';
import { invalid, type ApiError } from '../http/errors.js';

/** A ResourceQuota `hard` list as stored: resource name → quantity. */
export type Hard = Record<string, string>;
/** Resource name → milli-units. */
export type Amounts = Map<string, bigint>;

/** Memory and storage read best in binary units (4608Mi); the rest as units or milli-units (2, 1500m). */
function hintOf(key: string): 'binary' | 'decimal' {
  return /memory|storage|hugepages-/.test(key) ? 'binary' : 'decimal';
}

/** One amount of `key`, in the canonical form Kubernetes would print. */
export function formatAmount(key: string, milli: bigint): string {
  return formatQuantity(milli, hintOf(key));
}

/** Parses every quantity; throws QuantityError on the first that does not parse. */
export function amounts(hard: Hard): Amounts {
  return new Map(Object.entries(hard).map(([k, v]) => [k, parseQuantity(v)]));
}

/** Adds `hard` into `sum` (in place). */
export function addInto(sum: Amounts, hard: Hard): Amounts {
  for (const [k, v] of amounts(hard)) sum.set(k, (sum.get(k) ?? 0n) + v);
  return sum;
}

/** Canonical text of amounts, keys sorted: the same amounts always give the same object. */
export function formatAmounts(a: Amounts): Hard {
  return Object.fromEntries([...a.keys()].sort().map((k) => [k, formatAmount(k, a.get(k) ?? 0n)]));
}

/** Per key the larger of the two (a key in either is in the result). */
export function maxOf(a: Hard, b: Hard): Hard {
  const out = amounts(a);
  for (const [k, v] of amounts(b)) if (v > (out.get(k) ?? -1n)) out.set(k, v);
  return formatAmounts(out);
}

/** Same keys with the same amounts, however they are written. */
export function sameHard(a: Hard, b: Hard): boolean {
  const x = amounts(a);
  const y = amounts(b);
  return x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
}

/** The 422 for the first quantity of `hard` that does not parse ("1e999": too large), naming its field. */
export function badQuantity(hard: Hard, path: readonly PropertyKey[]): ApiError | undefined {
  for (const [k, v] of Object.entries(hard)) {
    try {
      parseQuantity(v);
    } catch (err) {
      if (!(err instanceof QuantityError)) throw err;
      const field = fieldPath([...path, k]);
      return invalid(`${field}: ${err.message}`, field);
    }
  }
  return undefined;
}

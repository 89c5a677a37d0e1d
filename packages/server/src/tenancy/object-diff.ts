/**
 * Whether an object in a user cluster is as the partition controller wants it, and what a server-side apply
 * cannot put back. Pure. The controller writes only when these say something differs, so a partition in sync
 * costs no request at all.
 */
import { parseQuantity } from '@shipyard/api';
import type { Manifest } from './partition-objects.js';

type Json = unknown;
type Observed = { metadata?: { labels?: Record<string, string> }; spec?: unknown };

/** Maps whose values are quantities: "1" and "1000m", "1024Mi" and "1Gi" are the same amount. */
const quantityMaps = new Set(['hard', 'default', 'defaultRequest']);

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Empty and absent are the same: the apiserver leaves out empty maps and lists (`hard: {}`). */
const isEmpty = (v: Json) =>
  v === undefined || (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

function sameQuantity(a: Json, b: Json): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  try {
    return parseQuantity(a) === parseQuantity(b);
  } catch {
    return false;
  }
}

/** Deep equality as Kubernetes means it: quantities by amount, empty as absent. */
export function sameValue(a: Json, b: Json, quantities = false): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (quantities && sameQuantity(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    // Under a quantity map its values are quantities.
    return [...keys].every((k) => sameValue(a[k], b[k], quantities || quantityMaps.has(k)));
  }
  return false;
}

/**
 * The object needs a write: a label of ours is missing or changed, or the spec is not exactly ours (someone
 * edited it, added to it, or it does not exist). Labels others added are theirs to keep.
 */
export function needsWrite(observed: Observed | undefined, desired: Manifest): boolean {
  if (!observed) return true;
  const have = observed.metadata?.labels ?? {};
  if (Object.entries(desired.metadata.labels).some(([k, v]) => have[k] !== v)) return true;
  return desired.spec !== undefined && !sameValue(observed.spec, desired.spec);
}

/**
 * A JSON merge patch that removes what someone else added to the spec, which a server-side apply leaves
 * alone because another field manager owns it (a key added to the quota's `hard`, `scopes` set by hand);
 * undefined when there is none. Lists are not looked into: ours are atomic, and an apply replaces them whole.
 */
export function strayPatch(
  observed: Observed,
  desired: Manifest,
): { spec: Record<string, Json> } | undefined {
  if (desired.spec === undefined || !isObject(observed.spec)) return undefined;
  const patch = strays(observed.spec, desired.spec as Record<string, Json>);
  return patch ? { spec: patch } : undefined;
}

function strays(have: Record<string, Json>, want: Record<string, Json>): Record<string, Json> | undefined {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(have)) {
    const w = want[k];
    if (w === undefined) {
      if (!isEmpty(v)) out[k] = null;
    } else if (isObject(v) && isObject(w)) {
      const inner = strays(v, w);
      if (inner) out[k] = inner;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

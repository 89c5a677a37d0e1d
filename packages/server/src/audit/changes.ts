/**
 * Which fields an update changed, as paths: `spec.displayName`, `spec.clusters` (an array is compared as
 * a whole), `metadata.labels["app.kubernetes.io/name"]` (a key that is not a plain identifier is
 * bracketed). Only paths are returned and stored in the audit log, never values: not of a Secret's
 * `data`, not of a password, not of anything.
 *
 * Ignored: `status` and the fields the apiserver manages (`metadata.resourceVersion`, `.managedFields`,
 * `.generation`, `.uid`, `.creationTimestamp`, `.selfLink`).
 *
 * Sensitive fields are opaque: under `data`, `stringData` and `binaryData` only the key is reported
 * (`data.password`), and a field named like a password, token, secret, credential or private key is
 * reported at its own path without descending into it, so that no inner key (which might itself be a
 * secret) appears in a path. `redact` marks more paths opaque.
 */
export interface ChangedFieldsOptions {
  /** Whether the field at this path is opaque (reported if changed, never descended into). */
  redact?: (path: string) => boolean;
}

const ignored = new Set([
  'status',
  'metadata.resourceVersion',
  'metadata.managedFields',
  'metadata.generation',
  'metadata.uid',
  'metadata.creationTimestamp',
  'metadata.selfLink',
]);

const dataFields = new Set(['data', 'stringData', 'binaryData']);
const sensitiveKey = /pass(word|phrase|wd)?$|token|secret|credential|private.?key|api.?key/i;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values; object key order does not matter, array order does. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a).filter((k) => a[k] !== undefined);
  if (keys.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

function join(parent: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The paths whose values differ between two versions of an object (see above), in key order; no values.
 * A root that is not an object is compared whole and reported as the path ''. */
export function changedFields(before: unknown, after: unknown, opts: ChangedFieldsOptions = {}): string[] {
  const out: string[] = [];
  const opaque = (path: string, key: string, inData: boolean): boolean =>
    inData || sensitiveKey.test(key) || (opts.redact?.(path) ?? false);
  const walk = (a: JsonObject, b: JsonObject, parent: string, inData: boolean): void => {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const path = join(parent, key);
      if (ignored.has(path)) continue;
      const x = a[key];
      const y = b[key];
      if (jsonEqual(x, y)) continue;
      if (
        !opaque(path, key, inData) &&
        (isObject(x) || x === undefined) &&
        (isObject(y) || y === undefined)
      ) {
        walk(x ?? {}, y ?? {}, path, parent === '' && dataFields.has(key));
      } else {
        out.push(path);
      }
    }
  };
  const root = (value: unknown): JsonObject | undefined =>
    value === undefined || value === null ? {} : isObject(value) ? value : undefined;
  const a = root(before);
  const b = root(after);
  if (a === undefined || b === undefined) return jsonEqual(before, after) ? [] : [''];
  walk(a, b, '', false);
  return out;
}

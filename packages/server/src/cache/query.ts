/**
 * List queries over cached objects: filter (field, label, text), sort and pagination. Pure; the cache
 * and every list endpoint use it, for platform kinds and cluster resources alike.
 *
 * filter: comma-separated terms — `path=value`, `path!=value`, `path~text` (contains, any case), or bare
 * text matched against name, displayName and description. Paths are dotted (`spec.tenant`).
 * labelSelector: Kubernetes syntax — `k=v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
 * sort: comma-separated paths, `-` before one for descending (default `metadata.name`).
 */
export type ListQuery = {
  filter?: string;
  labelSelector?: string;
  sort?: string;
  page?: number;
  pageSize?: number;
};
export type ListResult<T> = { items: T[]; total: number; page: number; pageSize: number };

export const maxPageSize = 1000;
export const defaultPageSize = 50;

export class QueryError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Predicate = (obj: unknown) => boolean;

/** A getter for a dotted path, split once (lists call it for every object). */
export function getter(path: string): (obj: unknown) => unknown {
  const parts = path.split('.');
  return (obj) => {
    let cur: unknown = obj;
    for (const part of parts) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
  };
}

export function valueAt(obj: unknown, path: string): unknown {
  return getter(path)(obj);
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function splitTerms(s: string): string[] {
  // Commas inside parentheses belong to `in (a,b)`.
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  return terms.map((t) => t.trim()).filter(Boolean);
}

const pathRe = /^[A-Za-z][\w]*(\.[\w-]+)*$/;

function fieldTerm(term: string): Predicate {
  const m = /^([^=!~]+?)\s*(!=|=|~)\s*(.*)$/.exec(term);
  if (!m) {
    const needle = term.toLowerCase();
    const fields = ['metadata.name', 'spec.displayName', 'spec.description'].map(getter);
    return (o) => fields.some((get) => text(get(o)).toLowerCase().includes(needle));
  }
  const [, path = '', op, value = ''] = m;
  if (!pathRe.test(path)) throw new QueryError('filter', `"${path}" is not a field path such as spec.tenant`);
  const get = getter(path);
  if (op === '=') return (o) => text(get(o)) === value;
  if (op === '!=') return (o) => text(get(o)) !== value;
  const needle = value.toLowerCase();
  return (o) => text(get(o)).toLowerCase().includes(needle);
}

const labelKeyRe = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function labelTerm(term: string): Predicate {
  const getLabels = getter('metadata.labels');
  const labels = (o: unknown) => (getLabels(o) ?? {}) as Record<string, string>;
  const check = (key: string) => {
    if (!labelKeyRe.test(key)) throw new QueryError('labelSelector', `"${key}" is not a label key`);
    return key;
  };
  let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const key = check(m[1] ?? '');
    const set = new Set((m[3] ?? '').split(',').map((v) => v.trim()));
    return m[2] === 'in' ? (o) => set.has(labels(o)[key] ?? '\0') : (o) => !set.has(labels(o)[key] ?? '\0');
  }
  m = /^([^=!]+?)\s*(!=|==|=)\s*(.*)$/.exec(term);
  if (m) {
    const key = check(m[1] ?? '');
    const value = m[3] ?? '';
    return m[2] === '!=' ? (o) => labels(o)[key] !== value : (o) => labels(o)[key] === value;
  }
  if (term.startsWith('!')) {
    const key = check(term.slice(1).trim());
    return (o) => !(key in labels(o));
  }
  const key = check(term);
  return (o) => key in labels(o);
}

type SortKey = { get: (o: unknown) => unknown; dir: 1 | -1 };

function sortKeys(sort: string): SortKey[] {
  const keys: SortKey[] = splitTerms(sort).map((k) => {
    const desc = k.startsWith('-');
    const path = desc ? k.slice(1) : k;
    if (!pathRe.test(path))
      throw new QueryError('sort', `"${path}" is not a field path such as metadata.name`);
    return { get: getter(path), dir: desc ? -1 : 1 };
  });
  keys.push({ get: getter('metadata.name'), dir: 1 });
  return keys;
}

/** Strings by code point (stable across locales and fast), numbers by value, missing values last. */
function compareValues(x: unknown, y: unknown): number {
  if (x === y) return 0;
  if (x === undefined || x === null) return 1;
  if (y === undefined || y === null) return -1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const a = text(x);
  const b = text(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts by the `sort` parameter (default metadata.name), reading each object's keys once. */
export function sortItems<T>(items: Iterable<T>, sort = ''): T[] {
  const keys = sortKeys(sort);
  const rows = Array.from(items, (item) => ({ item, values: keys.map((k) => k.get(item)) }));
  rows.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareValues(a.values[i], b.values[i]);
      if (c !== 0) return c * (keys[i]?.dir ?? 1);
    }
    return 0;
  });
  return rows.map((r) => r.item);
}

function int(field: string, v: number | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) {
    throw new QueryError(field, `${field} must be a whole number from 1 to ${max}`);
  }
  return v;
}

/** Compiles the filter and label selector into one predicate (throws QueryError on bad syntax). */
export function compileFilter(q: Pick<ListQuery, 'filter' | 'labelSelector'>): Predicate {
  const preds = [
    ...splitTerms(q.filter ?? '').map(fieldTerm),
    ...splitTerms(q.labelSelector ?? '').map(labelTerm),
  ];
  return (o) => preds.every((p) => p(o));
}

/**
 * Filters and pages items that are already sorted (sortItems; callers may keep the sorted list while the
 * data does not change). `visible` drops what the caller may not see before anything is counted.
 */
export function pageSorted<T>(
  sorted: readonly T[],
  q: ListQuery,
  visible?: (o: T) => boolean,
): ListResult<T> {
  const page = int('page', q.page, 1, 1_000_000);
  const pageSize = int('pageSize', q.pageSize, defaultPageSize, maxPageSize);
  const match = q.filter || q.labelSelector ? compileFilter(q) : undefined;
  const from = (page - 1) * pageSize;
  const items: T[] = [];
  let total = 0;
  for (const o of sorted) {
    if ((visible && !visible(o)) || (match && !match(o))) continue;
    if (total >= from && items.length < pageSize) items.push(o);
    total++;
  }
  return { items, total, page, pageSize };
}

/** Filters, sorts and pages `items`. */
export function runQuery<T>(items: Iterable<T>, q: ListQuery, visible?: (o: T) => boolean): ListResult<T> {
  const sorted = sortItems(items, q.sort);
  return pageSorted(sorted, q, visible);
}

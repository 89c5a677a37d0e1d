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

export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
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
    return (o) =>
      ['metadata.name', 'spec.displayName', 'spec.description'].some((p) =>
        text(valueAt(o, p)).toLowerCase().includes(needle),
      );
  }
  const [, path = '', op, value = ''] = m;
  if (!pathRe.test(path)) throw new QueryError('filter', `"${path}" is not a field path such as spec.tenant`);
  if (op === '=') return (o) => text(valueAt(o, path)) === value;
  if (op === '!=') return (o) => text(valueAt(o, path)) !== value;
  const needle = value.toLowerCase();
  return (o) => text(valueAt(o, path)).toLowerCase().includes(needle);
}

const labelKeyRe = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function labelTerm(term: string): Predicate {
  const labels = (o: unknown) => (valueAt(o, 'metadata.labels') ?? {}) as Record<string, string>;
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

function comparator(sort: string): (a: unknown, b: unknown) => number {
  const keys = splitTerms(sort).map((k) => {
    const desc = k.startsWith('-');
    const path = desc ? k.slice(1) : k;
    if (!pathRe.test(path))
      throw new QueryError('sort', `"${path}" is not a field path such as metadata.name`);
    return { path, dir: desc ? -1 : 1 };
  });
  keys.push({ path: 'metadata.name', dir: 1 });
  return (a, b) => {
    for (const { path, dir } of keys) {
      const x = valueAt(a, path);
      const y = valueAt(b, path);
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : text(x).localeCompare(text(y));
      if (c !== 0) return c * dir;
    }
    return 0;
  };
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

/** Filters, sorts and pages `items`; `visible` drops what the caller may not see before anything is counted. */
export function runQuery<T>(
  items: Iterable<T>,
  q: ListQuery,
  visible: (o: T) => boolean = () => true,
): ListResult<T> {
  const page = int('page', q.page, 1, 1_000_000);
  const pageSize = int('pageSize', q.pageSize, defaultPageSize, maxPageSize);
  const match = compileFilter(q);
  const cmp = comparator(q.sort ?? '');
  const all: T[] = [];
  for (const o of items) if (visible(o) && match(o)) all.push(o);
  all.sort(cmp);
  return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize };
}

/**
 * Cluster-wide lists for users who may see only some namespaces. `kubectl get pods -A` asks for
 * /api/v1/pods; the cluster's RBAC answers 403 to a user bound in a few namespaces only. The proxy then lists
 * the resource in each namespace the platform gives them on that cluster (as them, so RBAC still decides
 * each one), skips those that answer 403 or 404, and merges the answers into one of the same shape: a
 * `…List` or a meta.k8s.io `Table` (what kubectl asks for).
 *
 * Query parameters: labelSelector, fieldSelector and the rest go to every namespace unchanged. `limit` is
 * dropped and the whole merged list returned without a continue token, which the Kubernetes API allows
 * ("servers may ignore limit"): a continue token belongs to one list and cannot span namespaces. A request
 * that carries `continue` is not fanned out (no token we could have issued), nor is a watch.
 */
import { unavailable } from '../http/errors.js';
import { parseKubePath } from './kube-path.js';

/** A GET of a resource in all namespaces: /api/v1/pods, /apis/apps/v1/deployments?labelSelector=… */
export type ClusterWideList = {
  /** /api/v1 or /apis/{group}/{version} */
  prefix: string;
  resource: string;
  query: URLSearchParams;
};

// Go's strconv.ParseBool, which the API server uses for `watch`: anything else that is set means a watch or a 400.
const falseValues = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** The list this path asks for, if it is a cluster-wide list that could be fanned out per namespace. */
export function clusterWideList(path: string): ClusterWideList | undefined {
  const q = path.indexOf('?');
  const pathname = q < 0 ? path : path.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
  const t = parseKubePath(pathname);
  if (!t.resource || t.namespace || t.name || t.resource === 'namespaces') return undefined;
  const parts = pathname.split('/').filter(Boolean);
  const prefixLength = parts[0] === 'api' ? 2 : 3;
  if (parts.length !== prefixLength + 1) return undefined;
  const watch = query.get('watch');
  if (watch !== null && !falseValues.has(watch)) return undefined;
  if (query.has('continue')) return undefined;
  return { prefix: '/' + parts.slice(0, prefixLength).join('/'), resource: t.resource, query };
}

/** The same list in one namespace; `limit` dropped (see the file's comment). */
export function namespacedPath(list: ClusterWideList, namespace: string): string {
  const query = new URLSearchParams(list.query);
  query.delete('limit');
  query.delete('continue');
  const qs = query.toString();
  return `${list.prefix}/namespaces/${encodeURIComponent(namespace)}/${list.resource}${qs ? `?${qs}` : ''}`;
}

/**
 * The client's Accept with only the JSON media types kept (merging needs JSON; a protobuf answer could not be
 * merged), or undefined when it accepts no JSON at all. No Accept means JSON.
 */
export function jsonAccept(accept: string | undefined): string | undefined {
  if (!accept) return 'application/json';
  const kept = accept
    .split(',')
    .map((t) => t.trim())
    .filter((t) => {
      const type = t.split(';')[0]?.trim().toLowerCase();
      return type === 'application/json' || type === 'application/*' || type === '*/*';
    });
  return kept.length > 0 ? kept.join(', ') : undefined;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTable(v: Json): boolean {
  return v.kind === 'Table' && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('meta.k8s.io/');
}

/**
 * One answer from the per-namespace answers: items (of a `…List`) or rows (of a `Table`) concatenated in the
 * order given, the first answer's apiVersion, kind and columnDefinitions, and a resourceVersion of "" (no
 * single one is valid for the whole). Throws when the answers are not all lists, or not all tables.
 */
export function mergeLists(bodies: readonly unknown[]): Json {
  const [first] = bodies;
  if (!isObject(first)) throw new Error('no list to merge');
  const field = isTable(first) ? 'rows' : 'items';
  const merged: unknown[] = [];
  for (const body of bodies) {
    if (!isObject(body) || isTable(body) !== (field === 'rows') || !Array.isArray(body[field])) {
      throw new Error(`the namespaces answered different shapes (${String(isObject(body) && body.kind)})`);
    }
    merged.push(...(body[field] as unknown[]));
  }
  return { ...first, metadata: { resourceVersion: '' }, [field]: merged };
}

/** One namespace's answer: its status and raw body. */
export type Answer = { status: number; headers: Record<string, string | string[]>; body: Buffer };

export type FanOutResult =
  /** At least one namespace answered: the merged list, and the namespaces it holds. */
  | { outcome: 'merged'; body: Json; namespaces: string[] }
  /** Every namespace answered 403 or 404: the original refusal stands. */
  | { outcome: 'none' }
  /** A namespace failed otherwise (a 5xx, a 429…): its answer, rather than a list silently missing it. */
  | { outcome: 'failed'; answer: Answer };

/** Runs `fn` on every item, at most `parallelism` at a time; results in the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  parallelism: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, items.length) }, worker));
  return out;
}

/**
 * Lists `list` in each namespace through `get` (as the user) and merges what they may see. Throws an ApiError
 * (503) when an answer is not JSON or the answers cannot be merged.
 */
export async function listAcrossNamespaces(opts: {
  list: ClusterWideList;
  namespaces: readonly string[];
  get: (path: string) => Promise<Answer>;
  parallelism?: number;
}): Promise<FanOutResult> {
  const answers = await mapBounded(opts.namespaces, opts.parallelism ?? 8, (ns) =>
    opts.get(namespacedPath(opts.list, ns)).then((answer) => ({ ns, answer })),
  );
  const seen: { ns: string; body: unknown }[] = [];
  for (const { ns, answer } of answers) {
    if (answer.status === 403 || answer.status === 404) continue;
    if (answer.status !== 200) return { outcome: 'failed', answer };
    try {
      seen.push({ ns, body: JSON.parse(answer.body.toString('utf8')) });
    } catch {
      throw unavailable(`the list in namespace "${ns}" is not JSON`);
    }
  }
  if (seen.length === 0) return { outcome: 'none' };
  try {
    return {
      outcome: 'merged',
      body: mergeLists(seen.map((s) => s.body)),
      namespaces: seen.map((s) => s.ns),
    };
  } catch (err) {
    throw unavailable(`the lists of ${seen.length} namespaces cannot be merged: ${(err as Error).message}`);
  }
}

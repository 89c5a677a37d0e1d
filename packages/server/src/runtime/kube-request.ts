/**
 * Raw JSON requests to any API path through client-node's own transport (KubeConfig auth, TLS, proxies).
 * Objects stay as the apiserver sent them (timestamps as strings), the same shape a watch delivers;
 * the generated typed clients would turn list items into class instances with Dates.
 */
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { errorFromResponse, isRecord, KubeApiError, toKubeApiError } from './kube-errors.js';

const http = new IsomorphicFetchHttpLibrary();

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An API path such as /apis/coordination.k8s.io/v1/namespaces/x/leases/y. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Gives up (KubeApiError reason Timeout) after this long. */
  timeoutMs?: number;
}

/** Sends one request; resolves with the parsed JSON body, rejects with a KubeApiError. */
export async function kubeRequest(kc: KubeConfig, req: KubeRequest): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new KubeApiError({ reason: 'NoCluster', message: 'the kubeconfig has no current cluster' });
  const method = HttpMethod[req.method ?? 'GET'];
  const ctx = new RequestContext(cluster.server + req.path, method);
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v !== undefined) ctx.setQueryParam(k, String(v));
  }
  ctx.setHeaderParam('Accept', 'application/json');
  if (req.body !== undefined) {
    ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
    ctx.setBody(JSON.stringify(req.body));
  }
  const signals = [req.signal, req.timeoutMs === undefined ? undefined : AbortSignal.timeout(req.timeoutMs)];
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length > 0) ctx.setSignal(AbortSignal.any(present));
  try {
    await kc.applySecurityAuthentication(ctx);
    const res = await http.send(ctx).toPromise();
    const text = await res.body.text();
    if (res.httpStatusCode < 200 || res.httpStatusCode > 299)
      throw errorFromResponse(res.httpStatusCode, text);
    return text === '' ? undefined : JSON.parse(text);
  } catch (err) {
    throw toKubeApiError(err);
  }
}

export interface ListOptions {
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per page (default 500); pages share one snapshot of the apiserver. */
  pageSize?: number;
  signal?: AbortSignal;
  /** Per page (default 60 s). */
  timeoutMs?: number;
}

function isObjectItem(x: unknown): x is KubernetesObject {
  return isRecord(x) && isRecord(x.metadata) && typeof x.metadata.name === 'string';
}

/**
 * Lists every object at `path`, page by page. If a continue token expires (410) it starts over
 * without paging, as client-go's pager does.
 */
export async function listAll<T extends KubernetesObject>(
  kc: KubeConfig,
  opts: ListOptions,
): Promise<KubernetesListObject<T>> {
  const pageSize = opts.pageSize ?? 500;
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion = '';
  let paged = pageSize > 0;
  for (;;) {
    let page: unknown;
    try {
      page = await kubeRequest(kc, {
        path: opts.path,
        query: {
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          limit: paged ? pageSize : undefined,
          continue: cont,
        },
        signal: opts.signal,
        timeoutMs: opts.timeoutMs ?? 60_000,
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.gone && cont !== undefined) {
        items.length = 0;
        cont = undefined;
        paged = false;
        continue;
      }
      throw err;
    }
    if (!isRecord(page) || !Array.isArray(page.items)) {
      throw new KubeApiError({ reason: 'BadResponse', message: `${opts.path} did not answer with a list` });
    }
    // List items of built-in kinds come without apiVersion/kind, watch events carry them: fill them in so
    // the store holds one shape. The apiserver is trusted for the shape of T; only what the store uses is checked.
    const kind = typeof page.kind === 'string' ? page.kind.replace(/List$/, '') : undefined;
    const apiVersion = typeof page.apiVersion === 'string' ? page.apiVersion : undefined;
    for (const item of page.items) {
      if (!isObjectItem(item)) continue;
      item.kind ??= kind;
      item.apiVersion ??= apiVersion;
      items.push(item as T);
    }
    const meta = isRecord(page.metadata) ? page.metadata : {};
    if (cont === undefined && typeof meta.resourceVersion === 'string')
      resourceVersion = meta.resourceVersion;
    cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
    if (cont === undefined) break;
  }
  return { metadata: { resourceVersion }, items };
}

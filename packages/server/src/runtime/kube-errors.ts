/** Errors of the Kubernetes API as values: every failure shape client-node produces becomes one KubeApiError. */

const reasons: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Statuses that retrying cannot fix: the informer stops and reports them. */
const permanent = new Set([401, 403, 404]);

export interface KubeApiErrorInit {
  /** The HTTP status; absent when no response came (connection refused, reset, timeout). */
  status?: number;
  /** The Kubernetes Status reason (Forbidden, Expired…) or the system error code (ECONNREFUSED). */
  reason: string;
  message: string;
  cause?: unknown;
}

export class KubeApiError extends Error {
  readonly status: number | undefined;
  readonly reason: string;
  /** client-node's ListWatch recognizes an expired resourceVersion by `statusCode === 410`. */
  readonly statusCode: number | undefined;

  constructor(init: KubeApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'KubeApiError';
    this.status = init.status;
    this.statusCode = init.status;
    this.reason = init.reason;
  }

  /** 401, 403, 404: retrying will not help until someone changes credentials, RBAC or the API. */
  get permanent(): boolean {
    return this.status !== undefined && permanent.has(this.status);
  }

  get gone(): boolean {
    return this.status === 410;
  }
}

/** Whether `err` is the apiserver answering `status` (404 gone, 409 conflict…). */
export const isKubeStatus = (err: unknown, status: number): boolean =>
  err instanceof KubeApiError && err.status === status;

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/** A KubeApiError from an HTTP status and its body (a Kubernetes Status object, or anything). */
export function errorFromResponse(status: number, body: unknown): KubeApiError {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = { message: body.slice(0, 500) };
    }
  }
  const rec = isRecord(parsed) ? parsed : {};
  const reason = str(rec.reason) ?? reasons[status] ?? `HTTP${status}`;
  return new KubeApiError({ status, reason, message: str(rec.message) ?? `HTTP ${status} ${reason}` });
}

/** Normalizes any thrown value (Watch errors, ApiException, Status objects, fetch/system errors, aborts). */
export function toKubeApiError(err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (isRecord(err) && err.kind === 'Status' && typeof err.code === 'number') {
    return errorFromResponse(err.code, err);
  }
  const rec: Record<string, unknown> = isRecord(err) ? err : {};
  const message = err instanceof Error ? err.message : (str(rec.message) ?? String(err));
  const name = err instanceof Error ? err.name : 'Error';
  // Before `code`: a DOMException's numeric code (20 for AbortError) is no HTTP status.
  if (name === 'AbortError') return new KubeApiError({ reason: 'Aborted', message, cause: err });
  if (name === 'TimeoutError') return new KubeApiError({ reason: 'Timeout', message, cause: err });
  // client-node's Watch sets statusCode; its generated APIs throw ApiException with a numeric code and a body.
  const status = httpStatus(rec.statusCode) ?? httpStatus(rec.code);
  if (status !== undefined) {
    const fromBody = rec.body === undefined ? undefined : errorFromResponse(status, rec.body);
    return new KubeApiError({
      status,
      reason: fromBody?.reason ?? reasons[status] ?? `HTTP${status}`,
      message: fromBody?.message ?? message,
      cause: err,
    });
  }
  return new KubeApiError({ reason: str(rec.code) ?? name, message, cause: err });
}

function httpStatus(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isInteger(x) && x >= 100 && x <= 599 ? x : undefined;
}

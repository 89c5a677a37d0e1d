/**
 * The API's errors as values: every failure of the server arrives as `{code, reason, message, field?}` with its
 * HTTP status (packages/server/src/http/errors.ts). Pages decide by status: 401 → sign in again, 403 → a
 * no-permission state, 503 → the cluster (or the server's store of it) is unavailable, `field` → the form field.
 */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    /** The HTTP status; 0 when nothing answered (network down, server stopped). */
    readonly status: number,
    readonly reason: string,
    message: string,
    /** The field the error concerns, as the API names it: `metadata.name`, `spec.clusters[0].hard["cpu"]`. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The ApiError of a response whose status is not 2xx, from its body when it is the API's error shape. */
export function errorOf(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object') {
    const b = body as { reason?: unknown; message?: unknown; field?: unknown };
    if (typeof b.message === 'string') {
      return new ApiError(
        status,
        typeof b.reason === 'string' ? b.reason : 'Unknown',
        b.message,
        typeof b.field === 'string' ? b.field : undefined,
      );
    }
  }
  return new ApiError(status, 'Unknown', `the server answered ${status}`);
}

export const statusOf = (err: unknown): number | undefined =>
  err instanceof ApiError ? err.status : undefined;
export const isUnauthorized = (err: unknown) => statusOf(err) === 401;
export const isForbidden = (err: unknown) => statusOf(err) === 403;
export const isNotFound = (err: unknown) => statusOf(err) === 404;
/** The server, or a cluster behind it, could not be reached: a state to show, not a failure of the page. */
export const isUnavailable = (err: unknown) => statusOf(err) === 503 || statusOf(err) === 0;

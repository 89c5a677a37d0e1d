/** Errors are values at the boundary: every failure leaves the server as `{code, reason, message, field?}`. */
export type ErrorBody = { code: number; reason: string; message: string; field?: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return {
      code: this.status,
      reason: this.reason,
      message: this.message,
      ...(this.field ? { field: this.field } : {}),
    };
  }
}

export const badRequest = (message: string, field?: string) =>
  new ApiError(400, 'BadRequest', message, field);
export const unauthorized = (message = 'authentication required') =>
  new ApiError(401, 'Unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);
export const conflict = (message: string, field?: string) => new ApiError(409, 'Conflict', message, field);
export const alreadyExists = (message: string) =>
  new ApiError(409, 'AlreadyExists', message, 'metadata.name');
export const invalid = (message: string, field?: string) => new ApiError(422, 'Invalid', message, field);
export const tooManyRequests = (message: string) => new ApiError(429, 'TooManyRequests', message);
export const unavailable = (message: string) => new ApiError(503, 'ServiceUnavailable', message);

type KubeStatus = {
  message?: string;
  reason?: string;
  details?: { causes?: { field?: string; message?: string }[] };
};

/** Maps an error from @kubernetes/client-node (ApiException: code + JSON Status body) to an ApiError. */
export function fromKube(err: unknown, what: string): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { code?: unknown; body?: unknown };
  const code = typeof e?.code === 'number' ? e.code : undefined;
  if (code === undefined || code < 400) {
    return unavailable(
      `the management cluster did not answer for ${what}: ${(err as Error)?.message ?? String(err)}`,
    );
  }
  let status: KubeStatus = {};
  if (typeof e.body === 'string') {
    try {
      status = JSON.parse(e.body) as KubeStatus;
    } catch {
      status = { message: e.body };
    }
  } else if (e.body && typeof e.body === 'object') status = e.body as KubeStatus;
  const message = status.message ?? `${what}: HTTP ${code}`;
  const cause = status.details?.causes?.[0];
  switch (code) {
    case 404:
      return notFound(`${what} not found`);
    case 409:
      return status.reason === 'AlreadyExists' ? alreadyExists(`${what} already exists`) : conflict(message);
    case 422:
      return invalid(cause?.message ?? message, cause?.field);
    case 400:
      return badRequest(message);
    case 403:
      return unavailable(
        `the server's own access to the management cluster was refused for ${what}: ${message}`,
      );
    default:
      return code >= 500 ? unavailable(message) : new ApiError(code, status.reason ?? 'Error', message);
  }
}

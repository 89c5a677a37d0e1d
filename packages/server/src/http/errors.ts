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

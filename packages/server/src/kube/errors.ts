import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  invalid,
  notFound,
  unavailable,
} from '../http/errors.js';
import { toKubeApiError } from '../runtime/kube-errors.js';

/** Maps an error of the management cluster (any shape client-node throws) to an ApiError. */
export function fromKube(err: unknown, what: string): ApiError {
  if (err instanceof ApiError) return err;
  const e = toKubeApiError(err);
  switch (e.status) {
    case undefined:
      return unavailable(`the management cluster did not answer for ${what}: ${e.message}`);
    case 404:
      return notFound(`${what} not found`);
    case 409:
      return e.reason === 'AlreadyExists' ? alreadyExists(`${what} already exists`) : conflict(e.message);
    case 422:
      return invalid(e.message);
    case 400:
      return badRequest(e.message);
    case 401:
    case 403:
      return unavailable(
        `the server's own access to the management cluster was refused for ${what}: ${e.message}`,
      );
    default:
      return e.status >= 500 ? unavailable(e.message) : new ApiError(e.status, e.reason, e.message);
  }
}

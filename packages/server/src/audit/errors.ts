/** An audit log failure a person can act on. Callers refuse the request (503) when writing the audit log fails. */
export class AuditError extends Error {
  override name = 'AuditError';
}

/** A query the caller got wrong (maps to 400 with `field`). */
export class AuditQueryError extends AuditError {
  override name = 'AuditQueryError';

  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * The innermost message of an error chain: the database's own words rather than drizzle's
 * "Failed query: <sql>" wrapper (whose parameters could hold audit data).
 */
export function rootMessage(err: unknown): string {
  let current = err;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  if (current instanceof AggregateError && current.errors.length > 0) return rootMessage(current.errors[0]);
  return current instanceof Error ? current.message || current.name : String(current);
}

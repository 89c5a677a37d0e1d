/**
 * The largest body the Kubernetes proxy forwards: 3 MiB, the limit of the Kubernetes API server itself
 * (MaxRequestBodyBytes), so whatever a cluster would take passes (kubectl apply of an object as big as
 * Kubernetes stores, its last-applied annotation included) and nothing it would refuse is streamed to it. A
 * larger body is answered 413 here: at once when its Content-Length says so, else when the stream passes it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { ApiError } from '../http/errors.js';

export const maxBodyBytes = 3 * 1024 * 1024;

export function tooLarge(): ApiError {
  return new ApiError(
    413,
    'RequestEntityTooLarge',
    `the request body is larger than ${maxBodyBytes} bytes (3 MiB), the most a Kubernetes API server takes`,
  );
}

/** What a body stream fails with when it passes the limit. */
export class BodyTooLargeError extends Error {
  constructor() {
    super(`the request body passed ${maxBodyBytes} bytes`);
  }
}

/** Counts the bytes through and fails with BodyTooLargeError past `limit`. */
class BodyLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return done(new BodyTooLargeError());
    done(null, chunk);
  }
}

/**
 * The body to forward: throws 413 when the declared Content-Length is over the limit; else the body through a
 * counter that fails past it (a chunked body declares no length). No body, nothing to limit.
 */
export function limitBody(headers: IncomingHttpHeaders, body: Readable | undefined): Readable | undefined {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) throw tooLarge();
  if (!body || typeof body.pipe !== 'function') return body;
  const limited = new BodyLimit(maxBodyBytes);
  body.on('error', (err) => limited.destroy(err));
  return body.pipe(limited);
}

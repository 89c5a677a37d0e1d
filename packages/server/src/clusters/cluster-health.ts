/**
 * Whether a cluster's API server takes connections, as its connection pool sees them. Every new connection of
 * the pool (the proxy's, informers', controllers') must complete TLS within connectTimeoutMs, or it is
 * destroyed and the cluster is marked down. While it is down, requests are answered 503 at once instead of each
 * waiting out its own timeout, except one request every probeEveryMs, let through to try; the cluster is up
 * again as soon as a new connection of the pool completes TLS (the status controller and the informers try
 * too) or a request through it is answered (the proxy and the status controller say so).
 *
 * Only a connection that does not complete marks the cluster down: an API server that takes a connection in
 * milliseconds but is slow to answer one request (a slow admission webhook, a big list) is not down, and its
 * other requests must not be refused for it.
 */
import type { Duplex } from 'node:stream';
import { ApiError } from '../http/errors.js';

/** How long a new connection to a cluster may take to complete TCP and TLS. */
export const connectTimeoutMs = 3_000;
/** While a cluster is down, one request this often is let through to try it. */
export const probeEveryMs = 5_000;

export type ClusterHealthOptions = { connectTimeoutMs: number; probeEveryMs: number };

export class ClusterHealth {
  private down: { reason: string; nextProbe: number } | undefined;

  constructor(
    readonly cluster: string,
    private readonly opts: ClusterHealthOptions = { connectTimeoutMs, probeEveryMs },
  ) {}

  /** The 503 to answer while the cluster is down, for a reader that would not try it itself (a cache). */
  refusal(): ApiError | undefined {
    return this.down && this.error(this.down.reason);
  }

  /**
   * For a request about to be sent: the 503 to answer at once while the cluster is down, except that one
   * request every probeEveryMs is admitted (undefined) to try it.
   */
  admit(now = Date.now()): ApiError | undefined {
    if (!this.down) return undefined;
    if (now >= this.down.nextProbe) {
      this.down.nextProbe = now + this.opts.probeEveryMs;
      return undefined;
    }
    return this.error(this.down.reason);
  }

  /** The cluster answered: it is up. */
  up(): void {
    this.down = undefined;
  }

  /** A connection did not complete in time. */
  markDown(reason: string, now = Date.now()): void {
    this.down = { reason, nextProbe: now + this.opts.probeEveryMs };
  }

  /**
   * Watches a new connection of the pool (a TLS socket, connecting): destroyed with an error, and the cluster
   * marked down, when it has not completed TLS within connectTimeoutMs; the cluster is up when it does.
   */
  guard(socket: Duplex): void {
    const timer = setTimeout(() => {
      const reason = `no TLS connection within ${this.opts.connectTimeoutMs / 1000} s`;
      this.markDown(reason);
      socket.destroy(new Error(reason));
    }, this.opts.connectTimeoutMs);
    timer.unref();
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      this.up();
    });
    socket.once('close', () => clearTimeout(timer));
  }

  private error(reason: string): ApiError {
    return new ApiError(503, 'ClusterUnreachable', `cluster "${this.cluster}" does not answer: ${reason}`);
  }
}

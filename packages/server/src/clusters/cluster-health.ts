/**
 * Whether a cluster's API server takes connections, as its connection pool sees them. Every new connection of
 * the pool (the proxy's, informers', controllers') must complete TLS within connectTimeoutMs, or it is
 * destroyed and the cluster is marked down. While it is down, requests are answered 503 at once instead of each
 * waiting out its own timeout, except one request every probeEveryMs, let through to try; the cluster is up
 * again as soon as a new connection of the pool completes TLS (the status controller and the informers try
 * too) or a request through it is answered (the proxy and the status controller say so).
 *
 * A cluster that shows life meanwhile (other connections complete, other requests are answered) is busy, not
 * down: a connection then gets more time, up to patienceMs (a burst of a thousand watches through one tunnel
 * handshakes slowly), and the cluster is not marked down. Nor does a request slow to be answered mark it (a
 * slow admission webhook, a big list): its other requests must not be refused for it.
 */
import type { Duplex } from 'node:stream';
import { ApiError } from '../http/errors.js';
import { Reason } from '../runtime/condition-reasons.js';

/** How long a new connection to a cluster may take to complete TCP and TLS. */
export const connectTimeoutMs = 3_000;
/** While a cluster is down, one request this often is let through to try it. */
export const probeEveryMs = 5_000;
/** The most a connection (or an answer) is waited for while the cluster shows life. */
export const patienceMs = 10_000;

export type ClusterHealthOptions = { connectTimeoutMs: number; probeEveryMs: number; patienceMs: number };

export class ClusterHealth {
  private down: { reason: string; nextProbe: number } | undefined;
  private lastUp = Number.NEGATIVE_INFINITY;

  constructor(
    readonly cluster: string,
    private readonly opts: ClusterHealthOptions = { connectTimeoutMs, probeEveryMs, patienceMs },
  ) {}

  /** The most a connection or an answer is waited for while the cluster shows life. */
  get patienceMs(): number {
    return this.opts.patienceMs;
  }

  /** Whether a connection completed or a request was answered within the last `ms`. */
  alive(ms: number, now = Date.now()): boolean {
    return now - this.lastUp < ms;
  }

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
  up(now = Date.now()): void {
    this.down = undefined;
    this.lastUp = now;
  }

  /** A connection did not complete in time. */
  markDown(reason: string, now = Date.now()): void {
    this.down = { reason, nextProbe: now + this.opts.probeEveryMs };
  }

  /**
   * Watches a new connection of the pool (a TLS socket, connecting): destroyed with an error, and the cluster
   * marked down, when it has not completed TLS within connectTimeoutMs and no other connection or answer showed
   * life meanwhile (else it gets up to patienceMs); the cluster is up when it completes.
   */
  guard(socket: Duplex): void {
    const started = Date.now();
    const { connectTimeoutMs: window } = this.opts;
    const check = (): void => {
      const now = Date.now();
      const busy = this.alive(window, now);
      if (busy && now - started < this.opts.patienceMs) {
        timer = setTimeout(check, window);
        timer.unref();
        return;
      }
      const reason = `no TLS connection within ${Math.round((now - started) / 100) / 10} s`;
      if (!busy) this.markDown(reason, now);
      socket.destroy(new Error(reason));
    };
    let timer = setTimeout(check, window);
    timer.unref();
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      this.up();
    });
    socket.once('close', () => clearTimeout(timer));
  }

  private error(reason: string): ApiError {
    return new ApiError(
      503,
      Reason.ClusterUnreachable,
      `cluster "${this.cluster}" does not answer: ${reason}`,
    );
  }
}

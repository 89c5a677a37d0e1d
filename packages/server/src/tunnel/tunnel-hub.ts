/**
 * The tunnel hub: every agent's WebSocket, by cluster, and `dial(cluster)` to reach that cluster's API server
 * through it. Transport only: whoever accepts the WebSocket (the HTTP server, after authenticating the agent)
 * calls `attach`.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { defaultLogger, type Logger } from '../runtime/logger.js';
import type { AgentStatus, DialOptions, TunnelDialer, TunnelDirectory } from './dialer.js';
import { TunnelError } from './tunnel-errors.js';
import { TunnelSession, type TunnelStats } from './tunnel-session.js';

export interface TunnelHubOptions {
  /** Pause between keepalive PINGs (default 5 s). */
  pingIntervalMs?: number;
  /** An agent that leaves a PING unanswered this long is dropped (default 10 s): a dead agent is noticed within 15 s. */
  pingTimeoutMs?: number;
  /** A dial the agent does not answer within this long fails (default 10 s). */
  dialTimeoutMs?: number;
  /** How long a replaced or departing agent's open streams may go on (default 30 s). */
  drainMs?: number;
  logger?: Logger;
}

export interface TunnelHubEvents {
  /** An agent attached; `replaced` when it took the place of an older session of the same cluster. */
  connect: [cluster: string, info: { replaced: boolean }];
  /** The cluster has no agent any more (not emitted for a session that a newer one replaced). */
  disconnect: [cluster: string, reason: string];
}

export type HubDialOptions = DialOptions;

export class TunnelHub extends EventEmitter<TunnelHubEvents> implements TunnelDialer, TunnelDirectory {
  private readonly sessions = new Map<string, TunnelSession>();
  private readonly seen = new Map<string, Date>();
  private readonly draining = new Set<TunnelSession>();
  private readonly log: Logger;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly dialTimeoutMs: number;
  private readonly drainMs: number;
  private closed = false;

  constructor(opts: TunnelHubOptions = {}) {
    super();
    this.pingIntervalMs = opts.pingIntervalMs ?? 5_000;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 10_000;
    this.dialTimeoutMs = opts.dialTimeoutMs ?? 10_000;
    this.drainMs = opts.drainMs ?? 30_000;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'tunnel' });
  }

  /** Takes over an open WebSocket of `cluster`'s agent; an older session of the cluster is drained and closed. */
  attach(cluster: string, ws: WebSocket): void {
    if (this.closed) {
      ws.close(1001, 'server shutting down');
      return;
    }
    if (ws.readyState !== ws.OPEN) return; // gone before it was handed over
    const log = this.log.child({ cluster });
    const session: TunnelSession = new TunnelSession({
      cluster,
      ws,
      pingIntervalMs: this.pingIntervalMs,
      pingTimeoutMs: this.pingTimeoutMs,
      drainMs: this.drainMs,
      logger: log,
      onSeen: () => this.seen.set(cluster, new Date()),
      onClose: (reason) => {
        this.draining.delete(session);
        if (this.sessions.get(cluster) !== session) return;
        this.sessions.delete(cluster);
        log.info({ reason }, 'agent disconnected');
        this.emit('disconnect', cluster, reason);
      },
    });
    const old = this.sessions.get(cluster);
    this.sessions.set(cluster, session);
    this.seen.set(cluster, new Date());
    if (old) {
      this.draining.add(old);
      void old.end('replaced by a newer agent', 'replaced');
    }
    log.info({ replaced: old !== undefined }, 'agent connected');
    this.emit('connect', cluster, { replaced: old !== undefined });
  }

  /**
   * Ends the cluster's session as replaced: a newer agent of the cluster connected to another replica. The
   * agent is told (so it stops reconnecting), open streams drain, and `disconnect` follows.
   */
  evict(cluster: string, reason: string): void {
    const session = this.sessions.get(cluster);
    if (!session) return;
    this.draining.add(session);
    void session.end(reason, 'replaced');
  }

  /** An agent of `cluster` is connected and takes dials. */
  has(cluster: string): boolean {
    return this.sessions.get(cluster)?.usable ?? false;
  }

  /** The clusters whose agents are connected. */
  clusters(): string[] {
    return [...this.sessions.keys()].filter((c) => this.has(c));
  }

  /**
   * A byte stream to `cluster`'s API server through its agent: speak TLS over it (`tls.connect({socket})`,
   * or use TunnelAgent). Rejects at once with TunnelError NotConnected when no agent is connected.
   */
  dial(cluster: string, opts: HubDialOptions = {}): Promise<Duplex> {
    const session = this.sessions.get(cluster);
    if (!session?.usable) {
      return Promise.reject(
        new TunnelError('NotConnected', cluster, `no agent of cluster ${cluster} is connected`),
      );
    }
    return session.dial({ timeoutMs: opts.timeoutMs ?? this.dialTimeoutMs, signal: opts.signal });
  }

  /** When the agent of `cluster` last answered (a PING, or connecting); kept after it disconnects. */
  lastSeen(cluster: string): Date | undefined {
    return this.seen.get(cluster);
  }

  /** This replica's view: connected here, and last heard from here. */
  agentStatus(cluster: string): AgentStatus {
    return { connected: this.has(cluster), lastSeen: this.seen.get(cluster) };
  }

  /** Stream counts of the cluster's current session. */
  stats(cluster: string): TunnelStats | undefined {
    return this.sessions.get(cluster)?.stats();
  }

  /** Closes every tunnel (open streams fail) and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sessions.values(), ...this.draining];
    await Promise.all(all.map((s) => s.end('the server is shutting down')));
  }
}

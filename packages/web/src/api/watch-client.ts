/**
 * The browser's one live channel to GET /api/v1/watch, shared by every component that shows a list.
 *
 * - Multiplexes: components subscribe to keys (`<cluster>/<plural>`: `management/clusters`); a key is sent to
 *   the server once however many components want it, and unsubscribed when the last one lets go.
 * - Reconnects with exponential backoff and jitter (never a tight loop), subscribes everything again, and
 *   reports every key as changed: what changed while the socket was down is not known, so lists refetch.
 * - Connects only while something is subscribed, and lets the socket go shortly after the last key is dropped
 *   (a route change unsubscribes and subscribes again at once).
 *
 * No React here: the provider (watch.tsx) turns `onChange(key)` into TanStack Query invalidations.
 */

/** What the client needs of a WebSocket (the browser's, or `ws` in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type WatchStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

export type WatchClientOptions = {
  url: string;
  /** A list changed: its key, as the server sent it; after a reconnect, every subscribed key. */
  onChange: (key: string) => void;
  /** Opens a socket (default: the browser's WebSocket). */
  connect?: (url: string) => SocketLike;
  /** Reconnect delays: initialMs doubling to maxMs, each with up to half of it as jitter. */
  backoff?: { initialMs: number; maxMs: number };
  /** How long the socket stays open once nothing is subscribed (default 2 s). */
  idleMs?: number;
};

const OPEN = 1;

export class WatchClient {
  private readonly counts = new Map<string, number>();
  private readonly statusListeners = new Set<() => void>();
  private socket: SocketLike | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private opened = false;
  private closed = false;
  private current: WatchStatus = 'idle';

  constructor(private readonly opts: WatchClientOptions) {}

  /** Subscribes to a key; the returned function lets go of it (once). */
  subscribe(key: string): () => void {
    if (this.closed) return () => undefined;
    const n = this.counts.get(key) ?? 0;
    this.counts.set(key, n + 1);
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (n === 0) {
      if (this.isOpen()) this.send({ subscribe: [key] });
      else this.ensureConnected();
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.release(key);
    };
  }

  /** The keys subscribed now. */
  keys(): string[] {
    return [...this.counts.keys()];
  }

  status(): WatchStatus {
    return this.current;
  }

  /** Calls `listener` whenever status() changes; returns the unsubscriber (useSyncExternalStore's shape). */
  onStatus = (listener: () => void): (() => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  /** Closes the socket for good: no reconnect, no more subscriptions (sign-out). */
  close(): void {
    this.closed = true;
    this.counts.clear();
    this.drop();
  }

  private release(key: string): void {
    const left = (this.counts.get(key) ?? 1) - 1;
    if (left > 0) {
      this.counts.set(key, left);
      return;
    }
    this.counts.delete(key);
    if (this.isOpen()) this.send({ unsubscribe: [key] });
    if (this.counts.size === 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        if (this.counts.size === 0) this.drop();
      }, this.opts.idleMs ?? 2_000);
    }
  }

  /** Lets the socket and any pending reconnect go. */
  private drop(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    this.retryTimer = this.idleTimer = undefined;
    this.attempt = 0;
    this.opened = false;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(1000, 'done');
    }
    this.setStatus('idle');
  }

  private isOpen(): boolean {
    return this.socket?.readyState === OPEN;
  }

  private send(msg: object): void {
    this.socket?.send(JSON.stringify(msg));
  }

  private ensureConnected(): void {
    if (this.closed || this.socket || this.retryTimer) return;
    this.open();
  }

  private open(): void {
    const connect = this.opts.connect ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let socket: SocketLike;
    try {
      socket = connect(this.opts.url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    this.setStatus(this.attempt > 0 ? 'reconnecting' : 'connecting');
    socket.onopen = () => {
      const again = this.opened;
      this.opened = true;
      this.attempt = 0;
      this.setStatus('open');
      const keys = this.keys();
      if (keys.length) this.send({ subscribe: keys });
      if (again) for (const key of keys) this.opts.onChange(key);
    };
    socket.onmessage = (ev) => {
      let msg: { changed?: unknown };
      try {
        msg = JSON.parse(String(ev.data)) as { changed?: unknown };
      } catch {
        return; // the server sends JSON only; anything else is not for us
      }
      if (typeof msg.changed === 'string' && this.counts.has(msg.changed)) this.opts.onChange(msg.changed);
    };
    socket.onerror = () => undefined; // a close event follows, and that is where we act
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.closed || this.counts.size === 0) this.drop();
      else this.retry();
    };
  }

  private retry(): void {
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 1_000, maxMs: 30_000 };
    const base = Math.min(maxMs, initialMs * 2 ** this.attempt);
    this.attempt++;
    this.setStatus('reconnecting');
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        if (!this.closed && this.counts.size > 0) this.open();
        else this.drop();
      },
      base / 2 + (Math.random() * base) / 2,
    );
  }

  private setStatus(s: WatchStatus): void {
    if (s === this.current) return;
    this.current = s;
    for (const l of this.statusListeners) l();
  }
}

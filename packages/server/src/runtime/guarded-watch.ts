/**
 * client-node's Watch, guarded: the transport that our informer hands to client-node's ListWatch.
 *
 * ListWatch reconnects at once whenever a watch ends without an error, and a stop() that lands while a
 * watch request is still connecting leaves that watch running. This subclass keeps ListWatch's
 * list/store/410 logic and adds what it lacks: one session at a time, a backoff gate before every
 * connection, watch bookmarks and a server-side timeout, a report of how each session ended, and a way
 * for a watchdog to end a silent session as "expired" so that ListWatch re-lists.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, toKubeApiError } from './kube-errors.js';

export interface WatchSessionEnd {
  /** The error the session ended with (HTTP status, network, or a non-410 ERROR event in the stream). */
  error: KubeApiError | undefined;
  durationMs: number;
  /** It delivered at least one object event or bookmark. */
  progressed: boolean;
  /** The resourceVersion expired (410): ListWatch re-lists next. */
  expired: boolean;
  /** Ended by forceRelist (the watchdog), with its reason. */
  forced: string | undefined;
}

export interface GuardedWatchHooks {
  /** Awaited before each connection (the informer's backoff); must resolve early when `signal` aborts. */
  beforeConnect(signal: AbortSignal): Promise<void>;
  /** The apiserver answered 200: the watch is established. */
  connected(): void;
  /** An event arrives, before ListWatch applies it to the store. */
  event(type: string, obj: unknown): void;
  ended(end: WatchSessionEnd): void;
  /** A failure inside event handling (never thrown into client-node, which would swallow it). */
  internalError(err: unknown): void;
}

export interface GuardedWatchOptions {
  hooks: GuardedWatchHooks;
  /** Server-side timeout of one watch request, in seconds (default: random in [300, 600], as client-go). */
  timeoutSeconds?: () => number;
}

type Callback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type Done = (err: unknown) => void;

class Session {
  readonly startedAt = performance.now();
  /** Aborts the backoff gate and the inner watch. */
  readonly abort = new AbortController();
  inner: AbortController | undefined;
  ended = false;
  progressed = false;
  expired = false;
  streamError: KubeApiError | undefined;

  constructor(
    private readonly hooks: GuardedWatchHooks,
    private readonly done: Done,
    private readonly onEnd: (s: Session) => void,
  ) {}

  /** Ended by its owner (ListWatch stopping or replacing it): no done callback, ListWatch already moved on. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
    this.inner?.abort();
    this.onEnd(this);
  }

  event(phase: string, obj: unknown, callback: Callback): void {
    if (this.ended) return;
    try {
      if (phase === 'ERROR') {
        const err = toKubeApiError(obj);
        if (err.gone) this.expired = true;
        else this.streamError = err;
      } else {
        this.progressed = true;
      }
      this.hooks.event(phase, obj);
      // ListWatch's handler is async: a throw inside it would become an unhandled rejection.
      const result: unknown = callback(phase, obj);
      if (result instanceof Promise) result.catch((err: unknown) => this.hooks.internalError(err));
    } catch (err) {
      this.hooks.internalError(err);
    }
  }

  finish(err: unknown, forced?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
    this.inner?.abort();
    this.onEnd(this);
    const error = err === null || err === undefined ? this.streamError : toKubeApiError(err);
    this.hooks.ended({
      error: forced === undefined ? error : undefined,
      durationMs: performance.now() - this.startedAt,
      progressed: this.progressed,
      expired: this.expired || error?.gone === true,
      forced,
    });
    if (forced !== undefined) {
      // ListWatch re-lists on 410: the one way to make it drop its resourceVersion from outside.
      this.done(new KubeApiError({ status: 410, reason: 'Expired', message: `watchdog: ${forced}` }));
    } else {
      this.done(error ?? null);
    }
  }
}

export class GuardedWatch extends Watch {
  private session: Session | undefined;
  private closed = false;
  private readonly hooks: GuardedWatchHooks;
  private readonly timeoutSeconds: () => number;

  constructor(kc: KubeConfig, opts: GuardedWatchOptions) {
    super(kc);
    this.hooks = opts.hooks;
    this.timeoutSeconds = opts.timeoutSeconds ?? (() => 300 + Math.floor(Math.random() * 300));
  }

  /** A session is open: connecting or watching (not waiting in the backoff gate). */
  get active(): boolean {
    return this.session !== undefined && !this.session.ended;
  }

  /**
   * Returns at once with a controller for ListWatch (so its stop() always reaches this watch), then
   * waits in the gate and connects in the background.
   */
  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: Callback,
    done: Done,
  ): Promise<AbortController> {
    const outer = new AbortController();
    if (this.closed) {
      outer.abort();
      return outer;
    }
    this.session?.cancel();
    const session = new Session(this.hooks, done, (s) => {
      if (this.session === s) this.session = undefined;
    });
    this.session = session;
    outer.signal.addEventListener('abort', () => session.cancel(), { once: true });
    void this.run(session, path, queryParams, callback);
    return outer;
  }

  /** Ends the open session as expired so that ListWatch re-lists; false when none is open. */
  forceRelist(reason: string): boolean {
    const session = this.session;
    if (!session || session.ended) return false;
    session.finish(null, reason);
    return true;
  }

  /** No further sessions; the open one is cancelled. */
  close(): void {
    this.closed = true;
    this.session?.cancel();
  }

  private async run(
    session: Session,
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: Callback,
  ): Promise<void> {
    try {
      await this.hooks.beforeConnect(session.abort.signal);
      if (session.ended) return;
      const params = { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: this.timeoutSeconds() };
      const inner = await super.watch(
        path,
        params,
        (phase: string, obj: unknown) => session.event(phase, obj, callback),
        (err: unknown) => session.finish(err),
      );
      if (session.ended) {
        inner.abort();
        return;
      }
      session.inner = inner;
      this.hooks.connected();
    } catch (err) {
      // Watch.watch rejects before its own try (no current cluster, exec credential failure).
      session.finish(err ?? new Error('watch failed'));
    }
  }
}

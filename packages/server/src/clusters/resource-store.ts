/**
 * One resource of one managed cluster held by an informer (see ClusterCache): started, paused with its store
 * kept, resumed from that store, restarted on a new connection, and for events pruned to a window.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { Reason } from '../runtime/condition-reasons.js';
import { sleep } from '../runtime/backoff.js';
import { startInformer } from '../runtime/informer.js';
import type { Informer } from '../runtime/informer.types.js';
import type { Logger } from '../runtime/logger.js';
import { ApiError } from '../http/errors.js';
import {
  eventsInWindow,
  trimObject,
  type ClusterResourceDef,
  type EventWindow,
} from './cluster-resources.js';

type Snapshot = { resourceVersion: string; items: readonly KubernetesObject[] };

export type ResourceStoreOptions = {
  cluster: string;
  def: ClusterResourceDef;
  logger: Logger;
  /** Called after every change of the store (objects already trimmed). */
  onChange: () => void;
  /** A store that could not list or watch for this long is not served (default 15 s). */
  staleAfterMs?: number;
  /** A store whose informer stopped for good (401/403/404) is tried again after this long (default 60 s). */
  retryFailedAfterMs?: number;
};

/**
 * Informers of user clusters retry sooner than the default (1 s doubling to 30 s): a cluster that comes back
 * is served again within 10 s, and still no more than 6 attempts a minute go to one that does not.
 */
const backoff = { baseMs: 1_000, maxMs: 10_000, jitter: 0.25 };

export class ResourceStore {
  /** When someone last read the store: idle stores are stopped to free their memory. */
  lastRead = Date.now();
  private informer: Informer | undefined;
  private kc: KubeConfig | undefined;
  /** The store of a paused informer, and the connection it came from (only that one may resume it). */
  private paused: { kc: KubeConfig; snapshot: Snapshot } | undefined;
  private unhealthySince: number | undefined;
  private failedAt: number | undefined;
  private pruning = false;
  private readonly log: Logger;

  constructor(private readonly opts: ResourceStoreOptions) {
    this.log = opts.logger.child({
      component: 'cluster-cache',
      cluster: opts.cluster,
      resource: opts.def.resource,
    });
  }

  /**
   * Runs against `kc`: nothing to do when it already does; resumes from the paused store when that came from
   * the same connection (an agent that reconnected), else lists afresh (a new connection may be another cluster).
   */
  run(kc: KubeConfig): void {
    const failedLongAgo =
      this.failedAt !== undefined && Date.now() - this.failedAt > (this.opts.retryFailedAfterMs ?? 60_000);
    if (this.informer && this.kc === kc && !failedLongAgo) return;
    if (this.informer && this.kc === kc) this.log.info({}, 'retrying an informer that had stopped');
    else if (this.informer) this.log.info({}, 'the connection changed: restarting');
    const resumeFrom = this.paused?.kc === kc ? this.paused.snapshot : undefined;
    this.paused = undefined;
    this.replace(this.start(kc, resumeFrom), kc);
  }

  /** Stops the informer and keeps its store, to resume from when the same connection works again. */
  pause(): void {
    if (!this.informer || !this.kc) return;
    if (this.informer.hasSynced) this.paused = { kc: this.kc, snapshot: this.informer.snapshot() };
    this.replace(undefined, undefined);
  }

  async stop(): Promise<void> {
    this.paused = undefined;
    const old = this.informer;
    this.informer = undefined;
    this.kc = undefined;
    await old?.stop();
  }

  get running(): boolean {
    return this.informer !== undefined;
  }

  /** Synced and listing/watching now (or failing for less than staleAfterMs): what a reader may be given. */
  get live(): boolean {
    const i = this.informer;
    if (!i?.hasSynced || i.state === 'failed' || i.state === 'stopped') return false;
    return this.unhealthySince === undefined || Date.now() - this.unhealthySince < this.staleAfterMs;
  }

  /**
   * Waits up to `waitMs` for the store to be live, or until an attempt to list fails meanwhile (the next comes
   * after a backoff: not worth waiting for); throws a 503 that says why it is not.
   */
  async ready(waitMs: number): Promise<void> {
    this.lastRead = Date.now();
    const i = this.informer;
    if (!i) throw this.unavailable('it is not running');
    if (!i.hasSynced && i.state !== 'failed') {
      const halt = new AbortController();
      let off: (() => void) | undefined;
      const failed = new Promise<void>((resolve) => {
        off = i.on('state', (state) => {
          if (state === 'retrying' || state === 'failed') resolve();
        });
      });
      await Promise.race([
        i.synced().catch(() => undefined), // the state and lastError below say why
        sleep(waitMs, halt.signal),
        failed,
      ]);
      halt.abort();
      off?.();
    }
    if (this.live) return;
    if (!i.hasSynced && !i.lastError) {
      throw new ApiError(
        503,
        'NotSynced',
        `cluster "${this.opts.cluster}": its ${this.opts.def.resource} were not listed within ${waitMs} ms; try again`,
      );
    }
    throw this.unavailable(i.lastError?.message ?? 'it has not listed or watched for a while');
  }

  /** The objects (of a namespace); call ready() first. */
  items(namespace?: string): readonly KubernetesObject[] {
    this.lastRead = Date.now();
    return this.informer?.list(namespace) ?? [];
  }

  /**
   * Drops events outside the window from memory: the informer's store cannot lose objects the apiserver still
   * has, so a new informer starts from the pruned store at the same resourceVersion (no list, no event missed)
   * and replaces the old one once it watches. Does nothing when nothing is outside the window.
   */
  async prune(window: EventWindow): Promise<void> {
    const old = this.informer;
    const kc = this.kc;
    if (!old || !kc || !old.hasSynced || old.state !== 'ready' || this.pruning) return;
    const snapshot = old.snapshot();
    const kept = eventsInWindow(snapshot.items, window, Date.now());
    if (kept.length === snapshot.items.length) return;
    this.pruning = true;
    const next = this.start(kc, { resourceVersion: snapshot.resourceVersion, items: kept });
    try {
      const halt = new AbortController();
      const synced = await Promise.race([
        next.synced().then(() => true),
        sleep(10_000, halt.signal).then(() => false),
      ]).catch(() => false);
      halt.abort();
      if (!synced || this.informer !== old) {
        await next.stop();
        return;
      }
      this.log.info({ kept: kept.length, dropped: snapshot.items.length - kept.length }, 'events pruned');
      this.replace(next, kc);
    } finally {
      this.pruning = false;
    }
  }

  private get staleAfterMs(): number {
    return this.opts.staleAfterMs ?? 15_000;
  }

  private start(kc: KubeConfig, resumeFrom: Snapshot | undefined): Informer {
    const informer = startInformer({
      kubeConfig: kc,
      cluster: this.opts.cluster,
      path: this.opts.def.path,
      backoff,
      resumeFrom,
      logger: this.opts.logger,
    });
    // The first listener, registered before the first list returns: the store holds the very objects handed to
    // listeners, so trimming here trims what is stored, before anyone else sees it.
    informer.on('change', (obj, type) => {
      if (type !== 'delete') trimObject(obj);
      if (this.informer === informer) this.opts.onChange();
    });
    informer.on('state', (state) => {
      if (this.informer !== informer) return;
      this.failedAt = state === 'failed' ? Date.now() : undefined;
      if (state === 'ready') this.unhealthySince = undefined;
      else this.unhealthySince ??= Date.now();
    });
    return informer;
  }

  private replace(next: Informer | undefined, kc: KubeConfig | undefined): void {
    const old = this.informer;
    this.informer = next;
    this.kc = kc;
    this.unhealthySince = undefined;
    this.failedAt = undefined;
    if (next && !next.hasSynced) this.unhealthySince = Date.now();
    old?.stop().catch((err: unknown) => this.log.error({ err }, 'stopping an informer failed'));
    if (next?.hasSynced) this.opts.onChange();
  }

  private unavailable(why: string): ApiError {
    return new ApiError(
      503,
      Reason.ClusterUnreachable,
      `cluster "${this.opts.cluster}": its ${this.opts.def.resource} cannot be listed: ${why}`,
    );
  }
}

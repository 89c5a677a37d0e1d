/**
 * The one reconcile loop: informers enqueue keys, a WorkQueue runs `reconcile(key)` with bounded
 * concurrency, failures come back with per-key exponential backoff. A controller is a function.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { isUnreachable } from './condition-reasons.js';
import type { Informer } from './informer.types.js';
import { defaultLogger, type Logger } from './logger.js';
import { reconciles, reconcileSeconds } from './metrics.js';
import { objectKey } from './object-key.js';
import { WorkQueue, type RateLimit } from './queue.js';

/** Nothing, or when to look again even if nothing changes (e.g. to poll an external system). */
export type ReconcileResult = void | { requeueAfter: number };

export interface ControllerSource<T extends KubernetesObject = KubernetesObject> {
  informer: Informer<T>;
  /**
   * The keys to reconcile when `obj` changes (default: its own key, `namespace/name` or `name`).
   * Map another kind's events to the controller's own keys here, e.g. a Partition to its Tenant.
   */
  keys?(obj: T, old: T | undefined): Iterable<string>;
  /** Enqueue every object's key at start and on resync (default: true when `keys` is not given). */
  resync?: boolean;
}

/** What the finalize step reads of an object: whether it is being deleted, and its finalizers. */
export type Finalizable = { metadata?: { deletionTimestamp?: unknown; finalizers?: string[] } };

/**
 * A controller that cleans up after its objects: the loop puts `finalizer` on every object it reconciles and,
 * once an object is being deleted, calls `run` instead of reconcile, then takes the finalizer off.
 */
export interface FinalizeStep<T extends Finalizable> {
  finalizer: string;
  /** The controller's object of a key, as cached; undefined when it is gone. */
  get(key: string): T | undefined;
  /** Cleans up; resolves nothing when done, `{ requeueAfter }` to look again before letting go; throw to retry. */
  run(obj: T): Promise<ReconcileResult>;
  /** Puts the finalizer on (true) or takes it off (false) the latest object: the object toolkit's helper. */
  write(obj: T, present: boolean): Promise<void>;
}

export interface ControllerOptions<T extends Finalizable = Finalizable> {
  name: string;
  cluster: string;
  informers: ControllerSource[];
  /** Idempotent; throw to retry with backoff. With `finalize`: not called for an object being deleted. */
  reconcile: (key: string) => Promise<ReconcileResult>;
  finalize?: FinalizeStep<T>;
  /** Keys reconciled at the same time (default 2); one key never runs twice at once. */
  concurrency?: number;
  /** Enqueue all keys again this often (default: only at start). */
  resyncEveryMs?: number;
  rateLimit?: RateLimit;
  logger?: Logger;
}

export interface ControllerHandle {
  readonly name: string;
  readonly cluster: string;
  /** Resolves once every informer has synced and all keys are enqueued; rejects if an informer fails first. */
  readonly ready: Promise<void>;
  /** Enqueues every key of the resynced informers. */
  resync(): void;
  /** Enqueues one key: for a signal no informer of the controller carries (e.g. a managed cluster's nodes). */
  enqueue(key: string): void;
  /** Stops taking events; resolves when running reconciles have finished. Informers are left running. */
  stop(): Promise<void>;
}

export function startController<T extends Finalizable>(opts: ControllerOptions<T>): ControllerHandle {
  const { name, cluster } = opts;
  const log = (opts.logger ?? defaultLogger()).child({ component: 'controller', controller: name, cluster });
  const labels = { cluster, controller: name };
  const unsubscribe: Array<() => void> = [];
  let resyncTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const queue = new WorkQueue({
    name: `${cluster}/${name}`,
    concurrency: opts.concurrency ?? 2,
    rateLimit: opts.rateLimit,
    logger: log,
    process: async (key) => {
      const end = reconcileSeconds.startTimer(labels);
      try {
        const result = await step(key);
        queue.forget(key);
        if (result && result.requeueAfter > 0) {
          queue.addAfter(key, result.requeueAfter);
          reconciles.inc({ ...labels, result: 'requeue' });
        } else {
          reconciles.inc({ ...labels, result: 'success' });
        }
      } catch (err) {
        const retryInMs = queue.addRateLimited(key);
        reconciles.inc({ ...labels, result: 'error' });
        const attempt = queue.retries(key);
        if (!isUnreachable(err)) log.error({ err, key, attempt, retryInMs }, 'reconcile failed');
        else if ((attempt & (attempt - 1)) === 0) {
          // A cluster that is down is expected: one line, not a stack, and less often as it stays down.
          log.warn(
            { key, attempt, retryInMs, reason: (err as Error).message },
            'reconcile waits: unreachable',
          );
        }
      } finally {
        end();
      }
    },
  });

  /** Reconcile, or with a finalize step: the finalizer put on first, and for a deleted object `run` instead. */
  const step = async (key: string): Promise<ReconcileResult> => {
    const fin = opts.finalize;
    const obj = fin?.get(key);
    if (!fin || !obj) return opts.reconcile(key);
    const held = obj.metadata?.finalizers?.includes(fin.finalizer) ?? false;
    if (obj.metadata?.deletionTimestamp) {
      if (!held) return;
      const result = await fin.run(obj);
      if (result && result.requeueAfter > 0) return result;
      await fin.write(obj, false);
      return;
    }
    if (!held) await fin.write(obj, true);
    return opts.reconcile(key);
  };

  const resync = (): void => {
    if (stopped) return;
    let n = 0;
    for (const source of opts.informers) {
      if (!(source.resync ?? source.keys === undefined)) continue;
      for (const obj of source.informer.list()) {
        queue.add(objectKey(obj));
        n++;
      }
    }
    log.debug({ keys: n }, 'resync');
  };

  const startup = async (): Promise<void> => {
    for (const source of opts.informers) source.informer.start();
    // Reconciling before every cache is full would act on a partial picture (e.g. delete what it does not see yet).
    await Promise.all(opts.informers.map((s) => s.informer.synced()));
    if (stopped) return;
    for (const source of opts.informers) {
      const keysOf = (obj: KubernetesObject, old: KubernetesObject | undefined): Iterable<string> =>
        source.keys ? source.keys(obj, old) : [objectKey(obj)];
      unsubscribe.push(
        source.informer.on('change', (obj, _type, old) => {
          for (const key of keysOf(obj, old)) queue.add(key);
        }),
      );
    }
    // After subscribing: nothing that changes from here on is missed, and a new leader reconciles everything.
    resync();
    if (opts.resyncEveryMs !== undefined && opts.resyncEveryMs > 0) {
      resyncTimer = setInterval(resync, opts.resyncEveryMs);
    }
    log.info({ informers: opts.informers.map((s) => s.informer.resource) }, 'controller started');
  };

  const ready = startup();
  ready.catch((err: unknown) => log.error({ err }, 'controller could not start: an informer failed'));

  return {
    name,
    cluster,
    ready,
    resync,
    enqueue: (key) => {
      if (!stopped) queue.add(key);
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      clearInterval(resyncTimer);
      for (const off of unsubscribe.splice(0)) off();
      await queue.shutDown();
      log.info({}, 'controller stopped');
    },
  };
}

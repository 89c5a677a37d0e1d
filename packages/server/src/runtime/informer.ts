/**
 * The one informer of the server: client-node's ListWatch (store, list, watch, 410 → re-list) driven
 * through a GuardedWatch, plus what it lacks: backoff with jitter on every failure, a stop with an error
 * state on 401/403/404, a watchdog that re-lists after silence, a readiness signal and metrics.
 */
import { ListWatch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { sleep } from './backoff.js';
import { GuardedWatch, type WatchSessionEnd } from './guarded-watch.js';
import { KubeApiError, toKubeApiError } from './kube-errors.js';
import { listAll } from './kube-request.js';
import { defaultLogger, type Logger } from './logger.js';
import { informerErrors, informerReady, informerRelists } from './metrics.js';
import { InformerListeners } from './informer-listeners.js';
import type {
  ChangeType,
  Informer,
  InformerEvents,
  InformerOptions,
  InformerState,
} from './informer.types.js';
import { objectKey, resourceOfPath } from './object-key.js';
import { Pacer } from './pacer.js';
import { Watchdog, type Phase } from './watchdog.js';

type Waiter = { resolve: () => void; reject: (err: KubeApiError) => void };

const progressEvents = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

export class KubeInformer<T extends KubernetesObject = KubernetesObject> implements Informer<T> {
  readonly cluster: string;
  readonly path: string;
  readonly resource: string;
  private currentState: InformerState = 'syncing';
  private synced_ = false;
  private error: KubeApiError | undefined;
  private readonly lw: ListWatch<T>;
  private readonly watch: GuardedWatch;
  private readonly halt = new AbortController();
  private readonly log: Logger;
  private readonly labels: { cluster: string; resource: string };
  private readonly listeners: InformerListeners<T>;
  private started = false;
  private readonly pacer: Pacer;
  private listedOnce = false;
  private relistReason = 'error';
  private readonly watchdog: Watchdog;
  private kickPending = false;
  private pendingOld: T | undefined;
  private relistOld: Map<string, T> | undefined;
  private waiters: Waiter[] = [];
  private seed: InformerOptions<T>['resumeFrom'];

  constructor(private readonly opts: InformerOptions<T>) {
    this.cluster = opts.cluster;
    this.path = opts.path;
    this.resource = resourceOfPath(opts.path);
    this.labels = { cluster: this.cluster, resource: this.resource };
    this.seed = opts.resumeFrom;
    this.log = (opts.logger ?? defaultLogger()).child({
      component: 'informer',
      ...this.labels,
      path: opts.path,
    });
    this.listeners = new InformerListeners<T>((err) => this.log.error({ err }, 'informer handler threw'));
    this.pacer = new Pacer({
      backoff: opts.backoff ?? { baseMs: 1000, maxMs: 30_000, jitter: 0.25 },
      healthyAfterMs: opts.healthyAfterMs ?? 30_000,
    });
    this.watchdog = new Watchdog({
      silenceMs: opts.silenceMs ?? 180_000,
      onSilence: (reason, phase) => this.onSilence(reason, phase),
    });
    this.watch = new GuardedWatch(opts.kubeConfig, {
      timeoutSeconds: opts.watchTimeoutSeconds,
      hooks: {
        beforeConnect: (signal) => this.beforeConnect(signal),
        connected: () => this.connected(),
        event: (type, obj) => this.watchEvent(type, obj),
        ended: (end) => this.watchEnded(end),
        internalError: (err) => this.log.error({ err }, 'informer event handling failed'),
      },
    });
    const { labelSelector, fieldSelector } = opts;
    this.lw = new ListWatch<T>(
      opts.path,
      this.watch,
      () => this.listOnce(),
      false,
      labelSelector,
      fieldSelector,
    );
    this.lw.on('add', (obj) => this.changed('add', obj));
    this.lw.on('update', (obj) => this.changed('update', obj));
    this.lw.on('delete', (obj) => this.changed('delete', obj));
    this.lw.on('error', (err?: unknown) => this.onError(err));
  }

  get state(): InformerState {
    return this.currentState;
  }
  get hasSynced(): boolean {
    return this.synced_;
  }
  get lastError(): KubeApiError | undefined {
    return this.error;
  }

  start(): void {
    if (this.started || this.halt.signal.aborted) return;
    this.started = true;
    informerReady.set(this.labels, 0);
    this.watchdog.start();
    this.lw.start().catch((err: unknown) => this.onError(err));
  }

  synced(): Promise<void> {
    if (this.synced_) return Promise.resolve();
    if (this.halt.signal.aborted) return Promise.reject(this.error ?? stoppedError());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  list(namespace?: string): readonly T[] {
    return this.lw.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  on<E extends keyof InformerEvents<T>>(event: E, handler: InformerEvents<T>[E]): () => void {
    return this.listeners.on(event, handler);
  }

  snapshot(): { resourceVersion: string; items: readonly T[] } {
    return { resourceVersion: this.lw.latestResourceVersion(), items: this.lw.list() };
  }

  async stop(): Promise<void> {
    if (this.currentState !== 'failed') this.setState('stopped');
    await this.shutDown(this.error ?? stoppedError());
  }

  private async shutDown(reason: KubeApiError): Promise<void> {
    if (this.halt.signal.aborted) return;
    this.halt.abort();
    this.watchdog.stop();
    this.watch.close();
    informerReady.set(this.labels, 0);
    for (const w of this.waiters.splice(0)) w.reject(reason);
    await this.lw.stop();
  }

  private async listOnce(): Promise<KubernetesListObject<T>> {
    const signal = this.halt.signal;
    await this.gate(signal);
    if (signal.aborted) throw stoppedError();
    this.bump('listing');
    if (this.seed) {
      const seed = this.seed;
      this.seed = undefined;
      this.listedOnce = true; // a list needed after this is a re-list
      this.log.info(
        { resourceVersion: seed.resourceVersion, items: seed.items.length },
        'resuming from a snapshot',
      );
      return { metadata: { resourceVersion: seed.resourceVersion }, items: [...seed.items] };
    }
    if (this.listedOnce) {
      informerRelists.inc({ ...this.labels, reason: this.relistReason });
      this.log.info({ reason: this.relistReason }, 're-listing');
    }
    this.relistOld = new Map(this.lw.list().map((o) => [objectKey(o), o]));
    try {
      const { path, labelSelector, fieldSelector, pageSize, listTimeoutMs } = this.opts;
      const list = await listAll<T>(this.opts.kubeConfig, {
        path,
        labelSelector,
        fieldSelector,
        pageSize,
        signal,
        timeoutMs: listTimeoutMs,
      });
      this.listedOnce = true;
      this.bump('connecting');
      return list;
    } catch (err) {
      if (!signal.aborted) this.pacer.failed();
      this.bump('idle');
      throw err;
    }
  }

  /** Waits out the backoff after failures; every list and watch passes here, so no loop is ever tight. */
  private async gate(signal: AbortSignal): Promise<void> {
    const delayMs = this.pacer.delay();
    if (delayMs === 0) return;
    this.bump('gating');
    this.log.debug({ attempt: this.pacer.attempt, delayMs }, 'backing off');
    await sleep(delayMs, signal);
    this.bump('idle');
  }

  private async beforeConnect(signal: AbortSignal): Promise<void> {
    this.relistOld = undefined;
    await this.gate(signal);
    this.bump('connecting');
  }

  private connected(): void {
    this.bump('watching');
    if (!this.synced_) {
      this.synced_ = true;
      this.log.info({ items: this.lw.list().length }, 'synced');
      for (const w of this.waiters.splice(0)) w.resolve();
    }
    this.setState('ready');
  }

  private watchEvent(type: string, obj: unknown): void {
    this.bump('watching');
    this.pendingOld = undefined;
    if (progressEvents.has(type)) this.pacer.progress();
    if (type === 'MODIFIED' && isObject(obj)) {
      this.pendingOld = this.lw.get(obj.metadata?.name ?? '', obj.metadata?.namespace);
    }
  }

  private watchEnded(end: WatchSessionEnd): void {
    this.bump('idle');
    const verdict = this.pacer.judge(end);
    const durationMs = Math.round(end.durationMs);
    if (verdict === 'silence') this.log.warn({ reason: end.forced }, 'watch silent: re-listing');
    if (verdict === 'expired') this.log.info({ durationMs }, 'resourceVersion expired (410): re-listing');
    if (verdict === 'silence' || verdict === 'expired') this.relistReason = verdict;
    if (verdict !== 'closed-early') return; // errors are reported by ListWatch through onError
    const err = new KubeApiError({
      reason: 'WatchClosed',
      message: `watch closed after ${durationMs} ms without events`,
    });
    this.error = err;
    informerErrors.inc({ ...this.labels, reason: err.reason });
    this.log.warn({ attempt: this.pacer.attempt }, err.message);
    this.setState('retrying', err);
  }

  private onError(raw: unknown): void {
    if (this.halt.signal.aborted) return;
    const err = toKubeApiError(raw);
    this.error = err;
    informerErrors.inc({ ...this.labels, reason: err.reason });
    const fields = { status: err.status, reason: err.reason, message: err.message };
    if (err.permanent) {
      this.log.error(
        fields,
        'informer stopped: the apiserver refuses this list/watch; fix access and restart',
      );
      this.setState('failed', err);
      void this.shutDown(err);
      return;
    }
    this.log.warn({ ...fields, attempt: this.pacer.attempt }, 'list/watch failed: retrying with backoff');
    this.relistReason = 'error';
    this.setState('retrying', err);
    this.kick();
  }

  /** (Re)starts ListWatch once it has given up; never two at a time. */
  private kick(): void {
    if (this.kickPending || this.halt.signal.aborted) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      if (!this.halt.signal.aborted) this.lw.start().catch((err: unknown) => this.onError(err));
    });
  }

  private onSilence(reason: string, phase: Phase): void {
    if (this.watch.forceRelist(reason)) return;
    this.log.warn({ reason, phase }, 'informer idle: restarting');
    this.relistReason = 'silence';
    this.kick();
  }

  private bump(phase: Phase): void {
    this.watchdog.bump(phase);
  }

  private changed(type: ChangeType, obj: T): void {
    const old = type === 'update' ? (this.pendingOld ?? this.relistOld?.get(objectKey(obj))) : undefined;
    this.pendingOld = undefined;
    this.listeners.change(type, obj, old);
  }

  private setState(state: InformerState, err?: KubeApiError): void {
    if (this.currentState === state) return;
    this.currentState = state;
    informerReady.set(this.labels, state === 'ready' ? 1 : 0);
    this.listeners.state(state, err);
  }
}

function isObject(x: unknown): x is KubernetesObject {
  return typeof x === 'object' && x !== null;
}

function stoppedError(): KubeApiError {
  return new KubeApiError({ reason: 'Stopped', message: 'the informer was stopped' });
}

/** Creates and starts an informer. */
export function startInformer<T extends KubernetesObject = KubernetesObject>(
  opts: InformerOptions<T>,
): Informer<T> {
  const informer = new KubeInformer<T>(opts);
  informer.start();
  return informer;
}

/** An in-memory Informer for unit tests of code built on informers (controllers, caches). */
import type { KubernetesObject } from '@kubernetes/client-node';
import { InformerListeners } from '../informer-listeners.js';
import type { Informer, InformerEvents, InformerState } from '../informer.types.js';
import type { KubeApiError } from '../kube-errors.js';
import { objectKey, resourceOfPath } from '../object-key.js';

export class FakeInformer<T extends KubernetesObject = KubernetesObject> implements Informer<T> {
  readonly cluster = 'fake';
  readonly resource: string;
  state: InformerState = 'syncing';
  hasSynced = false;
  lastError: KubeApiError | undefined;
  started = false;
  private readonly store = new Map<string, T>();
  private readonly waiters: Array<() => void> = [];
  private readonly listeners = new InformerListeners<T>((err) => {
    throw err;
  });

  constructor(readonly path: string) {
    this.resource = resourceOfPath(path);
  }

  start(): void {
    this.started = true;
  }
  /** Marks the store as synced (the test decides when). */
  markSynced(): void {
    this.hasSynced = true;
    this.state = 'ready';
    for (const w of this.waiters.splice(0)) w();
  }
  synced(): Promise<void> {
    return this.hasSynced ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
  list(namespace?: string): readonly T[] {
    return [...this.store.values()].filter(
      (o) => namespace === undefined || o.metadata?.namespace === namespace,
    );
  }
  get(name: string, namespace?: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }
  on<E extends keyof InformerEvents<T>>(event: E, handler: InformerEvents<T>[E]): () => void {
    return this.listeners.on(event, handler);
  }
  snapshot(): { resourceVersion: string; items: readonly T[] } {
    return { resourceVersion: '1', items: this.list() };
  }
  async stop(): Promise<void> {
    this.state = 'stopped';
  }
  listenerCount(): number {
    return this.listeners.size;
  }

  /** Adds or replaces the object and emits add/update and change. */
  put(obj: T): void {
    const key = objectKey(obj);
    const old = this.store.get(key);
    this.store.set(key, obj);
    this.listeners.change(old ? 'update' : 'add', obj, old);
  }
  remove(obj: T): void {
    if (this.store.delete(objectKey(obj))) this.listeners.change('delete', obj, undefined);
  }
}

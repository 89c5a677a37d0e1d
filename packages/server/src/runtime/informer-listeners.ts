/** Handlers of an informer's events; a throwing handler is reported, never breaks the informer. */
import type { ChangeType, InformerEvents, InformerState } from './informer.types.js';
import type { KubeApiError } from './kube-errors.js';

type Sets<T> = { [E in keyof InformerEvents<T>]: Set<InformerEvents<T>[E]> };

export class InformerListeners<T> {
  private readonly sets: Sets<T> = {
    add: new Set(),
    update: new Set(),
    delete: new Set(),
    change: new Set(),
    state: new Set(),
  };

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Returns the function that removes the handler. */
  on<E extends keyof InformerEvents<T>>(event: E, handler: InformerEvents<T>[E]): () => void {
    const set: Set<InformerEvents<T>[E]> = this.sets[event];
    set.add(handler);
    return () => set.delete(handler);
  }

  get size(): number {
    return Object.values(this.sets).reduce((n, s) => n + s.size, 0);
  }

  /** 'change' first, then the handlers of that type. */
  change(type: ChangeType, obj: T, old: T | undefined): void {
    for (const h of this.sets.change) this.safely(() => h(obj, type, old));
    if (type === 'add') for (const h of this.sets.add) this.safely(() => h(obj));
    if (type === 'update') for (const h of this.sets.update) this.safely(() => h(obj, old));
    if (type === 'delete') for (const h of this.sets.delete) this.safely(() => h(obj));
  }

  state(state: InformerState, err: KubeApiError | undefined): void {
    for (const h of this.sets.state) this.safely(() => h(state, err));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }
}

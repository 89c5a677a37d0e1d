/**
 * Tells subscribers which lists changed, debounced: a burst of events on one list becomes one message.
 * Keys begin with the cluster: `management/tenants`, `qa/pods`.
 */
export type ChangeListener = (key: string) => void;

export class ChangeHub {
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly debounceMs = 200) {}

  subscribe(key: string, listener: ChangeListener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  notify(key: string): void {
    if (this.pending.has(key) || !this.listeners.has(key)) return;
    const timer = setTimeout(() => {
      this.pending.delete(key);
      for (const l of this.listeners.get(key) ?? []) l(key);
    }, this.debounceMs);
    timer.unref();
    this.pending.set(key, timer);
  }

  close(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    this.listeners.clear();
  }
}

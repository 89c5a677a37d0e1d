/**
 * Tells subscribers which lists changed, debounced: a burst of events on one list becomes one message.
 * Keys begin with the cluster: `management/tenants`, `qa/pods`.
 */
export type ChangeListener = (key: string) => void;

/** Told when a listener throws: the others are still told, and the error goes no further (default: stderr). */
export type ListenerErrorHandler = (err: unknown, key: string) => void;

const reportToStderr: ListenerErrorHandler = (err, key) =>
  process.stderr.write(
    `change listener of ${key} failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );

export class ChangeHub {
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly debounceMs = 200,
    private readonly onListenerError: ListenerErrorHandler = reportToStderr,
  ) {}

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
      for (const l of this.listeners.get(key) ?? []) {
        // A timer callback that throws would be an uncaught exception: one listener's bug stops nothing.
        try {
          l(key);
        } catch (err) {
          this.onListenerError(err, key);
        }
      }
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

/** Exponential backoff with jitter, and an abortable sleep: the one retry rhythm of the runtime. */

export interface BackoffOptions {
  /** Delay of the first retry. */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Spread as a fraction of the delay: 0.2 gives delay × [0.8, 1.2] (default 0.2). */
  jitter?: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): `baseMs × factor^(attempt-1)`,
 * spread by ±jitter so that many clients failing together do not retry together, and never above `maxMs`.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const factor = opts.factor ?? 2;
  const jitter = Math.min(Math.max(opts.jitter ?? 0.2, 0), 1);
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // Cap before multiplying further so large attempts never overflow to Infinity.
  const raw = Math.min(opts.maxMs, opts.baseMs * Math.pow(factor, Math.min(exponent, 64)));
  const spread = raw * (1 + jitter * (2 * random() - 1));
  return Math.round(Math.min(opts.maxMs, Math.max(0, spread)));
}

/** Resolves after `ms`, or as soon as `signal` aborts (it never rejects): callers check `signal.aborted`. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

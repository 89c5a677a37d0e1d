/**
 * Optimistic concurrency, written once: run a read-modify-write, and when the apiserver answers 409 (someone
 * wrote since we read) run it again after a short jittered pause, a bounded number of times.
 */

export interface ConflictRetryOptions {
  /** Runs in all (default 10); the last 409 is thrown when they are used up. */
  attempts?: number;
  /** Pause before run n+1: random in [0, baseMs × 2^min(n, 6)) (default 5 ms), so losers do not meet again. */
  baseMs?: number;
}

/** Whether `err` is an answer 409 Conflict (a KubeApiError of the apiserver or the server's own ApiError). */
export function isConflict(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { status?: unknown }).status === 409;
}

/** Calls `run(attempt)` (1, 2, …) until it resolves; a 409 runs it again, any other error is thrown at once. */
export async function retryOnConflict<T>(
  run: (attempt: number) => Promise<T>,
  opts: ConflictRetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 10);
  const baseMs = opts.baseMs ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) throw err;
    }
    const pauseMs = Math.random() * baseMs * 2 ** Math.min(attempt, 6);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** The agent's reconnect rhythm: exponential with jitter, so that many agents cut off together do not return together. */

export interface ReconnectBackoff {
  /** Ceiling of the first delay. */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
}

export const defaultBackoff: ReconnectBackoff = { baseMs: 500, maxMs: 30_000 };

/**
 * The delay before reconnect number `attempt` (1 for the first): "equal jitter", half of
 * `min(maxMs, baseMs × 2^(attempt-1))` fixed and half random, so a delay never collapses to zero.
 */
export function reconnectDelay(
  attempt: number,
  backoff: ReconnectBackoff = defaultBackoff,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(Math.floor(attempt) - 1, 0), 32);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

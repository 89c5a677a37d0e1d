/**
 * The informer's retry rhythm: counts failures since the last sign of progress and turns them into a
 * backoff delay that every list and watch waits out. Progress (an event, a bookmark, or a watch that
 * stayed up) resets it; an error, or a watch that ended early without delivering anything, adds to it.
 * So reconnecting can never spin (client-node #1933), whatever the cause.
 */
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { WatchSessionEnd } from './guarded-watch.js';

/** How a watch session ended, as far as pacing is concerned. */
export type Verdict = 'silence' | 'expired' | 'error' | 'closed-early' | 'normal';

export interface PacerOptions {
  backoff: BackoffOptions;
  /** A watch that lasted this long counts as progress. */
  healthyAfterMs: number;
}

export class Pacer {
  private failures = 0;

  constructor(private readonly opts: PacerOptions) {}

  /** Failures since the last progress: the number of the coming retry. */
  get attempt(): number {
    return this.failures;
  }

  /** How long to wait before the next list or watch (0 while healthy). */
  delay(): number {
    return this.failures === 0 ? 0 : backoffDelay(this.failures, this.opts.backoff);
  }

  progress(): void {
    this.failures = 0;
  }

  failed(): void {
    this.failures++;
  }

  judge(end: WatchSessionEnd): Verdict {
    if (end.durationMs >= this.opts.healthyAfterMs) this.failures = 0;
    if (end.forced !== undefined) return 'silence'; // the watchdog's doing: re-list at once
    if (end.expired) {
      if (!end.progressed) this.failures++; // 410 right after a list again and again: slow down
      return 'expired';
    }
    if (end.error) {
      this.failures++;
      return 'error';
    }
    if (!end.progressed && end.durationMs < this.opts.healthyAfterMs) {
      this.failures++;
      return 'closed-early';
    }
    return 'normal';
  }
}

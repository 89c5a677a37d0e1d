/**
 * A work queue of keys, in the manner of client-go's workqueue: a key waits at most once (adds while it
 * waits are merged), is never processed concurrently with itself (an add while it runs makes it run
 * once more afterwards), and failed keys come back after a per-key exponential delay.
 */
import { defaultLogger, type Logger } from './logger.js';

export interface RateLimit {
  /** First retry delay of a key (default 5 ms); doubles with each failure of that key. */
  baseDelayMs?: number;
  /** Cap of the per-key delay (default 5 min). */
  maxDelayMs?: number;
  /** Overall token bucket over all retries (off unless set): sustained retries per second… */
  qps?: number;
  /** …and the burst allowed above it (default 10 × qps). */
  burst?: number;
}

export interface WorkQueueOptions {
  /** For logs. */
  name: string;
  /** Keys processed at the same time (default 1). */
  concurrency?: number;
  /** The work; a rejection is logged (callers that want retries call addRateLimited themselves). */
  process: (key: string) => Promise<void>;
  rateLimit?: RateLimit;
  logger?: Logger;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  /** Keys waiting to be processed (in `queue`, or to be queued again once their run ends). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly concurrency: number;
  private readonly log: Logger;
  private stopping = false;
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  private tokens: number;
  private tokensAt = Date.now();

  constructor(private readonly opts: WorkQueueOptions) {
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'workqueue', queue: opts.name });
    this.tokens = this.burst;
  }

  /** Keys waiting (not counting delayed ones nor the ones running). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys running now. */
  get active(): number {
    return this.processing.size;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  add(key: string): void {
    if (this.stopping || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again when its run ends
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopping) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Adds the key after its backoff (base × 2^failures, capped; and the token bucket); returns the delay. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const base = this.opts.rateLimit?.baseDelayMs ?? 5;
    const max = this.opts.rateLimit?.maxDelayMs ?? 300_000;
    const delay = Math.max(Math.min(max, base * Math.pow(2, Math.min(n, 62))), this.reserveToken());
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the key's failure count (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Failures counted for the key since its last forget. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * Stops taking keys and cancels delayed ones; resolves once running keys have finished. Waiting keys are
   * dropped, or with `drain` processed first.
   */
  shutDown(opts: { drain?: boolean } = {}): Promise<void> {
    this.stopping = true;
    this.draining = opts.drain ?? false;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    if (!this.draining) {
      this.queue.length = 0;
      this.head = 0;
      this.dirty.clear();
    }
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  private get burst(): number {
    const qps = this.opts.rateLimit?.qps;
    return qps === undefined ? 0 : (this.opts.rateLimit?.burst ?? Math.max(1, Math.round(qps * 10)));
  }

  /** Takes one token of the overall bucket; the delay until it is really available (0 with no bucket). */
  private reserveToken(): number {
    const qps = this.opts.rateLimit?.qps;
    if (qps === undefined || qps <= 0) return 0;
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAt) * qps) / 1000);
    this.tokensAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / qps) * 1000);
  }

  private pump(): void {
    while (this.processing.size < this.concurrency && this.head < this.queue.length) {
      const key = this.queue[this.head++] as string;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      this.processing.add(key);
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.opts.process(key);
    } catch (err) {
      this.log.error({ err, key }, 'processing a key failed');
    } finally {
      this.processing.delete(key);
      if (this.dirty.has(key)) this.queue.push(key);
      this.pump();
      this.checkIdle();
    }
  }

  private checkIdle(): void {
    if (!this.stopping || this.processing.size > 0 || (this.draining && this.length > 0)) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

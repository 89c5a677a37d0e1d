/**
 * Notices silence: a watch that delivers neither events nor bookmarks for `silenceMs` is not trusted
 * (a half-open TCP connection looks exactly like a quiet resource; client-node #958). The apiserver
 * sends a bookmark about every minute to a watch that asked for them, so silence means a dead link.
 */

/** What the informer is doing; the watchdog only judges phases that should produce traffic. */
export type Phase = 'idle' | 'gating' | 'listing' | 'connecting' | 'watching';

export interface WatchdogOptions {
  silenceMs: number;
  /** Called once per silent period; activity restarts the count. */
  onSilence: (reason: string, phase: Phase) => void;
}

export class Watchdog {
  private current: Phase = 'idle';
  private lastActivity = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WatchdogOptions) {}

  get phase(): Phase {
    return this.current;
  }

  start(): void {
    this.bump('idle');
    this.timer = setInterval(() => this.check(), Math.min(this.opts.silenceMs / 4, 10_000));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A sign of life, and what is going on now. */
  bump(phase: Phase): void {
    this.current = phase;
    this.lastActivity = performance.now();
  }

  private check(): void {
    const silentMs = performance.now() - this.lastActivity;
    // Waiting out a backoff or a list are bounded by themselves (backoff cap, list timeout).
    if (silentMs < this.opts.silenceMs || this.current === 'gating' || this.current === 'listing') return;
    this.bump(this.current);
    this.opts.onSilence(`no events or bookmarks for ${Math.round(silentMs / 1000)} s`, this.current);
  }
}

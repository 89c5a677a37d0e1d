/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: every write
 * carries the resourceVersion it read (so of two candidates only one can win), a lease held by another is
 * taken only after it went unrenewed for leaseDuration as measured on the local clock, and a leader that
 * cannot renew steps down after renewDeadline (< leaseDuration): before anyone else may take over.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { sleep } from './backoff.js';
import { KubeApiError, toKubeApiError } from './kube-errors.js';
import { kubeRequest } from './kube-request.js';
import { microTime, newLease, toLease, type Lease, type LeaseSpec } from './lease.js';
import { defaultLogger, type Logger } from './logger.js';
import { leaderGauge } from './metrics.js';

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  /** The cluster holding the Lease: a label of logs and metrics. */
  cluster: string;
  namespace: string;
  name: string;
  /** Unique per replica (default: hostname and a random suffix). */
  identity?: string;
  /** How long a lease holds without renewal (default 10 s). */
  leaseDurationMs?: number;
  /** A leader that has not renewed for this long steps down (default 7 s; must be < leaseDurationMs). */
  renewDeadlineMs?: number;
  /** A leader renews this often (default 2 s). */
  renewPeriodMs?: number;
  /** A candidate tries this often, +0–20 % jitter (default 1 s: takeover within lease + 1.2 s). */
  retryPeriodMs?: number;
  /** Runs detached when this replica becomes leader; `signal` aborts when it stops leading. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Awaited when this replica stops leading (deadline passed, lease lost, or stop()). */
  onStoppedLeading: () => void | Promise<void>;
  /** The observed holder changed (undefined: released). */
  onNewLeader?: (identity: string | undefined) => void;
  logger?: Logger;
}

type Outcome = 'acquired' | 'held' | 'failed';

export class LeaderElector {
  readonly identity: string;
  private readonly leaseMs: number;
  private readonly deadlineMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly halt = new AbortController();
  private readonly log: Logger;
  private readonly labels: { cluster: string; lease: string };
  private leading = false;
  private leadership: AbortController | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private observedRv: string | undefined;
  private observedAt = 0;
  private observedHolder: string | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LeaderElectionOptions) {
    this.identity = opts.identity ?? `${os.hostname()}-${randomUUID().slice(0, 8)}`;
    this.leaseMs = opts.leaseDurationMs ?? 10_000;
    this.deadlineMs = opts.renewDeadlineMs ?? 7_000;
    this.renewMs = opts.renewPeriodMs ?? 2_000;
    this.retryMs = opts.retryPeriodMs ?? 1_000;
    if (this.deadlineMs >= this.leaseMs)
      throw new Error('renewDeadlineMs must be shorter than leaseDurationMs');
    if (this.renewMs >= this.deadlineMs)
      throw new Error('renewPeriodMs must be shorter than renewDeadlineMs');
    this.labels = { cluster: opts.cluster, lease: `${opts.namespace}/${opts.name}` };
    this.log = (opts.logger ?? defaultLogger()).child({
      component: 'leader',
      ...this.labels,
      identity: this.identity,
    });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the lease. */
  get leader(): string | undefined {
    return this.observedHolder;
  }

  start(): void {
    if (this.loop || this.halt.signal.aborted) return;
    leaderGauge.set(this.labels, 0);
    this.loop = this.run();
  }

  /**
   * Stops campaigning; a leader steps down (onStoppedLeading) and then, unless `release: false`, clears
   * the lease so that another replica takes over within one retry period. `release: false` leaves the
   * lease to expire, as a killed process would.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    if (this.halt.signal.aborted) return;
    this.halt.abort();
    const wasLeading = this.leading;
    await this.stepDown('stopping');
    await this.loop;
    if (wasLeading && (opts.release ?? true)) await this.release();
  }

  private async run(): Promise<void> {
    while (!this.halt.signal.aborted) {
      const started = performance.now();
      const outcome = await this.attempt();
      if (this.halt.signal.aborted) break;
      if (outcome === 'acquired') this.renewed(started);
      else if (outcome === 'held' && this.leading) await this.stepDown('another replica holds the lease');
      const wait = this.leading ? this.renewMs : this.retryMs * (1 + 0.2 * Math.random());
      await sleep(wait, this.halt.signal);
    }
  }

  /** One read and, when free, expired or ours, one conditional write. */
  private async attempt(): Promise<Outcome> {
    const timeoutMs = Math.max(500, Math.min(this.renewMs, this.leaseMs / 2));
    try {
      const current = await this.get(timeoutMs);
      const now = new Date();
      if (!current) {
        const { name, namespace } = this.opts;
        const lease = newLease({ name, namespace, holder: this.identity, durationMs: this.leaseMs, now });
        await this.write('POST', lease, timeoutMs);
        return 'acquired';
      }
      this.observe(current);
      const holder = current.spec.holderIdentity || undefined;
      const durationMs = (current.spec.leaseDurationSeconds ?? this.leaseMs / 1000) * 1000;
      if (holder && holder !== this.identity && performance.now() < this.observedAt + durationMs)
        return 'held';
      const spec: LeaseSpec = {
        ...current.spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
        renewTime: microTime(now),
      };
      if (holder !== this.identity) {
        spec.acquireTime = microTime(now);
        spec.leaseTransitions = (current.spec.leaseTransitions ?? 0) + 1;
      }
      await this.write('PUT', { ...current, spec }, timeoutMs);
      return 'acquired';
    } catch (raw) {
      const err = toKubeApiError(raw);
      if (this.halt.signal.aborted) return 'failed';
      // 409: another candidate wrote first (or created it): our read was stale, read again next round.
      const level = err.status === 409 || !this.leading ? 'debug' : 'warn';
      this.log[level](
        { status: err.status, reason: err.reason, message: err.message },
        'lease attempt failed',
      );
      return 'failed';
    }
  }

  private renewed(started: number): void {
    // The write landed at or after `started`: others measure leaseDuration from no earlier than that.
    const remaining = started + this.deadlineMs - performance.now();
    if (remaining <= 0) return;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => void this.stepDown('could not renew the lease in time'), remaining);
    if (this.leading) return;
    this.leading = true;
    this.leadership = new AbortController();
    leaderGauge.set(this.labels, 1);
    this.log.info({}, 'became leader');
    const signal = this.leadership.signal;
    // After a step-down still in progress (its controllers still stopping), never alongside it.
    this.stopping
      .then(() => (signal.aborted ? undefined : this.opts.onStartedLeading(signal)))
      .catch((err: unknown) => this.log.error({ err }, 'onStartedLeading failed'));
  }

  private async stepDown(reason: string): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    clearTimeout(this.deadlineTimer);
    this.leadership?.abort();
    leaderGauge.set(this.labels, 0);
    this.log.warn({ reason }, 'stopped leading');
    this.stopping = (async () => {
      try {
        await this.opts.onStoppedLeading();
      } catch (err) {
        this.log.error({ err }, 'onStoppedLeading failed');
      }
    })();
    await this.stopping;
  }

  private async release(): Promise<void> {
    try {
      const current = await this.get(2_000, AbortSignal.timeout(2_000));
      if (!current || current.spec.holderIdentity !== this.identity) return;
      const now = microTime(new Date());
      const spec = {
        ...current.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: now,
        acquireTime: now,
      };
      await this.write('PUT', { ...current, spec }, 2_000, AbortSignal.timeout(2_000));
      this.log.info({}, 'released the lease');
    } catch (raw) {
      const err = toKubeApiError(raw);
      this.log.warn(
        { reason: err.reason, message: err.message },
        'could not release the lease; it expires by itself',
      );
    }
  }

  private observe(lease: Lease): void {
    if (lease.metadata.resourceVersion === this.observedRv) return;
    this.observedRv = lease.metadata.resourceVersion;
    this.observedAt = performance.now();
    const holder = lease.spec.holderIdentity || undefined;
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      this.log.info({ leader: holder ?? null }, 'leader changed');
      try {
        this.opts.onNewLeader?.(holder);
      } catch (err) {
        this.log.error({ err }, 'onNewLeader failed');
      }
    }
  }

  private path(named: boolean): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases`;
    return named ? `${base}/${this.opts.name}` : base;
  }

  private async get(timeoutMs: number, signal = this.halt.signal): Promise<Lease | undefined> {
    try {
      const body = await kubeRequest(this.opts.kubeConfig, { path: this.path(true), signal, timeoutMs });
      const lease = toLease(body);
      if (!lease) throw new KubeApiError({ reason: 'BadResponse', message: 'the Lease read back malformed' });
      return lease;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async write(
    method: 'POST' | 'PUT',
    lease: Lease,
    timeoutMs: number,
    signal = this.halt.signal,
  ): Promise<void> {
    const body = await kubeRequest(this.opts.kubeConfig, {
      method,
      path: this.path(method === 'PUT'),
      body: lease,
      signal,
      timeoutMs,
    });
    const written = toLease(body);
    if (written) this.observe(written);
  }
}

/**
 * Metrics on prom-client's default registry, created once per process however often a module is loaded
 * (the helpers return the metric already registered under that name). Runtime metrics carry `cluster`.
 */
import { Counter, Gauge, Histogram, register } from 'prom-client';

export function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = register.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  const existing = register.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames });
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): Histogram<L> {
  const existing = register.getSingleMetric(name);
  if (existing instanceof Histogram) return existing;
  return new Histogram({ name, help, labelNames, buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60] });
}

export const informerRelists = counter(
  'shipyard_informer_relists_total',
  'Full lists after the first: expired resourceVersion (410), watchdog silence, restart.',
  ['cluster', 'resource', 'reason'],
);
export const informerErrors = counter(
  'shipyard_informer_errors_total',
  'Failed lists and watches, by Kubernetes reason or system error code.',
  ['cluster', 'resource', 'reason'],
);
export const informerReady = gauge(
  'shipyard_informer_ready',
  '1 while the informer is synced and watching, else 0.',
  ['cluster', 'resource'],
);
export const reconciles = counter(
  'shipyard_controller_reconciles_total',
  'Reconciles by result: success, requeue, error.',
  ['cluster', 'controller', 'result'],
);
export const reconcileSeconds = histogram(
  'shipyard_controller_reconcile_seconds',
  'Duration of one reconcile.',
  ['cluster', 'controller'],
);
export const leaderGauge = gauge('shipyard_leader', '1 while this replica holds the lease, else 0.', [
  'cluster',
  'lease',
]);

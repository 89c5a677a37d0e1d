// Runs one load measurement on a worker thread (load-worker.ts) and summarizes it.
import { Worker } from 'node:worker_threads';
import { percentile } from './stats.js';

export type LoadSpec = {
  /** http(s)://host:port of the target. */
  base: string;
  /** The requests that make one sample, sent in order on one connection (usually one path). */
  paths: string[];
  headers: Record<string, string>;
  /** Client TLS for an https target: CA, client certificate and key (PEM). */
  tls?: { ca: string; cert: string; key: string };
  connections: number;
  warmupMs: number;
  durationMs: number;
};

export type WorkerReport = {
  latencies: number[];
  errorCount: number;
  errors: string[];
  bytes: number;
  measuredMs: number;
};

export type LoadResult = {
  connections: number;
  durationMs: number;
  samples: number;
  /** Samples (a request, or a whole sequence) per second. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanBytes: number;
  errors: number;
  firstErrors: string[];
};

export function summarize(spec: Pick<LoadSpec, 'connections'>, r: WorkerReport): LoadResult {
  const sorted = Float64Array.from(r.latencies).sort();
  const values = Array.from(sorted);
  return {
    connections: spec.connections,
    durationMs: Math.round(r.measuredMs),
    samples: values.length,
    perSecond: values.length / (r.measuredMs / 1000),
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
    meanBytes: values.length ? Math.round(r.bytes / values.length) : 0,
    errors: r.errorCount,
    firstErrors: r.errors,
  };
}

// A worker thread does not inherit tsx's loader: register it there, then load the TypeScript module.
const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.resolve('./load-worker.ts'))}); })`;

/** Closed-loop load with `spec.connections` keep-alive connections; resolves after warm-up + duration. */
export function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: spec });
    let report: WorkerReport | undefined;
    worker.once('message', (m: WorkerReport) => (report = m));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      report ? resolve(summarize(spec, report)) : reject(new Error(`load worker exited (${code})`)),
    );
  });
}

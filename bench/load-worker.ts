// The closed-loop load generator, on a worker thread of its own so that it does not share an event loop
// with the in-process server it measures. Each of `connections` loops sends one request (or one sequence
// of requests, e.g. every page of a list) on a keep-alive connection, reads the whole body, and repeats.
// Samples that complete within the measured window count, with their whole latency.
import http from 'node:http';
import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadSpec, WorkerReport } from './load.js';

const spec = workerData as LoadSpec;
const target = new URL(spec.base);
const secure = target.protocol === 'https:';
const agentOptions = { keepAlive: true, maxSockets: spec.connections, maxFreeSockets: spec.connections };
const agent = secure ? new https.Agent({ ...agentOptions, ...spec.tls }) : new http.Agent(agentOptions);
const send = secure ? https.request : http.request;

/** One GET with its body read to the end; resolves with the byte count, rejects on a non-200. */
function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = send(
      { agent, host: target.hostname, port: target.port, path, method: 'GET', headers: spec.headers },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode} on ${path}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const latencies: number[] = [];
const errors: string[] = [];
let errorCount = 0;
let bytes = 0;
const start = performance.now();
const measureFrom = start + spec.warmupMs;
const end = measureFrom + spec.durationMs;
const inWindow = (t: number) => t >= measureFrom && t <= end;

// What completes inside the window counts; at its end, requests still in flight are cut off.
const cutoff = setTimeout(() => agent.destroy(), end - start);

async function loop(): Promise<void> {
  while (performance.now() < end) {
    const t0 = performance.now();
    try {
      let n = 0;
      for (const path of spec.paths) n += await get(path);
      const t1 = performance.now();
      if (inWindow(t1)) {
        latencies.push(t1 - t0);
        bytes += n;
      }
    } catch (err) {
      if (performance.now() >= end) break; // cut off at the end of the window
      if (inWindow(performance.now())) errorCount++;
      if (errors.length < 5) errors.push((err as Error).message);
      await new Promise((r) => setTimeout(r, 10)); // a failing target is not hammered in a tight loop
    }
  }
}

await Promise.all(Array.from({ length: spec.connections }, loop));
clearTimeout(cutoff);
agent.destroy();
const report: WorkerReport = { latencies, errorCount, errors, bytes, measuredMs: spec.durationMs };
parentPort?.postMessage(report);

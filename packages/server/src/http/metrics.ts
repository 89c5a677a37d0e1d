import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, register } from 'prom-client';
import { counter, histogram } from '../runtime/metrics.js';

const requests = counter('shipyard_http_requests_total', 'HTTP requests by route and status code.', [
  'method',
  'route',
  'code',
]);
const seconds = histogram('shipyard_http_request_duration_seconds', 'HTTP request latency by route.', [
  'method',
  'route',
]);
let defaultsCollected = false;

/** Request counts and latencies per route, process metrics, and GET /metrics in Prometheus text format. */
export function registerMetrics(app: FastifyInstance): void {
  if (!defaultsCollected) {
    collectDefaultMetrics();
    defaultsCollected = true;
  }
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, code: String(reply.statusCode) });
    seconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(register.contentType);
    return register.metrics();
  });
}

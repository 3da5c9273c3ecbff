import { Counter, Histogram, Registry } from 'prom-client';
import type { Api } from './route.ts';

/** Latency buckets, in seconds: pushes answer in milliseconds, reads in tens of them. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * GET /metrics in Prometheus' text format (prom-client), and the HTTP metrics every route reports;
 * domains add their own to the returned registry (src/ingest/metrics.ts). docs/ingest.md lists
 * them. Like /healthz it needs no key: it names routes by their pattern and integration types,
 * never an account, a key or a value from a request.
 */
export function registerMetrics(app: Api): Registry {
  const registry = new Registry();
  const requests = new Counter({
    name: 'vigil_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // An unknown path is one label, whatever was asked: a scanner cannot grow the series.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}

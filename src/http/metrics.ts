import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/db.ts';
import type { Api } from './route.ts';

/** Latency buckets, in seconds: pushes answer in milliseconds, reads in tens of them. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const registries = new WeakMap<Api, Registry>();

/** The registry of an app built by buildApp, for the background loops main.ts starts beside it. */
export function metricsRegistry(app: Api): Registry {
  const registry = registries.get(app);
  if (!registry) throw new Error('This app has no metrics registry');
  return registry;
}

/**
 * GET /metrics in Prometheus' text format (prom-client): the HTTP metrics every route reports, the
 * process's memory and its database pool; domains add their own to the returned registry
 * (src/ingest/metrics.ts, src/notifications/metrics.ts, src/jobs/metrics.ts). docs/ingest.md and
 * docs/deploy.md list them. Like /healthz it needs no key: it names routes by their pattern and
 * integration types, never an account, a key or a value from a request.
 */
export function registerMetrics(app: Api, db: Db): Registry {
  const registry = new Registry();
  registries.set(app, registry);
  processMetrics(registry);
  poolMetrics(registry, db);
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

/** Memory, under the names of prom-client's default metrics (which would also watch GC and the event loop, per app). */
function processMetrics(registry: Registry): void {
  const registers = [registry];
  const memory: Array<[string, string, (m: NodeJS.MemoryUsage) => number]> = [
    ['process_resident_memory_bytes', 'Resident memory size in bytes.', (m) => m.rss],
    ['nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', (m) => m.heapTotal],
    ['nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', (m) => m.heapUsed],
    // PGlite's WebAssembly memory is counted here (an ArrayBuffer).
    ['nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', (m) => m.external],
  ];
  let usage: { at: number; value: NodeJS.MemoryUsage } | undefined;
  const read = () => {
    // One reading per scrape (the four gauges are collected together).
    if (!usage || Date.now() - usage.at > 100) usage = { at: Date.now(), value: process.memoryUsage() };
    return usage.value;
  };
  for (const [name, help, pick] of memory)
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(pick(read()));
      },
    });
}

/** The database pool of this process (db.ts, poolStats): PostgreSQL's connections, PGlite's one backend. */
function poolMetrics(registry: Registry, db: Db): void {
  const registers = [registry];
  const gauges: Array<[string, string, (s: ReturnType<Db['poolStats']>) => number]> = [
    [
      'vigil_db_pool_max_connections',
      'Connections the pool may open (PGlite: 1, its one backend).',
      (s) => s.max,
    ],
    ['vigil_db_pool_open_connections', 'Connections the pool holds open.', (s) => s.open],
    ['vigil_db_pool_idle_connections', 'Open connections not in use.', (s) => s.idle],
    [
      'vigil_db_pool_waiting_requests',
      'Queries and transactions waiting for a connection (PGlite: for its turn on the backend).',
      (s) => s.waiting,
    ],
  ];
  for (const [name, help, pick] of gauges)
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(pick(db.poolStats()));
      },
    });
}

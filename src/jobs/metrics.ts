import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CycleObserver } from './engine.ts';

/** The engine's cycles on /metrics (docs/deploy.md, "Metrics"): how long they take, and the last one's end. */
export function engineMetrics(registry: Registry): CycleObserver {
  const registers = [registry];
  const duration = new Histogram({
    name: 'vigil_engine_cycle_duration_seconds',
    help: 'Time of one engine cycle (every module: escalation, snooze expiry, auto-resolve, ...) in this instance.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const last = new Gauge({
    name: 'vigil_engine_last_cycle_timestamp_seconds',
    help: 'When the last engine cycle of this instance ended (Unix seconds): an engine that stalls stops moving it.',
    registers,
  });
  const failures = new Counter({
    name: 'vigil_engine_module_failures_total',
    help: 'Engine module runs that failed (logged), by module.',
    labelNames: ['module'] as const,
    registers,
  });
  return ({ report, durationMs, endMs }) => {
    duration.observe(durationMs / 1000);
    last.set(endMs / 1000);
    for (const module of report.failed) failures.inc({ module });
  };
}

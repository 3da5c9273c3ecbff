import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { BatchReport } from './apply/applier.ts';
import { readBacklog } from './log/ingest-log.ts';

/** The ingest pipeline's metrics (docs/ingest.md, "Metrics"), on the app's registry. */
export type IngestMetrics = {
  accepted(integrationType: string, events: number): void;
  refused(integrationType: string): void;
  applied(report: BatchReport): void;
};

export function ingestMetrics(registry: Registry, deps: { db: Db; clock: Clock }): IngestMetrics {
  const registers = [registry];
  const accepted = new Counter({
    name: 'vigil_ingest_events_accepted_total',
    help: 'Events appended to the ingest log by this instance (answered 200), by integration type.',
    labelNames: ['integration_type'] as const,
    registers,
  });
  const refused = new Counter({
    name: 'vigil_ingest_pushes_refused_total',
    help: 'Pushes answered 429 because the backlog was over its bound, by integration type.',
    labelNames: ['integration_type'] as const,
    registers,
  });
  const applied = new Counter({
    name: 'vigil_ingest_events_applied_total',
    help: 'Events applied and removed from the log by this instance, by integration type.',
    labelNames: ['integration_type'] as const,
    registers,
  });
  const failed = new Counter({
    name: 'vigil_ingest_events_failed_total',
    help: 'Events that could not be applied and were set aside in ingest_failed.',
    registers,
  });
  const batchSize = new Histogram({
    name: 'vigil_ingest_apply_batch_size',
    help: 'Events per apply transaction.',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000],
    registers,
  });
  const batchDuration = new Histogram({
    name: 'vigil_ingest_apply_batch_duration_seconds',
    help: 'Time of one apply transaction: claim, route, apply, delete, commit.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const lag = new Histogram({
    name: 'vigil_ingest_apply_lag_seconds',
    help: 'Time from an event being accepted to its being applied (committed).',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  // The backlog is read when scraped, database-wide: every instance reports the same figure.
  let reading: ReturnType<typeof readBacklog> | undefined;
  const backlog = () => {
    reading ??= readBacklog(deps.db.q).finally(() => {
      reading = undefined;
    });
    return reading;
  };
  new Gauge({
    name: 'vigil_ingest_backlog_events',
    help: 'Events accepted and not yet applied, by every instance (database-wide).',
    registers,
    async collect() {
      this.set((await backlog()).events);
    },
  });
  new Gauge({
    name: 'vigil_ingest_backlog_oldest_age_seconds',
    help: 'Age of the oldest event not yet applied (0 when none waits).',
    registers,
    async collect() {
      const oldest = (await backlog()).oldestAcceptedAt;
      this.set(oldest === null ? 0 : Math.max(0, (deps.clock.nowMs() - oldest) / 1000));
    },
  });

  return {
    accepted: (integrationType, events) => accepted.inc({ integration_type: integrationType }, events),
    refused: (integrationType) => refused.inc({ integration_type: integrationType }),
    applied(report) {
      const byType = new Map<string, number>();
      for (const r of report.results) {
        const type = r.integrationType || 'deleted';
        byType.set(type, (byType.get(type) ?? 0) + 1);
        lag.observe(Math.max(0, (report.nowMs - r.entry.acceptedAt) / 1000));
      }
      for (const [type, n] of byType) applied.inc({ integration_type: type }, n);
      if (report.failed > 0) failed.inc(report.failed);
      batchSize.observe(report.results.length + report.failed);
      batchDuration.observe(report.durationMs / 1000);
    },
  };
}

import type { Config } from '../config/config.ts';
import type { Db } from '../db/db.ts';
import { findIntegrationByKey } from '../integrations/integrations.service.ts';
import type { IntegrationRow } from '../integrations/integrations.store.ts';
import type { Clock } from '../shared/clock.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
import { Applier, type BatchReport } from './apply/applier.ts';
import { RoutingCache } from './apply/route.ts';
import type { AlertEventInput } from './event.ts';
import { Backpressure, type Refusal } from './log/backpressure.ts';
import { IngestLog } from './log/ingest-log.ts';

/** How long an integration found by its push key is reused (a change through this process clears it). */
const KEY_TTL_MS = 1_000;

type Logger = ConstructorParameters<typeof Applier>[0]['logger'];

/**
 * The alert pipeline of one process (docs/ingest.md): accept appends events to the ingest log and
 * returns once they are committed; the appliers apply them in the background.
 */
export class Ingest {
  readonly #log: IngestLog;
  readonly #applier: Applier;
  readonly #routing: RoutingCache;
  readonly #backpressure: Backpressure;
  readonly #clock: Clock;
  readonly #db: Db;
  readonly #integrations = new TtlCache<string, IntegrationRow | undefined>(KEY_TTL_MS);

  constructor(deps: {
    config: Config;
    db: Db;
    clock: Clock;
    logger: Logger;
    ready: () => boolean;
    observe?: (report: BatchReport) => void;
  }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#routing = new RoutingCache(deps.config.outboundAllow);
    this.#log = new IngestLog(deps.db);
    this.#backpressure = new Backpressure({
      db: deps.db,
      clock: deps.clock,
      maxEvents: deps.config.ingestBacklogMaxEvents,
      maxAgeSeconds: deps.config.ingestBacklogMaxAgeSeconds,
    });
    this.#applier = new Applier({
      db: deps.db,
      clock: deps.clock,
      routing: this.#routing,
      logger: deps.logger,
      workers: deps.config.ingestApplyWorkers ?? (deps.db.kind === 'postgres' ? 2 : 1),
      batchMax: deps.config.ingestApplyBatchMax,
      ready: deps.ready,
      observe: (report) => {
        this.#backpressure.applied(report.results.length + report.failed, report.durationMs);
        deps.observe?.(report);
      },
    });
  }

  start(): void {
    this.#applier.start();
  }

  stop(): Promise<void> {
    return this.#applier.stop();
  }

  /** Undefined when the backlog has room; otherwise a push is refused (429) with this Retry-After. */
  refusal(): Promise<Refusal | undefined> {
    return this.#backpressure.check();
  }

  /** Appends the events of one push; resolves once they are committed (can no longer be lost). */
  async accept(integration: IntegrationRow, events: readonly AlertEventInput[]): Promise<void> {
    const acceptedAt = this.#clock.nowMs();
    await this.#log.append(
      events.map((event) => ({
        accountId: integration.account_id,
        integrationId: integration.integration_id,
        acceptedAt,
        event,
      })),
    );
    this.#backpressure.appended(events.length, acceptedAt);
    this.#applier.wake();
  }

  /** Events were appended in another transaction (a heartbeat's): count them and apply them soon. */
  appendedElsewhere(count: number, acceptedAt: number): void {
    this.#backpressure.appended(count, acceptedAt);
    this.#applier.wake();
  }

  /** The enabled integration of a push key (undefined when unknown, disabled or deleted). */
  integrationByKey(key: string): Promise<IntegrationRow | undefined> {
    return this.#integrations.get(key, () => findIntegrationByKey(this.#db, key));
  }

  /** Integrations, routes or channels changed in this process: read them again from the next event on. */
  configChanged(): void {
    this.#routing.clear();
    this.#integrations.clear();
  }
}

import type { Db } from '../../db/db.ts';
import type { IntegrationRow } from '../../integrations/integrations.store.ts';
import { runEnrichment } from '../../processing/enrichment.ts';
import type { ProcessingNote } from '../../processing/notes.ts';
import { type InhibitSource, runPipeline } from '../../processing/pipeline.ts';
import type { ProcessingCache } from '../../processing/processing-cache.ts';
import type { AlertEventInput } from '../event.ts';

/*
 * Phase "process" of applying, before routing: the integration's label enrichment, then its alert
 * pipeline (the order Flashduty documents), so enriched labels and rewritten fields drive routing,
 * grouping and everything after (docs/processing.md).
 */

type Executor = Db['q'];

/** Pipeline inhibition looks at alerts of the integration active in the last ten minutes (as Flashduty). */
const INHIBIT_WINDOW_SECONDS = 600;
const MAX_INHIBIT_SOURCES = 1000;

export type Processed =
  | { dropped: false; event: AlertEventInput }
  | { dropped: true; reason: 'pipeline_drop' | 'pipeline_inhibit' };

/** Per batch run: inhibition sources are read at most once per integration. */
export class ProcessRun {
  readonly #sources = new Map<number, Promise<InhibitSource[]>>();
  readonly #q: Executor;
  readonly #cache: ProcessingCache;
  readonly #nowSeconds: number;

  constructor(q: Executor, cache: ProcessingCache, nowMs: number) {
    this.#q = q;
    this.#cache = cache;
    this.#nowSeconds = Math.floor(nowMs / 1000);
  }

  async process(integration: IntegrationRow, input: AlertEventInput): Promise<Processed> {
    const rules = await this.#cache.of(this.#q, integration.integration_id);
    if (rules.enrichment.rules.length === 0 && rules.pipeline.rules.length === 0) {
      return { dropped: false, event: input };
    }
    const names = {
      integrationId: integration.integration_id,
      integrationType: integration.plugin_type,
      integrationName: integration.name,
    };
    const enriched = await runEnrichment(rules.enrichment, input, {
      ...names,
      lookupTable: (schemaId, labels) => this.#cache.lookupTable(this.#q, schemaId, labels),
      callApi: (apiId, event, resultLabels) =>
        this.#cache.callApi(
          this.#q,
          apiId,
          { ...event, integrationId: integration.integration_id, accountId: integration.account_id },
          resultLabels,
        ),
    });
    const result = await runPipeline(rules.pipeline, enriched.event, {
      ...names,
      inhibitSources: () => this.#inhibitSources(integration.integration_id),
    });
    if (result.dropped) return { dropped: true, reason: result.reason };
    const notes: ProcessingNote[] = [...enriched.notes, ...result.notes];
    return {
      dropped: false,
      event: notes.length > 0 ? { ...result.event, processing: notes } : result.event,
    };
  }

  #inhibitSources(integrationId: number): Promise<InhibitSource[]> {
    let sources = this.#sources.get(integrationId);
    if (!sources) {
      sources = this.#q
        .selectFrom('alerts')
        .select(['alert_id', 'alert_key', 'alert_severity', 'title', 'description', 'labels'])
        .where('integration_id', '=', integrationId)
        .where('end_time', '=', 0)
        .where('last_time', '>=', this.#nowSeconds - INHIBIT_WINDOW_SECONDS)
        .orderBy('last_time', 'desc')
        .limit(MAX_INHIBIT_SOURCES)
        .execute()
        .then((rows) =>
          rows.map((row) => ({
            alert_id: row.alert_id,
            alert_key: row.alert_key,
            severity: row.alert_severity,
            title: row.title,
            description: row.description,
            labels: row.labels,
            integration_id: integrationId,
          })),
        );
      this.#sources.set(integrationId, sources);
    }
    return sources;
  }
}

import type { Db } from '../db/db.ts';
import type { OutboundAllow } from '../notifications/providers/outbound-policy.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
import { type CompiledEnrichment, compileEnrichment, type EnrichRule, type Lookup } from './enrichment.ts';
import { type ApiEvent, MappingApis } from './mapping-api.ts';
import { mappingKey } from './mapping-key.ts';
import { type CompiledPipeline, compilePipeline, type PipelineRule } from './pipeline.ts';
import { rulesOf } from './rule-sets.store.ts';

/*
 * The compiled processing rules of each integration, for the applier: read at most once a second,
 * like routes (src/ingest/apply/route.ts), and at once after a change made through this process
 * (processingChanged bumps a generation every cache of the process compares).
 */

type Executor = Db['q'];

const CONFIG_TTL_MS = 1_000;
let generation = 0;

/** Processing rules changed through this process: every cache reads them again from the next event on. */
export function processingChanged(): void {
  generation++;
}

export type IntegrationProcessing = {
  enrichment: CompiledEnrichment;
  pipeline: CompiledPipeline;
};

/** A mapping table in memory, at one data version. */
type Table = { version: number; sourceLabels: string[]; rows: Map<string, Record<string, string>> };

export class ProcessingCache {
  readonly #rules = new TtlCache<number, IntegrationProcessing>(CONFIG_TTL_MS);
  /** Each table's current version, read at most once a second; the rows only when it changed. */
  readonly #versions = new TtlCache<string, { version: number; sourceLabels: string[] } | undefined>(
    CONFIG_TTL_MS,
  );
  readonly #tables = new Map<string, Promise<Table>>();
  readonly #apis: MappingApis;
  #seen = generation;

  constructor(allow: OutboundAllow) {
    this.#apis = new MappingApis(allow);
  }

  #fresh(): void {
    if (this.#seen === generation) return;
    this.#seen = generation;
    this.#rules.clear();
    this.#versions.clear();
    this.#apis.clear();
  }

  /** A mapping API's answer for the event (bounded, cached; a failure is an answer: src/processing/mapping-api.ts). */
  callApi(q: Executor, apiId: string, event: ApiEvent, resultLabels: readonly string[]): Promise<Lookup> {
    this.#fresh();
    return this.#apis.call(q, apiId, event, resultLabels);
  }

  /** The integration's processing; a stored rule that no longer compiles fails the batch, loudly. */
  of(q: Executor, integrationId: number): Promise<IntegrationProcessing> {
    this.#fresh();
    return this.#rules.get(integrationId, async () => {
      const enrichment = (await rulesOf(q, 'enrichment_rule_sets', integrationId)) as EnrichRule[];
      const pipeline = (await rulesOf(q, 'alert_pipelines', integrationId)) as PipelineRule[];
      return { enrichment: compileEnrichment(enrichment), pipeline: compilePipeline(pipeline) };
    });
  }

  /** The row of a mapping table whose source labels equal the event's (all must be present). */
  async lookupTable(
    q: Executor,
    schemaId: string,
    labels: Readonly<Record<string, string>>,
  ): Promise<Lookup> {
    this.#fresh();
    const current = await this.#versions.get(schemaId, async () => {
      const row = await q
        .selectFrom('mapping_schemas')
        .select(['data_version', 'source_labels'])
        .where('schema_id', '=', schemaId)
        .executeTakeFirst();
      return row ? { version: Number(row.data_version), sourceLabels: row.source_labels } : undefined;
    });
    if (!current) return { error: `mapping schema ${schemaId} no longer exists` };
    const values = current.sourceLabels.map((label) =>
      Object.hasOwn(labels, label) ? labels[label] : undefined,
    );
    if (values.some((v) => v === undefined)) return { labels: {} };
    let table = this.#tables.get(schemaId);
    if (!table || (await table).version !== current.version) {
      table = loadTable(q, schemaId, current);
      this.#tables.set(schemaId, table);
      table.catch(() => this.#tables.delete(schemaId));
    }
    return { labels: (await table).rows.get(mappingKey(values as string[])) ?? {} };
  }
}

async function loadTable(
  q: Executor,
  schemaId: string,
  at: { version: number; sourceLabels: string[] },
): Promise<Table> {
  const rows = await q
    .selectFrom('mapping_rows')
    .select(['key', 'fields'])
    .where('schema_id', '=', schemaId)
    .execute();
  return { ...at, rows: new Map(rows.map((row) => [row.key, row.fields])) };
}

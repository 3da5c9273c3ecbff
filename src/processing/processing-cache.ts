import type { Db } from '../db/db.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
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
  pipeline: CompiledPipeline;
};

export class ProcessingCache {
  readonly #rules = new TtlCache<number, IntegrationProcessing>(CONFIG_TTL_MS);
  #seen = generation;

  /** The integration's processing; a stored rule that no longer compiles fails the batch, loudly. */
  of(q: Executor, integrationId: number): Promise<IntegrationProcessing> {
    if (this.#seen !== generation) {
      this.#seen = generation;
      this.#rules.clear();
    }
    return this.#rules.get(integrationId, async () => {
      const pipeline = (await rulesOf(q, 'alert_pipelines', integrationId)) as PipelineRule[];
      return { pipeline: compilePipeline(pipeline) };
    });
  }
}

import type { Sample, SampleContext } from './samples.ts';

/* Samples of label enrichment, alert pipelines and channel notification rules (docs/processing.md). */

/**
 * A pipeline on a new shared alert integration. Only alert_drop rules: the document's `settings`
 * is a oneOf without a discriminator in which ApAlertDrop (`{}`, open) matches every object, so
 * the settings of any other kind match two schemas and can never validate (docs/processing.md);
 * the other kinds are tested in test/processing/pipeline.test.ts.
 */
async function pipelined(ctx: SampleContext) {
  const { integration_id } = await ctx.alertIntegration();
  return {
    integration_id,
    rules: [
      {
        kind: 'alert_drop',
        if: [[{ key: 'labels.env', oper: 'IN', vals: ['dev', '/^test-/'] }]],
        settings: {},
      },
      { kind: 'alert_drop', settings: {} },
    ],
  };
}

/** An enrichment rule set with extraction, composition and drop rules, on a new shared alert integration. */
async function enriched(ctx: SampleContext) {
  const { integration_id } = await ctx.alertIntegration();
  return {
    integration_id,
    rules: [
      {
        kind: 'extraction',
        if: [{ key: 'labels.env', oper: 'IN', vals: ['prod'] }],
        settings: {
          source_field: 'description',
          pattern: 'host (?P<result>\\S+)',
          result_label: 'host',
          override: false,
        },
      },
      {
        kind: 'extraction',
        settings: { source_field: 'labels.payload', g_json: 'owner.team', result_label: 'team' },
      },
      {
        kind: 'composition',
        settings: { template: '{{.labels.host}}-{{.title}}', result_label: 'target', override: true },
      },
      { kind: 'drop', settings: { drop_labels: ['payload'] } },
    ],
  };
}

export const PROCESSING_SAMPLES: Record<string, Sample> = {
  '/enrichment/upsert': enriched,
  '/enrichment/info': async (ctx) => {
    const body = await enriched(ctx);
    await ctx.call('/enrichment/upsert', body);
    return { integration_id: body.integration_id };
  },
  '/enrichment/list': async (ctx) => {
    const body = await enriched(ctx);
    await ctx.call('/enrichment/upsert', body);
    return { integration_ids: [body.integration_id] };
  },
  '/alert/pipeline/upsert': pipelined,
  '/alert/pipeline/info': async (ctx) => {
    const body = await pipelined(ctx);
    await ctx.call('/alert/pipeline/upsert', body);
    return { integration_id: body.integration_id };
  },
  '/alert/pipeline/list': async (ctx) => {
    const body = await pipelined(ctx);
    await ctx.call('/alert/pipeline/upsert', body);
    return { integration_ids: [body.integration_id] };
  },
};

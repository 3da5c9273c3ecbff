import type { Sample, SampleContext } from './samples.ts';

/* Samples of label enrichment, alert pipelines and channel notification rules (docs/processing.md). */

/** A channel notification rule's request on a new channel: Critical incidents' events to a chat bot. */
async function notifyRuleBody(ctx: SampleContext) {
  const { channel_id } = await ctx.channel();
  return {
    channel_id,
    rule_name: ctx.unique('notify'),
    event_types: ['i_new', 'i_ack', 'i_rslv'],
    filters: [[{ key: 'severity', oper: 'IN', vals: ['Critical'] }]],
    target: { webhooks: [{ type: 'slack', settings: { url: 'https://hooks.slack.example.com/T1' } }] },
  };
}

async function ruleIds(ctx: SampleContext) {
  const { channel_id, rule_id } = await notifyRule(ctx);
  return { channel_id, rule_id };
}

/** A notification rule created from notifyRuleBody: the request, with the rule's id. */
async function notifyRule(ctx: SampleContext) {
  const body = await notifyRuleBody(ctx);
  const { rule_id } = await ctx.call('/channel/notify/rule/create', body);
  return { ...body, rule_id: rule_id as string };
}

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

/** A new mapping schema (host → service, tier) with one row. */
async function mappingSchema(ctx: SampleContext): Promise<string> {
  const { schema_id } = await ctx.call('/enrichment/mapping/schema/create', {
    schema_name: ctx.unique('hosts'),
    source_labels: ['host'],
    result_labels: ['service', 'tier'],
  });
  await ctx.call('/enrichment/mapping/data/upsert', {
    schema_id,
    docs: [{ host: 'db-1', service: 'orders', tier: 'gold' }],
  });
  return schema_id as string;
}

/** A new mapping API (its URL is only checked, never called here). */
async function mappingApi(ctx: SampleContext): Promise<string> {
  const { api_id } = await ctx.call('/enrichment/mapping/api/create', {
    api_name: ctx.unique('cmdb'),
    url: 'http://127.0.0.1:9/enrich',
    headers: { 'X-Enrich-Token': 't' },
    timeout: 2,
    retry_count: 1,
  });
  return api_id as string;
}

export const PROCESSING_SAMPLES: Record<string, Sample> = {
  '/enrichment/mapping/schema/create': async (ctx) => ({
    schema_name: ctx.unique('schema'),
    description: 'hosts to services',
    source_labels: ['host'],
    result_labels: ['service'],
  }),
  '/enrichment/mapping/schema/update': async (ctx) => ({
    schema_id: await mappingSchema(ctx),
    description: 'renamed',
  }),
  '/enrichment/mapping/schema/delete': async (ctx) => ({ schema_id: await mappingSchema(ctx) }),
  '/enrichment/mapping/schema/list': async (ctx) => {
    await mappingSchema(ctx);
    return {};
  },
  '/enrichment/mapping/schema/info': async (ctx) => ({ schema_id: await mappingSchema(ctx) }),
  '/enrichment/mapping/data/upsert': async (ctx) => ({
    schema_id: await mappingSchema(ctx),
    docs: [{ host: 'db-2', service: 'orders', tier: 'silver' }],
  }),
  '/enrichment/mapping/data/list': async (ctx) => ({ schema_id: await mappingSchema(ctx), limit: 10 }),
  '/enrichment/mapping/data/delete': async (ctx) => {
    const schema_id = await mappingSchema(ctx);
    const { items } = await ctx.call('/enrichment/mapping/data/list', { schema_id });
    return { schema_id, keys: [items[0].key] };
  },
  '/enrichment/mapping/data/truncate': async (ctx) => ({ schema_id: await mappingSchema(ctx) }),
  // The document's JSON form of the upload (the multipart form: test/processing/mapping-files.test.ts).
  '/enrichment/mapping/data/upload': async (ctx) => ({
    schema_id: await mappingSchema(ctx),
    file: 'host,service,tier\ndb-3,orders,bronze\n',
  }),
  '/enrichment/mapping/data/download': async (ctx) => ({ schema_id: await mappingSchema(ctx) }),
  '/enrichment/mapping/api/create': async (ctx) => ({
    api_name: ctx.unique('api'),
    url: 'https://cmdb.example.com/enrich',
  }),
  '/enrichment/mapping/api/update': async (ctx) => ({ api_id: await mappingApi(ctx), timeout: 3 }),
  '/enrichment/mapping/api/delete': async (ctx) => ({ api_id: await mappingApi(ctx) }),
  '/enrichment/mapping/api/list': async (ctx) => {
    await mappingApi(ctx);
    return {};
  },
  '/enrichment/mapping/api/info': async (ctx) => ({ api_id: await mappingApi(ctx) }),
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
  '/channel/notify/rule/create': notifyRuleBody,
  '/channel/notify/rule/update': async (ctx) => ({ ...(await notifyRule(ctx)), event_types: ['i_assign'] }),
  '/channel/notify/rule/delete': ruleIds,
  '/channel/notify/rule/enable': ruleIds,
  '/channel/notify/rule/disable': ruleIds,
  '/channel/notify/rule/list': async (ctx) => ({ channel_id: (await notifyRule(ctx)).channel_id }),
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

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';

/*
 * Mapping tables and mapping APIs (docs/processing.md, "Mappings"): an alert's labels extracted,
 * mapped by a table and by a local HTTP API before grouping, with the feed explaining it; an API
 * that times out or answers garbage leaves the event unenriched, and the feed says so.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let server: Server;
let base = '';
const asked: any[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const parsed = JSON.parse(body);
      asked.push({ path: request.url, body: parsed, header: request.headers['x-enrich-token'] });
      if (request.url === '/slow') {
        setTimeout(() => response.writeHead(200).end('{"result_labels":{"owner_team":"late"}}'), 2500);
        return;
      }
      if (request.url === '/garbage') return void response.writeHead(200).end('<html>');
      const host = parsed.event.labels.host;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ result_labels: { owner_team: `team-of-${host}`, unasked: 'x' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await startTestApp({ env: ALLOW_LOOPBACK });
  owner = await t.newAccount('Mappings');
  other = await t.newAccount('Elsewhere');
});
afterAll(async () => {
  await t.close();
  server.close();
});

const call = async (path: string, body: unknown, account = owner) => {
  const res = await t.post(path, body, account.appKey);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.data;
};

async function push(key: string, body: Record<string, unknown>) {
  const res = await pushStandard(t, key, { event_status: 'Warning', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.alert_key as string;
}

const alertOf = (integrationId: number, alertKey: string) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('alert_key', '=', alertKey)
    .executeTakeFirstOrThrow();

const processingOf = async (alertId: string) =>
  ((await call('/alert/feed', { alert_id: alertId })).items as any[]).find((e) => e.type === 'a_new').detail
    .processing;

async function schemaWithRows() {
  const { schema_id } = await call('/enrichment/mapping/schema/create', {
    schema_name: `hosts-${Math.random().toString(36).slice(2, 8)}`,
    source_labels: ['host'],
    result_labels: ['service', 'tier'],
  });
  const { keys } = await call('/enrichment/mapping/data/upsert', {
    schema_id,
    docs: [
      { host: 'db-1', service: 'orders', tier: 'gold', extra: 'dropped' },
      { host: 'db-2', service: 'orders', tier: 'silver' },
    ],
  });
  expect(keys).toHaveLength(2);
  return schema_id as string;
}

describe('mapping tables and APIs in enrichment', () => {
  it('extracts, maps by table and by API before grouping, and the feed explains it', async () => {
    const schemaId = await schemaWithRows();
    const { api_id } = await call('/enrichment/mapping/api/create', {
      api_name: `cmdb-${Math.random()}`,
      url: `${base}/owner`,
      headers: { 'X-Enrich-Token': 'secret-ish' },
      timeout: 1,
    });
    const channelId = await newChannel(t, owner, { group: { method: 'p', equals: [['labels.service']] } });
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    await call('/enrichment/upsert', {
      integration_id: integrationId,
      rules: [
        {
          kind: 'extraction',
          settings: { source_field: 'title', pattern: 'on (?P<result>db-\\d+)', result_label: 'host' },
        },
        { kind: 'mapping', settings: { schema_id: schemaId, result_labels: ['service', 'tier'] } },
        { kind: 'mapping', settings: { mapping_type: 'api', api_id, result_labels: ['owner_team'] } },
      ],
    });

    const first = await push(key, { title_rule: 'slow queries on db-1' });
    const alert = await alertOf(integrationId, first);
    expect(alert.labels).toEqual({
      host: 'db-1',
      service: 'orders',
      tier: 'gold',
      owner_team: 'team-of-db-1',
    });
    expect(await processingOf(alert.alert_id)).toEqual([
      { stage: 'enrichment', rule: 0, kind: 'extraction', label: 'host', action: 'added', to: 'db-1' },
      { stage: 'enrichment', rule: 1, kind: 'mapping', label: 'service', action: 'added', to: 'orders' },
      { stage: 'enrichment', rule: 1, kind: 'mapping', label: 'tier', action: 'added', to: 'gold' },
      {
        stage: 'enrichment',
        rule: 2,
        kind: 'mapping',
        label: 'owner_team',
        action: 'added',
        to: 'team-of-db-1',
      },
    ]);
    const request = asked.find((a) => a.path === '/owner');
    expect(request.header).toBe('secret-ish');
    expect(request.body.result_label_keys).toEqual(['owner_team']);
    expect(request.body.event.labels).toMatchObject({ host: 'db-1', service: 'orders' });

    // db-2 maps to the same service: its alert joins the incident the table's label grouped.
    const second = await push(key, { title_rule: 'slow queries on db-2' });
    const joined = await alertOf(integrationId, second);
    expect(joined.labels.tier).toBe('silver');
    expect(joined.incident_id).toBe(alert.incident_id);
    // No row: no labels, no note.
    const unknown = await alertOf(integrationId, await push(key, { title_rule: 'slow queries on db-9' }));
    expect(unknown.labels.service).toBeUndefined();
  });

  it('a mapping API that times out or answers garbage leaves the event unenriched, and the feed says so', async () => {
    for (const path of ['/slow', '/garbage']) {
      const { api_id } = await call('/enrichment/mapping/api/create', {
        api_name: `bad-${path}-${Math.random()}`,
        url: `${base}${path}`,
        timeout: 1,
      });
      const channelId = await newChannel(t, owner);
      const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
      await call('/enrichment/upsert', {
        integration_id: integrationId,
        rules: [
          { kind: 'mapping', settings: { mapping_type: 'api', api_id, result_labels: ['owner_team'] } },
        ],
      });
      const started = Date.now();
      const alertKey = await push(key, { title_rule: 'db down', labels: { host: 'db-3' } });
      expect(Date.now() - started).toBeLessThan(2500);
      const alert = await alertOf(integrationId, alertKey);
      expect(alert.labels).toEqual({ host: 'db-3' });
      const [note] = await processingOf(alert.alert_id);
      expect(note).toMatchObject({ stage: 'enrichment', rule: 0, kind: 'mapping', action: 'failed' });
      expect(note.error).toMatch(path === '/slow' ? /no answer within 1000 ms/ : /not JSON/);
      expect(note.error).toContain('labels left unenriched');
    }
  });
});

describe('mapping management', () => {
  it('lists, pages and deletes rows; refuses a schema or API still in use', async () => {
    const schemaId = await schemaWithRows();
    const page = await call('/enrichment/mapping/data/list', { schema_id: schemaId, limit: 1, asc: true });
    expect(page).toMatchObject({ total: 2, has_next_page: true });
    const found = await call('/enrichment/mapping/data/list', {
      schema_id: schemaId,
      query: { host: 'db-2' },
    });
    expect(found.items.map((i: any) => i.fields)).toEqual([
      { host: 'db-2', service: 'orders', tier: 'silver' },
    ]);
    await call('/enrichment/mapping/data/delete', { schema_id: schemaId, keys: [found.items[0].key] });
    expect((await call('/enrichment/mapping/data/list', { schema_id: schemaId })).total).toBe(1);

    const channelId = await newChannel(t, owner);
    const { integrationId } = await newIntegration(t, owner, 'alert.standard', channelId);
    await call('/enrichment/upsert', {
      integration_id: integrationId,
      rules: [{ kind: 'mapping', settings: { schema_id: schemaId, result_labels: ['tier'] } }],
    });
    const blocked = await t.post('/enrichment/mapping/schema/delete', { schema_id: schemaId }, owner.appKey);
    expect(blocked.status).toBe(400);
    expect(blocked.body.error!.code).toBe('ReferenceExist');
    await call('/enrichment/upsert', { integration_id: integrationId, rules: [] });
    await call('/enrichment/mapping/data/truncate', { schema_id: schemaId });
    expect((await call('/enrichment/mapping/data/list', { schema_id: schemaId })).total).toBe(0);
    await call('/enrichment/mapping/schema/delete', { schema_id: schemaId });
    expect(await call('/enrichment/mapping/schema/info', { schema_id: schemaId })).toBeNull();
  });

  it('names the bad field', async () => {
    const bad = async (path: string, body: unknown, field: string) => {
      const res = await t.post(path, body, owner.appKey);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error!.code).toBe('InvalidParameter');
      expect(res.body.error!.message).toContain(field);
    };
    await bad(
      '/enrichment/mapping/schema/create',
      { schema_name: 's', source_labels: ['Host'], result_labels: ['x'] },
      'source_labels[0]',
    );
    await bad(
      '/enrichment/mapping/schema/create',
      { schema_name: 's', source_labels: ['a'], result_labels: ['a'] },
      'result_labels',
    );
    const schemaId = await schemaWithRows();
    await bad(
      '/enrichment/mapping/data/upsert',
      { schema_id: schemaId, docs: [{ host: 'a', service: 'b', tier: 'c' }, { host: 'a' }] },
      'docs[1].service',
    );
    await bad(
      '/enrichment/mapping/data/upsert',
      {
        schema_id: schemaId,
        docs: [
          { host: 'a', service: 'b', tier: 'c' },
          { host: 'a', service: 'd', tier: 'e' },
        ],
      },
      'docs[1]',
    );
    await bad('/enrichment/mapping/api/create', { api_name: 'a', url: 'http://10.0.0.1/x' }, 'url');
    await bad('/enrichment/mapping/api/create', { api_name: 'a', url: `${base}/x`, timeout: 9 }, 'timeout');
    await bad(
      '/enrichment/mapping/api/create',
      { api_name: 'a', url: `${base}/x`, headers: { Authorization: 'x' } },
      'headers.Authorization',
    );
  });

  it("another account's key sees and changes none of it", async () => {
    const schemaId = await schemaWithRows();
    const { api_id } = await call('/enrichment/mapping/api/create', {
      api_name: `mine-${Math.random()}`,
      url: `${base}/x`,
    });
    expect(await call('/enrichment/mapping/schema/info', { schema_id: schemaId }, other)).toBeNull();
    expect(await call('/enrichment/mapping/api/info', { api_id }, other)).toBeNull();
    expect((await call('/enrichment/mapping/schema/list', {}, other)).items).toEqual([]);
    expect((await call('/enrichment/mapping/api/list', {}, other)).items).toEqual([]);
    for (const [path, body] of [
      ['/enrichment/mapping/data/list', { schema_id: schemaId }],
      ['/enrichment/mapping/data/truncate', { schema_id: schemaId }],
      ['/enrichment/mapping/schema/delete', { schema_id: schemaId }],
      ['/enrichment/mapping/api/update', { api_id, url: `${base}/y` }],
      ['/enrichment/mapping/api/delete', { api_id }],
    ] as const) {
      const res = await t.post(path, body, other.appKey);
      expect(res.body.error?.code, path).toBe('ResourceNotFound');
    }
    expect((await call('/enrichment/mapping/data/list', { schema_id: schemaId })).total).toBe(2);
    expect((await call('/enrichment/mapping/api/info', { api_id })).url).toBe(`${base}/x`);
  });
});

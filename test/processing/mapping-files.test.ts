import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';

/*
 * CSV upload and download of mapping tables (docs/processing.md, "CSV files"): Flashduty's
 * multipart form, a text/csv body and the document's JSON form; a wrong file is refused naming the
 * line (and column) and changes nothing; the download is the table as CSV and uploads back as is.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Files');
  other = await t.newAccount('Elsewhere');
});
afterAll(() => t?.close());

const call = async (path: string, body: unknown, account = owner) => {
  const res = await t.post(path, body, account.appKey);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.data;
};

async function newSchema(): Promise<string> {
  const { schema_id } = await call('/enrichment/mapping/schema/create', {
    schema_name: `hosts-${Math.random().toString(36).slice(2, 8)}`,
    source_labels: ['host', 'env'],
    result_labels: ['service', 'tier'],
  });
  return schema_id;
}

/** The table's rows as `fields`, by host and env, to compare whole tables. */
async function rowsOf(schemaId: string): Promise<Record<string, string>[]> {
  const { items } = await call('/enrichment/mapping/data/list', { schema_id: schemaId, limit: 100 });
  return (items as { fields: Record<string, string> }[])
    .map((item) => item.fields)
    .sort((a, b) => `${a.host}|${a.env}`.localeCompare(`${b.host}|${b.env}`));
}

/** Uploads a file as Flashduty's clients do: multipart/form-data, `schema_id` in the query. */
async function uploadForm(schemaId: string, csv: string | Uint8Array, query = '', account = owner) {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'hosts.csv');
  const encoded = new Request('http://local/', { method: 'POST', body: form });
  const res = await t.app.inject({
    method: 'POST',
    url: `/enrichment/mapping/data/upload?app_key=${account.appKey}&schema_id=${schemaId}${query}`,
    headers: { 'content-type': encoded.headers.get('content-type')! },
    payload: Buffer.from(await encoded.arrayBuffer()),
  });
  return { status: res.statusCode, body: res.json() };
}

async function download(schemaId: string, account = owner) {
  return t.app.inject({
    method: 'POST',
    url: `/enrichment/mapping/data/download?app_key=${account.appKey}`,
    payload: { schema_id: schemaId },
  });
}

const SEED = 'host,env,service,tier\ndb-1,prod,orders,gold\ndb-2,prod,orders,silver\n';

describe('mapping data upload', () => {
  it('loads a multipart upload, emptying the table first; do_not_truncate_first appends', async () => {
    const schemaId = await newSchema();
    await call('/enrichment/mapping/data/upsert', {
      schema_id: schemaId,
      docs: [{ host: 'old', env: 'dev', service: 'gone', tier: 'x' }],
    });
    const loaded = await uploadForm(schemaId, `\ufeff${SEED}`);
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    expect(loaded.body.data).toEqual({});
    expect(await rowsOf(schemaId)).toEqual([
      { host: 'db-1', env: 'prod', service: 'orders', tier: 'gold' },
      { host: 'db-2', env: 'prod', service: 'orders', tier: 'silver' },
    ]);

    // Columns in any order, an extra column ignored; an equal key replaces its row.
    const appended = await uploadForm(
      schemaId,
      'tier,note,service,env,host\r\nplatinum,ignored,billing,prod,db-2\r\nbronze,,web,dev,web-1\r\n',
      '&do_not_truncate_first=TRUE',
    );
    expect(appended.status, JSON.stringify(appended.body)).toBe(200);
    expect(await rowsOf(schemaId)).toEqual([
      { host: 'db-1', env: 'prod', service: 'orders', tier: 'gold' },
      { host: 'db-2', env: 'prod', service: 'billing', tier: 'platinum' },
      { host: 'web-1', env: 'dev', service: 'web', tier: 'bronze' },
    ]);
  });

  it('takes a text/csv body and the JSON form, and the loaded table enriches alerts', async () => {
    const schemaId = await newSchema();
    const text = await t.app.inject({
      method: 'POST',
      url: `/enrichment/mapping/data/upload?app_key=${owner.appKey}&schema_id=${schemaId}`,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      payload: SEED,
    });
    expect(text.statusCode, text.body).toBe(200);
    expect(await rowsOf(schemaId)).toHaveLength(2);
    await call('/enrichment/mapping/data/upload', {
      schema_id: schemaId,
      file: 'host,env,service,tier\ndb-3,prod,search,gold\n',
    });
    expect(await rowsOf(schemaId)).toEqual([{ host: 'db-3', env: 'prod', service: 'search', tier: 'gold' }]);

    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    await call('/enrichment/upsert', {
      integration_id: integrationId,
      rules: [{ kind: 'mapping', settings: { schema_id: schemaId, result_labels: ['service'] } }],
    });
    const pushed = await pushStandard(t, key, {
      event_status: 'Warning',
      title_rule: 'slow',
      labels: { host: 'db-3', env: 'prod' },
    });
    expect(pushed.status).toBe(200);
    const alert = await t.db.q
      .selectFrom('alerts')
      .select('labels')
      .where('integration_id', '=', integrationId)
      .executeTakeFirstOrThrow();
    expect(alert.labels).toEqual({ host: 'db-3', env: 'prod', service: 'search' });
  });

  it('refuses a wrong file naming the line and column, and changes nothing', async () => {
    const schemaId = await newSchema();
    await uploadForm(schemaId, SEED);
    const before = await rowsOf(schemaId);
    const long = 'x'.repeat(2049);
    const cases: [string, RegExp][] = [
      ['host,env,service\ndb-1,prod,orders\n', /line 1: the header lacks the columns tier/],
      ['host,env,service,tier,env\na,b,c,d,e\n', /line 1, column env: names it twice/],
      [`${SEED}db-3,prod,orders\n`, /line 4: Invalid Record Length: expect 4, got 3/],
      [`${SEED}db-4,prod,"orders,gold\n`, /line 4: Quote Not Closed/],
      [`${SEED}db-5,prod,${long},gold\n`, /line 4, column service: must be at most 2048 characters/],
      [
        'host,env,service,tier\ndb-1,prod,"two\nlines",a\n\ndb-1,prod,b,c\n',
        /line 5: repeats the source label values of line 2/,
      ],
      ['', /file is not valid: is empty/],
    ];
    for (const [csv, message] of cases) {
      const res = await uploadForm(schemaId, csv);
      expect(res.status, csv.slice(0, 60)).toBe(400);
      expect(res.body.error.code).toBe('InvalidParameter');
      expect(res.body.error.message, csv.slice(0, 60)).toMatch(message);
    }
    const notUtf8 = await uploadForm(schemaId, new Uint8Array([0x68, 0x6f, 0x73, 0x74, 0xff, 0x0a]));
    expect(notUtf8.body.error.message).toMatch(/file is not valid: must be UTF-8 text/);
    const noFile = await t.post('/enrichment/mapping/data/upload', { schema_id: schemaId }, owner.appKey);
    expect(noFile.body.error).toMatchObject({ code: 'InvalidParameter' });
    expect(noFile.body.error?.message).toMatch(/file/);

    // More rows than a table holds: refused at the first line past the limit.
    const many = ['host,env,service,tier', ...Array.from({ length: 10_001 }, (_, i) => `h${i},p,s,t`)];
    const tooMany = await uploadForm(schemaId, `${many.join('\n')}\n`);
    expect(tooMany.body.error.message).toMatch(/line 10002: a file holds at most 10000 rows/);
    expect(await rowsOf(schemaId)).toEqual(before);
  });

  it('loads the most rows a table holds, and refuses a body over 10 MiB', async () => {
    const schemaId = await newSchema();
    const lines = ['host,env,service,tier', ...Array.from({ length: 10_000 }, (_, i) => `h${i},p,s,t`)];
    const res = await uploadForm(schemaId, `${lines.join('\n')}\n`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = await call('/enrichment/mapping/data/list', { schema_id: schemaId, limit: 1 });
    expect(page.total).toBe(10_000);
    const huge = await uploadForm(schemaId, `host,env,service,tier\n${'a,b,c,d\n'.repeat(1_400_000)}`);
    expect([huge.status, huge.body.error.code]).toEqual([413, 'EntityTooLarge']);
  });

  it('another account cannot load or read the table; a Read-only member may read, not load', async () => {
    const schemaId = await newSchema();
    await uploadForm(schemaId, SEED);
    const before = await rowsOf(schemaId);
    const foreign = await uploadForm(schemaId, 'host,env,service,tier\n', '', other);
    expect(foreign.body.error.code).toBe('ResourceNotFound');
    const foreignRead = await download(schemaId, other);
    expect(foreignRead.json().error.code).toBe('ResourceNotFound');
    const reader = await t.newMember(owner, [4]);
    expect((await uploadForm(schemaId, 'host,env,service,tier\n', '', reader)).body.error.code).toBe(
      'AccessDenied',
    );
    expect((await download(schemaId, reader)).statusCode).toBe(200);
    expect(await rowsOf(schemaId)).toEqual(before);
  });
});

describe('mapping data download', () => {
  it('answers the table as CSV, header in schema order, and the file uploads back unchanged', async () => {
    const schemaId = await newSchema();
    const docs = [
      { host: 'db-1', env: 'prod', service: 'orders, east', tier: 'say "gold"' },
      { host: 'db-2', env: 'prod', service: 'two\nlines', tier: '=1+1' },
      { host: 'db-3', env: '', service: ' padded ', tier: 'ünïcödé' },
    ];
    await call('/enrichment/mapping/data/upsert', { schema_id: schemaId, docs });
    const res = await download(schemaId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="mapping-${schemaId}.csv"`);
    expect(res.body.split('\n')[0]).toBe('host,env,service,tier');
    expect(res.body).toContain('db-1,prod,"orders, east","say ""gold"""\n');

    const before = await rowsOf(schemaId);
    expect((await uploadForm(schemaId, res.body)).status).toBe(200);
    expect(await rowsOf(schemaId)).toEqual(before);

    const empty = await newSchema();
    expect((await download(empty)).body).toBe('host,env,service,tier\n');
  });
});

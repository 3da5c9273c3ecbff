import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleContext } from '../conformance/samples.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { type JsonSchema, type Operation, send, servedOperations, storedTables } from './operations.ts';
import { SESSION_ONLY, sampleFor, startSampleApp } from './vigil-samples.ts';

/*
 * Issue 17, item 1: fields a schema does not name are dropped before any handler sees them
 * (docs/decisions.md, "Validation"), and no store writes a column it does not list. Every
 * operation Vigil serves gets its valid request plus, in every object of it, every column name of
 * every table (account_id naming another account, the others a canary value); the answer must be
 * the one the valid request gets, nothing may move into the other account, and no canary may be
 * stored anywhere.
 */

const CANARY_TEXT = 'zz-canary-text';
const CANARY_INT = 4_503_599_627_370_481;

let t: TestApp;
let owner: TestAccount;
let victim: TestAccount;
let operations: Operation[];
let tables: string[];
/** Every column name of every table, with a value of its type. */
let columnValues: Map<string, unknown>;

beforeAll(async () => {
  t = await startSampleApp();
  owner = await t.newAccount('Attacker');
  victim = await t.newAccount('Victim');
  await t.newMember(victim, [3]);
  operations = await servedOperations(t.app);
  tables = await storedTables(t);
  const { rows } = await sql<{ name: string; type: string; udt: string }>`
    select column_name as name, data_type as type, udt_name as udt from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(t.db.q);
  columnValues = new Map();
  for (const { name, type, udt } of rows) {
    if (columnValues.has(name)) continue;
    columnValues.set(
      name,
      name === 'account_id'
        ? victim.accountId
        : type === 'bigint' || type === 'integer' || type === 'smallint' || type === 'numeric'
          ? CANARY_INT
          : type === 'boolean'
            ? true
            : type === 'jsonb' || type === 'json'
              ? { zz: CANARY_TEXT }
              : type === 'ARRAY'
                ? [udt === '_text' ? CANARY_TEXT : CANARY_INT]
                : CANARY_TEXT,
    );
  }
  columnValues.set('zz_unknown_field', CANARY_TEXT);
});
afterAll(() => t?.close());

/** Does a schema object declare its fields (as opposed to a free-form map)? */
const declaresFields = (schema: JsonSchema | undefined): schema is JsonSchema =>
  !!schema?.properties && schema.additionalProperties === undefined && schema.patternProperties === undefined;

/**
 * A copy of a valid input with every column name its schema does not declare added to every object
 * of it, nested ones included; a query (GET) takes scalars only.
 */
function withUnknownFields(value: unknown, schema: JsonSchema | undefined, scalarsOnly: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => withUnknownFields(item, schema?.items, scalarsOnly));
  if (typeof value !== 'object' || value === null || !declaresFields(schema)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, extra] of columnValues) {
    if (name in schema.properties) continue;
    if (scalarsOnly && typeof extra === 'object') continue;
    out[name] = extra;
  }
  for (const [name, item] of Object.entries(value)) {
    out[name] =
      name in schema.properties ? withUnknownFields(item, schema.properties[name], scalarsOnly) : item;
  }
  return out;
}

/** Rows of the victim's account, table by table. */
async function victimRows(): Promise<Map<string, string>> {
  const { rows: withAccount } = await sql<{ table: string }>`
    select table_name as table from information_schema.columns
    where table_schema = current_schema() and column_name = 'account_id' order by table_name`.execute(t.db.q);
  const owned = withAccount.map((r) => r.table).filter((table) => tables.includes(table));
  const parts = owned.map(
    (table) =>
      sql`select ${table}::text as name, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as digest from ${sql.table(table)} t where t.account_id = ${victim.accountId}`,
  );
  const { rows } = await sql<{ name: string; digest: string }>`${sql.join(parts, sql` union all `)}`.execute(
    t.db.q,
  );
  return new Map(rows.map((r) => [r.name, r.digest]));
}

/** Tables holding a canary value anywhere in a row. */
async function canaryTables(): Promise<string[]> {
  const parts = tables.map(
    (table) =>
      sql`select ${table}::text as name from ${sql.table(table)} t where t::text like ${`%${CANARY_TEXT}%`} or t::text like ${`%${CANARY_INT}%`}`,
  );
  const { rows } = await sql<{ name: string }>`${sql.join(parts, sql` union `)}`.execute(t.db.q);
  return rows.map((r) => r.name);
}

describe('unknown fields', () => {
  it('reproduction: a Read-only member cannot move into another account with account_id', async () => {
    const member = await t.newMember(owner, [4]);
    const moved = await t.post(
      '/member/info/reset',
      { member_id: member.memberId, account_id: victim.accountId },
      member.appKey,
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const unknown = await t.post(
      '/member/info/reset',
      { member_id: member.memberId, member_name: 'Still here', zz_unknown_field: 'x' },
      member.appKey,
    );
    expect(unknown.status, JSON.stringify(unknown.body)).toBe(200);

    const info = await t.post('/member/info', {}, member.appKey);
    expect(info.body.data.account_id).toBe(owner.accountId);
    const ours = await t.post('/member/list', { limit: 100 }, owner.appKey);
    expect(ours.body.data.items.map((m: any) => [m.member_id, m.member_name])).toContainEqual([
      member.memberId,
      'Still here',
    ]);
    const theirs = await t.post('/member/list', { limit: 100 }, victim.appKey);
    expect(theirs.body.data.items.map((m: any) => m.member_id)).not.toContain(member.memberId);
  });

  it('has a valid request for every operation (test/http/vigil-samples.ts)', () => {
    const missing = operations
      .filter((op) => !SESSION_ONLY.has(op.path) && !sampleFor(op.path))
      .map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(missing, 'add a sample to test/http/vigil-samples.ts').toEqual([]);
  });

  // The timeout is a guard against a hang, not a measure: one walk over every operation takes
  // minutes on a busy 2-core machine, and grows with each operation added.
  it('change nothing they name, on any operation', { timeout: 600_000 }, async () => {
    const ctx = sampleContext(t, owner);
    const before = await victimRows();
    const failures: string[] = [];
    // Stored data is checked after every few operations (a full scan each time would double the
    // test's time); a failure names the operations sent since the last check.
    let batch: string[] = [];
    const check = async () => {
      const canaries = await canaryTables();
      if (canaries.length > 0)
        failures.push(`${batch.join(', ')}: stored a canary in ${canaries.join(', ')}`);
      const after = await victimRows();
      const moved = [...after.keys()].filter((table) => before.get(table) !== after.get(table));
      if (moved.length > 0)
        failures.push(`${batch.join(', ')}: changed the other account's ${moved.join(', ')}`);
      batch = [];
    };
    for (const op of operations) {
      const name = `${op.method.toUpperCase()} ${op.path}`;
      const sample = SESSION_ONLY.has(op.path) ? undefined : sampleFor(op.path);
      const request = sample ? await sample(ctx, t) : { input: {} };
      const sent = await send(
        t,
        op,
        withUnknownFields(request.input, op.input, op.method === 'get'),
        request.auth ?? { app_key: owner.appKey },
      );
      if (sent.status >= 500) failures.push(`${name}: ${sent.status} ${JSON.stringify(sent.body)}`);
      else if (sample && sent.status !== 200 && sent.status !== 202)
        failures.push(`${name}: ${sent.status} ${JSON.stringify(sent.body)} (200 without unknown fields)`);
      batch.push(name);
      if (batch.length === 10) await check();
    }
    await check();
    expect(failures).toEqual([]);
    // The walk covered the families where ids and accounts are written.
    const covered = operations.map((op) => op.path);
    for (const path of [
      '/member/info/reset',
      '/team/upsert',
      '/channel/update',
      '/datasource/upsert',
      '/status-page/update',
    ])
      expect(covered).toContain(path);
  });

  it('are kept where a schema says a map takes any key', async () => {
    const ctx = sampleContext(t, owner);
    const anyKeys = { zz_unknown_field: 'kept', account_id: 'kept too' };

    // Alert labels, on a standard push and in an Alertmanager batch's labels and annotations.
    const { channel_id } = await ctx.channel();
    const push = async (plugin_type: string, path: string, body: unknown) => {
      const { integration_key } = (
        await t.post(
          '/datasource/upsert',
          { name: ctx.unique('maps'), plugin_type, channel_id },
          owner.appKey,
        )
      ).body.data;
      const res = await t.app.inject({
        method: 'POST',
        url: `${path}?integration_key=${integration_key}`,
        payload: body as object,
      });
      expect(res.statusCode, res.body).toBe(200);
      await t.waitForApplied();
    };
    await push('alert.standard', '/event/push/alert/standard', {
      event_status: 'Critical',
      alert_key: 'maps-standard',
      title_rule: 'maps',
      labels: { ...anyKeys, host: 'web-1' },
    });
    await push('alert.prometheus', '/event/push/alert/prometheus', {
      version: '4',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Maps', ...anyKeys },
          annotations: { summary: 'maps', ...anyKeys },
          startsAt: '2026-01-05T08:59:00Z',
          fingerprint: 'feedfacefeedface',
        },
      ],
    });
    const now = Math.floor(t.clock.nowMs() / 1000);
    const alerts = await ctx.call('/alert/list', {
      start_time: now - 3600,
      end_time: now + 60,
      channel_ids: [channel_id],
    });
    expect(alerts.items).toHaveLength(2);
    for (const alert of alerts.items) expect(alert.labels).toMatchObject(anyKeys);

    // A webhook's settings and its headers.
    const webhook = await ctx.call('/datasource/upsert', {
      name: ctx.unique('maps-webhook'),
      plugin_type: 'webhook.incident',
      settings: {
        url: 'https://hooks.example/vigil',
        event_types: ['i_new'],
        headers: { 'X-Account-Id': 'kept' },
      },
    });
    const described = await ctx.call('/datasource/desc', { integration_id: webhook.integration_id });
    expect(described.settings[0].headers).toEqual({ 'X-Account-Id': 'kept' });

    // An escalation target's schedule roles, keyed by schedule id.
    const { schedule_id } = await ctx.call('/schedule/create', {
      schedule_name: ctx.unique('maps-schedule'),
      layers: [
        {
          layer_name: 'day',
          mode: 0,
          groups: [{ group_name: 'g', members: [{ role_id: 1, person_ids: [owner.memberId] }] }],
          rotation_unit: 'day',
          rotation_value: 1,
          layer_start: 1_767_571_200,
        },
      ],
      notify: { im: { feishu: 'kept' } },
    });
    const schedule = await ctx.call('/schedule/info', {
      schedule_id,
      start: 1_767_571_200,
      end: 1_767_657_600,
    });
    expect(schedule.notify.im).toEqual({ feishu: 'kept' });
    const rule = await ctx.call('/channel/escalate/rule/create', {
      channel_id,
      rule_name: ctx.unique('maps-rule'),
      template_id: '6321aad26c12104586a88916',
      layers: [{ target: { schedule_to_role_ids: { [schedule_id]: [] }, by: { follow_preference: true } } }],
    });
    const info = await ctx.call('/channel/escalate/rule/info', { channel_id, rule_id: rule.rule_id });
    expect(info.layers[0].target.schedule_to_role_ids).toEqual({ [schedule_id]: [] });

    // A custom incident field holding an object, and change labels.
    const { incident_id } = await ctx.alert();
    await ctx.call('/incident/field/reset', {
      incident_id,
      field_name: 'owner',
      field_value: { team: 'web', account_id: 7 },
    });
    expect((await ctx.call('/incident/info', { incident_id })).fields.owner).toEqual({
      team: 'web',
      account_id: 7,
    });
    const change = await ctx.change();
    const changes = await ctx.call('/change/info', { change_id: change.change_id });
    expect(changes.labels).toEqual({ service: 'web', cluster: 'nj' });
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleContext } from '../conformance/samples.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { type JsonSchema, type Operation, send, servedOperations, storedTables } from './operations.ts';
import { SESSION_ONLY, sampleFor } from './vigil-samples.ts';

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
  t = await startTestApp();
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

  it('change nothing they name, on any operation', { timeout: 120_000 }, async () => {
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
      else if (sample && sent.status !== 200)
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
});

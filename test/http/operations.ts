import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { TestApp } from '../harness/app.ts';

/*
 * What the whole-API tests (unknown fields, the fuzzer) share: every operation Vigil serves, read
 * from the OpenAPI document it publishes, with its input as one JSON Schema; a way to send any
 * input to one; and a fingerprint of everything stored.
 */

export type JsonSchema = Record<string, any>;

export type Operation = {
  path: string;
  method: 'get' | 'post';
  /** The JSON body (POST) or the query (GET, its parameters as the properties of one object). */
  input: JsonSchema;
  /** The push endpoints authenticate with integration_key instead of app_key. */
  push: boolean;
};

/** Every operation in /openapi.json, in document order. */
export async function servedOperations(app: TestApp['app']): Promise<Operation[]> {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
  const paths = (res.json() as { paths: Record<string, Record<string, any>> }).paths;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of ['get', 'post'] as const) {
      const op = item[method];
      if (!op) continue;
      const body = op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
      const query = (op.parameters ?? []).filter((p: any) => p.in === 'query');
      const input: JsonSchema =
        method === 'post'
          ? (body ?? { type: 'object', properties: {} })
          : {
              type: 'object',
              properties: Object.fromEntries(query.map((p: any) => [p.name, p.schema ?? {}])),
              required: query.filter((p: any) => p.required).map((p: any) => p.name),
            };
      operations.push({ path, method, input, push: path.startsWith('/event/push/') });
    }
  }
  return operations;
}

export type Sent = { status: number; contentType: string; body: any; raw: LightMyRequestResponse };

/**
 * Sends an input as Flashduty clients do: POST with a JSON body, GET with a query (arrays repeat
 * their key; anything else is written as text). `body` may be a string: JSON text sent as is.
 */
export async function send(
  t: TestApp,
  op: Pick<Operation, 'path' | 'method'>,
  input: unknown,
  auth: Record<string, string>,
): Promise<Sent> {
  const query = new URLSearchParams(auth);
  let raw: LightMyRequestResponse;
  if (op.method === 'post') {
    raw = await t.app.inject({
      method: 'POST',
      url: `${op.path}?${query}`,
      headers: { 'content-type': 'application/json' },
      payload: typeof input === 'string' ? input : JSON.stringify(input),
    });
  } else {
    for (const [key, value] of Object.entries((input ?? {}) as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        query.append(key, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
      }
    }
    raw = await t.app.inject({ method: 'GET', url: `${op.path}?${query}` });
  }
  const contentType = String(raw.headers['content-type'] ?? '');
  let body: unknown;
  try {
    body = contentType.startsWith('application/json') ? raw.json() : raw.body;
  } catch {
    body = raw.body;
  }
  return { status: raw.statusCode, contentType, body, raw };
}

/** Why an answer is not Flashduty's error envelope (undefined when it is). */
export function notAnErrorEnvelope(sent: Sent): string | undefined {
  const body = sent.body as { request_id?: unknown; error?: { code?: unknown; message?: unknown } };
  if (!sent.contentType.startsWith('application/json')) return `content-type ${sent.contentType}`;
  if (typeof body !== 'object' || body === null) return 'not a JSON object';
  if (typeof body.request_id !== 'string' || body.request_id === '') return 'no request_id';
  if (body.request_id !== sent.raw.headers['flashcat-request-id'])
    return 'request_id differs from the header';
  if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') return 'no error';
  if ('data' in body) return 'data next to error';
  return undefined;
}

/** File downloads answer 200 with the file itself (CSV exports, iCal feeds, post-mortems), not the envelope. */
const FILE_TYPES = /^(text\/csv|text\/calendar|text\/markdown)\b/;

/** Why a 200 answer is neither Flashduty's success envelope nor a file download (undefined when fine). */
export function notASuccessEnvelope(sent: Sent): string | undefined {
  if (FILE_TYPES.test(sent.contentType)) return undefined;
  if (!sent.contentType.startsWith('application/json')) return `content-type ${sent.contentType}`;
  const body = sent.body as { request_id?: unknown; data?: unknown };
  if (typeof body !== 'object' || body === null) return 'not a JSON object';
  if (body.request_id !== sent.raw.headers['flashcat-request-id'])
    return 'request_id differs from the header';
  if (!('data' in body) || 'error' in body) return 'no data, or an error';
  return undefined;
}

/**
 * Derived data a read may refresh (insight facts are computed on demand): not something a request
 * stores, so left out of the fingerprint.
 */
const DERIVED_TABLES = new Set([
  'vigil_migrations',
  'insight_incident_facts',
  'insight_responder_facts',
  'insight_incident_hourly',
  'insight_refresh_state',
]);

export async function storedTables(t: TestApp): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(t.db.q);
  return rows.map((r) => r.name).filter((name) => !DERIVED_TABLES.has(name));
}

/** Row count and checksum of every stored table: any insert, update or delete changes it. */
export async function fingerprint(t: TestApp, tables: readonly string[]): Promise<Map<string, string>> {
  const parts = tables.map(
    (table) =>
      sql`select ${table}::text as name, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as digest from ${sql.table(table)} t`,
  );
  const { rows } = await sql<{ name: string; digest: string }>`${sql.join(parts, sql` union all `)}`.execute(
    t.db.q,
  );
  return new Map(rows.map((r) => [r.name, r.digest]));
}

/**
 * Counts write statements on every stored table (a statement trigger bumping a sequence, which
 * no rollback undoes): while the count stays, nothing can have changed, and the fingerprint, a
 * scan of every table, need not be taken again.
 */
export async function countWrites(t: TestApp, tables: readonly string[]): Promise<() => Promise<number>> {
  await sql`create sequence vigil_test_writes`.execute(t.db.q);
  await sql`create function vigil_test_write() returns trigger language plpgsql as $$
    begin perform nextval('vigil_test_writes'); return null; end $$`.execute(t.db.q);
  for (const table of tables) {
    await sql`create trigger vigil_test_write after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function vigil_test_write()`.execute(t.db.q);
  }
  return async () => {
    const { rows } = await sql<{ n: string }>`select last_value::text as n from vigil_test_writes`.execute(
      t.db.q,
    );
    return Number(rows[0]!.n);
  };
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((name) => before.get(name) !== after.get(name));
}

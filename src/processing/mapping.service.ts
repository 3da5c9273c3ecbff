import { sql } from 'kysely';
import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import type { OutboundAllow } from '../notifications/providers/outbound-policy.ts';
import { outboundUrlProblem } from '../notifications/providers/outbound-policy.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newObjectId } from '../shared/ids.ts';
import type * as S from './mapping.schemas.ts';
import { MAPPING_LIMITS } from './mapping.schemas.ts';
import { mappingKey } from './mapping-key.ts';
import { processingChanged } from './processing-cache.ts';

/* Mapping tables (schemas and rows) and mapping APIs of label enrichment (docs/processing.md, "Mappings"). */

type Deps = { db: Db; clock: Clock; config: { outboundAllow: OutboundAllow } };
type Executor = Db['q'];

/** Label names of mapping schemas, as the document requires. */
const LABEL = /^[a-z][a-z0-9_]{0,39}$/;
/** Headers Flashduty refuses in mapping APIs (credentials, spoofing, routing, protocol). */
const FORBIDDEN_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-access-token',
  'x-forwarded-for',
  'x-real-ip',
  'true-client-ip',
  'x-client-ip',
  'host',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-internal-id',
  'x-user-id',
  'transfer-encoding',
  'upgrade',
  'connection',
  'content-length',
  'content-type',
]);

function checkLabels(field: string, labels: readonly string[]): string[] {
  labels.forEach((label, i) => {
    if (!LABEL.test(label)) throw invalidParameter(`${field}[${i}]`, 'must match ^[a-z][a-z0-9_]{0,39}$');
  });
  if (new Set(labels).size !== labels.length) throw invalidParameter(field, 'must not repeat a label');
  return [...labels];
}

const nameTaken = (error: unknown) =>
  /mapping_(schemas|apis)_name|unique/i.test(String((error as Error)?.message));

export async function requireSchema(q: Executor, accountId: number, schemaId: string) {
  const row = await q
    .selectFrom('mapping_schemas')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('schema_id', '=', schemaId.toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound(`mapping schema ${schemaId}`);
  return row;
}

function schemaItem(row: Awaited<ReturnType<typeof requireSchema>>): Static<typeof S.SchemaItem> {
  const { account_id: _a, data_version: _v, ...item } = row;
  return item;
}

export async function createSchema(deps: Deps, actor: Actor, input: Static<typeof S.SchemaCreateRequest>) {
  const source = checkLabels('source_labels', input.source_labels);
  const result = checkLabels('result_labels', input.result_labels);
  const overlap = result.find((label) => source.includes(label));
  if (overlap) throw invalidParameter('result_labels', `${overlap} is also a source label`);
  const name = input.schema_name.trim();
  if (name === '') throw invalidParameter('schema_name', 'must not be blank');
  const now = nowSeconds(deps.clock);
  const schemaId = newObjectId(deps.clock.nowMs());
  await deps.db.q.transaction().execute(async (trx) => {
    const { n } = await trx
      .selectFrom('mapping_schemas')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('account_id', '=', actor.accountId)
      .executeTakeFirstOrThrow();
    if (n >= MAPPING_LIMITS.schemas) {
      throw new AppError(
        'BadRequest',
        `An account can have at most ${MAPPING_LIMITS.schemas} mapping schemas.`,
      );
    }
    await trx
      .insertInto('mapping_schemas')
      .values({
        schema_id: schemaId,
        account_id: actor.accountId,
        schema_name: name,
        description: input.description ?? '',
        team_id: input.team_id ?? 0,
        source_labels: JSON.stringify(source),
        result_labels: JSON.stringify(result),
        creator_id: actor.memberId,
        updated_by: actor.memberId,
        created_at: now,
        updated_at: now,
      })
      .execute()
      .catch((error) => {
        throw nameTaken(error)
          ? invalidParameter('schema_name', `a mapping schema named ${name} exists`)
          : error;
      });
  });
  return { schema_id: schemaId, schema_name: name };
}

export async function updateSchema(deps: Deps, actor: Actor, input: Static<typeof S.SchemaUpdateRequest>) {
  await requireSchema(deps.db.q, actor.accountId, input.schema_id);
  const name = input.schema_name?.trim();
  if (name === '') throw invalidParameter('schema_name', 'must not be blank');
  await deps.db.q
    .updateTable('mapping_schemas')
    .set({
      ...(name !== undefined ? { schema_name: name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.team_id !== undefined ? { team_id: input.team_id } : {}),
      updated_by: actor.memberId,
      updated_at: nowSeconds(deps.clock),
    })
    .where('schema_id', '=', input.schema_id.toLowerCase())
    .execute()
    .catch((error) => {
      throw nameTaken(error)
        ? invalidParameter('schema_name', `a mapping schema named ${name} exists`)
        : error;
    });
}

/** Integrations whose enrichment rules name this schema or API: deleting it is refused while any does. */
async function referencingIntegrations(
  q: Executor,
  accountId: number,
  setting: 'schema_id' | 'api_id',
  id: string,
) {
  const rows = await q
    .selectFrom('enrichment_rule_sets')
    .select('integration_id')
    .where('account_id', '=', accountId)
    .where(sql<boolean>`rules @> ${JSON.stringify([{ settings: { [setting]: id } }])}::jsonb`)
    .execute();
  return rows.map((row) => row.integration_id);
}

export async function deleteSchema(deps: Deps, actor: Actor, schemaId: string) {
  const row = await requireSchema(deps.db.q, actor.accountId, schemaId);
  const refs = await referencingIntegrations(deps.db.q, actor.accountId, 'schema_id', row.schema_id);
  if (refs.length > 0) {
    throw new AppError(
      'ReferenceExist',
      `Mapping schema ${schemaId} is used by the enrichment rules of integrations ${refs.join(', ')}.`,
    );
  }
  await deps.db.q.deleteFrom('mapping_schemas').where('schema_id', '=', row.schema_id).execute();
  processingChanged();
}

export async function listSchemas(deps: Deps, actor: Actor) {
  const rows = await deps.db.q
    .selectFrom('mapping_schemas')
    .selectAll()
    .where('account_id', '=', actor.accountId)
    .orderBy('created_at')
    .orderBy('schema_id')
    .execute();
  return { total: rows.length, items: rows.map(schemaItem) };
}

export async function schemaInfo(deps: Deps, actor: Actor, schemaId: string) {
  return requireSchema(deps.db.q, actor.accountId, schemaId)
    .then(schemaItem)
    .catch((error) => {
      if (error instanceof AppError && error.code === 'ResourceNotFound') return null;
      throw error;
    });
}

/** Rows must carry every source and result label; other keys are dropped. One statement per call. */
export async function upsertRows(deps: Deps, actor: Actor, input: Static<typeof S.DataUpsertRequest>) {
  const schema = await requireSchema(deps.db.q, actor.accountId, input.schema_id);
  const rows = checkRows(schema, input.docs, {
    row: (i) => `docs[${i}]`,
    problem: (i, label, reason) =>
      invalidParameter(label === undefined ? `docs[${i}]` : `docs[${i}].${label}`, reason),
  });
  await writeRows(deps, schema, rows, false);
  return { keys: rows.map((row) => row.key) };
}

export type Row = { key: string; fields: Record<string, string> };

/** How a check names a row of a write (`docs[3]`, or a file's `line 4`) and blames one of its cells. */
export type RowNames = {
  row(i: number): string;
  problem(i: number, label: string | undefined, reason: string): AppError;
};

export function checkRows(
  schema: { source_labels: string[]; result_labels: string[] },
  docs: readonly Record<string, string>[],
  names: RowNames,
): Row[] {
  const labels = [...schema.source_labels, ...schema.result_labels];
  const seen = new Map<string, number>();
  return docs.map((doc, i) => {
    const fields: Record<string, string> = {};
    for (const label of labels) {
      const value = Object.hasOwn(doc, label) ? doc[label] : undefined;
      if (typeof value !== 'string') throw names.problem(i, label, 'is required');
      if (value.length > MAPPING_LIMITS.value) {
        throw names.problem(i, label, `must be at most ${MAPPING_LIMITS.value} characters`);
      }
      fields[label] = value;
    }
    const key = mappingKey(schema.source_labels.map((label) => fields[label]!));
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw names.problem(i, undefined, `repeats the source label values of ${names.row(earlier)}`);
    }
    seen.set(key, i);
    return { key, fields };
  });
}

/** Writes rows in one transaction (after emptying the table when asked); the row limit holds at commit. */
export async function writeRows(
  deps: Pick<Deps, 'db' | 'clock'>,
  schema: { schema_id: string },
  rows: readonly Row[],
  truncateFirst: boolean,
) {
  const now = nowSeconds(deps.clock);
  await deps.db.q.transaction().execute(async (trx) => {
    // The schema row is locked: concurrent writes to one table take turns, and the count holds.
    await trx
      .selectFrom('mapping_schemas')
      .select('schema_id')
      .where('schema_id', '=', schema.schema_id)
      .forUpdate()
      .execute();
    if (truncateFirst)
      await trx.deleteFrom('mapping_rows').where('schema_id', '=', schema.schema_id).execute();
    // In slices, so a 10,000-row upload stays far below PostgreSQL's 65,535 parameters a statement.
    for (let start = 0; start < rows.length; start += 1000) {
      await trx
        .insertInto('mapping_rows')
        .values(
          rows.slice(start, start + 1000).map((row) => ({
            schema_id: schema.schema_id,
            key: row.key,
            fields: JSON.stringify(row.fields),
            created_at: now,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['schema_id', 'key']).doUpdateSet({ fields: sql`excluded.fields`, updated_at: now }),
        )
        .execute();
    }
    const { n } = await trx
      .selectFrom('mapping_rows')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('schema_id', '=', schema.schema_id)
      .executeTakeFirstOrThrow();
    if (n > MAPPING_LIMITS.rows) {
      throw new AppError(
        'BadRequest',
        `A mapping schema holds at most ${MAPPING_LIMITS.rows} rows; this write would make ${n}.`,
      );
    }
    await bumpVersion(trx, schema.schema_id);
  });
}

const bumpVersion = (q: Executor, schemaId: string) =>
  q
    .updateTable('mapping_schemas')
    .set({ data_version: sql`data_version + 1` })
    .where('schema_id', '=', schemaId)
    .execute();

export async function deleteRows(deps: Deps, actor: Actor, input: Static<typeof S.DataDeleteRequest>) {
  const schema = await requireSchema(deps.db.q, actor.accountId, input.schema_id);
  await deps.db.q.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('mapping_rows')
      .where('schema_id', '=', schema.schema_id)
      .where('key', 'in', input.keys)
      .execute();
    await bumpVersion(trx, schema.schema_id);
  });
}

export async function truncateRows(deps: Deps, actor: Actor, schemaId: string) {
  const schema = await requireSchema(deps.db.q, actor.accountId, schemaId);
  await writeRows(deps, schema, [], true);
}

export async function listRows(deps: Deps, actor: Actor, input: Static<typeof S.DataListRequest>) {
  const schema = await requireSchema(deps.db.q, actor.accountId, input.schema_id);
  let query = deps.db.q.selectFrom('mapping_rows').where('schema_id', '=', schema.schema_id);
  if (input.query && Object.keys(input.query).length > 0) {
    const missing = schema.source_labels.find((label) => !Object.hasOwn(input.query!, label));
    if (missing) throw invalidParameter(`query.${missing}`, 'is required: a query names every source label');
    query = query.where('key', '=', mappingKey(schema.source_labels.map((label) => input.query![label]!)));
  }
  const limit = input.limit ?? 20;
  const offset = ((input.p ?? 1) - 1) * limit;
  const [{ total }, rows] = await Promise.all([
    query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
    query
      .select(['key', 'fields', 'created_at', 'updated_at'])
      .orderBy(input.orderby ?? 'created_at', input.asc ? 'asc' : 'desc')
      .orderBy('key')
      .limit(limit + 1)
      .offset(offset)
      .execute(),
  ]);
  return { items: rows.slice(0, limit), total, has_next_page: rows.length > limit };
}

function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const entries = Object.entries(headers ?? {});
  if (entries.length > MAPPING_LIMITS.headers)
    throw invalidParameter('headers', `at most ${MAPPING_LIMITS.headers} headers`);
  for (const [name, value] of entries) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
      throw invalidParameter(`headers.${name}`, 'is not a valid header name');
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
      throw invalidParameter(
        `headers.${name}`,
        'this header may not be set; use an X-Custom- or X-Enrich- header',
      );
    }
    if (/[\r\n\0]/.test(value)) throw invalidParameter(`headers.${name}`, 'must not contain line breaks');
  }
  return Object.fromEntries(entries);
}

function checkApiFields(deps: Deps, input: Partial<Static<typeof S.ApiCreateRequest>>) {
  if (input.url !== undefined) {
    const problem = outboundUrlProblem(input.url, deps.config.outboundAllow);
    if (problem) throw invalidParameter('url', problem);
  }
  if (input.timeout !== undefined && (input.timeout < 1 || input.timeout > 3)) {
    throw invalidParameter('timeout', 'must be 1 to 3 seconds');
  }
  if (input.retry_count !== undefined && (input.retry_count < 0 || input.retry_count > 1)) {
    throw invalidParameter('retry_count', 'must be 0 or 1');
  }
  if (input.insecure_skip_verify) {
    throw invalidParameter(
      'insecure_skip_verify',
      'Vigil always verifies certificates; use a trusted certificate',
    );
  }
  if (input.api_name !== undefined && input.api_name.trim() === '')
    throw invalidParameter('api_name', 'must not be blank');
  return input.headers === undefined ? undefined : checkHeaders(input.headers);
}

async function requireApi(q: Executor, accountId: number, apiId: string) {
  const row = await q
    .selectFrom('mapping_apis')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('api_id', '=', apiId.toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound(`mapping API ${apiId}`);
  return row;
}

function apiItem(row: Awaited<ReturnType<typeof requireApi>>): Static<typeof S.ApiItem> {
  const { account_id: _a, ...item } = row;
  return item;
}

export async function createApi(deps: Deps, actor: Actor, input: Static<typeof S.ApiCreateRequest>) {
  const headers = checkApiFields(deps, input) ?? {};
  const now = nowSeconds(deps.clock);
  const apiId = newObjectId(deps.clock.nowMs());
  const name = input.api_name.trim();
  await deps.db.q.transaction().execute(async (trx) => {
    const { n } = await trx
      .selectFrom('mapping_apis')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('account_id', '=', actor.accountId)
      .executeTakeFirstOrThrow();
    if (n >= MAPPING_LIMITS.apis)
      throw new AppError('BadRequest', `An account can have at most ${MAPPING_LIMITS.apis} mapping APIs.`);
    await trx
      .insertInto('mapping_apis')
      .values({
        api_id: apiId,
        account_id: actor.accountId,
        api_name: name,
        description: input.description ?? '',
        url: input.url,
        headers: JSON.stringify(headers),
        timeout: input.timeout ?? 2,
        retry_count: input.retry_count ?? 0,
        team_id: input.team_id ?? 0,
        creator_id: actor.memberId,
        updated_by: actor.memberId,
        created_at: now,
        updated_at: now,
      })
      .execute()
      .catch((error) => {
        throw nameTaken(error) ? invalidParameter('api_name', `a mapping API named ${name} exists`) : error;
      });
  });
  return { api_id: apiId, api_name: name };
}

export async function updateApi(deps: Deps, actor: Actor, input: Static<typeof S.ApiUpdateRequest>) {
  await requireApi(deps.db.q, actor.accountId, input.api_id);
  const headers = checkApiFields(deps, input);
  await deps.db.q
    .updateTable('mapping_apis')
    .set({
      ...(input.api_name !== undefined ? { api_name: input.api_name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(headers !== undefined ? { headers: JSON.stringify(headers) } : {}),
      ...(input.timeout !== undefined ? { timeout: input.timeout } : {}),
      ...(input.retry_count !== undefined ? { retry_count: input.retry_count } : {}),
      ...(input.team_id !== undefined ? { team_id: input.team_id } : {}),
      updated_by: actor.memberId,
      updated_at: nowSeconds(deps.clock),
    })
    .where('api_id', '=', input.api_id.toLowerCase())
    .execute()
    .catch((error) => {
      throw nameTaken(error)
        ? invalidParameter('api_name', `a mapping API named ${input.api_name} exists`)
        : error;
    });
  processingChanged();
}

export async function deleteApi(deps: Deps, actor: Actor, apiId: string) {
  const row = await requireApi(deps.db.q, actor.accountId, apiId);
  const refs = await referencingIntegrations(deps.db.q, actor.accountId, 'api_id', row.api_id);
  if (refs.length > 0) {
    throw new AppError(
      'ReferenceExist',
      `Mapping API ${apiId} is used by the enrichment rules of integrations ${refs.join(', ')}.`,
    );
  }
  await deps.db.q.deleteFrom('mapping_apis').where('api_id', '=', row.api_id).execute();
  processingChanged();
}

export async function listApis(deps: Deps, actor: Actor) {
  const rows = await deps.db.q
    .selectFrom('mapping_apis')
    .selectAll()
    .where('account_id', '=', actor.accountId)
    .orderBy('created_at')
    .orderBy('api_id')
    .execute();
  return { total: rows.length, items: rows.map(apiItem) };
}

export async function apiInfo(deps: Deps, actor: Actor, apiId: string) {
  return requireApi(deps.db.q, actor.accountId, apiId)
    .then(apiItem)
    .catch((error) => {
      if (error instanceof AppError && error.code === 'ResourceNotFound') return null;
      throw error;
    });
}

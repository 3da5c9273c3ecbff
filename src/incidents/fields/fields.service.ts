import type { Selectable } from 'kysely';
import type { Actor } from '../../accounts/permissions.ts';
import type { Db } from '../../db/db.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { IncidentFieldDefinitionsTable } from '../../db/schema.ts';
import { invalidParameter, notFound } from '../../shared/app-error.ts';
import { type Clock, nowSeconds } from '../../shared/clock.ts';
import { newObjectId } from '../../shared/ids.ts';
import { checkDefinition } from './field-definition.ts';
import type { FieldCreateRequest, FieldItem, FieldUpdateRequest } from './fields.schemas.ts';

/** /field/*: custom field definitions of the caller's account (docs/incidents.md, "Custom fields"). */

type Deps = { db: Db; clock: Clock };
type Row = Selectable<IncidentFieldDefinitionsTable>;

/** The most definitions an account keeps (Vigil's limit; /incident/field/reset keeps 100 values). */
const MAX_FIELDS = 100;

function toItem(row: Row): FieldItem {
  return {
    account_id: row.account_id,
    field_id: row.field_id,
    field_name: row.field_name,
    display_name: row.display_name,
    description: row.description,
    field_type: row.field_type,
    value_type: row.value_type,
    options: row.options,
    default_value: row.default_value ?? null,
    status: row.status,
    creator_id: row.creator_id,
    updated_by: row.updated_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const live = (db: Db['q'], accountId: number) =>
  db
    .selectFrom('incident_field_definitions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('status', '<>', 'deleted');

async function find(db: Db['q'], accountId: number, fieldId: string): Promise<Row> {
  const row = await live(db, accountId).where('field_id', '=', fieldId.toLowerCase()).executeTakeFirst();
  if (!row) throw notFound(`field ${fieldId}`);
  return row;
}

export async function listFields(deps: Deps, actor: Actor): Promise<{ items: FieldItem[] }> {
  const rows = await live(deps.db.q, actor.accountId).orderBy('created_at').orderBy('field_id').execute();
  return { items: rows.map(toItem) };
}

export async function fieldInfo(deps: Deps, actor: Actor, fieldId: string): Promise<FieldItem> {
  return toItem(await find(deps.db.q, actor.accountId, fieldId));
}

export async function createField(deps: Deps, actor: Actor, input: FieldCreateRequest) {
  const options = input.options ?? [];
  checkDefinition({ ...input, options });
  const now = nowSeconds(deps.clock);
  const fieldId = newObjectId(deps.clock.nowMs());
  try {
    await deps.db.q.transaction().execute(async (trx) => {
      const { n } = await trx
        .selectFrom('incident_field_definitions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', actor.accountId)
        .where('status', '<>', 'deleted')
        .executeTakeFirstOrThrow();
      if (Number(n) >= MAX_FIELDS)
        throw invalidParameter('field_name', `an account has at most ${MAX_FIELDS} fields`);
      await trx
        .insertInto('incident_field_definitions')
        .values({
          field_id: fieldId,
          account_id: actor.accountId,
          field_name: input.field_name,
          display_name: input.display_name,
          description: input.description ?? '',
          field_type: input.field_type,
          value_type: input.value_type,
          options: JSON.stringify(options),
          default_value: JSON.stringify(input.default_value ?? null),
          creator_id: actor.memberId,
          updated_by: actor.memberId,
          created_at: now,
          updated_at: now,
        })
        .execute();
    });
  } catch (error) {
    if (isUniqueViolation(error, 'incident_field_definitions_name_key')) {
      throw invalidParameter('field_name', 'a field with this name exists');
    }
    throw error;
  }
  return { field_id: fieldId, field_name: input.field_name };
}

export async function updateField(deps: Deps, actor: Actor, input: FieldUpdateRequest): Promise<void> {
  await deps.db.q.transaction().execute(async (trx) => {
    const row = await find(trx, actor.accountId, input.field_id);
    const options = input.options ?? row.options;
    const defaultValue = input.default_value === undefined ? row.default_value : input.default_value;
    checkDefinition({
      field_type: row.field_type,
      value_type: row.value_type,
      options,
      default_value: defaultValue,
    });
    await trx
      .updateTable('incident_field_definitions')
      .set({
        ...(input.display_name === undefined ? {} : { display_name: input.display_name }),
        ...(input.description === undefined ? {} : { description: input.description }),
        options: JSON.stringify(options),
        default_value: JSON.stringify(defaultValue ?? null),
        updated_by: actor.memberId,
        updated_at: nowSeconds(deps.clock),
      })
      .where('field_id', '=', row.field_id)
      .execute();
  });
}

/** Deleting keeps the incidents' values; the name is free again at once. */
export async function deleteField(deps: Deps, actor: Actor, fieldId: string): Promise<void> {
  const row = await find(deps.db.q, actor.accountId, fieldId);
  const now = nowSeconds(deps.clock);
  await deps.db.q
    .updateTable('incident_field_definitions')
    .set({ status: 'deleted', deleted_at: now, updated_at: now, updated_by: actor.memberId })
    .where('field_id', '=', row.field_id)
    .where('status', '<>', 'deleted')
    .execute();
}

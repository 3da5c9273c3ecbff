import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import type { Clock } from '../shared/clock.ts';
import type * as S from './mapping.schemas.ts';
import { checkRows, requireSchema, writeRows } from './mapping.service.ts';
import { csvRowNames, parseMappingCsv, toMappingCsv } from './mapping-csv.ts';

/* CSV upload and download of mapping tables (docs/processing.md, "CSV files"). */

type Deps = { db: Db; clock: Clock };

/**
 * Loads a file into a table, all or nothing: every line is checked before anything is written, and
 * the emptying (unless `do_not_truncate_first`) and the rows go in one transaction.
 */
export async function uploadRows(deps: Deps, actor: Actor, input: Static<typeof S.DataUploadRequest>) {
  const schema = await requireSchema(deps.db.q, actor.accountId, input.schema_id);
  const docs = parseMappingCsv(input.file, [...schema.source_labels, ...schema.result_labels]);
  const rows = checkRows(
    schema,
    docs.map((d) => d.doc),
    csvRowNames(docs),
  );
  await writeRows(deps, schema, rows, input.do_not_truncate_first !== true);
}

/** A table as CSV: oldest rows first, rows written together in the order of their source values. */
export async function downloadRows(deps: Deps, actor: Actor, schemaId: string) {
  const schema = await requireSchema(deps.db.q, actor.accountId, schemaId);
  const rows = await deps.db.q
    .selectFrom('mapping_rows')
    .select(['fields', 'created_at'])
    .where('schema_id', '=', schema.schema_id)
    .execute();
  const sourceOf = (fields: Record<string, string>) =>
    schema.source_labels.map((label) => fields[label] ?? '');
  rows.sort((a, b) => a.created_at - b.created_at || compareValues(sourceOf(a.fields), sourceOf(b.fields)));
  return {
    schemaId: schema.schema_id,
    csv: toMappingCsv(
      [...schema.source_labels, ...schema.result_labels],
      rows.map((row) => row.fields),
    ),
  };
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

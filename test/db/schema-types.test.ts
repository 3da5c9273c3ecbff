import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';

/*
 * src/db/schema.ts is written by hand beside the migrations. This compares it with the migrated
 * database (information_schema, on PGlite and PostgreSQL): the same tables, the same columns, a
 * column nullable in the database is nullable in its type, and only a column the database fills in
 * (default, identity, generated)
 * may be optional on insert, and no other (a nullable one excepted).
 */

const SCHEMA = path.resolve(import.meta.dirname, '../../src/db/schema.ts');
/** The migration runner's own table, which no query of Vigil's reads through Kysely. */
const UNTYPED = new Set(['vigil_migrations']);

type Column = { nullable: boolean; optionalOnInsert: boolean };

/** Table → column → what its Kysely type says, read with the TypeScript checker. */
function typedTables(): Map<string, Map<string, Column>> {
  const program = ts.createProgram([SCHEMA], {
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(SCHEMA)!;
  const alias = file.statements.find(
    (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'Tables',
  )!;
  const tables = checker.getTypeAtLocation(alias.name);
  const includes = (type: ts.Type, flag: ts.TypeFlags) =>
    type.isUnion() ? type.types.some((t) => (t.flags & flag) !== 0) : (type.flags & flag) !== 0;
  const result = new Map<string, Map<string, Column>>();
  for (const table of checker.getPropertiesOfType(tables)) {
    const row = checker.getTypeOfSymbolAtLocation(table, alias);
    const columns = new Map<string, Column>();
    for (const column of checker.getPropertiesOfType(row)) {
      const type = checker.getTypeOfSymbolAtLocation(column, alias);
      // ColumnType<Select, Insert, Update> carries its three types as phantom properties.
      const part = (name: string) => {
        const symbol = type.getProperty(name);
        return symbol ? checker.getTypeOfSymbolAtLocation(symbol, alias) : type;
      };
      columns.set(column.name, {
        nullable: includes(part('__select__'), ts.TypeFlags.Null),
        optionalOnInsert: includes(part('__insert__'), ts.TypeFlags.Undefined),
      });
    }
    result.set(table.name, columns);
  }
  return result;
}

type DbColumn = {
  table_name: string;
  column_name: string;
  is_nullable: string;
  column_default: string | null;
  is_identity: string;
  is_generated: string;
};

let database: TestDatabase;
let actual: Map<string, Map<string, DbColumn>>;
let typed: Map<string, Map<string, Column>>;

beforeAll(async () => {
  database = await createTestDatabase();
  const rows = await database.db.withSession((session) =>
    session.query<DbColumn>(
      `select c.table_name, c.column_name, c.is_nullable, c.column_default, c.is_identity, c.is_generated
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`,
    ),
  );
  actual = new Map();
  for (const row of rows) {
    if (UNTYPED.has(row.table_name)) continue;
    const columns = actual.get(row.table_name) ?? new Map<string, DbColumn>();
    columns.set(row.column_name, row);
    actual.set(row.table_name, columns);
  }
  typed = typedTables();
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

describe('src/db/schema.ts against the migrated database', () => {
  it('has the same tables', () => {
    expect([...typed.keys()].sort()).toEqual([...actual.keys()].sort());
    expect(typed.size).toBeGreaterThan(40);
  });

  it('has the same columns in every table', () => {
    const differences: string[] = [];
    for (const [table, columns] of actual) {
      const types = typed.get(table);
      if (!types) continue;
      for (const column of columns.keys())
        if (!types.has(column)) differences.push(`${table}.${column}: no type`);
      for (const column of types.keys())
        if (!columns.has(column)) differences.push(`${table}.${column}: no column`);
    }
    expect(differences).toEqual([]);
  });

  it('types a column nullable exactly when the database lets it be null', () => {
    const differences: string[] = [];
    for (const [table, columns] of actual) {
      for (const [name, column] of columns) {
        const type = typed.get(table)?.get(name);
        if (type && type.nullable !== (column.is_nullable === 'YES'))
          differences.push(
            `${table}.${name}: database nullable ${column.is_nullable}, type nullable ${type.nullable}`,
          );
      }
    }
    expect(differences).toEqual([]);
  });

  it('makes a column optional on insert only when the database can fill it in', () => {
    // The other way round is allowed: a type may require a value the database would default
    // (Vigil always writes its json columns).
    const differences: string[] = [];
    for (const [table, columns] of actual) {
      for (const [name, column] of columns) {
        const type = typed.get(table)?.get(name);
        const filled =
          column.column_default !== null || column.is_identity === 'YES' || column.is_generated === 'ALWAYS';
        if (type?.optionalOnInsert && !filled && column.is_nullable === 'NO')
          differences.push(`${table}.${name}: optional on insert, but the database has no default`);
      }
    }
    expect(differences).toEqual([]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

describe('migrations', () => {
  it('applies every migration once, in order, and is a no-op the second time', async () => {
    database = await createTestDatabase({ migrated: false });
    const all = listMigrations();
    expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort((a, b) => a - b));
    const applied = await migrate(database.db);
    expect(applied).toEqual(all.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`));
    expect(await migrate(database.db)).toEqual([]);
  });

  it('runs concurrent migrators one after the other, applying each migration exactly once', async () => {
    database = await createTestDatabase({ migrated: false });
    const results = await Promise.all([migrate(database.db), migrate(database.db), migrate(database.db)]);
    expect(results.flat()).toHaveLength(listMigrations().length);
    const rows = await database.db.withSession((s) =>
      s.query<{ version: number }>('select version from vigil_migrations'),
    );
    expect(rows).toHaveLength(listMigrations().length);
  });

  it('refuses to start when an applied migration was edited', async () => {
    database = await createTestDatabase({ migrated: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-migrations-'));
    writeFileSync(path.join(dir, '0001_first.sql'), 'create table t1 (id int);');
    await migrate(database.db, listMigrations(dir));
    writeFileSync(path.join(dir, '0001_first.sql'), 'create table t1 (id bigint);');
    await expect(migrate(database.db, listMigrations(dir))).rejects.toThrow(/edited after it was applied/);
  });

  it('rolls back a failing migration entirely', async () => {
    database = await createTestDatabase({ migrated: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-migrations-'));
    writeFileSync(path.join(dir, '0001_broken.sql'), 'create table t2 (id int); select no_such_function();');
    await expect(migrate(database.db, listMigrations(dir))).rejects.toThrow(/0001_broken failed/);
    const tables = await database.db.withSession((s) =>
      s.query("select 1 from information_schema.tables where table_name = 't2'"),
    );
    expect(tables).toHaveLength(0);
  });
});

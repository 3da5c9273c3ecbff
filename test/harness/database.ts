import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { type Db, openDb } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * The database a test runs against: PGlite in memory by default, or a fresh PostgreSQL database
 * (created on the server named by TEST_DATABASE_URL and dropped afterwards) when that is set.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export type TestDatabase = { db: Db; url?: string; drop(): Promise<void> };

export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    // A migrated snapshot made once per run (global-setup.ts) restores in a fraction of initdb's time.
    const snapshot = options.migrated !== false ? inject('pgliteSnapshot') : undefined;
    const db = await openDb(
      snapshot ? { memory: true, snapshot: new Blob([readFileSync(snapshot)]) } : { memory: true },
    );
    if (options.migrated !== false && !snapshot) await migrate(db);
    return { db, drop: () => db.close() };
  }
  const name = `vigil_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString() });
  if (options.migrated !== false) await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

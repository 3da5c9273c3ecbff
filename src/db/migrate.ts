import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './db.ts';

/*
 * Numbered, immutable SQL migrations (db/migrations/NNNN_name.sql), each applied in its own
 * transaction. Every instance runs this at start: a session-level advisory lock makes a second
 * instance wait until the first has finished, then find nothing left to do. A checksum per applied
 * file refuses to start against a database whose history no longer matches the files.
 */

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');
// An arbitrary constant shared by every Vigil instance: the key of the migration advisory lock.
const MIGRATION_LOCK_KEY = 7_351_009_223;

type Migration = { version: number; name: string; sql: string; checksum: string };

const label = (m: Migration) => `${String(m.version).padStart(4, '0')}_${m.name}`;

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/**
 * Applies every pending migration; returns the names of those it applied. No statement timeout: an
 * index built on a large table may rightly take long.
 */
export async function migrate(db: Db, migrations = listMigrations()): Promise<string[]> {
  return db.withStatementTimeout('none', () => applyPending(db, migrations));
}

function applyPending(db: Db, migrations: Migration[]): Promise<string[]> {
  return db.withSession(async (session) => {
    await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await session.exec(`create table if not exists vigil_migrations (
        version integer primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`);
      const applied = new Map(
        (
          await session.query<{ version: number; checksum: string }>(
            'select version, checksum from vigil_migrations',
          )
        ).map((row) => [row.version, row.checksum]),
      );
      const done: string[] = [];
      for (const migration of migrations) {
        const checksum = applied.get(migration.version);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new Error(
              `Migration ${label(migration)} was edited after it was applied; migrations are immutable, add a new one instead`,
            );
          }
          continue;
        }
        await session.exec('begin');
        try {
          await session.exec(migration.sql);
          await session.query('insert into vigil_migrations (version, name, checksum) values ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await session.exec('commit');
        } catch (error) {
          await session.exec('rollback');
          throw new Error(`Migration ${label(migration)} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        done.push(label(migration));
      }
      return done;
    } finally {
      await session.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

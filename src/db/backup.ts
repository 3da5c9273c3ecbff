import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { LOCK_FILE } from './data-dir-lock.ts';
import type { Db } from './db.ts';

/*
 * `vigil backup` and `vigil restore` (docs/deploy.md, "Backups").
 * - PGlite: the data directory as a gzipped tarball, taken by the process that holds it (through
 *   the server's control socket while it runs) between two transactions, after a checkpoint: a
 *   consistent copy while Vigil keeps working. Restored into an empty data directory.
 * - PostgreSQL: pg_dump's custom format (one snapshot of a consistent state while instances keep
 *   working), restored with pg_restore into an empty database. Both are PostgreSQL's own tools
 *   (Debian's postgresql-client), run as they are.
 * A restore refuses a target that holds anything, and a file of the other kind.
 */

const run = promisify(execFile);
const PG_DUMP_MAGIC = 'PGDMP';
const GZIP_MAGIC = [0x1f, 0x8b];

export type BackupResult = { file: string; bytes: number; database: 'pglite' | 'postgres' };

/** Writes a backup of the open database to `out` (atomically: a partial file never has that name). */
export async function backup(
  db: Db,
  target: { databaseUrl?: string | undefined },
  out: string,
): Promise<BackupResult> {
  const partial = `${out}.partial`;
  try {
    if (db.snapshot) {
      const tarball = await db.snapshot();
      await writeFile(partial, gzipSync(Buffer.from(await tarball.arrayBuffer())));
    } else {
      if (!target.databaseUrl) throw new Error('backup: no database to back up');
      await run('pg_dump', ['--format=custom', '--no-owner', `--file=${partial}`, target.databaseUrl]);
    }
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { file: out, bytes: (await stat(out)).size, database: db.snapshot ? 'pglite' : 'postgres' };
}

/** Restores `from` into an empty PGlite data directory or an empty PostgreSQL database. */
export async function restore(
  target: { databaseUrl: string } | { dataDir: string },
  from: string,
  openTarget: () => Promise<Db>,
): Promise<{ restored: string; database: 'pglite' | 'postgres' }> {
  const file = await readFile(from);
  const isPgDump = file.subarray(0, PG_DUMP_MAGIC.length).toString('latin1') === PG_DUMP_MAGIC;
  const isPglite = file[0] === GZIP_MAGIC[0] && file[1] === GZIP_MAGIC[1];
  if ('databaseUrl' in target) {
    if (!isPgDump)
      throw new Error(`restore: ${from} is not a PostgreSQL backup (vigil backup with DATABASE_URL)`);
    const db = await openTarget();
    try {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(db.q);
      if (rows[0]!.n > 0) throw new Error('restore: the database is not empty; restore into a new database');
    } finally {
      await db.close();
    }
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${target.databaseUrl}`, from]);
    return { restored: from, database: 'postgres' };
  }
  if (!isPglite)
    throw new Error(`restore: ${from} is not a PGlite backup (vigil backup on the embedded database)`);
  if (directoryHolds(target.dataDir))
    throw new Error(`restore: ${target.dataDir} is not empty; restore into a new DATA_DIR`);
  const pglite = await PGlite.create({ dataDir: target.dataDir, loadDataDir: new Blob([gunzipSync(file)]) });
  await pglite.close();
  return { restored: from, database: 'pglite' };
}

/** Whether a data directory holds anything but the lock the restoring process took. */
function directoryHolds(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => name !== LOCK_FILE);
  } catch {
    return false;
  }
}

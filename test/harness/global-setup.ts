import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDb } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { adminQuery, TEST_DATABASE_URL } from './database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of a dumped, migrated PGlite data directory (PGlite runs only). */
    pgliteSnapshot: string | undefined;
  }
}

/**
 * With TEST_DATABASE_URL set, PostgreSQL must answer: an unreachable server fails the run, never
 * skips it. Without it, one migrated PGlite is dumped for every test file to restore.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  if (TEST_DATABASE_URL) {
    try {
      await adminQuery('select 1');
    } catch (error) {
      throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer: ${(error as Error).message}`);
    }
    project.provide('pgliteSnapshot', undefined);
    return () => {};
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-test-'));
  const file = path.join(dir, 'migrated.tar');
  const db = await openDb({ memory: true });
  await migrate(db);
  const dump = await db.snapshot!();
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  project.provide('pgliteSnapshot', file);
  return () => rmSync(dir, { recursive: true, force: true });
}

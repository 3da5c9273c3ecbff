import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/*
 * The databases a benchmark runs against, each fresh: PGlite in a new temporary DATA_DIR, and
 * PostgreSQL in a throw-away database on BENCH_DATABASE_URL (or the local default).
 */

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type DatabaseName = 'pglite' | 'postgres';

/** A fresh, empty database: the environment that points Vigil at it, and how to remove it. */
export type Target = {
  name: DatabaseName;
  env: Record<string, string>;
  version?: string;
  drop(): Promise<void>;
};

function pgliteTarget(): Target {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-'));
  return {
    name: 'pglite',
    env: { DATA_DIR: path.join(dir, 'data') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates a throw-away database next to `adminUrl`'s; throws when that server does not answer. */
async function postgresTarget(adminUrl: string): Promise<Target> {
  const { rows } = await adminQuery(adminUrl, 'show server_version');
  const name = `vigil_bench_${Date.now()}_${process.pid}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name: 'postgres',
    env: { DATABASE_URL: url.toString() },
    version: `PostgreSQL ${(rows[0] as { server_version: string }).server_version}`,
    drop: async () => {
      if (!process.env.BENCH_KEEP_DB)
        await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

/** Which PostgreSQL to use: BENCH_DATABASE_URL must answer; the local default is used if it does. */
async function choosePostgres(): Promise<{ adminUrl?: string; skipped?: string }> {
  const asked = process.env.BENCH_DATABASE_URL?.trim();
  const adminUrl = asked || DEFAULT_PG_URL;
  try {
    await adminQuery(adminUrl, 'select 1');
    return { adminUrl };
  } catch (error) {
    const reason = `PostgreSQL at ${redact(adminUrl)} does not answer: ${(error as Error).message}`;
    if (asked) throw new Error(`${reason}\nFix BENCH_DATABASE_URL, or run with --pglite-only.`);
    return { skipped: `${reason} (set BENCH_DATABASE_URL, or pass --pglite-only)` };
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * The targets to run, PGlite first, as factories (a PostgreSQL database is only created when its
 * turn comes), and why PostgreSQL was skipped if it was.
 */
export async function chooseTargets(
  pgliteOnly: boolean,
): Promise<{ targets: Array<() => Promise<Target>>; skipped?: string }> {
  const targets: Array<() => Promise<Target>> = [async () => pgliteTarget()];
  if (pgliteOnly) return { targets };
  const choice = await choosePostgres();
  if (choice.adminUrl) {
    const adminUrl = choice.adminUrl;
    targets.push(() => postgresTarget(adminUrl));
  }
  if (choice.skipped) log(`skipping ${choice.skipped}`);
  return { targets, ...(choice.skipped ? { skipped: choice.skipped } : {}) };
}

/** Runs `fn` on each target in turn, dropping each database afterwards (also when `fn` throws). */
export async function forEachTarget<T>(
  targets: Array<() => Promise<Target>>,
  fn: (target: Target) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (const makeTarget of targets) {
    const target = await makeTarget();
    try {
      results.push(await fn(target));
    } finally {
      await target.drop();
    }
  }
  return results;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

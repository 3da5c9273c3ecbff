import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from '../harness/ports.ts';

/*
 * A PostgreSQL cluster and a Redis server of a test's own, on free ports under a temporary
 * directory, for fault tests that stop, restart and freeze them (never the shared ones on 5432 and
 * 6379). Both are required: a machine without the binaries fails the test rather than skipping it.
 */

const PG_BIN = (() => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions
    .map((v) => path.join(root, v, 'bin'))
    .find((d) => existsSync(path.join(d, 'initdb')));
  if (!found)
    throw new Error(
      `PostgreSQL server binaries not found under ${root}/*/bin (Debian: apt install postgresql)`,
    );
  return found;
})();

/** initdb and pg_ctl refuse to run as root: run them as the postgres user then. */
function asOwner(command: string, args: string[]): [string, string[]] {
  const file = path.join(PG_BIN, command);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

function run(command: string, args: string[]): void {
  const [file, argv] = asOwner(command, args);
  execFileSync(file, argv, { stdio: 'pipe', timeout: 30_000 });
}

/** As `run`, without blocking this process's event loop (a test's load goes on meanwhile). */
async function runAsync(command: string, args: string[]): Promise<void> {
  const [file, argv] = asOwner(command, args);
  await promisify(execFile)(file, argv, { timeout: 30_000 });
}

/** The ids of `pid` and of every process it started (PostgreSQL's backends and background workers). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {} // the process ended while we looked
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

export type OwnPostgres = {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`; trust authentication, so any password is accepted. */
  url: string;
  start(): Promise<void>;
  stop(): void;
  /** A fast restart (`pg_ctl restart -m fast`): every connection is closed. */
  restart(): Promise<void>;
  /** SIGSTOP of the postmaster and every backend: the server is up but answers nothing. */
  freeze(): void;
  thaw(): void;
  /** One statement on a connection of its own (to the `postgres` database). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stops the server (thawing it first) and removes its directory. */
  destroy(): void;
};

/** Creates a cluster (initdb) on a free port; it is not started. */
export async function createPostgres(): Promise<OwnPostgres> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-own-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
  const data = path.join(dir, 'data');
  run('initdb', [
    '-D',
    data,
    '--auth=trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
    '--no-instructions',
  ]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let frozen: number[] = [];
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=60`;
  const ctlArgs = (args: string[]) => ['-D', data, '-l', path.join(dir, 'log'), '-w', ...args];
  const ctl = (...args: string[]) => run('pg_ctl', ctlArgs(args));
  const ctlAsync = (...args: string[]) => runAsync('pg_ctl', ctlArgs(args));
  const postmasterPid = () => Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const signal = (pids: number[], name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {}
    }
  };
  const handle: OwnPostgres = {
    port,
    url,
    start: () => ctlAsync('-o', serverOptions, 'start'),
    stop() {
      handle.thaw();
      if (existsSync(path.join(data, 'postmaster.pid'))) ctl('-m', 'immediate', 'stop');
    },
    restart: () => ctlAsync('-o', serverOptions, '-m', 'fast', 'restart'),
    freeze() {
      frozen = processTree(postmasterPid());
      signal(frozen, 'SIGSTOP');
    },
    thaw() {
      signal(frozen, 'SIGCONT');
      frozen = [];
    },
    async query<R>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as R[];
      } finally {
        await client.end();
      }
    },
    destroy() {
      process.off('exit', handle.destroy);
      try {
        handle.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  // Should the test's own cleanup not run (a hook timed out, the worker is torn down), the server
  // (a daemon, not a child of this process) still goes with this process.
  process.once('exit', handle.destroy);
  return handle;
}

export type OwnRedis = {
  port: number;
  url: string;
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
};

/** Starts redis-server on a free port, without persistence; resolves once it answers PING. */
export async function startRedis(): Promise<OwnRedis> {
  if (spawnSync('redis-server', ['--version']).status !== 0)
    throw new Error('redis-server not found (Debian: apt install redis-server)');
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => {});
  try {
    for (let i = 0; ; i++) {
      try {
        if (probe.status !== 'ready') await probe.connect();
        if ((await probe.ping()) === 'PONG') break;
      } catch {}
      if (i >= 50) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not answer on port ${port} within 5 s`);
      }
      await sleep(100);
    }
  } finally {
    probe.disconnect();
  }
  return {
    port,
    url,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

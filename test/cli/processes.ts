import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';

const CLI = path.resolve(import.meta.dirname, '../../src/cli.ts');

export type Output = { code: number | null; stdout: string; stderr: string };

/** Runs `vigil …` to completion in a child process with the given environment. */
export function runVigil(args: string[], env: Record<string, string>): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export type Server = { url: string; process: ChildProcess; stop(): Promise<void> };

/**
 * Starts `vigil serve` on a free port and resolves once it listens (or rejects with its output,
 * after `timeoutMs`, 60 s unless given).
 */
export function startVigil(env: Record<string, string>, timeoutMs = 60_000): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        SHUTDOWN_DRAIN_SECONDS: '0',
        ...env,
      },
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vigil serve did not start within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    const stop = () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('close', () => done());
        child.kill('SIGTERM');
      });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      for (const line of output.split('\n')) {
        if (!line.includes('Vigil is listening')) continue;
        clearTimeout(timer);
        resolve({ url: (JSON.parse(line) as { url: string }).url, process: child, stop });
        return;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil serve exited with ${code}:\n${output}`));
    });
  });
}

/** The JSON a `vigil` command printed last. */
export function lastJson(stdout: string): any {
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/**
 * `vigil` processes for one test file, on the run's kind of database: each `databaseEnv()` is a
 * fresh PGlite directory or a fresh PostgreSQL database; servers stop and databases go after the file.
 */
export function vigilProcesses(prefix: string) {
  const servers: Server[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of databases) await d.drop();
  });
  return {
    async databaseEnv(): Promise<Record<string, string>> {
      if (!TEST_DATABASE_URL) return { DATA_DIR: mkdtempSync(path.join(tmpdir(), prefix)) };
      const database = await createTestDatabase({ migrated: false });
      databases.push(database);
      return { DATABASE_URL: database.url! };
    },
    async start(env: Record<string, string>, timeoutMs?: number): Promise<Server> {
      const server = await startVigil(env, timeoutMs);
      servers.push(server);
      return server;
    },
  };
}

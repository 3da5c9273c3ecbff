import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Output, runVigil, type Server, startVigil } from '../cli/processes.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';

/*
 * The README's path as real processes: `vigil account create`, `vigil member set-password` with
 * the password on standard input (also while the server holds the PGlite directory), then signing
 * in to the console that `vigil serve` serves.
 */

const CLI = path.resolve(import.meta.dirname, '../../src/cli.ts');
const servers: Server[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of databases) await d.drop();
});

/** `vigil …` with `input` written to its standard input. */
function runWithInput(args: string[], env: Record<string, string>, input: string): Promise<Output> {
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
    child.stdin.end(input);
  });
}

const signIn = (url: string, email: string, password: string) =>
  fetch(`${url}/console/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });

describe('vigil member set-password', { timeout: 180_000 }, () => {
  it('sets a password read from standard input, before and while the server runs', async () => {
    let env: Record<string, string>;
    if (TEST_DATABASE_URL) {
      const database = await createTestDatabase({ migrated: false });
      databases.push(database);
      env = { DATABASE_URL: database.url! };
    } else {
      env = { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'vigil-console-')) };
    }
    const created = await runVigil(['account', 'create', '--name', 'Acme', '--email', 'ops@acme.test'], env);
    expect(created.code, created.stderr).toBe(0);

    const before = await runWithInput(
      ['member', 'set-password', '--email', 'ops@acme.test'],
      env,
      'first long password\n',
    );
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout.trim())).toHaveProperty('member_id');
    const missing = await runVigil(['member', 'set-password'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--email is required');

    const server = await startVigil(env);
    servers.push(server);
    expect((await signIn(server.url, 'ops@acme.test', 'first long password')).status).toBe(200);

    const during = await runWithInput(
      ['member', 'set-password', '--email', 'ops@acme.test'],
      env,
      'second long password\n',
    );
    expect(during.code, during.stderr).toBe(0);
    expect((await signIn(server.url, 'ops@acme.test', 'first long password')).status).toBe(401);
    const signedIn = await signIn(server.url, 'ops@acme.test', 'second long password');
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('set-cookie')).toContain('HttpOnly');

    const short = await runWithInput(['member', 'set-password', '--email', 'ops@acme.test'], env, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 10 characters');

    const page = await fetch(`${server.url}/incident/detail/0123456789abcdef01234567`, {
      headers: { accept: 'text/html' },
    });
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});

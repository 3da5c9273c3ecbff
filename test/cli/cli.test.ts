import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';
import { runVigil, type Server, startVigil } from './processes.ts';

/*
 * The `vigil` command and `vigil serve` as real processes, on the database of this test run:
 * a fresh PGlite directory, or a fresh PostgreSQL database when TEST_DATABASE_URL is set.
 */

const servers: Server[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of databases) await d.drop();
});

async function databaseEnv(): Promise<Record<string, string>> {
  if (!TEST_DATABASE_URL) return { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'vigil-cli-')) };
  const database = await createTestDatabase({ migrated: false });
  databases.push(database);
  return { DATABASE_URL: database.url! };
}

const json = (text: string) => JSON.parse(text.trim().split('\n').at(-1)!);

async function memberInfo(url: string, appKey: string) {
  const response = await fetch(`${url}/member/info?app_key=${appKey}`, { method: 'POST' });
  return { status: response.status, body: (await response.json()) as any };
}

// Real processes (each opens PGlite, ~1–5 s): generous timeouts for a busy two-core machine.
describe('vigil CLI', { timeout: 120_000 }, () => {
  it('creates an account and integrations before and while a server runs, and the keys work over HTTP', async () => {
    const env = await databaseEnv();
    const before = await runVigil(['account', 'create', '--name', 'Acme', '--email', 'ops@acme.test'], env);
    expect(before.code, before.stderr).toBe(0);
    const first = json(before.stdout);
    expect(Object.keys(first).sort()).toEqual(['account_id', 'app_key', 'member_id', 'member_name']);

    const server = await startVigil(env);
    servers.push(server);
    const during = await runVigil(['account', 'create', '--name', 'Beta', '--email', 'ops@beta.test'], env);
    expect(during.code, during.stderr).toBe(0);
    const second = json(during.stdout);

    for (const account of [first, second]) {
      const info = await memberInfo(server.url, account.app_key);
      expect(info.status).toBe(200);
      expect(info.body.data).toMatchObject({
        account_id: account.account_id,
        member_id: account.member_id,
        account_role_ids: [1],
      });
    }

    const integration = await runVigil(
      [
        'integration',
        'create',
        '--app-key',
        second.app_key,
        '--type',
        'alert.prometheus',
        '--name',
        'Alertmanager',
      ],
      env,
    );
    expect(integration.code, integration.stderr).toBe(0);
    const created = json(integration.stdout);
    expect(Object.keys(created).sort()).toEqual(['integration_id', 'integration_key']);
    const listed = await fetch(`${server.url}/datasource/desc?app_key=${second.app_key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ integration_id: created.integration_id }),
    });
    expect(((await listed.json()) as any).data).toMatchObject({
      integration_key: created.integration_key,
      plugin_type: 'alert.prometheus',
    });

    await server.stop();
    if (env.DATA_DIR) expect(readdirSync(env.DATA_DIR)).not.toContain('vigil.lock');
  });

  it('explains bad usage and bad keys without a stack trace', async () => {
    const env = await databaseEnv();
    const missing = await runVigil(['account', 'create', '--name', 'NoMail'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--email is required');
    const badKey = await runVigil(
      ['integration', 'create', '--app-key', 'nope', '--type', 'alert.standard', '--name', 'x'],
      env,
    );
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/app key is invalid/);
    expect(badKey.stderr).not.toMatch(/\n\s+at /);
    const badConfig = await runVigil(['migrate'], { ...env, PORT: 'eighty' });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toContain('PORT must be a whole number');
  });
});

describe.runIf(!TEST_DATABASE_URL)('one PGlite directory, one process', { timeout: 120_000 }, () => {
  it('refuses a second server on the same directory, saying what to do', async () => {
    const env = { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'vigil-cli-')) };
    const server = await startVigil(env);
    servers.push(server);
    await expect(startVigil(env)).rejects.toThrow(/is using .*stop that process.*DATABASE_URL/s);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe.runIf(TEST_DATABASE_URL)('several instances on one PostgreSQL', { timeout: 120_000 }, () => {
  it('starts two servers at once on an empty database; both migrate safely and serve', async () => {
    const env = await databaseEnv();
    const both = await Promise.all([startVigil(env), startVigil(env)]);
    servers.push(...both);
    const account = json(
      (await runVigil(['account', 'create', '--name', 'Gamma', '--email', 'ops@gamma.test'], env)).stdout,
    );
    for (const server of both) expect((await memberInfo(server.url, account.app_key)).status).toBe(200);
  });
});

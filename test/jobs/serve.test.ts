import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runVigil, type Server, startVigil } from '../cli/processes.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';

/*
 * `vigil serve` runs the engine on the real clock, every ENGINE_INTERVAL_SECONDS: an incident of a
 * channel with a one-second auto-resolve timeout closes by itself, with nobody calling anything.
 */

const servers: Server[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of databases) await d.drop();
});

async function databaseEnv(): Promise<Record<string, string>> {
  if (!TEST_DATABASE_URL) return { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'vigil-engine-')) };
  const database = await createTestDatabase({ migrated: false });
  databases.push(database);
  return { DATABASE_URL: database.url! };
}

async function call(url: string, pathAndQuery: string, body: unknown) {
  const response = await fetch(`${url}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as any;
  if (response.status !== 200) throw new Error(`${pathAndQuery}: ${JSON.stringify(json)}`);
  return json.data;
}

describe('the engine in vigil serve', { timeout: 120_000 }, () => {
  it('closes a timed-out incident on its own, and the server stops cleanly', async () => {
    const env = { ...(await databaseEnv()), ENGINE_INTERVAL_SECONDS: '1' };
    const created = await runVigil(
      ['account', 'create', '--name', 'Engine', '--email', 'ops@engine.test'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const appKey = JSON.parse(created.stdout.trim().split('\n').at(-1)!).app_key as string;
    const server = await startVigil(env);
    servers.push(server);
    const api = (p: string, body: unknown) => call(server.url, `${p}?app_key=${appKey}`, body);

    const team = await api('/team/upsert', { team_name: 'engine' });
    const channel = await api('/channel/create', {
      team_id: team.team_id,
      channel_name: 'engine',
      auto_resolve_timeout: 1,
      auto_resolve_mode: 'trigger',
    });
    const integration = await api('/datasource/upsert', {
      name: 'engine',
      plugin_type: 'alert.standard',
      channel_id: channel.channel_id,
    });
    await call(server.url, `/event/push/alert/standard?integration_key=${integration.integration_key}`, {
      event_status: 'Critical',
      title_rule: 'disk full',
      alert_key: 'disk',
    });

    const nowSeconds = Math.floor(Date.now() / 1000);
    const list = () =>
      api('/incident/list', { start_time: nowSeconds - 3600, end_time: nowSeconds + 3600 }) as Promise<{
        items: { incident_id: string; progress: string }[];
      }>;
    // The event is applied in the background, a moment after the push is answered.
    const deadline = Date.now() + 30_000;
    let items = (await list()).items;
    while (items.length === 0 && Date.now() < deadline) {
      await sleep(100);
      items = (await list()).items;
    }
    expect(items).toHaveLength(1);
    while (items[0]!.progress !== 'Closed' && Date.now() < deadline) {
      await sleep(250);
      items = (await list()).items;
    }
    expect(items[0]!.progress).toBe('Closed');
    const feed = await api('/incident/feed', { incident_id: items[0]!.incident_id, types: ['i_rslv'] });
    expect(feed.items).toMatchObject([{ type: 'i_rslv', detail: { from: 'autorslv' } }]);

    await server.stop();
    expect(server.process.exitCode).toBe(0);
  });

  it('refuses to start with an interval out of range, naming the variable', async () => {
    const result = await runVigil(['serve'], { ...(await databaseEnv()), ENGINE_INTERVAL_SECONDS: '0' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ENGINE_INTERVAL_SECONDS must be a whole number from 1 to 3600, got "0"');
  });
});

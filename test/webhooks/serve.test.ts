import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runVigil, type Server, startVigil } from '../cli/processes.ts';
import { ALLOW_LOOPBACK } from '../harness/app.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';
import { Receiver } from './helpers.ts';

/*
 * `vigil serve` runs the webhook delivery loop on the real clock: an alert pushed to the server
 * reaches a webhook's endpoint with nobody running a pass by hand.
 */

const servers: Server[] = [];
const databases: TestDatabase[] = [];
let receiver: Receiver | undefined;
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of databases) await d.drop();
  await receiver?.close();
});

async function databaseEnv(): Promise<Record<string, string>> {
  if (!TEST_DATABASE_URL) {
    return { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'vigil-webhooks-')), ...ALLOW_LOOPBACK };
  }
  const database = await createTestDatabase({ migrated: false });
  databases.push(database);
  return { DATABASE_URL: database.url!, ...ALLOW_LOOPBACK };
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

describe('webhook delivery in vigil serve', { timeout: 120_000 }, () => {
  it('delivers a pushed alert to the endpoint by itself', async () => {
    receiver = await Receiver.start();
    const env = await databaseEnv();
    const created = await runVigil(
      ['account', 'create', '--name', 'Hooks', '--email', 'ops@hooks.test'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const appKey = JSON.parse(created.stdout.trim().split('\n').at(-1)!).app_key as string;
    const server = await startVigil(env);
    servers.push(server);
    const api = (p: string, body: unknown) => call(server.url, `${p}?app_key=${appKey}`, body);

    const team = await api('/team/upsert', { team_name: 'hooks' });
    const channel = await api('/channel/create', { team_id: team.team_id, channel_name: 'hooks' });
    const integration = await api('/datasource/upsert', {
      name: 'hooks',
      plugin_type: 'alert.standard',
      channel_id: channel.channel_id,
    });
    await api('/datasource/upsert', {
      name: 'out',
      plugin_type: 'webhook.alert',
      settings: { url: receiver.url, event_types: ['a_new'] },
    });
    const pushedAt = Date.now();
    await call(server.url, `/event/push/alert/standard?integration_key=${integration.integration_key}`, {
      event_status: 'Critical',
      title_rule: 'disk full',
      alert_key: 'disk',
    });
    const deadline = Date.now() + 30_000;
    while (receiver.received.length === 0 && Date.now() < deadline) await sleep(50);
    expect(receiver.received.map((r) => r.body.event_type)).toEqual(['a_new']);
    const body = receiver.received[0]!.body;
    expect(body.alert.title).toBe('disk full');
    expect(body.event_time).toBeGreaterThanOrEqual(pushedAt - 1000);
    expect(body.event_time).toBeLessThanOrEqual(Date.now());

    await server.stop();
    expect(server.process.exitCode).toBe(0);
  });
});

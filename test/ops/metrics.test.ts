import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { lastJson, runVigil, vigilProcesses } from '../cli/processes.ts';
import { freePort } from '../harness/ports.ts';
import { Listener } from '../notifications/helpers.ts';

/*
 * Self-monitoring: `vigil serve`'s /metrics carries its memory, its database pool, its engine's
 * cycles and the notification outbox, and they move: a notification to a chat that refuses
 * connections stays pending (and its attempts count as retries) while one to a chat that answers
 * is delivered and timed. On PGlite and PostgreSQL.
 */

const vigil = vigilProcesses('vigil-metrics-');
let chat: Listener | undefined;
afterAll(async () => {
  await chat?.close();
});

/** The value of one series in Prometheus' text format (labels as written, sorted as prom-client does). */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n'))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return undefined;
}

describe('/metrics of vigil serve', { timeout: 180_000 }, () => {
  it('reports memory, the pool, engine cycles and the notification outbox, and they move', async () => {
    chat = await Listener.start();
    const env = {
      ...(await vigil.databaseEnv()),
      OUTBOUND_ALLOW: '127.0.0.1/32',
      ENGINE_INTERVAL_SECONDS: '1',
    };
    const created = await runVigil(
      ['account', 'create', '--name', 'Metrics', '--email', 'ops@metrics.test'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { app_key: appKey, member_id: memberId } = lastJson(created.stdout);
    const server = await vigil.start(env, 150_000);
    const scrape = async () => {
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    };

    const before = await scrape();
    expect(sample(before, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(before, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sample(before, 'vigil_db_pool_max_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(before, 'vigil_db_pool_open_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(before, 'vigil_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
    expect(sample(before, 'vigil_db_pool_waiting_requests')).toBeGreaterThanOrEqual(0);
    expect(sample(before, 'vigil_notifications_pending')).toBe(0);
    expect(sample(before, 'vigil_notifications_oldest_pending_age_seconds')).toBe(0);
    // The engine runs every second: its cycles are counted and its last one is recent.
    let cycles = sample(before, 'vigil_engine_cycle_duration_seconds_count') ?? 0;
    for (let i = 0; i < 50 && cycles === 0; i++) {
      await sleep(200);
      cycles = sample(await scrape(), 'vigil_engine_cycle_duration_seconds_count') ?? 0;
    }
    expect(cycles).toBeGreaterThan(0);
    const lastCycle = sample(await scrape(), 'vigil_engine_last_cycle_timestamp_seconds')!;
    expect(Math.abs(Date.now() / 1000 - lastCycle)).toBeLessThan(30);

    // An incident paging two chats: one answers, one refuses connections (nothing listens there).
    const api = async (p: string, body: unknown) => {
      const response = await fetch(`${server.url}${p}?app_key=${appKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as any;
      expect(response.status, JSON.stringify(json)).toBe(200);
      return json.data;
    };
    const team = await api('/team/upsert', { team_name: 'Platform' });
    const channel = await api('/channel/create', { team_id: team.team_id, channel_name: 'Checkout' });
    const unreachable = `http://127.0.0.1:${await freePort()}/slack`;
    await api('/channel/escalate/rule/create', {
      channel_id: channel.channel_id,
      rule_name: 'Primary',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      layers: [
        {
          max_times: 0,
          escalate_window: 30,
          target: {
            person_ids: [memberId],
            by: { follow_preference: false, critical: ['email'], warning: ['email'], info: ['email'] },
            webhooks: [
              { type: 'slack', settings: { url: `${chat.base}/slack/ok` } },
              { type: 'slack', settings: { url: unreachable } },
            ],
          },
        },
      ],
    });
    const source = await api('/datasource/upsert', {
      name: 'Prometheus',
      plugin_type: 'alert.standard',
      channel_id: channel.channel_id,
    });
    const push = await fetch(
      `${server.url}/event/push/alert/standard?integration_key=${source.integration_key}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event_status: 'Critical', alert_key: 'disk', title_rule: 'Disk full' }),
      },
    );
    expect(push.status).toBe(200);

    // The outbox is read at most every 5 s: the pending one shows within a few scrapes.
    let after = await scrape();
    for (
      let i = 0;
      i < 100 &&
      !(
        (sample(after, 'vigil_notifications_pending') ?? 0) >= 1 &&
        (sample(after, 'vigil_notification_delivery_seconds_count{channel="slack"}') ?? 0) >= 1 &&
        (sample(after, 'vigil_notification_attempts_total{channel="slack",outcome="retry"}') ?? 0) >= 1
      );
      i++
    ) {
      await sleep(200);
      after = await scrape();
    }
    expect(chat.hits.filter((h) => h.path === '/slack/ok')).toHaveLength(1);
    // The refused chat (and the e-mail, with no SMTP server set, when it waits to be retried).
    expect(sample(after, 'vigil_notifications_pending')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'vigil_notifications_oldest_pending_age_seconds')).toBeGreaterThan(0);
    expect(sample(after, 'vigil_notification_attempts_total{channel="slack",outcome="success"}')).toBe(1);
    expect(
      sample(after, 'vigil_notification_attempts_total{channel="slack",outcome="retry"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'vigil_notification_delivery_seconds_count{channel="slack"}')).toBe(1);
    expect(sample(after, 'vigil_engine_cycle_duration_seconds_count')).toBeGreaterThan(cycles);
  });
});

import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/db/db.ts';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { lastJson, runVigil, type Server, vigilProcesses } from '../cli/processes.ts';
import { TEST_DATABASE_URL } from '../harness/database.ts';
import { freePort } from '../harness/ports.ts';
import { Listener, MailServer, messageIdOf } from '../notifications/helpers.ts';
import { type Balancer, startHaproxy } from './haproxy.ts';

/*
 * Vigil run as a team at scale runs it (docs/deploy.md): three instances on one PostgreSQL and one
 * Redis behind HAProxy, with the balancer configuration the deploy guide gives. Through the balancer,
 * monitoring pushes alerts, people call the API, and each new incident escalates to a person by
 * e-mail and to a chat webhook (real SMTP and HTTP listeners). Under that load one instance is
 * killed with SIGKILL, and another is replaced as in a rolling upgrade (a new instance starts on a
 * spare slot, then the old one gets SIGTERM). Afterwards:
 * - every push answered 200 is applied, and each alert has at least as many events as 200s;
 * - no alert, incident or notification is doubled; a notification whose sending was under way in
 *   the killed process may arrive twice, but then with one Message-ID / Idempotency-Key, and its
 *   delivery log shows both attempts;
 * - the rolling restart failed no request; only requests in flight in the killed instance may fail.
 * PostgreSQL only: PGlite is one process's database, and several instances cannot share it.
 */

const vigil = vigilProcesses('vigil-scale-');
const t0 = Date.now();
const phase = (name: string) => console.info(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${name}`);
const LOAD_PUSHERS = 3;
const PUSH_PAUSE_MS = 40;
const API_CALLERS = 2;

type Outcome = { kind: 'push' | 'api'; startedAt: number; endedAt: number; status: number; key?: string };

let balancer: Balancer | undefined;
let smtp: MailServer | undefined;
let chat: Listener | undefined;
let db: Db | undefined;
afterAll(async () => {
  await balancer?.stop();
  await db?.close();
  await smtp?.close();
  await chat?.close();
});

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

describe.skipIf(!TEST_DATABASE_URL)('three instances behind HAProxy', { timeout: 600_000 }, () => {
  it('lose and double nothing when one is killed and another replaced under load', async () => {
    smtp = await MailServer.start();
    chat = await Listener.start();
    const databaseEnv = await vigil.databaseEnv();
    const slots = [
      { name: 'vigil1', port: await freePort() },
      { name: 'vigil2', port: await freePort() },
      { name: 'vigil3', port: await freePort() },
      { name: 'vigil4', port: await freePort() }, // the spare slot a replacement starts on
    ];
    balancer = await startHaproxy(slots);
    phase('haproxy started');
    const env = {
      ...databaseEnv,
      ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
      PUBLIC_URL: balancer.url,
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Vigil <vigil@scale.test>',
      OUTBOUND_ALLOW: '127.0.0.1/32',
      ENGINE_INTERVAL_SECONDS: '1',
      // Longer than HAProxy's inter 1s × fall 2 plus a check's timeout: out of rotation before it stops listening.
      SHUTDOWN_DRAIN_SECONDS: '4',
      // The load is one account's; the default per-account limit would answer it 429.
      RATE_LIMIT_ACCOUNT_PER_SECOND: '0',
      RATE_LIMIT_ACCOUNT_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
    };
    const created = await runVigil(
      ['account', 'create', '--name', 'Scale', '--email', 'ops@scale.test'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { account_id: accountId, member_id: memberId, app_key: appKey } = lastJson(created.stdout);
    // Generous: a start takes seconds, but minutes on a machine that other work keeps busy.
    const start = (slot: number) => vigil.start({ ...env, PORT: String(slots[slot]!.port) }, 150_000);
    const instances: Server[] = await Promise.all([start(0), start(1), start(2)]);
    phase('instances started');
    for (const s of slots.slice(0, 3)) await balancer.waitFor(s.name, 'UP');
    phase('instances up');

    // Setup through the balancer: a channel whose rule pages the owner by e-mail and posts to a chat.
    const api = (p: string, body: unknown) => post(`${balancer!.url}${p}?app_key=${appKey}`, body);
    const team = await api('/team/upsert', { team_name: 'Platform' });
    expect(team.status, JSON.stringify(team.body)).toBe(200);
    const channel = await api('/channel/create', {
      team_id: team.body.data.team_id,
      channel_name: 'Checkout',
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(200);
    const channelId = channel.body.data.channel_id as number;
    const rule = await api('/channel/escalate/rule/create', {
      channel_id: channelId,
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
            webhooks: [{ type: 'slack', settings: { url: `${chat.base}/slack/ops` } }],
          },
        },
      ],
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(200);
    const source = await api('/datasource/upsert', {
      name: 'Prometheus',
      plugin_type: 'alert.standard',
      channel_id: channelId,
    });
    expect(source.status, JSON.stringify(source.body)).toBe(200);
    const { integration_id: integrationId, integration_key: integrationKey } = source.body.data;

    // The load: pushers open alerts (and repeat some, which must deduplicate); callers read the API.
    const outcomes: Outcome[] = [];
    let loading = true;
    const call = async (kind: Outcome['kind'], url: string, body: unknown, key?: string) => {
      const startedAt = Date.now();
      let status = 0;
      try {
        status = (await post(url, body)).status;
      } catch {
        status = 0; // no answer at all
      }
      outcomes.push({ kind, startedAt, endedAt: Date.now(), status, ...(key ? { key } : {}) });
    };
    const pushUrl = `${balancer.url}/event/push/alert/standard?integration_key=${integrationKey}`;
    // A second event for an alert says something new (its description), so the alert counts it.
    const pushEvent = (key: string, description: string) =>
      call(
        'push',
        pushUrl,
        {
          event_status: 'Critical',
          alert_key: key,
          title_rule: `Checkout ${key}`,
          description,
          labels: { host: key },
        },
        key,
      );
    const pushers = Array.from({ length: LOAD_PUSHERS }, async (_, p) => {
      for (let n = 1; loading; n++) {
        await pushEvent(`p${p}-${n}`, 'first');
        if (n % 3 === 0) await pushEvent(`p${p}-${n - 1}`, 'again');
        await sleep(PUSH_PAUSE_MS);
      }
    });
    const callers = Array.from({ length: API_CALLERS }, async () => {
      while (loading) {
        const now = Math.floor(Date.now() / 1000);
        await call('api', `${balancer!.url}/member/info?app_key=${appKey}`, {});
        await call('api', `${balancer!.url}/incident/list?app_key=${appKey}`, {
          start_time: now - 3600,
          end_time: now + 60,
          limit: 20,
        });
        await sleep(20);
      }
    });

    phase('load started');
    await sleep(5_000);
    // A crash: vigil1 dies at once, with whatever it had in flight.
    const killedAt = Date.now();
    instances[0]!.process.kill('SIGKILL');
    await once(instances[0]!.process, 'exit');
    await balancer.waitFor('vigil1', 'DOWN');
    const killNoticedAt = Date.now();
    phase('kill noticed');

    // A rolling upgrade: a new instance on the spare slot, in rotation, then SIGTERM to vigil2.
    await sleep(2_000);
    instances.push(await start(3));
    await balancer.waitFor('vigil4', 'UP');
    phase('replacement up');
    const termAt = Date.now();
    const exited = once(instances[1]!.process, 'exit');
    instances[1]!.process.kill('SIGTERM');
    const [exitCode] = await exited;
    const exitedAt = Date.now();
    phase('old instance exited');
    expect(exitCode).toBe(0);
    await sleep(4_000);
    loading = false;
    await Promise.all([...pushers, ...callers]);
    phase('load stopped');

    // Everything accepted is applied, and every notification is sent (a lease held by the killed
    // process runs out within 30 s of the kill).
    db = await openDb({ databaseUrl: databaseEnv.DATABASE_URL! });
    const q = db.q;
    const settled = async () => {
      const backlog = await q
        .selectFrom('ingest_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const open = await q
        .selectFrom('incidents')
        .leftJoin('notification_deliveries as n', 'n.incident_id', 'incidents.incident_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('incidents.account_id', '=', accountId)
        .where((eb) => eb.or([eb('n.status', 'is', null), eb('n.status', '!=', 'success')]))
        .executeTakeFirstOrThrow();
      return Number(backlog.n) === 0 && Number(open.n) === 0;
    };
    for (let i = 0; i < 120 && !(await settled()); i++) await sleep(500);
    phase('settled');
    expect(await settled()).toBe(true);
    // Both notifications of the last incidents: give the SMTP and chat listeners their last writes.
    await sleep(500);

    const pushes = outcomes.filter((o) => o.kind === 'push');
    const accepted = new Map<string, number>();
    const attempted = new Map<string, number>();
    for (const o of pushes) {
      attempted.set(o.key!, (attempted.get(o.key!) ?? 0) + 1);
      if (o.status === 200) accepted.set(o.key!, (accepted.get(o.key!) ?? 0) + 1);
    }

    // Every push answered 200 is applied; no alert is doubled.
    const alerts = await q
      .selectFrom('alerts')
      .select(['alert_id', 'alert_key', 'incident_id', 'event_cnt'])
      .where('integration_id', '=', integrationId)
      .execute();
    const alertsByKey = new Map<string, typeof alerts>();
    for (const a of alerts) alertsByKey.set(a.alert_key, [...(alertsByKey.get(a.alert_key) ?? []), a]);
    const doubledAlerts = [...alertsByKey].filter(([, list]) => list.length > 1).map(([key]) => key);
    expect(doubledAlerts).toEqual([]);
    const missing = [...accepted.keys()].filter((key) => !alertsByKey.has(key));
    expect(missing).toEqual([]);
    for (const [key, n] of accepted) {
      const events = alertsByKey.get(key)![0]!.event_cnt;
      expect(events, key).toBeGreaterThanOrEqual(n);
      expect(events, key).toBeLessThanOrEqual(attempted.get(key)!);
    }
    // No incident is doubled: one incident per alert (no grouping), each with one alert.
    const incidents = await q
      .selectFrom('incidents')
      .select(['incident_id', 'alert_cnt'])
      .where('account_id', '=', accountId)
      .execute();
    expect(incidents.length).toBe(alerts.length);
    expect(new Set(alerts.map((a) => a.incident_id)).size).toBe(alerts.length);
    expect(incidents.filter((i) => Number(i.alert_cnt) !== 1)).toEqual([]);

    // One e-mail and one chat post per incident, queued once each, all sent.
    const notifications = await q
      .selectFrom('notification_deliveries')
      .select(['notification_id', 'incident_id', 'channel', 'status', 'created_at'])
      .where('account_id', '=', accountId)
      .execute();
    const perIncident = new Map<string, string[]>();
    for (const n of notifications)
      perIncident.set(n.incident_id, [...(perIncident.get(n.incident_id) ?? []), n.channel]);
    expect(perIncident.size).toBe(incidents.length);
    for (const [incidentId, channels] of perIncident)
      expect(channels.sort(), incidentId).toEqual(['email', 'slack']);

    // What the receivers got: each notification once, or twice with one identity when its sending
    // was under way in the killed process.
    const identity = (n: { notification_id: number; created_at: number }) =>
      `vigil-notification-${n.notification_id}-${n.created_at}`;
    const copies = new Map<string, number>();
    for (const mail of smtp.mails) {
      const id = /^<(.*)@scale\.test>$/.exec(messageIdOf(mail) ?? '')?.[1] ?? `unknown ${messageIdOf(mail)}`;
      copies.set(id, (copies.get(id) ?? 0) + 1);
    }
    for (const hit of chat.hits) {
      const id = String(hit.headers['idempotency-key'] ?? 'none');
      copies.set(id, (copies.get(id) ?? 0) + 1);
    }
    const known = new Set(notifications.map(identity));
    expect([...copies.keys()].filter((id) => !known.has(id))).toEqual([]);
    expect(notifications.filter((n) => !copies.has(identity(n))).map(identity)).toEqual([]);
    const twice = notifications.filter((n) => copies.get(identity(n)) === 2);
    expect(notifications.filter((n) => (copies.get(identity(n)) ?? 0) > 2).map(identity)).toEqual([]);
    for (const n of twice) {
      const attempts = await q
        .selectFrom('delivery_attempts')
        .select(['attempt', 'status', 'lease_lost', 'started_at'])
        .where('outbox', '=', 'notification_deliveries')
        .where('delivery_id', '=', n.notification_id)
        .orderBy('attempt')
        .execute();
      // The first attempt began before the kill and was never finished by its process.
      expect(
        attempts.map((a) => [a.status, a.lease_lost]),
        identity(n),
      ).toEqual([
        ['abandoned', true],
        ['success', false],
      ]);
      expect(attempts[0]!.started_at).toBeLessThanOrEqual(killedAt);
      // And the delivery log, read through the balancer, shows both.
      const log = await api('/incident/notification/list', { incident_id: n.incident_id });
      const item = log.body.data.items.find((i: any) => i.channel === n.channel);
      expect(item.attempts.map((a: any) => a.status)).toEqual(['abandoned', 'success']);
    }

    // The rolling restart failed no request: from SIGTERM until a moment after the exit.
    const failed = outcomes.filter((o) => o.status !== 200);
    const during = (o: Outcome, from: number, to: number) => o.endedAt >= from && o.startedAt <= to;
    const inTermWindow = outcomes.filter((o) => during(o, termAt, exitedAt + 1_000));
    expect(inTermWindow.length).toBeGreaterThan(20);
    expect(inTermWindow.filter((o) => o.status !== 200)).toEqual([]);
    // Only requests under way when vigil1 died, before HAProxy noticed, may have failed.
    expect(failed.filter((o) => !during(o, killedAt, killNoticedAt))).toEqual([]);

    console.info(
      JSON.stringify({
        requests: outcomes.length,
        pushes: pushes.length,
        failed: failed.length,
        failed_statuses: failed.map((o) => o.status),
        alerts: alerts.length,
        incidents: incidents.length,
        notifications: notifications.length,
        delivered_twice: twice.length,
        kill_noticed_ms: killNoticedAt - killedAt,
        term_to_exit_ms: exitedAt - termAt,
        requests_during_restart: inTermWindow.length,
      }),
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/db/db.ts';
import { createEscalationModule } from '../../src/escalation/escalation.module.ts';
import { Engine } from '../../src/jobs/engine.ts';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestApp } from '../harness/app.ts';
import { fire, newSource } from '../incidents/actions-helpers.ts';
import { Listener, notificationWorker } from '../notifications/helpers.ts';
import { createRule } from './helpers.ts';

/*
 * Two instances on one database (on PostgreSQL each with its own connection pool, as two processes
 * would have), each running the escalation module in small chunks and a delivery worker, all at
 * once over many incidents escalating together: every incident is assigned once and its chat paged
 * exactly once.
 */

const INCIDENTS = 60;
let t: TestApp;
let t2: TestApp;
let secondDb: Db | undefined;
let chat: Listener;

beforeAll(async () => {
  t = await startTestApp({ env: ALLOW_LOOPBACK });
  if (t.database.url) secondDb = await openDb({ databaseUrl: t.database.url });
  t2 = await startTestApp({
    env: ALLOW_LOOPBACK,
    database: secondDb ? { db: secondDb, url: t.database.url!, drop: async () => {} } : t.database,
  });
  chat = await Listener.start();
});
afterAll(async () => {
  await t2?.close();
  await secondDb?.close();
  await t?.close();
  await chat?.close();
});

function instance(app: TestApp) {
  const engine = new Engine({
    db: app.db,
    clock: app.clock,
    modules: [createEscalationModule({ startChunk: 7, advanceChunk: 7, cycleBudgetMs: 600_000 })],
    logger: { info: () => {}, error: () => {} },
  });
  return { app, engine, worker: notificationWorker(app, ALLOW_LOOPBACK) };
}

describe('two instances under load', () => {
  it('page each of many incidents escalating at once exactly once', async () => {
    const owner = await t.newAccount('Two instances');
    const person = (await t.newMember(owner, [])).memberId;
    const source = await newSource(t, owner);
    await createRule(t, owner, source.channelId, {
      rule_name: 'Chat',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      layers: [
        {
          max_times: 0,
          escalate_window: 30,
          target: {
            person_ids: [person],
            webhooks: [{ type: 'slack', settings: { url: `${chat.base}/slack` } }],
          },
        },
      ],
    });
    const ids: string[] = [];
    for (let i = 0; i < INCIDENTS; i++)
      ids.push((await fire(t, source, { title_rule: `Disk ${i} full` })).incidentId);
    t2.clock.advance(t.clock.nowMs() - t2.clock.nowMs());

    const both = [instance(t), instance(t2)];
    try {
      // Bounded: both instances' engines and workers at once, until every notification is delivered.
      for (let round = 0; round < 20; round++) {
        await Promise.all(
          both.flatMap((i) => [
            i.engine.runOnce(i.app.clock.nowMs()),
            i.worker.runOnce(),
            i.worker.runOnce(),
          ]),
        );
        const pending = await t.db.q
          .selectFrom('notification_deliveries')
          .select('notification_id')
          .where('incident_id', 'in', ids)
          .where('status', '=', 'pending')
          .execute();
        const escalating = await t.db.q
          .selectFrom('escalations')
          .select('escalation_id')
          .where('incident_id', 'in', ids)
          .where('times_notified', '=', 1)
          .execute();
        if (pending.length === 0 && escalating.length === INCIDENTS) break;
      }
    } finally {
      for (const i of both) i.worker.closeProviders();
    }

    const titles = chat.hits.map((h) => /Disk (\d+) full/.exec(h.body.text as string)?.[1]);
    expect(titles).toHaveLength(INCIDENTS);
    expect(new Set(titles).size).toBe(INCIDENTS);
    const rows = await t.db.q
      .selectFrom('notification_deliveries')
      .select(['incident_id', 'status', 'attempt'])
      .where('incident_id', 'in', ids)
      .execute();
    expect(rows).toHaveLength(INCIDENTS);
    expect(rows.filter((r) => r.status !== 'success' || r.attempt !== 1)).toEqual([]);
    const escalations = await t.db.q
      .selectFrom('escalations')
      .select(['incident_id', 'times_notified', 'status'])
      .where('incident_id', 'in', ids)
      .execute();
    expect(escalations).toHaveLength(INCIDENTS);
    expect(escalations.filter((e) => e.times_notified !== 1 || e.status !== 'active')).toEqual([]);
    const feed = await t.db.q
      .selectFrom('feed_entries')
      .select(['incident_id', 'type'])
      .where('incident_id', 'in', ids)
      .where('type', 'in', ['i_assign', 'i_notify'])
      .execute();
    for (const type of ['i_assign', 'i_notify']) {
      const of = feed.filter((f) => f.type === type).map((f) => f.incident_id);
      expect(of.sort(), type).toEqual([...ids].sort());
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestApp } from '../harness/app.ts';
import { fire, newSource, ok } from '../incidents/actions-helpers.ts';
import { Listener, MailServer, notificationWorker } from '../notifications/helpers.ts';
import { createRule, EMAIL_ONLY } from './helpers.ts';

/*
 * The on-call path end to end, as issue 4's harness describes it: an alert event makes an incident,
 * the engine escalates it, and the notification worker delivers to a real SMTP server and a real
 * chat webhook listener — with the fake clock moved and every cycle and pass run by hand.
 */

let t: TestApp;
let smtp: MailServer;
let chat: Listener;
let worker: ReturnType<typeof notificationWorker>;

beforeAll(async () => {
  smtp = await MailServer.start();
  chat = await Listener.start();
  const env = { SMTP_URL: smtp.url, SMTP_FROM: 'vigil@test.example', ...ALLOW_LOOPBACK };
  t = await startTestApp({ env });
  worker = notificationWorker(t, env);
});
afterAll(async () => {
  worker?.closeProviders();
  await chat?.close();
  await smtp?.close();
  await t?.close();
});

const MIN = 60_000;

/** One engine cycle, then delivery until nothing is due. */
async function tick(): Promise<void> {
  const report = await t.engine.runOnce(t.clock.nowMs());
  expect(report.failed).toEqual([]);
  await worker.runOnce();
}

async function emailOf(memberId: number): Promise<string> {
  const row = await t.db.q
    .selectFrom('members')
    .select('email')
    .where('member_id', '=', memberId)
    .executeTakeFirstOrThrow();
  return row.email.toLowerCase();
}

const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address)).length;

describe('alert to people, end to end', () => {
  it('layer 0 by e-mail and chat, layer 1 after the window, and an acknowledgement stops it', async () => {
    const owner = await t.newAccount('End to end');
    const a = (await t.newMember(owner, [])).memberId;
    const b = (await t.newMember(owner, [])).memberId;
    const [mailA, mailB] = [await emailOf(a), await emailOf(b)];
    const source = await newSource(t, owner);
    await createRule(t, owner, source.channelId, {
      rule_name: 'Primary',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      layers: [
        {
          max_times: 0,
          escalate_window: 10,
          target: {
            person_ids: [a],
            by: EMAIL_ONLY,
            webhooks: [{ type: 'slack', settings: { url: `${chat.base}/slack/ops` } }],
          },
        },
        { max_times: 0, escalate_window: 10, target: { person_ids: [b], by: EMAIL_ONLY } },
        { max_times: 0, escalate_window: 10, target: { person_ids: [a, b], by: EMAIL_ONLY } },
      ],
    });
    const { incidentId } = await fire(t, source, { event_status: 'Critical', title_rule: 'Checkout down' });
    await tick();
    expect(mailsTo(mailA)).toBe(1);
    expect(mailsTo(mailB)).toBe(0);
    const posts = chat.hits.filter((h) => h.path === '/slack/ops');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body.text).toContain('Checkout down');

    t.clock.advance(10 * MIN);
    await tick();
    expect(mailsTo(mailB)).toBe(1);
    expect(mailsTo(mailA)).toBe(1);

    await ok(t, owner, '/incident/ack', { incident_ids: [incidentId] });
    t.clock.advance(30 * MIN);
    await tick();
    expect([mailsTo(mailA), mailsTo(mailB)]).toEqual([1, 1]);
    expect(chat.hits.filter((h) => h.path === '/slack/ops')).toHaveLength(1);
    // The delivery log and the timeline show all three deliveries.
    const log = await ok(t, owner, '/incident/notification/list', { incident_id: incidentId });
    expect(log.items.map((n: any) => [n.channel, n.status]).sort()).toEqual([
      ['email', 'success'],
      ['email', 'success'],
      ['slack', 'success'],
    ]);
  });

  it('a schedule hand-off during the incident: a repeat after the hand-off pages the new on-call', async () => {
    const owner = await t.newAccount('Hand-off');
    const a = (await t.newMember(owner, [])).memberId;
    const b = (await t.newMember(owner, [])).memberId;
    const [mailA, mailB] = [await emailOf(a), await emailOf(b)];
    // Hand-offs every day at midnight UTC: a on the day of the page (at 22:30), b the next day.
    let pageAt = Math.floor(t.clock.nowMs() / 86_400_000) * 86_400_000 + 22.5 * 60 * MIN;
    if (pageAt <= t.clock.nowMs()) pageAt += 86_400_000;
    const midnight = Math.floor(pageAt / 86_400_000) * 86_400;
    const schedule = await ok(t, owner, '/schedule/create', {
      schedule_name: 'Daily',
      time_zone: 'UTC',
      layers: [
        {
          layer_name: 'primary',
          mode: 0,
          groups: [
            { group_name: 'A', members: [{ role_id: 0, person_ids: [a] }] },
            { group_name: 'B', members: [{ role_id: 0, person_ids: [b] }] },
          ],
          rotation_unit: 'day',
          rotation_value: 1,
          layer_start: midnight,
          restrict_mode: 0,
          fair_rotation: false,
          mask_continuous_enabled: false,
        },
      ],
    });
    const source = await newSource(t, owner);
    await createRule(t, owner, source.channelId, {
      rule_name: 'Rota',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      layers: [
        {
          max_times: 2,
          notify_step: 120,
          escalate_window: 720,
          target: { schedule_to_role_ids: { [schedule.schedule_id]: [] }, by: EMAIL_ONLY },
        },
      ],
    });
    // 22:30: a is on call and paged; the repeat at 00:30 goes to b, who took over at midnight.
    t.clock.advance(pageAt - t.clock.nowMs());
    await fire(t, source, { event_status: 'Critical', title_rule: 'Night page' });
    await tick();
    expect([mailsTo(mailA), mailsTo(mailB)]).toEqual([1, 0]);
    t.clock.advance(120 * MIN);
    await tick();
    expect([mailsTo(mailA), mailsTo(mailB)]).toEqual([1, 1]);
  });
});

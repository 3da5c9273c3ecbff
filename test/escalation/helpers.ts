import { expect } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';

export const TEMPLATE_ID = '6321aad26c12104586a88916';

/** A valid create body (without channel_id): one layer paging these people by their own preference. */
export function ruleBody(personIds: number[], fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    rule_name: 'Primary',
    template_id: TEMPLATE_ID,
    layers: [{ target: { person_ids: personIds, by: { follow_preference: true } } }],
    ...fields,
  };
}

export async function createRule(
  t: TestApp,
  account: TestAccount,
  channelId: number,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await t.post(
    '/channel/escalate/rule/create',
    { channel_id: channelId, ...body },
    account.appKey,
  );
  expect(res.body.error, JSON.stringify(res.body)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data.rule_id as string;
}

/** The channel's rules as the API lists them, for "nothing changed" checks. */
export async function rulesOf(t: TestApp, account: TestAccount, channelId: number): Promise<any[]> {
  const res = await t.post('/channel/escalate/rule/list', { channel_id: channelId }, account.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.items;
}

/** Every channel on e-mail: the simplest `by` of a layer target. */
export const EMAIL_ONLY = {
  follow_preference: false,
  critical: ['email'],
  warning: ['email'],
  info: ['email'],
};

/** One engine cycle at the app's clock, which must not fail. */
export async function cycle(t: TestApp) {
  const report = await t.engine.runOnce(t.clock.nowMs());
  expect(report.failed).toEqual([]);
  return report;
}

/** The notifications enqueued for an incident, oldest first. */
export const sentOf = (t: TestApp, incidentId: string) =>
  t.db.q
    .selectFrom('notification_deliveries')
    .select(['step', 'recipient', 'channel', 'person_id', 'facts', 'template_id'])
    .where('incident_id', '=', incidentId)
    .orderBy('notification_id')
    .execute();

/** The escalations of an incident, oldest first. */
export const escalationsOf = (t: TestApp, incidentId: string) =>
  t.db.q
    .selectFrom('escalations')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('escalation_id')
    .execute();

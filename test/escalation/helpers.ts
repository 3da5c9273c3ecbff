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

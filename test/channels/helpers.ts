import { expect } from 'vitest';
import type { ApiResponse, TestAccount, TestApp } from '../harness/app.ts';

/** Creates a team in the caller's account with these members and returns its id. */
export async function createTeam(
  t: TestApp,
  account: TestAccount,
  teamName: string,
  personIds: number[] = [],
): Promise<number> {
  const res = await t.post('/team/upsert', { team_name: teamName, person_ids: personIds }, account.appKey);
  expect(res.status).toBe(200);
  return res.body.data.team_id as number;
}

/** Creates a channel and returns its id, failing the test if the create is refused. */
export async function createChannel(
  t: TestApp,
  account: TestAccount,
  body: Record<string, unknown>,
): Promise<number> {
  const res = await t.post('/channel/create', body, account.appKey);
  expect(res.body.error).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data.channel_id as number;
}

/** Invites a member holding only the Read-only role and returns that member's own app key. */
export async function readOnlyMember(t: TestApp, owner: TestAccount, email: string): Promise<string> {
  const invited = await t.post(
    '/member/invite',
    { members: [{ member_name: 'Reader', email, role_ids: [4] }] },
    owner.appKey,
  );
  expect(invited.status).toBe(200);
  const personId = invited.body.data.items[0].member_id as number;
  const key = await t.post(
    '/person/app-key/create',
    { key_name: 'reader', person_id: personId },
    owner.appKey,
  );
  expect(key.status).toBe(200);
  return key.body.data.key as string;
}

/** Everything the account's channels look like through the API, for "nothing changed" checks. */
export async function channelSnapshot(t: TestApp, account: TestAccount): Promise<unknown> {
  const list = await t.post('/channel/list', { orderby: 'created_at', asc: true }, account.appKey);
  expect(list.status).toBe(200);
  return list.body.data;
}

export function expectInvalid(res: ApiResponse, field: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error?.code).toBe('InvalidParameter');
  expect(res.body.error?.message).toContain(field);
}

export function expectNotFound(res: ApiResponse): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error?.code).toBe('ResourceNotFound');
}

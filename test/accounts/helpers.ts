import { expect } from 'vitest';
import type { ApiResponse, TestAccount, TestApp } from '../harness/app.ts';

/** A refusal with InvalidParameter whose message names exactly this field. */
export function expectInvalid(res: ApiResponse, field: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error?.code).toBe('InvalidParameter');
  expect(res.body.error?.message).toContain(`parameter ${field} is not valid`);
}

export function expectNotFound(res: ApiResponse): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error?.code).toBe('ResourceNotFound');
}

export function expectDenied(res: ApiResponse, permission?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.error?.code).toBe('AccessDenied');
  if (permission) expect(res.body.error?.message).toContain(permission);
}

export function expectOk(res: ApiResponse): void {
  expect(res.body.error, JSON.stringify(res.body)).toBeUndefined();
  expect(res.status).toBe(200);
}

/** Invites one member and returns their id. */
export async function invite(
  t: TestApp,
  account: TestAccount,
  member: Record<string, unknown>,
): Promise<number> {
  const res = await t.post('/member/invite', { members: [member] }, account.appKey);
  expectOk(res);
  return res.body.data.items[0].member_id as number;
}

/** Creates (or upserts) a team and returns its id. */
export async function upsertTeam(
  t: TestApp,
  account: TestAccount,
  body: Record<string, unknown>,
): Promise<number> {
  const res = await t.post('/team/upsert', body, account.appKey);
  expectOk(res);
  return res.body.data.team_id as number;
}

/** The account's members as the API lists them, oldest first. */
export async function members(t: TestApp, appKey: string): Promise<any[]> {
  const res = await t.post('/member/list', { limit: 100, orderby: 'created_at', asc: true }, appKey);
  expectOk(res);
  return res.body.data.items;
}

/** One member as /member/list shows it, or undefined when it is not listed. */
export async function memberById(t: TestApp, appKey: string, memberId: number): Promise<any> {
  return (await members(t, appKey)).find((m) => m.member_id === memberId);
}

export async function roleIdsOf(t: TestApp, appKey: string, memberId: number): Promise<number[]> {
  return (await memberById(t, appKey, memberId)).account_role_ids;
}

/** The account's teams as the API lists them, oldest first. */
export async function teams(t: TestApp, appKey: string): Promise<any[]> {
  const res = await t.post('/team/list', { limit: 100, orderby: 'created_at', asc: true }, appKey);
  expectOk(res);
  return res.body.data.items;
}

/** A member's app keys as the API lists them (the caller's own without personId), oldest first. */
export async function appKeys(t: TestApp, appKey: string, personId?: number): Promise<any[]> {
  const res = await t.post(
    '/person/app-key/list',
    {
      limit: 100,
      orderby: 'created_at',
      asc: true,
      ...(personId === undefined ? {} : { person_id: personId }),
    },
    appKey,
  );
  expectOk(res);
  return res.body.data.items;
}

/** Whether the key authenticates: 200 on /member/info, 401 otherwise. */
export async function keyWorks(t: TestApp, appKey: string): Promise<boolean> {
  const res = await t.post('/member/info', {}, appKey);
  expect([200, 401]).toContain(res.status);
  return res.status === 200;
}

/** Everything the accounts domain stores for an account, as its owner sees it through the API. */
export async function accountSnapshot(t: TestApp, account: TestAccount): Promise<unknown> {
  return {
    members: await members(t, account.appKey),
    teams: await teams(t, account.appKey),
    keys: await appKeys(t, account.appKey),
  };
}

import { expect } from 'vitest';
import type { ApiResponse, TestAccount, TestApp } from '../harness/app.ts';

let counter = 0;

/** Asserts a 200 answer and returns its data. */
export function ok<T = any>(res: ApiResponse<T>): T {
  expect(res.body.error, JSON.stringify(res.body.error)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data as T;
}

/** Asserts an error answer: its status, code, and that the message names `field`. */
export function refused(res: ApiResponse, status: number, code: string, field?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error?.code).toBe(code);
  if (field !== undefined) expect(res.body.error?.message).toContain(field);
}

export async function newTeam(t: TestApp, account: TestAccount, personIds: number[] = []): Promise<number> {
  counter += 1;
  const data = ok(
    await t.post('/team/upsert', { team_name: `team-${counter}`, person_ids: personIds }, account.appKey),
  );
  return data.team_id as number;
}

export async function newChannel(t: TestApp, account: TestAccount, teamId: number): Promise<number> {
  counter += 1;
  const data = ok(
    await t.post('/channel/create', { team_id: teamId, channel_name: `channel-${counter}` }, account.appKey),
  );
  return data.channel_id as number;
}

/** A member of the account with these roles (4 = Read-only), and an app key of their own. */
export async function newMember(t: TestApp, owner: TestAccount, roleIds: number[]): Promise<TestAccount> {
  counter += 1;
  const invited = ok(
    await t.post(
      '/member/invite',
      {
        members: [
          { member_name: `member-${counter}`, email: `int-m${counter}@example.com`, role_ids: roleIds },
        ],
      },
      owner.appKey,
    ),
  );
  const memberId = invited.items[0].member_id as number;
  const key = ok(
    await t.post('/person/app-key/create', { key_name: 'k', person_id: memberId }, owner.appKey),
  );
  return { accountId: owner.accountId, memberId, appKey: key.key as string };
}

export type IntegrationBody = {
  name?: string;
  plugin_type?: string;
  channel_id?: number;
  team_id?: number;
  description?: string;
  integration_id?: number;
};

export async function newIntegration(
  t: TestApp,
  account: TestAccount,
  body: IntegrationBody = {},
): Promise<{ integration_id: number; integration_key: string }> {
  counter += 1;
  return ok(
    await t.post(
      '/datasource/upsert',
      { name: `integration-${counter}`, plugin_type: 'alert.standard', ...body },
      account.appKey,
    ),
  );
}

/** Every integration and route row of the database, to prove a refused request changed nothing. */
export async function snapshot(t: TestApp): Promise<unknown> {
  const [integrations, routes] = await Promise.all([
    t.db.q.selectFrom('integrations').selectAll().orderBy('integration_id').execute(),
    t.db.q.selectFrom('routes').selectAll().orderBy('integration_id').execute(),
  ]);
  return { integrations, routes };
}

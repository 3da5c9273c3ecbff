import { expect } from 'vitest';
import type { ApiResponse, TestAccount, TestApp } from '../harness/app.ts';

/** A new change.standard integration of the account: its id and push key. */
export async function newChangeIntegration(
  t: TestApp,
  account: TestAccount,
  name = 'deploys',
): Promise<{ integrationId: number; key: string }> {
  const res = await t.post('/datasource/upsert', { name, plugin_type: 'change.standard' }, account.appKey);
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return { integrationId: res.body.data.integration_id, key: res.body.data.integration_key };
}

/** POSTs a change event with an integration key, as a deploy pipeline does. */
export async function pushChange(
  t: TestApp,
  key: string,
  body: unknown,
  options: { contentType?: string; method?: 'POST' | 'PUT' | 'GET' } = {},
): Promise<ApiResponse> {
  const raw = await t.app.inject({
    method: options.method ?? 'POST',
    url: `/event/push/change/standard?integration_key=${encodeURIComponent(key)}`,
    ...(body === undefined
      ? {}
      : {
          payload: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': options.contentType ?? 'application/json' },
        }),
  });
  return { status: raw.statusCode, headers: raw.headers, body: raw.json(), raw };
}

/** Asserts a 200 answer and returns its data. */
export function ok<T = any>(res: ApiResponse<T>): T {
  expect(res.body.error, JSON.stringify(res.body.error)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data as T;
}

/** Asserts an error answer: its status, code, and that the message names `field`. */
export function refused(res: ApiResponse, status: number, code: string, field?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error?.code, JSON.stringify(res.body)).toBe(code);
  expect(res.body).not.toHaveProperty('data');
  if (field !== undefined) expect(res.body.error?.message).toContain(field);
}

/** Every change and change event row of the database, to prove a refused push stored nothing. */
export async function changeRows(t: TestApp): Promise<unknown> {
  const [changes, events] = await Promise.all([
    t.db.q.selectFrom('changes').selectAll().orderBy('change_id').execute(),
    t.db.q.selectFrom('change_events').selectAll().orderBy('event_id').execute(),
  ]);
  return { changes, events };
}

/** The current time of the harness clock, Unix seconds. */
export const nowOf = (t: TestApp): number => Math.floor(t.clock.nowMs() / 1000);

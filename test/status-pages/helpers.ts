import { expect } from 'vitest';
import type { ApiResponse, TestAccount, TestApp } from '../harness/app.ts';

export function ok<T = any>(res: ApiResponse<T>): T {
  expect(res.body.error, JSON.stringify(res.body.error)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data as T;
}

/** Asserts an InvalidParameter naming `field` (its message starts "The specified parameter <field> is not valid"). */
export function invalid(res: ApiResponse, field: string, reason?: RegExp): void {
  expect(res.body.error?.code, JSON.stringify(res.body)).toBe('InvalidParameter');
  expect(res.status).toBe(400);
  expect(res.body.error!.message).toContain(`The specified parameter ${field} is not valid`);
  if (reason) expect(res.body.error!.message).toMatch(reason);
}

let pages = 0;

/** A new page with its defaults; returns its id and url_name. */
export async function newPage(
  t: TestApp,
  account: TestAccount,
  overrides: Record<string, unknown> = {},
): Promise<{ pageId: number; urlName: string }> {
  pages += 1;
  const url_name = `page-${pages}-${Math.random().toString(36).slice(2, 8)}`;
  const data = ok(
    await t.post(
      '/status-page/create',
      {
        name: `Page ${pages}`,
        url_name,
        type: 'public',
        date_view: 'list',
        display_uptime_mode: 'chart_and_percentage',
        ...overrides,
      },
      account.appKey,
    ),
  );
  return { pageId: data.page_id, urlName: data.page_url_name };
}

/** Creates components (no section unless given) and returns their ids in order. */
export async function newComponents(
  t: TestApp,
  account: TestAccount,
  pageId: number,
  names: string[],
  extra: Record<string, unknown> = {},
): Promise<string[]> {
  const data = ok(
    await t.post(
      '/status-page/component/upsert',
      { page_id: pageId, components: names.map((name) => ({ name, ...extra })) },
      account.appKey,
    ),
  );
  return data.component_ids;
}

/** A page with components A and B: the usual fixture of the event tests. */
export async function pageWithComponents(t: TestApp, account: TestAccount, names = ['API', 'Web']) {
  const page = await newPage(t, account);
  const componentIds = await newComponents(t, account, page.pageId, names);
  return { ...page, componentIds };
}

export const nowOf = (t: TestApp) => Math.floor(t.clock.nowMs() / 1000);

/** Creates an incident touching `componentId` with `status`; returns its change_id. */
export async function newIncident(
  t: TestApp,
  account: TestAccount,
  pageId: number,
  componentChanges: { component_id: string; status: string }[],
  extra: Record<string, unknown> = {},
): Promise<number> {
  const data = ok(
    await t.post(
      '/status-page/change/create',
      {
        page_id: pageId,
        type: 'incident',
        title: 'Something is wrong',
        description: 'We are looking into it.',
        status: 'investigating',
        updates: [{ description: 'Investigating.', component_changes: componentChanges }],
        ...extra,
      },
      account.appKey,
    ),
  );
  return data.change_id;
}

export async function changeInfo(t: TestApp, account: TestAccount, pageId: number, changeId: number) {
  return ok(
    await t.get('/status-page/change/info', { page_id: pageId, change_id: changeId }, account.appKey),
  );
}

export async function pageInfo(t: TestApp, account: TestAccount, pageId: number) {
  return ok(await t.get('/status-page/info', { page_id: pageId }, account.appKey));
}

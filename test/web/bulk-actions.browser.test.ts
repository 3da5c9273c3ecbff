import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { signInOnPage, startConsoleRig } from './console-rig.ts';
import { emailOf } from './helpers.ts';

/*
 * The incident list's selection bar in headless Chromium (docs/console.md, "Incidents"): select
 * some incidents and acknowledge, resolve, reassign or merge them at once. Each outcome is checked
 * through the API, including that unselected incidents are untouched. Screenshot:
 * test-output/console-bulk-actions.png.
 */

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let sam: TestAccount;
let base: string;
let page: Page;

async function ok(res: { status: number; body: any }) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function create(title: string): Promise<string> {
  return (await ok(await t.post('/incident/create', { incident_severity: 'Warning', title }, owner.appKey)))
    .incident_id;
}

const info = async (incidentId: string) =>
  ok(await t.post('/incident/info', { incident_id: incidentId }, owner.appKey));

const checkbox = (title: string) =>
  page.getByRole('checkbox', { name: new RegExp(`^Select #\\S+ ${title}$`) });
const bar = () => page.getByRole('region', { name: 'Selected incidents' });

beforeAll(async () => {
  ({ t, base, owner, browser } = await startConsoleRig({ realTime: true }));
  sam = await t.newMember(owner, [3], 'Sam Second');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${base}/incidents`);
  await signInOnPage(page, await emailOf(t, owner));
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
});

describe('bulk actions on the incident list', () => {
  it('acknowledges only the selected incidents, by keyboard', async () => {
    const [a, b, c] = [await create('Disk full a'), await create('Disk full b'), await create('Disk full c')];
    await page.reload();
    await checkbox('Disk full c').waitFor();
    // Keyboard: focus the checkbox and press Space.
    await checkbox('Disk full a').focus();
    await page.keyboard.press('Space');
    await checkbox('Disk full b').focus();
    await page.keyboard.press('Space');
    await bar().getByText('2 incidents selected').waitFor();
    await bar().getByRole('button', { name: 'Acknowledge' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('2 incidents acknowledged.').waitFor();
    await bar().waitFor({ state: 'detached' });
    expect(await checkbox('Disk full a').isChecked()).toBe(false);
    expect((await info(a)).progress).toBe('Processing');
    expect((await info(b)).progress).toBe('Processing');
    expect((await info(c)).progress).toBe('Triggered');
  }, 90_000);

  it('resolves the selected incidents', async () => {
    const [d, e, f] = [
      await create('Queue stuck d'),
      await create('Queue stuck e'),
      await create('Queue stuck f'),
    ];
    await checkbox('Queue stuck f').waitFor();
    await checkbox('Queue stuck d').check();
    await checkbox('Queue stuck f').check();
    await bar().getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('status').getByText('2 incidents resolved.').waitFor();
    expect((await info(d)).progress).toBe('Closed');
    expect((await info(f)).progress).toBe('Closed');
    expect((await info(e)).progress).toBe('Triggered');
  }, 90_000);

  it('reassigns the selected incidents to a member', async () => {
    const [g, h] = [await create('Cert expiring g'), await create('Cert expiring h')];
    await checkbox('Cert expiring h').waitFor();
    await checkbox('Cert expiring g').check();
    await checkbox('Cert expiring h').check();
    await bar().getByRole('button', { name: 'Reassign…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reassign 2 incidents' });
    await dialog.getByRole('combobox', { name: 'Members' }).click();
    await dialog.getByRole('option', { name: 'Sam Second' }).click();
    await dialog.getByRole('button', { name: 'Reassign', exact: true }).click();
    await page.getByRole('status').getByText('2 incidents reassigned to Sam Second.').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    for (const id of [g, h]) {
      const assigned = (await info(id)).assigned_to;
      expect(assigned.person_ids).toEqual([sam.memberId]);
    }
  }, 90_000);

  it('merges two selected incidents into the first, after a confirmation', async () => {
    const [target, source] = [await create('Latency spike one'), await create('Latency spike two')];
    await checkbox('Latency spike two').waitFor();
    // Select-all then deselect the rest, through the header checkbox.
    await page.getByRole('checkbox', { name: 'Select all incidents on this page' }).check();
    await bar().waitFor();
    await page.getByRole('checkbox', { name: 'Select all incidents on this page' }).uncheck();
    await bar().waitFor({ state: 'detached' });
    // The list is newest first: "two" is listed (and so selected) before "one".
    await checkbox('Latency spike one').check();
    await checkbox('Latency spike two').check();
    await bar().getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge 2 incidents' });
    await dialog.getByText('One incident will be merged and closed.', { exact: false }).waitFor();
    await dialog.getByRole('combobox', { name: 'Merge into' }).click();
    await dialog.getByRole('option', { name: /Latency spike one$/ }).click();
    await page.screenshot({ path: outputPath('console-bulk-actions.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await page
      .getByRole('status')
      .getByText(/^1 incident merged into #\S+ Latency spike one\.$/)
      .waitFor();
    expect((await info(source)).progress).toBe('Closed');
    expect((await info(target)).progress).toBe('Triggered');
    const feed = await ok(await t.post('/incident/feed', { incident_id: target, limit: 100 }, owner.appKey));
    expect(JSON.stringify(feed)).toContain('i_merge');
  }, 90_000);

  it('says in words why a batch failed and keeps the selection', async () => {
    await create('Closed target x');
    const open = await create('Open source y');
    await checkbox('Open source y').waitFor();
    const x = (
      await t.db.q
        .selectFrom('incidents')
        .select('incident_id')
        .where('title', '=', 'Closed target x')
        .executeTakeFirstOrThrow()
    ).incident_id;
    await checkbox('Closed target x').check();
    await checkbox('Open source y').check();
    await bar().getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge 2 incidents' });
    await dialog.getByRole('combobox', { name: 'Merge into' }).click();
    await dialog.getByRole('option', { name: /Closed target x$/ }).click();
    // Someone closes "x" while the dialog is open: the merge must fail with the API's reason.
    await ok(await t.post('/incident/resolve', { incident_ids: [x] }, owner.appKey));
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/^Could not merge: .*closed; reopen it/)
      .waitFor();
    await dialog.waitFor({ state: 'hidden' });
    // "x", now closed, leaves the list (it shows open ones); "y" stays selected.
    await bar().getByText('1 incident selected').waitFor();
    expect(await checkbox('Open source y').isChecked()).toBe(true);
    expect((await info(open)).progress).toBe('Triggered');
  }, 90_000);
});

import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bucketStarts,
  DEFAULT_INSIGHT_FILTERS,
  formatSeconds,
  insightFilter,
} from '../../web/src/insights.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { newSource, push } from '../incidents/read-helpers.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';

/*
 * The insights page in headless Chromium: incident history made through the API at moved clock
 * times in the last days (push, acknowledge, resolve), then the page's charts, numbers, views and
 * CSV export, by keyboard where a person would use it, and at phone width.
 */

const ZONE = 'Asia/Tokyo';
const TIMEOUT = { timeout: 20_000 };

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let email: string;
let base: string;

async function call(path: string, body: unknown) {
  const res = await t.post(path, body, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

beforeAll(async () => {
  ({ t, base, owner, email, browser } = await startConsoleRig({ accountName: 'Insightful', timeZone: ZONE }));
  const team = await call('/team/upsert', { team_name: 'Ops' });
  const source = await newSource(t, owner, { teamId: team.team_id });

  // History in the last days, on the test clock (the browser reads real time, so the clock ends at now).
  t.clock.advance(Date.now() - 3 * 86_400_000 - t.clock.nowMs());
  const cpu = await push(t, source, { event_status: 'Critical', labels: { check: 'cpu' } });
  t.clock.advance(300_000);
  await call('/incident/ack', { incident_ids: [cpu.incidentId] });
  t.clock.advance(600_000);
  await call('/incident/resolve', { incident_ids: [cpu.incidentId] });

  t.clock.advance(86_400_000);
  const disk = await push(t, source, { labels: { check: 'disk' } });
  await push(t, source, { labels: { check: 'disk' } }); // a second alert of the same check
  t.clock.advance(120_000);
  await call('/incident/ack', { incident_ids: [disk.incidentId] });
  t.clock.advance(1_200_000);
  await call('/incident/resolve', { incident_ids: [disk.incidentId] });
  t.clock.advance(Date.now() - t.clock.nowMs());
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
});

async function signIn(page: Page, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await signInOnPage(page, email);
}

describe('insights in headless Chromium', () => {
  it('charts the incident history, switches views by keyboard and exports CSV', {
    timeout: 120_000,
  }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, '/insights');
    await page.getByRole('heading', { name: 'Insights', level: 2 }).waitFor(TIMEOUT);

    // The numbers the page shows are the API's, for the filter the page sends (last 7 days, Tokyo).
    const filter = insightFilter(DEFAULT_INSIGHT_FILTERS, { nowMs: Date.now(), timeZone: ZONE });
    const [totals] = (await call('/insight/account', filter)).items;
    expect(totals).toMatchObject({ total_incident_cnt: 3, total_incidents_acknowledged: 2 });
    const mtta = formatSeconds(totals.mean_seconds_to_ack);
    expect(mtta).toBe('3 min 30 s'); // (300 + 120) / 2
    await expect
      .poll(() => page.getByRole('group', { name: 'MTTA', exact: true }).textContent(), TIMEOUT)
      .toContain(mtta);
    expect(await page.getByRole('group', { name: 'Incidents', exact: true }).textContent()).toContain('3');
    expect(await page.getByRole('group', { name: 'MTTR', exact: true }).textContent()).toContain(
      formatSeconds(totals.mean_seconds_to_close),
    );

    // Incidents over time: one bar per local day of the 7, two of them with incidents.
    const chart = page.getByRole('img', { name: 'Incidents over time', exact: true });
    await chart.waitFor(TIMEOUT);
    const days = bucketStarts(filter.start_time as number, filter.end_time as number, 'day', ZONE);
    expect(days).toHaveLength(7);
    await expect.poll(() => chart.locator('.recharts-bar-rectangle').count(), TIMEOUT).toBe(2);
    const overTime = page.getByRole('region', { name: 'Incidents over time' });
    // The chart takes keyboard focus; the arrow keys walk its bars and the tooltip reads each out.
    await chart.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => overTime.locator('.recharts-tooltip-wrapper').textContent(), TIMEOUT)
      .toMatch(/Nov|Dec|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct/);
    expect(await overTime.locator('.recharts-tooltip-wrapper').textContent()).toContain('Incidents');
    await page.screenshot({ path: outputPath('console-insights-chart-keyboard.png') });
    await overTime.getByRole('button', { name: 'Show table' }).click();
    const table = overTime.getByRole('table', { name: 'Incidents over time' });
    await table.waitFor(TIMEOUT);
    expect(await table.locator('tbody tr').count()).toBe(days.length);
    // Week buckets and the split by hour class: the same table, re-read.
    await page.getByRole('radiogroup', { name: 'Group by' }).getByText('Week', { exact: true }).click();
    const weeks = bucketStarts(filter.start_time as number, filter.end_time as number, 'week', ZONE);
    await expect.poll(() => table.locator('tbody tr').count(), TIMEOUT).toBe(weeks.length);
    await page.getByRole('switch', { name: /Split by hours/ }).check({ force: true });
    await table.getByRole('columnheader', { name: 'Sleep' }).waitFor(TIMEOUT);
    await overTime.getByText('Off hours', { exact: true }).waitFor(TIMEOUT);
    await page.screenshot({ path: outputPath('console-insights-split.png'), fullPage: true });
    await page.getByRole('switch', { name: /Split by hours/ }).uncheck({ force: true });
    await page.getByRole('radiogroup', { name: 'Group by' }).getByText('Auto (day)', { exact: true }).click();
    await expect.poll(() => table.locator('tbody tr').count(), TIMEOUT).toBe(days.length);
    await page.getByRole('img', { name: 'MTTA and MTTR', exact: true }).waitFor(TIMEOUT);
    await page.getByRole('img', { name: 'Load by hour class', exact: true }).waitFor(TIMEOUT);
    await page.getByRole('img', { name: 'Top noisy labels', exact: true }).waitFor(TIMEOUT);
    const noisy = page.getByRole('region', { name: 'Top noisy labels' });
    await noisy.getByRole('button', { name: 'Show table' }).click();
    await expect
      .poll(() => noisy.getByRole('table').locator('tbody td').allTextContents(), TIMEOUT)
      .toEqual(['disk', '2', '2', 'cpu', '1', '1']);
    await page.screenshot({ path: outputPath('console-insights-account.png'), fullPage: true });

    // The account view exports the incidents behind its numbers.
    const [incidentCsv] = await Promise.all([
      page.waitForEvent('download', TIMEOUT),
      page.getByRole('button', { name: 'Export incidents (CSV)' }).click(),
    ]);
    const incidentLines = readFileSync((await incidentCsv.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(incidentLines[0]!.startsWith('incident_id,title,description,')).toBe(true);
    expect(incidentLines).toHaveLength(4);
    await page.getByRole('status').filter({ hasText: '(3 rows)' }).waitFor(TIMEOUT);

    // The responder filter: the open incident nobody responded to drops out.
    const incidentsStat = page.getByRole('group', { name: 'Incidents', exact: true });
    const responderFilter = page.getByRole('combobox', { name: 'Responders', exact: true });
    await responderFilter.click();
    await page.getByRole('option', { name: 'owner1' }).click(TIMEOUT);
    await page.keyboard.press('Escape');
    await expect.poll(() => incidentsStat.textContent(), TIMEOUT).toBe('Incidents2');
    await responderFilter.focus();
    await page.keyboard.press('Backspace');
    await expect.poll(() => incidentsStat.textContent(), TIMEOUT).toBe('Incidents3');

    // Views by keyboard: the tabs follow the arrow keys.
    await page.getByRole('tab', { name: 'Account' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    expect(await page.getByRole('tab', { name: 'Teams' }).getAttribute('aria-selected')).toBe('true');
    const teams = page.getByRole('table', { name: 'Teams', exact: true });
    await teams.getByRole('row', { name: /Ops/ }).waitFor(TIMEOUT);
    expect(
      (await teams.getByRole('row', { name: /Ops/ }).getByRole('cell').allTextContents()).slice(0, 4),
    ).toEqual(['Ops', '3', '66.67 %', '3 min 30 s']);
    await page.getByRole('img', { name: 'Incidents by team', exact: true }).waitFor(TIMEOUT);

    // The team export is the API's CSV, downloaded with the session.
    const [download] = await Promise.all([
      page.waitForEvent('download', TIMEOUT),
      page.getByRole('button', { name: 'Export teams (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^vigil-insight-team-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const csv = readFileSync((await download.path())!, 'utf8');
    const [header, first] = csv.trimEnd().split('\r\n');
    expect(header!.startsWith('ts,hours,team_id,team_name,total_incident_cnt,')).toBe(true);
    expect(first).toContain(',Ops,3,');
    await page.getByRole('status').filter({ hasText: 'Saved vigil-insight-team-' }).waitFor(TIMEOUT);
    await page.screenshot({ path: outputPath('console-insights-team.png'), fullPage: true });

    await page.getByRole('tab', { name: 'Responders' }).click();
    const responders = page.getByRole('table', { name: 'Responders', exact: true });
    await expect.poll(() => responders.locator('tbody tr').count(), TIMEOUT).toBe(1);
    expect(await responders.locator('tbody td').first().textContent()).toBe('owner1');

    // A filter with nothing in it says what to do next.
    await page.getByRole('tab', { name: 'Account' }).click();
    const info = page.getByRole('checkbox', { name: 'Info', exact: true });
    await info.focus();
    await page.keyboard.press('Space');
    await page
      .getByText('No incidents in this range. Widen the time range or clear a filter.')
      .waitFor(TIMEOUT);
    await info.focus();
    await page.keyboard.press('Space');
    await chart.waitFor(TIMEOUT);

    // At phone width the charts shrink with the page: no horizontal scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await chart.waitFor(TIMEOUT);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: outputPath('console-insights-phone.png'), fullPage: true });
    await context.close();
  });

  it('says in words why an answer failed', { timeout: 60_000 }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    // The refusal a member without Analytics Read gets (every built-in role has it, so it is staged).
    await page.route('**/insight/responder', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        json: {
          request_id: 'staged',
          error: { code: 'AccessDenied', message: 'This needs the Analytics Read permission.' },
        },
      }),
    );
    await signIn(page, '/insights');
    await page.getByRole('tab', { name: 'Responders' }).click(TIMEOUT);
    const refusal = page.getByRole('alert').filter({ hasText: 'The responder insights could not be loaded' });
    await refusal.waitFor(TIMEOUT);
    expect(await refusal.textContent()).toContain(
      'This needs the Analytics Read permission. Ask an account admin for access.',
    );
    await context.close();
  });
});

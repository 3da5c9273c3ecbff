import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath, pickOption } from '../harness/browser.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';

/*
 * The schedule pages in headless Chromium: create a schedule whose one layer rotates two members
 * daily, see the preview name both before saving, save, check through the API who is on call now
 * and tomorrow, then add an override and see it in the timeline. Screenshots go to test-output/.
 */

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let email: string;
let base: string;
let ownerName: string;
const SECOND = 'Bea Second';
let second: TestAccount;
const ZONE = 'Asia/Tokyo';
const WAIT = { timeout: 20_000 };

beforeAll(async () => {
  ({ t, base, owner, email, browser } = await startConsoleRig({ timeZone: ZONE, realTime: true }));
  ownerName = (await t.post('/member/info', {}, owner.appKey)).body.data.member_name;
  second = await t.newMember(owner, [3], SECOND);
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
});

async function signIn(page: Page, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await signInOnPage(page, email);
}

/** Picks an option of the combobox labelled `label` inside `scope`. */
function pick(page: Page, scope: ReturnType<Page['getByRole']>, label: string, option: string) {
  return pickOption(page, scope.getByLabel(label, { exact: true }), option);
}

/** Who the final schedule has on call at an instant (seconds), through the API. */
async function onCallAt(scheduleId: number, at: number): Promise<number[]> {
  const info = await t.post(
    '/schedule/info',
    { schedule_id: scheduleId, start: at, end: at + 60 },
    owner.appKey,
  );
  expect(info.status, JSON.stringify(info.body)).toBe(200);
  const shift = info.body.data.final_schedule.schedules.find((s: any) => s.start <= at && at < s.end);
  return shift ? shift.group.members.flatMap((m: any) => m.person_ids) : [];
}

describe('the schedule pages in headless Chromium', () => {
  it('creates a rotating schedule with a preview, saves it, and adds an override', {
    timeout: 180_000,
  }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, '/schedules');
    await page.getByRole('heading', { name: 'Schedules', level: 2 }).waitFor(WAIT);
    await page.getByText('No schedules yet').waitFor(WAIT);

    await page.getByRole('link', { name: 'New schedule' }).click();
    await page.getByRole('heading', { name: 'New schedule', level: 2 }).waitFor(WAIT);
    const form = page.getByRole('form', { name: 'Schedule settings' });
    await form.getByLabel(/^Name/).fill('Primary on-call');
    // A new schedule reads its rules in the member's zone.
    expect(await form.getByLabel('Time zone', { exact: true }).inputValue()).toBe(ZONE);

    const layer = form.getByRole('group', { name: 'Layer 1', exact: true });
    await pick(page, layer, 'Turn 1', ownerName);
    await layer.getByRole('button', { name: 'Add turn' }).click();
    await pick(page, layer, 'Turn 2', SECOND);

    // The preview shows both before anything is saved.
    const shifts = page.getByRole('table', { name: 'On call in this window' });
    await shifts.getByRole('cell', { name: ownerName, exact: true }).first().waitFor(WAIT);
    await shifts.getByRole('cell', { name: SECOND, exact: true }).first().waitFor(WAIT);
    await page.getByText('Not saved yet').waitFor();
    await page.getByRole('heading', { name: 'Preview: who would be on call' }).waitFor();
    expect((await t.post('/schedule/list', {}, owner.appKey)).body.data.total).toBe(0);

    // A refusal names the field: an end before the start.
    await layer.getByLabel(`Ends (${ZONE})`).fill('2020-01-01T00:00');
    await page.getByRole('alert').filter({ hasText: 'layers[0].layer_end' }).waitFor(WAIT);
    await layer.getByLabel(`Ends (${ZONE})`).fill('');
    await page
      .getByRole('alert')
      .filter({ hasText: 'layers[0].layer_end' })
      .waitFor({ state: 'detached', ...WAIT });
    await shifts.getByRole('cell', { name: SECOND, exact: true }).first().waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-schedules-preview.png'), fullPage: true });

    await form.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('status').filter({ hasText: 'Schedule created.' }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Primary on-call', level: 2 }).waitFor(WAIT);
    const scheduleId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(scheduleId).toBeGreaterThan(0);

    // Through the API: turn 1 (the owner) holds today in Tokyo from midnight, turn 2 tomorrow.
    const saved = (
      await t.post('/schedule/info', { schedule_id: scheduleId, start: 1, end: 2 }, owner.appKey)
    ).body.data;
    expect(saved).toMatchObject({ schedule_name: 'Primary on-call', time_zone: ZONE });
    expect(saved.layers).toHaveLength(1);
    expect(saved.layers[0]).toMatchObject({ rotation_unit: 'day', rotation_value: 1, mode: 0 });
    expect(saved.layers[0].groups.map((g: any) => g.members[0].person_ids)).toEqual([
      [owner.memberId],
      [second.memberId],
    ]);
    expect(saved.cur_oncall.group.members[0].person_ids).toEqual([owner.memberId]);
    const now = Math.floor(Date.now() / 1000);
    expect(await onCallAt(scheduleId, now)).toEqual([owner.memberId]);
    expect(await onCallAt(scheduleId, now + 86_400)).toEqual([second.memberId]);
    await page.getByText(`On call now: ${ownerName}`).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Who is on call' }).waitFor(WAIT);

    // The timeline moves, by keyboard: two weeks (arrow keys in the radio group), then the next two.
    const windowLabel = page.getByText(/ · times in Asia\/Tokyo$/);
    const firstWindow = await windowLabel.textContent();
    await page.getByRole('radio', { name: '1 week' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: '2 weeks' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Later' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => windowLabel.textContent(), WAIT).not.toBe(firstWindow);
    await shifts.getByRole('cell', { name: ownerName, exact: true }).first().waitFor(WAIT);
    await page.getByRole('button', { name: 'Today' }).click();
    // One day, with three-hour lines on the member's clock.
    await page.getByText('1 day', { exact: true }).click();
    await expect.poll(() => page.getByTestId('timeline-drawing').textContent(), WAIT).toContain('21:00');
    await page.getByTestId('timeline-drawing').screenshot({ path: outputPath('console-schedules-day.png') });
    await page.getByText('1 week', { exact: true }).click();

    // An override for the second member, from the next full hour for eight hours (the defaults).
    const overrides = page.getByRole('region', { name: 'Overrides' });
    const add = overrides.getByRole('group', { name: 'Add an override' });
    await pick(page, add, 'Person', SECOND);
    await add.getByRole('button', { name: 'Add override' }).click();
    await overrides
      .getByRole('table', { name: 'Overrides' })
      .getByRole('cell', { name: SECOND, exact: true })
      .waitFor();
    await page.getByText('Unsaved changes').waitFor();
    // The timeline (preview) has an Overrides row naming her; its text alternative says so.
    const overrideShifts = page.getByRole('region', { name: 'Shifts of Overrides' });
    await expect.poll(() => overrideShifts.textContent(), WAIT).toContain(SECOND);
    await expect.poll(() => page.getByTestId('timeline-drawing').textContent(), WAIT).toMatch(/Overrides/);
    await page.screenshot({ path: outputPath('console-schedules-override.png'), fullPage: true });

    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Schedule saved.' }).waitFor(WAIT);
    const after = (
      await t.post('/schedule/info', { schedule_id: scheduleId, start: 1, end: 2 }, owner.appKey)
    ).body.data;
    const override = after.layers.find((l: any) => l.mode === 1);
    expect(override.groups[0].members[0].person_ids).toEqual([second.memberId]);
    expect(override.layer_end - override.layer_start).toBe(8 * 3600);
    expect(await onCallAt(scheduleId, override.layer_start + 3600)).toEqual([second.memberId]);

    // The list says who is on call now.
    await page.getByRole('link', { name: '← Schedules' }).click();
    const row = page.getByRole('row', { name: /Primary on-call/ });
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain(ownerName);
    await page.screenshot({ path: outputPath('console-schedules-list.png'), fullPage: true });

    // At phone width the page fits the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await row.getByRole('link', { name: 'Primary on-call' }).click();
    await page.getByRole('heading', { name: 'Primary on-call', level: 2 }).waitFor(WAIT);
    await shifts.getByRole('cell', { name: ownerName, exact: true }).first().waitFor(WAIT);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: outputPath('console-schedules-phone.png'), fullPage: true });

    // Deleting asks first.
    await page.getByRole('button', { name: 'Delete schedule' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this schedule?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('No schedules yet').waitFor(WAIT);
    expect((await t.post('/schedule/list', {}, owner.appKey)).body.data.total).toBe(0);
    await context.close();
  });

  it('keeps a calendar: workdays, a holiday added and removed, a refusal in words', {
    timeout: 120_000,
  }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, '/calendars');
    await page.getByRole('heading', { name: 'Calendars', level: 2 }).waitFor(WAIT);
    await page.getByText('No calendars yet').waitFor(WAIT);
    const create = page.getByRole('form', { name: 'New calendar' });
    await create.getByLabel(/^Name/).fill('Office days');
    await create.getByRole('button', { name: 'Create calendar' }).click();
    await page.getByRole('heading', { name: 'Office days', level: 2 }).waitFor(WAIT);
    const calId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

    // Weekends off: Saturday and Sunday unticked, by keyboard (Space toggles a chip).
    const settings = page.getByRole('form', { name: 'Calendar settings' });
    const workdays = settings.getByRole('group', { name: 'Workdays' });
    for (const day of ['Sat', 'Sun']) {
      await workdays.getByRole('checkbox', { name: day }).focus();
      await page.keyboard.press('Space');
    }
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Calendar saved.' }).waitFor(WAIT);
    const info = (await t.post('/calendar/info', { cal_id: calId }, owner.appKey)).body.data;
    expect(info).toMatchObject({ cal_name: 'Office days', timezone: ZONE, workdays: [1, 2, 3, 4, 5] });

    // A three-day holiday; the last day is inclusive on the page, the API's end exclusive.
    const year = Number(
      new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric' }).format(new Date()),
    );
    const add = page.getByRole('form', { name: 'Add an event' });
    await add.getByLabel(/^Event/).fill('Year-end');
    await add.getByLabel(/^First day/).fill(`${year}-12-29`);
    await add.getByLabel(/^Last day/).fill(`${year}-12-27`);
    await add.getByRole('button', { name: 'Add event' }).click();
    await page.getByRole('alert').filter({ hasText: 'end_at' }).waitFor(WAIT);
    await add.getByLabel(/^Last day/).fill(`${year}-12-31`);
    await add.getByRole('button', { name: 'Add event' }).click();
    const events = page.getByRole('table', { name: 'Events' });
    await events.getByRole('cell', { name: 'Year-end', exact: true }).waitFor(WAIT);
    await events.getByRole('cell', { name: /Dec 29 – .*Dec 31, / }).waitFor();
    const listed = (await t.post('/calendar/event/list', { cal_id: calId, year }, owner.appKey)).body.data
      .items;
    expect(listed).toEqual([
      expect.objectContaining({
        summary: 'Year-end',
        start_at: `${year}-12-29`,
        end_at: `${year + 1}-01-01`,
        is_off: true,
      }),
    ]);
    await page.screenshot({ path: outputPath('console-schedules-calendar.png'), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await events.getByRole('cell', { name: 'Year-end', exact: true }).waitFor();
    await expectNoSidewaysScroll(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await events.getByRole('button', { name: 'Remove Year-end' }).click();
    await page.getByText(`No holidays or extra working days in ${year}`).waitFor(WAIT);
    expect(
      (await t.post('/calendar/event/list', { cal_id: calId, year }, owner.appKey)).body.data.items,
    ).toEqual([]);

    await page.getByRole('button', { name: 'Delete calendar' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this calendar?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('No calendars yet').waitFor(WAIT);
    await context.close();
  });

  it('shows a schedule that still names a deleted member, and an edit takes them out', {
    timeout: 120_000,
  }, async () => {
    const gone = await t.newMember(owner, [3], 'Gus Gone');
    const now = Math.floor(Date.now() / 1000);
    const group = (id: number) => ({ group_name: '', members: [{ role_id: 0, person_ids: [id] }] });
    const created = await t.post(
      '/schedule/create',
      {
        schedule_name: 'Night watch',
        time_zone: 'UTC',
        layers: [
          {
            layer_name: 'Nights',
            rotation_unit: 'day',
            rotation_value: 1,
            layer_start: now - (now % 86_400),
            groups: [group(owner.memberId), group(gone.memberId)],
          },
        ],
      },
      owner.appKey,
    );
    const scheduleId = created.body.data.schedule_id;
    expect((await t.post('/member/delete', { member_id: gone.memberId }, owner.appKey)).status).toBe(200);

    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, `/schedules/${scheduleId}`);
    await page.getByRole('heading', { name: 'Night watch', level: 2 }).waitFor(WAIT);
    // The stored schedule still draws (the preview would refuse the deleted person).
    const shifts = page.getByRole('table', { name: 'On call in this window' });
    await shifts
      .getByRole('cell', { name: `#${gone.memberId}`, exact: true })
      .first()
      .waitFor(WAIT);
    const layer = page.getByRole('group', { name: 'Nights', exact: true });
    await layer.getByText(`#${gone.memberId} (not a member)`).waitFor();
    await layer.getByRole('button', { name: 'Remove turn 2' }).click();
    await page.getByText('Unsaved changes').waitFor();
    await shifts.getByRole('cell', { name: ownerName, exact: true }).first().waitFor(WAIT);
    await page
      .getByRole('form', { name: 'Schedule settings' })
      .getByRole('button', { name: 'Save', exact: true })
      .click();
    await page.getByRole('status').filter({ hasText: 'Schedule saved.' }).waitFor(WAIT);
    const info = (await t.post('/schedule/info', { schedule_id: scheduleId, start: 1, end: 2 }, owner.appKey))
      .body.data;
    expect(info.layers[0].groups.map((g: any) => g.members[0].person_ids)).toEqual([[owner.memberId]]);
    await context.close();
  });
});

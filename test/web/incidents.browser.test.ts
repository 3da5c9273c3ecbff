import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { newSource, type Source } from '../incidents/read-helpers.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';
import { PASSWORD, setPassword } from './helpers.ts';

/*
 * The console in headless Chromium against a Vigil listening on 127.0.0.1: sign in by keyboard,
 * watch a pushed alert appear in the incident list, open its detail page from the detail_url Vigil
 * sends, then acknowledge, comment and resolve it there and read the timeline. Screenshots go to
 * test-output/.
 */

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let email: string;
let source: Source;
let base: string;

beforeAll(async () => {
  ({ t, base, owner, email, browser } = await startConsoleRig({ realTime: true }));
  source = await newSource(t, owner);
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
});

async function pushAlert(title: string, severity = 'Critical'): Promise<void> {
  const response = await fetch(`${base}/event/push/alert/standard?integration_key=${source.key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      event_status: severity,
      title_rule: title,
      alert_key: title,
      labels: { host: 'db-1' },
    }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  await t.waitForApplied();
}

async function incidentTitled(title: string) {
  const row = await t.db.q
    .selectFrom('incidents')
    .select('incident_id')
    .where('title', '=', title)
    .executeTakeFirstOrThrow();
  return (await t.post('/incident/info', { incident_id: row.incident_id }, owner.appKey)).body.data;
}

async function signInByKeyboard(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
}

describe('the console in headless Chromium', () => {
  it('signs in, shows a pushed alert live in the list, and handles it on the detail page', {
    timeout: 120_000,
  }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();

    // A wrong password is said in words.
    await page.goto(`${base}/`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel(/^Password/).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('The e-mail or the password is wrong.');
    await page.screenshot({ path: outputPath('console-sign-in-error.png') });

    await page.goto(`${base}/incidents`);
    const started = Date.now();
    await signInByKeyboard(page);
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.getByText('No incidents match').waitFor();
    const signInToList = Date.now() - started;
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'vigil_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });

    // Pushed through the API while the list is open: it appears without a reload.
    await pushAlert('Disk full on db-1');
    await pushAlert('Replica lag on db-2', 'Warning');
    const link = page.getByRole('link', { name: 'Disk full on db-1' });
    await link.waitFor({ timeout: 20_000 });
    await page.getByRole('link', { name: 'Replica lag on db-2' }).waitFor({ timeout: 20_000 });

    // Filters by keyboard: the Warning chip (Space toggles it), then search.
    const warning = page.getByRole('checkbox', { name: 'Warning' });
    await warning.focus();
    await page.keyboard.press('Space');
    await page.getByRole('link', { name: 'Disk full on db-1' }).waitFor({ state: 'detached' });
    expect(await warning.isChecked()).toBe(true);
    await page.keyboard.press('Space');
    await page.getByLabel('Search incidents').fill('disk');
    await page.getByRole('link', { name: 'Replica lag on db-2' }).waitFor({ state: 'detached' });
    await link.waitFor();
    // Calendar days (today, in Tokyo) load the date picker on demand and still find it.
    await page.getByText('Dates', { exact: true }).click();
    await page.getByRole('button', { name: 'Dates' }).waitFor();
    await link.waitFor();
    await page.screenshot({ path: outputPath('console-incident-list.png'), fullPage: true });

    // Time to interactive of the list: a fresh load until its rows are shown (median of three).
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const loadStart = Date.now();
      await page.goto(`${base}/incidents`);
      await page.getByRole('link', { name: 'Disk full on db-1' }).waitFor();
      loads.push(Date.now() - loadStart);
    }
    const listInteractive = loads.sort((a, b) => a - b)[1];

    // The detail_url Vigil sends opens the incident's page.
    const incident = await incidentTitled('Disk full on db-1');
    expect(incident.detail_url).toBe(`${base}/incident/detail/${incident.incident_id}`);
    await page.goto(incident.detail_url);
    await page.getByRole('heading', { name: 'Disk full on db-1', level: 2 }).waitFor();
    const tokyo = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Asia/Tokyo',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(incident.start_time * 1000));
    await page.getByText(tokyo, { exact: false }).first().waitFor();
    await page.getByText('host=db-1').waitFor();
    // The alert's events open under it (a second push of the same alert, at another severity, adds one;
    // an exact repeat would be deduplicated).
    await pushAlert('Disk full on db-1', 'Warning');
    const events = page.getByRole('button', { name: '2 events of Disk full on db-1' });
    await events.click({ timeout: 20_000 });
    expect(await events.getAttribute('aria-expanded')).toBe('true');
    const eventRows = page.locator(`#${await events.getAttribute('aria-controls')}`);
    await expect.poll(() => eventRows.getByText('Disk full on db-1').count()).toBe(2);

    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('status').filter({ hasText: 'Acknowledged.' }).waitFor();
    await page.getByRole('button', { name: 'Unacknowledge' }).waitFor();

    await page.getByLabel('Comment').fill('Rotating the logs on db-1');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('commented: Rotating the logs on db-1').waitFor();

    await page.getByRole('button', { name: 'Resolve' }).click();
    const dialog = page.getByRole('dialog', { name: 'Resolve the incident' });
    await dialog.getByLabel('Root cause').fill('Log rotation was off');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const timeline = page.getByRole('region', { name: 'Timeline' });
    for (const text of [
      'acknowledged',
      'commented: Rotating the logs on db-1',
      'resolved it',
      'Incident triggered',
    ]) {
      await timeline.getByText(text, { exact: false }).first().waitFor();
    }
    await page.screenshot({ path: outputPath('console-incident-detail.png'), fullPage: true });

    const after = (await t.post('/incident/info', { incident_id: incident.incident_id }, owner.appKey)).body
      .data;
    expect(after).toMatchObject({
      progress: 'Closed',
      root_cause: 'Log rotation was off',
      closer_id: owner.memberId,
    });
    const feed = (await t.post('/incident/feed', { incident_id: incident.incident_id }, owner.appKey)).body
      .data.items;
    expect(feed.map((e: any) => e.type)).toEqual(
      expect.arrayContaining(['i_new', 'i_ack', 'i_comm', 'i_rslv']),
    );

    // At phone width the page fits the screen; actions stay reachable.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: outputPath('console-incident-detail-phone.png'), fullPage: true });

    writeFileSync(
      outputPath('console-timings.json'),
      `${JSON.stringify({ signInToListMs: signInToList, incidentListInteractiveMs: listInteractive }, null, 2)}\n`,
    );
    await context.close();
  });

  it('says in words what the API refuses, and sends a signed-out visitor to sign in', {
    timeout: 60_000,
  }, async () => {
    const reader = await t.newMember(owner, [4], 'Reader');
    const readerEmail = (
      await t.db.q
        .selectFrom('members')
        .select('email')
        .where('member_id', '=', reader.memberId)
        .executeTakeFirstOrThrow()
    ).email;
    await setPassword(t, readerEmail);
    await pushAlert('CPU hot on web-3');
    const incident = await incidentTitled('CPU hot on web-3');

    const context = await browser!.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    await page.goto(incident.detail_url);
    await signInOnPage(page, readerEmail);
    // Back on the page the link named, after signing in.
    await page.getByRole('heading', { name: 'CPU hot on web-3', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Incidents Manage' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Ask an account admin for access.');
    await page.screenshot({ path: outputPath('console-access-denied.png') });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
    await page.goto(incident.detail_url);
    await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
    await context.close();
  });

  it('invites a member from the Members page, whose link sets a password; they snooze, edit, resolve, reopen', {
    timeout: 60_000,
  }, async () => {
    // The owner invites Nora on the Members page and copies her link.
    const admin = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const adminPage = await admin.newPage();
    await adminPage.goto(`${base}/members`);
    await signInOnPage(adminPage, email);
    await adminPage.getByRole('heading', { name: 'Members', level: 2 }).waitFor();
    const form = adminPage.getByRole('form', { name: 'Invite a member' });
    await form.getByLabel(/^Name/).fill('Nora Newcomer');
    await form.getByLabel(/^E-mail/).fill('nora@example.com');
    await form.getByLabel('Role').click();
    await adminPage.getByRole('option', { name: 'Responder' }).click();
    await form.getByRole('button', { name: 'Invite' }).click();
    const linkField = adminPage.getByRole('textbox', { name: 'Invite link' });
    await linkField.waitFor();
    const inviteUrl = await linkField.inputValue();
    expect(inviteUrl.startsWith(`${base}/invite/`)).toBe(true);
    await adminPage.getByRole('row', { name: /Nora Newcomer/ }).waitFor();
    await adminPage.screenshot({ path: outputPath('console-members-invite.png'), fullPage: true });
    await admin.close();
    await pushAlert('Queue backlog on mq-1');
    const incident = await incidentTitled('Queue backlog on mq-1');

    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(inviteUrl);
    await page.getByRole('heading', { name: 'Welcome to Vigil, Nora Newcomer' }).waitFor();
    await page.getByLabel(/^Password again/).fill('nora long password');
    await page.getByLabel(/^Password$|^Password \*/).fill('nora long password');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.screenshot({ path: outputPath('console-incident-list-phone.png'), fullPage: true });

    await page.goto(incident.detail_url);
    await page.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('menuitem', { name: '30 minutes' }).click();
    await page.getByText(/^Snoozed until/).waitFor();

    // Editing: the API's refusal is shown in its words, then the change lands in the timeline.
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the incident' });
    await edit.getByLabel('Title').fill('ab');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByRole('alert').filter({ hasText: 'parameter title is not valid' }).waitFor();
    await edit.getByLabel('Title').fill('Queue backlog on mq-1: consumers stuck');
    await edit.getByLabel('Severity').click();
    await page.getByRole('option', { name: 'Warning' }).click();
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Queue backlog on mq-1: consumers stuck', level: 2 }).waitFor();
    await page.getByText('Nora Newcomer changed the severity to Warning').waitFor();
    await page.getByText('No change (deploy, configuration) shortly before').waitFor();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page
      .getByRole('dialog', { name: 'Resolve the incident' })
      .getByRole('button', { name: 'Resolve' })
      .click();
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByRole('status').filter({ hasText: 'Incident reopened.' }).waitFor();
    await page.getByText('Nora Newcomer reopened it').waitFor();
    const types = (
      await t.post('/incident/feed', { incident_id: incident.incident_id }, owner.appKey)
    ).body.data.items.map((e: any) => e.type);
    expect(types).toEqual(expect.arrayContaining(['i_snooze', 'i_rslv', 'i_reopen']));
    // The link is spent.
    await page.goto(inviteUrl);
    await page.getByText('This invite link cannot be used').waitFor();
    await context.close();
  });
});

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../web/src/format.ts';
import { testEventBody } from '../../web/src/integrations.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { freePort } from '../harness/ports.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';
import { PASSWORD } from './helpers.ts';

/*
 * The console's account set-up pages in headless Chromium against a Vigil listening on 127.0.0.1:
 * create integrations and connect them with the page's own snippets (the curl command run as is,
 * a real Alertmanager configured with the receiver snippet), teams, the profile's time zone and
 * password, app keys, and editing members. Screenshots go to test-output/console-setup-*.png.
 */

const ALERTMANAGER = 'prometheus-alertmanager';
const alertmanagerInstalled = (() => {
  try {
    execFileSync(ALERTMANAGER, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const WAIT = { timeout: 20_000 };

let t: TestApp;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let owner: TestAccount;
let email: string;
let base: string;
const channelName = 'Production';
let alertmanager: ChildProcess | undefined;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  ({ t, base, owner, email, browser } = await startConsoleRig({ realTime: true }));
  await t.post('/team/upsert', { team_name: 'Ops' }, owner.appKey);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${base}/integrations`);
  await signInOnPage(page, email);
  await page.getByRole('heading', { name: 'Integrations', level: 2 }).waitFor(WAIT);
}, 120_000);

afterAll(async () => {
  alertmanager?.kill('SIGKILL');
  await context?.close();
  await closeBrowser(browser);
  await t?.close();
});

/** Creates an integration through the form on /integrations and waits for its page. */
async function createIntegration(name: string, type: string, channel?: string): Promise<void> {
  await page.goto(`${base}/integrations`);
  const form = page.getByRole('form', { name: 'Create an integration' });
  await form.getByRole('textbox', { name: 'Name' }).fill(name);
  await form.getByLabel('Type', { exact: true }).click();
  await page.getByRole('listbox').getByRole('option', { name: type, exact: true }).click();
  if (channel) {
    await form.getByLabel('Channel', { exact: true }).click();
    await page.getByRole('listbox').getByRole('option', { name: channel, exact: true }).click();
  }
  await form.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor(WAIT);
}

async function codeOf(label: string): Promise<string> {
  return (await page.getByLabel(label, { exact: true }).textContent()) ?? '';
}

const eventsTable = () => page.getByRole('table', { name: 'Recent events' });

async function noOverflowAt390(name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  // Polled: the side bar collapses with a transition after the resize.
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: outputPath(`console-setup-${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('the account set-up pages in headless Chromium', () => {
  it('creates a Prometheus integration whose curl command and Alertmanager snippet deliver events', {
    timeout: 120_000,
  }, async () => {
    await page.getByText('No integrations yet').waitFor(WAIT);
    // The account has no channel yet: one is created from the integration form.
    const form = page.getByRole('form', { name: 'Create an integration' });
    await form.getByText('No channel yet: create one').waitFor(WAIT);
    await form.getByRole('button', { name: 'New channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'New channel' });
    await dialog.getByLabel(/^Channel name/).fill(channelName);
    await dialog.getByLabel(/^Team/).click();
    await page.getByRole('listbox').getByRole('option', { name: 'Ops', exact: true }).click();
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    expect(await form.getByLabel('Channel', { exact: true }).inputValue()).toBe(channelName);
    await createIntegration('Prometheus prod', 'Prometheus Alertmanager', channelName);
    const pushUrl = await page.getByRole('textbox', { name: 'Push URL' }).inputValue();
    expect(pushUrl).toMatch(new RegExp(`^${base}/event/push/alert/prometheus\\?integration_key=\\w+$`));

    const snippet = await codeOf('Alertmanager receiver');
    const snippetUrl = /url: '([^']+)'/.exec(snippet)?.[1];
    expect(snippetUrl).toBe(pushUrl);
    expect(snippet).toContain('send_resolved: true');
    const curl = await codeOf('Test with curl');
    expect(/curl -sS -X POST '([^']+)'/.exec(curl)?.[1]).toBe(pushUrl);
    await page.getByText('Nothing received in the last 30 days').waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-setup-integration-new.png'), fullPage: true });

    // The copied curl command, run by a shell as a person would paste it (asynchronously: the
    // server answering it runs in this process).
    const { stdout: output } = await promisify(execFile)('sh', ['-c', curl], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(JSON.parse(output)).toHaveProperty('data');
    await eventsTable()
      .getByRole('cell', { name: 'VigilTestAlert: A test alert sent with curl' })
      .waitFor(WAIT);

    // Rename, disable (Vigil then refuses pushes) and enable again.
    const settings = page.getByRole('form', { name: 'Rename the integration' });
    await settings.getByRole('textbox', { name: 'Name' }).fill('Prometheus production');
    await settings.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: 'Prometheus production', level: 2 }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor(WAIT);
    const refused = await fetch(pushUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(testEventBody('alert.prometheus')),
    });
    expect(refused.ok).toBe(false);
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('button', { name: 'Disable', exact: true }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-setup-integration.png'), fullPage: true });
    await noOverflowAt390('integration');

    if (!alertmanagerInstalled) return;
    // A real Alertmanager configured with the page's snippet (grouping shortened for the test).
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-console-am-'));
    const config = path.join(dir, 'alertmanager.yml');
    writeFileSync(config, snippet.replace('route:\n', 'route:\n  group_wait: 1s\n  group_interval: 1s\n'));
    const port = await freePort();
    alertmanager = spawn(
      ALERTMANAGER,
      [
        `--config.file=${config}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    const api = `http://127.0.0.1:${port}/api/v2`;
    await waitFor('Alertmanager to answer', async () =>
      (await fetch(`${api}/status`).catch(() => undefined))?.ok ? true : undefined,
    );
    const fire = await fetch(`${api}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'HighCPU', severity: 'critical', instance: 'web-1' },
          annotations: { summary: 'CPU above 90% on web-1' },
        },
      ]),
    });
    expect(fire.ok).toBe(true);
    await eventsTable()
      .getByRole('cell', { name: 'HighCPU: CPU above 90% on web-1' })
      .waitFor({ timeout: 30_000 });
    // And the incident is on the console's list.
    await page.goto(`${base}/incidents`);
    await page.getByRole('link', { name: 'HighCPU: CPU above 90% on web-1' }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-setup-alertmanager-incident.png'), fullPage: true });
  });

  it('pushes to a standard integration, shows times in the zone chosen on the profile, then deletes it', {
    timeout: 90_000,
  }, async () => {
    await createIntegration('Scripts', 'Standard alert', channelName);
    const curl = await codeOf('Test with curl');
    const url = /curl -sS -X POST '([^']+)'/.exec(curl)![1]!;
    expect(url).toMatch(new RegExp(`^${base}/event/push/alert/standard\\?integration_key=\\w+$`));
    expect(await page.getByRole('textbox', { name: 'Push URL' }).inputValue()).toBe(url);
    expect(await page.getByLabel('Alertmanager receiver', { exact: true }).count()).toBe(0);
    const pushed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...(testEventBody('alert.standard') as object),
        title_rule: 'Backup failed on db-1',
      }),
    });
    expect(pushed.status, await pushed.clone().text()).toBe(200);
    const row = eventsTable().getByRole('row', { name: /Backup failed on db-1/ });
    await row.waitFor(WAIT);
    const integrationPath = new URL(page.url()).pathname;

    const events = await t.post('/alert-event/list', { limit: 1 }, owner.appKey);
    const eventMs = events.body.data.items[0].event_time * 1000;
    const locale = (await t.post('/member/info', {}, owner.appKey)).body.data.locale || 'en-US';
    await row.getByText(formatTime(eventMs, 'Asia/Tokyo', locale), { exact: true }).waitFor(WAIT);

    // The profile: the zone becomes New York, and the event's time follows.
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('heading', { name: 'Your profile', level: 2 }).waitFor(WAIT);
    const profile = page.getByRole('form', { name: 'Name, time zone and contact methods' });
    const zone = profile.getByLabel('Time zone', { exact: true });
    expect(await zone.inputValue()).toBe('Asia/Tokyo');
    await zone.fill('America/New_Y');
    await page.getByRole('listbox').getByRole('option', { name: 'America/New_York', exact: true }).click();
    await profile.getByRole('textbox', { name: 'Phone' }).fill('5550100');
    await profile.getByRole('textbox', { name: 'Country code' }).fill('1');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').getByText('Your profile is saved.').waitFor(WAIT);
    await page.getByText('(America/New_York)').waitFor(WAIT);
    const me = (await t.post('/member/info', {}, owner.appKey)).body.data;
    expect(me).toMatchObject({ time_zone: 'America/New_York', phone: '5550100', country_code: '1' });

    // Notification preferences: SMS for Warning incidents off.
    const sms = page.getByRole('checkbox', { name: 'SMS for Warning incidents' });
    expect(await sms.isChecked()).toBe(true);
    await sms.uncheck();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByRole('status').getByText('Your notification preferences are saved.').waitFor(WAIT);
    const preference = (await t.post('/preference/info', {}, owner.appKey)).body.data;
    expect(preference.trigger_notify.warning).toEqual(['email']);
    await page.screenshot({ path: outputPath('console-setup-profile.png'), fullPage: true });
    await noOverflowAt390('profile');

    await page.goto(`${base}${integrationPath}`);
    await row.waitFor(WAIT);
    await row.getByText(formatTime(eventMs, 'America/New_York', locale), { exact: true }).waitFor(WAIT);

    // Delete, after confirming in the dialog.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the integration?' });
    await dialog.getByRole('button', { name: 'Delete Scripts' }).click();
    await page.getByRole('heading', { name: 'Integrations', level: 2 }).waitFor(WAIT);
    await page.getByRole('link', { name: 'Prometheus production' }).waitFor(WAIT);
    expect(await page.getByRole('link', { name: 'Scripts' }).count()).toBe(0);
    const gone = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(gone.ok).toBe(false);
    await page.screenshot({ path: outputPath('console-setup-integrations.png'), fullPage: true });
  });

  it('changes the password on the profile page, keeping this session', { timeout: 60_000 }, async () => {
    await page.goto(`${base}/profile`);
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel(/^Current password/).fill('not the password');
    await form.getByLabel(/^New password/).fill('a new long passphrase');
    await form.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('alert')
      .getByText(/current_password/)
      .waitFor(WAIT);
    await form.getByLabel(/^Current password/).fill(PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('status')
      .getByText(/Your password is changed/)
      .waitFor(WAIT);
    // Still signed in here.
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('heading', { name: 'Teams', level: 2 }).waitFor(WAIT);
    const signIn = await fetch(`${base}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a new long passphrase' }),
    });
    expect(signIn.status).toBe(200);
  });

  it('creates a team with a member, edits it and deletes it', { timeout: 60_000 }, async () => {
    const tess = await t.newMember(owner, [3], 'Tess Teammate');
    const eve = await t.newMember(owner, [3], 'Eve Extra');
    const me = (await t.post('/member/info', {}, owner.appKey)).body.data;
    await page.goto(`${base}/teams`);
    await page.getByRole('heading', { name: 'Teams', level: 2 }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Create a team' }).click();
    let dialog = page.getByRole('dialog', { name: 'Create a team' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Platform');
    // Searchable multi-selects: type, pick, and Tab away (which closes the list).
    await dialog.getByLabel('Members', { exact: true }).fill('Tess');
    await page.getByRole('listbox').getByRole('option', { name: 'Tess Teammate', exact: true }).click();
    await page.keyboard.press('Tab');
    await dialog.getByRole('button', { name: 'Save team' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    const row = page.getByRole('table', { name: 'Teams' }).getByRole('row', { name: /Platform/ });
    // The creator is preselected as a member of the team they create.
    await row.getByRole('cell', { name: /Tess Teammate/ }).waitFor(WAIT);
    const teams = (await t.post('/team/info', { team_name: 'Platform' }, owner.appKey)).body.data;
    expect([...teams.person_ids].sort()).toEqual([me.member_id, tess.memberId].sort());

    await row.getByRole('button', { name: 'Edit Platform' }).click();
    dialog = page.getByRole('dialog', { name: 'Edit the team' });
    await dialog.getByLabel('Members', { exact: true }).fill('Eve');
    await page.getByRole('listbox').getByRole('option', { name: 'Eve Extra', exact: true }).click();
    await page.keyboard.press('Tab');
    await dialog.getByRole('button', { name: 'Save team' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await row.getByRole('cell', { name: /Eve Extra/ }).waitFor(WAIT);
    const edited = (await t.post('/team/info', { team_name: 'Platform' }, owner.appKey)).body.data;
    expect([...edited.person_ids].sort()).toEqual([me.member_id, tess.memberId, eve.memberId].sort());
    await page.screenshot({ path: outputPath('console-setup-teams.png'), fullPage: true });
    await noOverflowAt390('teams');

    await row.getByRole('button', { name: 'Delete Platform' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the team?' })
      .getByRole('button', { name: 'Delete Platform' })
      .click();
    await row.waitFor({ state: 'detached', ...WAIT });
  });

  it('creates an app key shown once, which works until it is deleted', { timeout: 60_000 }, async () => {
    await page.getByRole('link', { name: 'App keys' }).click();
    await page.getByRole('heading', { name: 'App keys', level: 2 }).waitFor(WAIT);
    // By keyboard: the name field, then Enter.
    await page.getByRole('textbox', { name: 'Key name' }).focus();
    await page.keyboard.type('ci-script');
    await page.keyboard.press('Enter');
    const keyField = page.getByRole('textbox', { name: 'New app key' });
    await keyField.waitFor(WAIT);
    const key = await keyField.inputValue();
    const call = () =>
      fetch(`${base}/member/info?app_key=${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await call()).status).toBe(200);
    const row = page.getByRole('table', { name: 'App keys' }).getByRole('row', { name: /ci-script/ });
    await row.waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-setup-app-keys.png'), fullPage: true });
    await noOverflowAt390('app-keys');

    await row.getByRole('button', { name: 'Delete ci-script' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the app key?' })
      .getByRole('button', { name: 'Delete ci-script' })
      .click();
    await row.waitFor({ state: 'detached', ...WAIT });
    expect((await call()).status).toBe(401);
  });

  it('edits a member’s roles and removes a member; lists the roles', { timeout: 60_000 }, async () => {
    const rita = await t.newMember(owner, [3], 'Rita Roles');
    await page.goto(`${base}/members`);
    const row = page.getByRole('table', { name: 'Members' }).getByRole('row', { name: /Rita Roles/ });
    await row.getByRole('button', { name: 'Edit roles of Rita Roles' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roles of Rita Roles' });
    await dialog.getByLabel('Roles', { exact: true }).fill('Adm');
    await page.getByRole('listbox').getByRole('option', { name: 'Admin', exact: true }).click();
    await page.keyboard.press('Tab');
    await dialog.getByRole('button', { name: 'Save roles' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await row.getByRole('cell', { name: /Admin/ }).waitFor(WAIT);
    await noOverflowAt390('members');
    const member = await t.post('/person/infos', { person_ids: [rita.memberId] }, owner.appKey);
    expect(member.status).toBe(200);

    await row.getByRole('button', { name: 'Remove Rita Roles' }).click();
    await page
      .getByRole('dialog', { name: 'Remove the member?' })
      .getByRole('button', { name: 'Remove Rita Roles' })
      .click();
    await row.waitFor({ state: 'detached', ...WAIT });
    const after = await t.post('/member/list', { limit: 100 }, owner.appKey);
    expect(after.body.data.items.map((m: { member_id: number }) => m.member_id)).not.toContain(rita.memberId);

    await page.getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Responder', level: 3 }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-setup-roles.png'), fullPage: true });
  });
});

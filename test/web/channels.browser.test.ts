import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { newIntegration } from '../ingest/helpers.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';
import { setPassword } from './helpers.ts';

/*
 * The channel configuration pages in headless Chromium against a Vigil listening on 127.0.0.1:
 * create a channel, group it by a label, add a silence rule and a drop rule with conditions, edit a
 * shared integration's route — then read back through the API exactly what was stored.
 */

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let email: string;
let base: string;
let teamId: number;
let fallbackId: number;
let integrationId: number;
let secondId: number;

beforeAll(async () => {
  ({ t, base, owner, email, browser } = await startConsoleRig());
  const team = await t.post('/team/upsert', { team_name: 'Platform' }, owner.appKey);
  teamId = team.body.data.team_id;
  const fallback = await t.post(
    '/channel/create',
    { team_id: teamId, channel_name: 'Fallback' },
    owner.appKey,
  );
  fallbackId = fallback.body.data.channel_id;
  ({ integrationId } = await newIntegration(t, owner, 'alert.standard'));
  const second = await t.post(
    '/datasource/upsert',
    { name: 'zz-prometheus', plugin_type: 'alert.prometheus' },
    owner.appKey,
  );
  secondId = second.body.data.integration_id;
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
});

const WAIT = { timeout: 20_000 };

async function signIn(page: Page, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await signInOnPage(page, email);
}

async function channelNamed(name: string) {
  const list = await t.post('/channel/list', { channel_name: name }, owner.appKey);
  expect(list.body.data.items).toHaveLength(1);
  return list.body.data.items[0];
}

describe('the channel pages in headless Chromium', () => {
  it('creates a channel grouped by a label, adds silence and drop rules, and edits a route', {
    timeout: 180_000,
  }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, '/channels');
    await page.getByRole('heading', { name: 'Channels', level: 2 }).waitFor(WAIT);
    await page.getByRole('link', { name: 'Fallback', exact: true }).waitFor(WAIT);

    // Create: name, team, description; the new channel's page opens.
    const create = page.getByRole('form', { name: 'New channel' });
    // A taken name: the API's refusal is shown, naming the field.
    await create.getByLabel(/^Name/).fill('Fallback');
    await create.getByLabel(/^Team/).click();
    await page.getByRole('listbox').getByRole('option', { name: 'Platform', exact: true }).click();
    await create.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('alert').filter({ hasText: 'channel_name' }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-channels-list.png'), fullPage: true });
    await create.getByLabel(/^Name/).fill('Payments');
    await create.getByLabel('Description').fill('Card and payout services');
    await create.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('heading', { name: 'Payments', level: 2 }).waitFor(WAIT);
    const channel = await channelNamed('Payments');
    expect(channel).toMatchObject({ team_id: teamId, description: 'Card and payout services' });
    const channelId = channel.channel_id as number;
    expect(page.url()).toBe(`${base}/channels/${channelId}`);
    expect(await page.getByRole('link', { name: 'Escalation rules' }).getAttribute('href')).toBe(
      `/escalation-rules?channel_id=${channelId}`,
    );

    // Grouping by a label: a key the API does not know is named before anything is sent.
    const settings = page.getByRole('form', { name: 'Channel settings' });
    await settings.getByRole('radio', { name: /^By dimensions/ }).check();
    await settings.getByLabel('Group by', { exact: true }).fill('host');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByRole('alert').filter({ hasText: '"host" is not a key' }).waitFor(WAIT);
    await settings.getByLabel('Group by', { exact: true }).fill('labels.service');
    // A case: critical alerts group by host instead.
    await settings.getByRole('button', { name: 'Add case', exact: true }).click();
    await settings.getByLabel('Case 1: condition 1 key', { exact: true }).fill('severity');
    await settings.getByLabel('Case 1: condition 1 values', { exact: true }).fill('Critical');
    await settings.getByLabel('Case 1: group by', { exact: true }).fill('labels.host');
    await settings.getByLabel('Time window (minutes)').fill('30');
    await settings.getByRole('radio', { name: /^Sliding/ }).check();
    await settings.getByRole('radio', { name: 'Mark the incident as flapping', exact: true }).check();
    await settings.getByLabel('Auto-resolve after (minutes)').fill('120');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor(WAIT);
    const saved = (await t.post('/channel/info', { channel_id: channelId }, owner.appKey)).body.data;
    expect(saved.group).toMatchObject({
      method: 'p',
      equals: [['labels.service']],
      cases: [{ if: [{ key: 'severity', oper: 'IN', vals: ['Critical'] }], equals: ['labels.host'] }],
      time_window: 30,
      window_type: 'sliding',
      all_equals_required: false,
    });
    expect(saved.flapping).toEqual({ is_disabled: false, max_changes: 4, in_mins: 60, mute_mins: 0 });
    expect(saved.auto_resolve_timeout).toBe(7200);
    await page.screenshot({ path: outputPath('console-channels-settings.png'), fullPage: true });

    // Tabs by keyboard: the arrow key moves from Settings to Silence rules.
    await page.getByRole('tab', { name: 'Settings', exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.getByText('No silence rules.', { exact: false }).waitFor(WAIT);

    // A one-off silence rule with two conditions, typed in Tokyo time.
    await page.getByRole('button', { name: 'New silence rule', exact: true }).click();
    const silence = page.getByRole('dialog', { name: 'New silence rule' });
    await silence.getByLabel(/^Name/).fill('Staging maintenance');
    await silence.getByLabel('Matching alerts: condition 1 key', { exact: true }).fill('labels.env');
    await silence.getByLabel('Matching alerts: condition 1 values', { exact: true }).fill('staging\nqa-*');
    await silence.getByRole('button', { name: 'Add a condition to matching alerts', exact: true }).click();
    await silence.getByLabel('Matching alerts: condition 2 key', { exact: true }).fill('severity');
    await silence
      .getByLabel('Matching alerts: condition 2 operator', { exact: true })
      .selectOption({ label: 'is none of' });
    await silence.getByLabel('Matching alerts: condition 2 values', { exact: true }).fill('Info');
    await silence.getByLabel('Silence from', { exact: true }).fill('2026-12-01T22:00');
    await silence.getByLabel('Silence until', { exact: true }).fill('2026-12-02T02:00');
    await page.screenshot({ path: outputPath('console-channels-silence-rule.png'), fullPage: true });
    await silence.getByRole('button', { name: 'Save rule' }).click();
    await silence.waitFor({ state: 'hidden', ...WAIT });
    const silenceRows = page.getByRole('table', { name: 'Silence rules' });
    await silenceRows.getByRole('row', { name: /Staging maintenance/ }).waitFor(WAIT);
    const silenceRules = (await t.post('/channel/silence/rule/list', { channel_id: channelId }, owner.appKey))
      .body.data.items;
    expect(silenceRules).toHaveLength(1);
    expect(silenceRules[0]).toMatchObject({
      rule_name: 'Staging maintenance',
      status: 'enabled',
      is_directly_discard: false,
      filters: [
        [
          { key: 'labels.env', oper: 'IN', vals: ['staging', 'qa-*'] },
          { key: 'severity', oper: 'NOTIN', vals: ['Info'] },
        ],
      ],
      // 22:00 in Tokyo is 13:00 UTC.
      time_filter: {
        start_time: Date.UTC(2026, 11, 1, 13) / 1000,
        end_time: Date.UTC(2026, 11, 1, 17) / 1000,
      },
      time_filters: [],
    });
    // Disabled from the list.
    await silenceRows.getByRole('switch', { name: 'Enabled: Staging maintenance', exact: true }).click();
    await expect
      .poll(
        async () =>
          (await t.post('/channel/silence/rule/list', { channel_id: channelId }, owner.appKey)).body.data
            .items[0].status,
        WAIT,
      )
      .toBe('disabled');

    // Edited into a weekly window, Fridays 22:00–06:00 in the account's zone, now dropping.
    await silenceRows.getByRole('button', { name: 'Edit Staging maintenance', exact: true }).click();
    const editSilence = page.getByRole('dialog', { name: 'Edit the silence rule' });
    await editSilence.getByRole('radio', { name: 'Every week', exact: true }).check();
    const days = editSilence.getByRole('group', { name: 'Window 1 days', exact: true });
    await days.getByText('Fri', { exact: true }).click();
    expect(await days.getByRole('checkbox', { name: 'Fri', exact: true }).isChecked()).toBe(true);
    await editSilence.getByRole('checkbox', { name: /^Drop matching alerts/ }).check();
    await editSilence.getByRole('button', { name: 'Save rule' }).click();
    await editSilence.waitFor({ state: 'hidden', ...WAIT });
    await silenceRows.getByText('Fri 22:00–06:00', { exact: true }).waitFor(WAIT);
    const edited = (await t.post('/channel/silence/rule/list', { channel_id: channelId }, owner.appKey)).body
      .data.items[0];
    expect(edited).toMatchObject({
      rule_name: 'Staging maintenance',
      status: 'disabled',
      is_directly_discard: true,
      time_filters: [{ start: '22:00', end: '06:00', repeat: [5] }],
      filters: silenceRules[0].filters,
    });

    // An inhibit rule, created and then deleted through the confirmation.
    await page.getByRole('tab', { name: 'Inhibit rules', exact: true }).click();
    await page.getByText('No inhibit rules.', { exact: false }).waitFor(WAIT);
    await page.getByRole('button', { name: 'New inhibit rule', exact: true }).click();
    const inhibit = page.getByRole('dialog', { name: 'New inhibit rule' });
    await inhibit.getByLabel(/^Name/).fill('Switch down');
    await inhibit.getByLabel('Source alerts: condition 1 key', { exact: true }).fill('title');
    await inhibit.getByLabel('Source alerts: condition 1 values', { exact: true }).fill('/switch .* down/');
    await inhibit.getByLabel('Target alerts: condition 1 key', { exact: true }).fill('labels.rack');
    await inhibit.getByLabel('Target alerts: condition 1 values', { exact: true }).fill('*');
    await inhibit.getByLabel(/^Equal keys/).fill('labels.rack');
    await inhibit.getByRole('button', { name: 'Save rule' }).click();
    await inhibit.waitFor({ state: 'hidden', ...WAIT });
    const inhibitRows = page.getByRole('table', { name: 'Inhibit rules' });
    await inhibitRows.getByRole('row', { name: /Switch down/ }).waitFor(WAIT);
    const inhibitRules = (await t.post('/channel/inhibit/rule/list', { channel_id: channelId }, owner.appKey))
      .body.data.items;
    expect(inhibitRules).toHaveLength(1);
    expect(inhibitRules[0]).toMatchObject({
      source_filters: [[{ key: 'title', oper: 'IN', vals: ['/switch .* down/'] }]],
      target_filters: [[{ key: 'labels.rack', oper: 'IN', vals: ['*'] }]],
      equals: ['labels.rack'],
      is_directly_discard: false,
    });
    await inhibitRows.getByRole('button', { name: 'Delete Switch down', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Delete the inhibit rule?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('No inhibit rules.', { exact: false }).waitFor(WAIT);
    expect(
      (await t.post('/channel/inhibit/rule/list', { channel_id: channelId }, owner.appKey)).body.data.items,
    ).toEqual([]);

    // A drop rule: the API's refusal (lookahead, which RE2 lacks) is shown naming the field, then fixed.
    await page.getByRole('tab', { name: 'Drop rules', exact: true }).click();
    await page.getByText('No drop rules.', { exact: false }).waitFor(WAIT);
    await page.getByRole('button', { name: 'New drop rule', exact: true }).click();
    const drop = page.getByRole('dialog', { name: 'New drop rule' });
    await drop.getByLabel(/^Name/).fill('Synthetic checks');
    await drop.getByLabel('Matching alerts: condition 1 key', { exact: true }).fill('title');
    await drop.getByLabel('Matching alerts: condition 1 values', { exact: true }).fill('/(?=synthetic)/');
    await drop.getByRole('button', { name: 'Save rule' }).click();
    await drop.getByRole('alert').filter({ hasText: 'filters[0][0].vals[0]' }).waitFor(WAIT);
    await drop
      .getByLabel('Matching alerts: condition 1 values', { exact: true })
      .fill('/(?i)synthetic/\nprobe-*');
    await drop.getByRole('button', { name: 'Add an OR group to matching alerts', exact: true }).click();
    await drop.getByLabel('Matching alerts group 2: condition 1 key', { exact: true }).fill('labels.ip');
    await drop
      .getByLabel('Matching alerts group 2: condition 1 values', { exact: true })
      .fill('cidr:10.9.0.0/16');
    await drop.getByRole('button', { name: 'Save rule' }).click();
    await drop.waitFor({ state: 'hidden', ...WAIT });
    await page
      .getByRole('table', { name: 'Drop rules' })
      .getByRole('row', { name: /Synthetic checks/ })
      .waitFor(WAIT);
    const dropRules = (
      await t.post('/channel/unsubscribe/rule/list', { channel_id: channelId }, owner.appKey)
    ).body.data.items;
    expect(dropRules).toHaveLength(1);
    expect(dropRules[0]).toMatchObject({
      rule_name: 'Synthetic checks',
      status: 'enabled',
      filters: [
        [{ key: 'title', oper: 'IN', vals: ['/(?i)synthetic/', 'probe-*'] }],
        [{ key: 'labels.ip', oper: 'IN', vals: ['cidr:10.9.0.0/16'] }],
      ],
    });
    await page.screenshot({ path: outputPath('console-channels-drop-rules.png'), fullPage: true });

    // At phone width the channel page fits the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('tab', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Save settings' }).waitFor(WAIT);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: outputPath('console-channels-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Routes: the shared integration has none yet; one case for payments, Fallback by default.
    await page.getByRole('link', { name: 'Routes', exact: true }).click();
    await page.getByRole('heading', { name: 'Routes', level: 2 }).waitFor(WAIT);
    await page.getByText('This integration has no route yet', { exact: false }).waitFor(WAIT);
    const route = page.getByRole('form', { name: 'Route' });
    await route.getByRole('button', { name: 'Add case', exact: true }).click();
    await route.getByRole('button', { name: 'Add a condition to case 1', exact: true }).click();
    await route.getByLabel('Case 1: condition 1 key', { exact: true }).fill('labels.service');
    await route.getByLabel('Case 1: condition 1 values', { exact: true }).fill('payments\npayouts');
    await route.getByLabel('Case 1 channels', { exact: true }).click();
    await page.getByRole('listbox').getByRole('option', { name: 'Payments', exact: true }).click();
    await page.keyboard.press('Escape');
    await route.getByLabel(/^Default channels/).click();
    await page.getByRole('listbox').getByRole('option', { name: 'Fallback', exact: true }).click();
    await page.keyboard.press('Escape');
    await route.getByRole('button', { name: 'Save route', exact: true }).click();
    await route.getByRole('status').filter({ hasText: 'Route saved.' }).waitFor(WAIT);
    const stored = (await t.post('/route/info', { integration_id: integrationId }, owner.appKey)).body.data;
    expect(stored).toMatchObject({
      version: 1,
      cases: [
        {
          if: [{ key: 'labels.service', oper: 'IN', vals: ['payments', 'payouts'] }],
          channel_ids: [channelId],
          fallthrough: false,
          routing_mode: 'standard',
          name_mapping_label: '',
        },
      ],
      default: { channel_ids: [fallbackId] },
    });
    await page.screenshot({ path: outputPath('console-channels-routes.png'), fullPage: true });

    // A second case, moved above the first and saved: the order is what is stored.
    await route.getByRole('button', { name: 'Add case', exact: true }).click();
    await route.getByLabel('Case 2: send to', { exact: true }).selectOption('name_mapping');
    await route.getByLabel('Case 2 label', { exact: true }).fill('team');
    await route.getByRole('button', { name: 'Move case 2 up', exact: true }).click();
    await route.getByRole('button', { name: 'Save route', exact: true }).click();
    await expect
      .poll(
        async () =>
          (await t.post('/route/info', { integration_id: integrationId }, owner.appKey)).body.data.version,
        WAIT,
      )
      .toBe(2);
    const reordered = (await t.post('/route/info', { integration_id: integrationId }, owner.appKey)).body
      .data;
    expect(reordered.cases.map((c: any) => c.routing_mode)).toEqual(['name_mapping', 'standard']);
    expect(reordered.cases[0]).toMatchObject({ if: [], channel_ids: [], name_mapping_label: 'team' });

    await page.setViewportSize({ width: 390, height: 844 });
    await route.getByRole('button', { name: 'Save route', exact: true }).waitFor(WAIT);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: outputPath('console-channels-routes-phone.png'), fullPage: true });
    // A link can name the integration: the other one, which has no route yet.
    await page.goto(`${base}/routes?integration_id=${secondId}`);
    await page.getByText('This integration has no route yet', { exact: false }).waitFor(WAIT);
    expect(await page.getByLabel('Integration', { exact: true }).inputValue()).toBe(String(secondId));

    await context.close();
  });

  it('tells a read-only member in words that changing a channel needs Channels Manage', {
    timeout: 60_000,
  }, async () => {
    const reader = await t.newMember(owner, [4], 'Reader');
    const readerEmail = await t.db.q
      .selectFrom('members')
      .select('email')
      .where('member_id', '=', reader.memberId)
      .executeTakeFirstOrThrow();
    await setPassword(t, readerEmail.email);
    const context = await browser!.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/channels/${fallbackId}`);
    await signInOnPage(page, readerEmail.email);
    await page.getByRole('heading', { name: 'Fallback', level: 2 }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Save settings' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Channels Manage' });
    await refusal.waitFor(WAIT);
    expect(await refusal.textContent()).toContain('Ask an account admin for access.');
    await context.close();
  });
});

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../web/src/format.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';

/*
 * The escalation-rule and template pages in headless Chromium against a Vigil on 127.0.0.1: create
 * a two-layer rule with a time window and a filter through the editor, check what the API stored,
 * reopen and edit it, then edit a template and watch the server-rendered preview follow.
 * Screenshots: test-output/console-escalation-*.png.
 */

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let second: TestAccount;
let email: string;
let base: string;
let channelId: number;
let teamId: number;
let templateId: string;
let scheduleId: number;

const WAIT = { timeout: 20_000 };

async function api(path: string, body: unknown): Promise<any> {
  const res = await t.post(path, body, owner.appKey);
  expect(res.body.error, JSON.stringify(res.body)).toBeUndefined();
  return res.body.data;
}

beforeAll(async () => {
  ({ t, base, owner, email, browser } = await startConsoleRig({ realTime: true }));
  second = await t.newMember(owner, [3], 'Bea Second');
  teamId = (await api('/team/upsert', { team_name: 'Night crew', person_ids: [second.memberId] })).team_id;
  channelId = (await api('/channel/create', { channel_name: 'Payments', team_id: teamId })).channel_id;
  templateId = (await api('/template/create', { template_name: 'Ops template', sms: 'SMS: {{.Title}}' }))
    .template_id;
  // A rota of Backups only: a layer that pages its Primary reaches nobody, which the heads-up says.
  const now = Math.floor(Date.now() / 60_000) * 60;
  scheduleId = (
    await api('/schedule/create', {
      schedule_name: 'Payments rota',
      time_zone: 'UTC',
      layers: [
        {
          layer_name: 'main',
          mode: 0,
          groups: [{ group_name: 'A', members: [{ role_id: 1, person_ids: [second.memberId] }] }],
          rotation_unit: 'day',
          rotation_value: 1,
          layer_start: now - 86_400,
          restrict_mode: 0,
          fair_rotation: false,
          mask_continuous_enabled: false,
        },
      ],
    })
  ).schedule_id;
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
});

/** Picks `option` in the MultiSelect labelled `label` inside `scope`, then closes its list. */
async function pick(page: Page, scope: Locator, label: string, option: string): Promise<void> {
  await scope.getByLabel(label, { exact: true }).fill(option);
  await page.getByRole('listbox').getByRole('option', { name: option, exact: true }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('listbox').waitFor({ state: 'hidden' });
}

describe('escalation rules and templates in the console', () => {
  it('creates a two-layer rule through the editor, stores exactly it, and edits it', {
    timeout: 180_000,
  }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/escalation-rules?channel_id=${channelId}`);
    await signInOnPage(page, email);

    // The channel's default rule (from /channel/create) is not there: the empty state says what to do.
    await page.getByRole('heading', { name: 'Escalation rules', level: 2 }).waitFor(WAIT);
    await page.getByText('notify nobody yet', { exact: false }).waitFor(WAIT);
    await page.getByRole('link', { name: 'New rule', exact: true }).click();
    await page.getByRole('heading', { name: 'New escalation rule' }).waitFor(WAIT);

    const form = page.getByRole('form', { name: 'Escalation rule' });
    await form.getByLabel('Persons', { exact: true }).waitFor(WAIT);
    // Saving an empty rule names the fields instead of calling the API.
    await form.getByRole('button', { name: 'Create rule', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'rule_name' }).waitFor();
    await form.getByText('Name somebody: a person, a team, a schedule or an e-mail.').waitFor();

    await form.getByRole('textbox', { name: /^Name/ }).fill('Business hours');
    await form.getByLabel('Description', { exact: true }).fill('Payments on weekdays');
    await form.getByLabel('Template', { exact: true }).selectOption({ label: 'Ops template' });

    const layer1 = form.getByRole('group', { name: 'Layer 1', exact: true });
    await pick(page, layer1, 'Persons', 'Bea Second');
    await layer1.getByLabel('Repeat times', { exact: true }).fill('2');
    await layer1.getByLabel('Minutes before escalating', { exact: true }).fill('15');

    await form.getByRole('button', { name: 'Add a layer', exact: true }).click();
    const layer2 = form.getByRole('group', { name: 'Layer 2', exact: true });
    await pick(page, layer2, 'Teams', 'Night crew');
    await layer2
      .getByLabel('Through', { exact: true })
      .selectOption({ label: 'these channels, by severity' });
    await pick(page, layer2, 'Critical incidents', 'Voice call');
    await pick(page, layer2, 'Critical incidents', 'SMS');
    await pick(page, layer2, 'Warning incidents', 'E-mail');

    await form.getByRole('button', { name: 'Add a time window', exact: true }).click();
    const window1 = form.getByRole('group', { name: 'Time window 1', exact: true });
    await window1.getByLabel('Until', { exact: true }).fill('17:30');

    await form.getByRole('button', { name: 'Add a condition', exact: true }).click();
    await form.getByLabel('Values of condition 1.1', { exact: true }).fill('Critical, Warning');
    await page.screenshot({ path: outputPath('console-escalation-new.png'), fullPage: true });
    await form.getByRole('button', { name: 'Create rule', exact: true }).click();

    // Saved: the address becomes the rule's, with the heads-up check next to it.
    await page.getByRole('heading', { name: 'Business hours', level: 2 }).waitFor(WAIT);
    await page.waitForURL(/\/escalation-rules\/[0-9a-f]{24}\?channel_id=/, WAIT);
    const ruleId = /escalation-rules\/([0-9a-f]{24})/.exec(page.url())![1]!;
    await page.getByText('Heads-up', { exact: false }).first().waitFor(WAIT);

    const rules = (await api('/channel/escalate/rule/list', { channel_id: channelId })).items;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      rule_id: ruleId,
      rule_name: 'Business hours',
      description: 'Payments on weekdays',
      template_id: templateId,
      status: 'enabled',
      priority: 0,
      aggr_window: 0,
      time_filters: [{ start: '09:00', end: '17:30', repeat: [1, 2, 3, 4, 5], cal_id: '', is_off: false }],
      filters: [[{ key: 'severity', oper: 'IN', vals: ['Critical', 'Warning'] }]],
    });
    expect(rules[0].layers).toEqual([
      {
        max_times: 2,
        notify_step: 10,
        escalate_window: 15,
        force_escalate: false,
        target: {
          person_ids: [second.memberId],
          team_ids: [],
          schedule_to_role_ids: {},
          emails: [],
          by: { follow_preference: true, critical: [], warning: [], info: [] },
        },
      },
      {
        max_times: 1,
        notify_step: 10,
        escalate_window: 30,
        force_escalate: false,
        target: {
          person_ids: [],
          team_ids: [teamId],
          schedule_to_role_ids: {},
          emails: [],
          by: { follow_preference: false, critical: ['voice', 'sms'], warning: ['email'], info: [] },
        },
      },
    ]);
    await page.screenshot({ path: outputPath('console-escalation-rule.png'), fullPage: true });

    // Reopen it from the list and edit: a new name, layer 1 repeats less, disabled.
    await page.goto(`${base}/escalation-rules?channel_id=${channelId}`);
    await page
      .getByRole('table', { name: 'Escalation rules' })
      .getByRole('link', { name: 'Business hours', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Business hours', level: 2 }).waitFor(WAIT);
    const edit = page.getByRole('form', { name: 'Escalation rule' });
    await expect
      .poll(() => edit.getByRole('textbox', { name: /^Name/ }).inputValue(), WAIT)
      .toBe('Business hours');
    await edit.getByRole('textbox', { name: /^Name/ }).fill('Business hours EU');
    await edit
      .getByRole('group', { name: 'Layer 1', exact: true })
      .getByLabel('Repeat times', { exact: true })
      .fill('0');
    const editLayer2 = edit.getByRole('group', { name: 'Layer 2', exact: true });
    await editLayer2.getByRole('button', { name: 'Add a schedule', exact: true }).click();
    await editLayer2.getByLabel('Schedule 1', { exact: true }).selectOption({ label: 'Payments rota' });
    await editLayer2.getByRole('checkbox', { name: 'Primary', exact: true }).check();
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor(WAIT);
    // The heads-up names the gap in words.
    // The test clock stands still, so the checked week starts now, shown in Tokyo time.
    const from = formatTime(t.clock.nowMs(), 'Asia/Tokyo');
    await page
      .getByText(`Layer 2: Nobody is on call in schedule Payments rota from ${from} to `, { exact: false })
      .waitFor(WAIT);
    let info = await api('/channel/escalate/rule/info', { channel_id: channelId, rule_id: ruleId });
    expect(info).toMatchObject({ rule_name: 'Business hours EU', status: 'enabled' });
    expect(info.layers[0].max_times).toBe(0);
    expect(info.layers[1].target).toMatchObject({
      team_ids: [teamId],
      schedule_to_role_ids: { [String(scheduleId)]: [0] },
    });
    expect(info.time_filters).toEqual(rules[0].time_filters);
    await page.screenshot({ path: outputPath('console-escalation-heads-up.png') });

    await edit.getByLabel('Enabled', { exact: true }).uncheck();
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('The rule is disabled, so it takes no incident', { exact: false }).waitFor(WAIT);
    info = await api('/channel/escalate/rule/info', { channel_id: channelId, rule_id: ruleId });
    expect(info.status).toBe('disabled');

    // An API refusal is shown in the API's words, naming the field.
    await edit
      .getByRole('group', { name: 'Layer 1', exact: true })
      .getByLabel('E-mail addresses', { exact: true })
      .fill('not-an-address');
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'layers[0].target.emails' }).waitFor(WAIT);

    // At phone width the editor fits the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await edit.getByRole('button', { name: 'Save', exact: true }).waitFor();
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: outputPath('console-escalation-rule-phone.png'), fullPage: true });
    await context.close();
  });

  it('reorders rules by priority and deletes one', { timeout: 120_000 }, async () => {
    const channelId = (await api('/channel/create', { channel_name: 'Checkout', team_id: teamId }))
      .channel_id;
    const rule = (name: string, priority: number) => ({
      channel_id: channelId,
      rule_name: name,
      priority,
      template_id: templateId,
      layers: [{ target: { person_ids: [owner.memberId], by: { follow_preference: true } } }],
    });
    await api('/channel/escalate/rule/create', rule('First', 1));
    await api('/channel/escalate/rule/create', rule('Second', 1));
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/escalation-rules?channel_id=${channelId}`);
    await signInOnPage(page, email);
    const table = page.getByRole('table', { name: 'Escalation rules' });
    await table.getByRole('link', { name: 'Second', exact: true }).waitFor(WAIT);
    // By keyboard: the ↑ button is a native button.
    await table.getByRole('button', { name: 'Move Second up', exact: true }).focus();
    await page.keyboard.press('Enter');
    const names = async () =>
      (await api('/channel/escalate/rule/list', { channel_id: channelId })).items.map(
        (r: any) => r.rule_name,
      );
    await expect.poll(names, WAIT).toEqual(['Second', 'First']);
    await table.getByRole('button', { name: 'Move Second up', exact: true }).waitFor(WAIT);
    await expect.poll(() => table.getByRole('link').allTextContents(), WAIT).toEqual(['Second', 'First']);
    await page.screenshot({ path: outputPath('console-escalation-list.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await table.getByRole('link', { name: 'First', exact: true }).waitFor();
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: outputPath('console-escalation-list-phone.png'), fullPage: true });

    await table.getByRole('link', { name: 'First', exact: true }).click();
    await page.getByRole('heading', { name: 'First', level: 2 }).waitFor(WAIT);
    await page
      .getByRole('form', { name: 'Escalation rule' })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Delete this rule?' });
    await dialog.getByRole('button', { name: 'Delete the rule', exact: true }).click();
    await table.getByRole('link', { name: 'Second', exact: true }).waitFor(WAIT);
    await expect.poll(names, WAIT).toEqual(['Second']);
    await table.getByRole('link', { name: 'First', exact: true }).waitFor({ state: 'detached' });
    await context.close();
  });

  it('edits a template with a live preview rendered by the server', { timeout: 120_000 }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/templates`);
    await signInOnPage(page, email);
    await page
      .getByRole('table', { name: 'Templates' })
      .getByRole('link', { name: 'Ops template', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Ops template', level: 2 }).waitFor(WAIT);

    const form = page.getByRole('form', { name: 'Template' });
    await form.getByLabel('Channel kind', { exact: true }).selectOption('sms');
    const preview = page.getByRole('region', { name: 'Preview with a sample incident' });
    await preview.getByText('SMS: CPU usage above 90% on web-1', { exact: true }).waitFor(WAIT);

    const body = form.getByLabel('SMS body', { exact: true });
    await body.fill('Paged: {{.Title}} ({{.IncidentSeverity}})');
    await preview.getByText('Paged: CPU usage above 90% on web-1', { exact: false }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-escalation-template.png'), fullPage: true });

    // A body that does not parse: the preview says why, and saving is refused naming the field.
    await body.fill('Paged: {{.Title');
    await preview.getByRole('alert').waitFor(WAIT);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'sms' }).filter({ hasText: 'not valid' }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-escalation-template-error.png'), fullPage: true });

    await body.fill('Paged: {{.Title}}');
    await preview.getByText('Paged: CPU usage above 90% on web-1', { exact: true }).waitFor(WAIT);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor(WAIT);
    const stored = await api('/template/info', { template_id: templateId });
    expect(stored.sms).toBe('Paged: {{.Title}}');

    // An empty kind previews the default template's body.
    await form.getByLabel('Channel kind', { exact: true }).selectOption('email');
    await preview.getByText("default template's body", { exact: false }).waitFor(WAIT);

    await page.setViewportSize({ width: 390, height: 844 });
    await form.getByRole('button', { name: 'Save', exact: true }).waitFor();
    await expectNoSidewaysScroll(page);
    await context.close();
  });
});

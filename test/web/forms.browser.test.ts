import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser } from '../harness/browser.ts';
import { newSource, push } from '../incidents/read-helpers.ts';
import { signInOnPage, startConsoleRig } from './console-rig.ts';

/*
 * Issue 23, defects 9 and 10: forms say what is wrong beside the field, in words, with the
 * server's own limits; the Owner's name, a team's creator, focus after a dialog.
 */

const WAIT = { timeout: 20_000 };

let t: TestApp;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let owner: TestAccount;
let base: string;

beforeAll(async () => {
  let email: string;
  ({ t, base, owner, email, browser } = await startConsoleRig({ realTime: true }));
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${base}/members`);
  await signInOnPage(page, email);
  await page.getByRole('heading', { name: 'Members', level: 2 }).waitFor(WAIT);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await closeBrowser(browser);
  await t?.close();
});

/** The message Mantine shows under an input, tied to it by aria-describedby. */
async function messageOf(input: ReturnType<Page['getByRole']>): Promise<string> {
  await expect.poll(() => input.getAttribute('aria-invalid'), WAIT).toBe('true');
  const ids = (await input.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(
    ids
      .split(' ')
      .filter(Boolean)
      .map((id) => page.locator(`[id="${id}"]`).textContent()),
  );
  return texts.join(' ');
}

describe('field-level messages (defect 9)', () => {
  it('a too-long member name is flagged beside the field, with the server limit, before and after submit', async () => {
    await page.goto(`${base}/members`);
    const form = page.getByRole('form', { name: 'Invite a member' });
    const name = form.getByRole('textbox', { name: 'Name' });
    await name.waitFor(WAIT);
    // Nothing is cut: all 45 characters stay, and the limit (39, from the server's schema) is named.
    await name.fill('N'.repeat(45));
    expect(await name.inputValue()).toHaveLength(45);
    expect(await messageOf(name)).toBe('Use at most 39 characters (45 now).');
    await form.getByRole('textbox', { name: 'E-mail' }).fill('long@example.com');
    await form.getByRole('button', { name: 'Invite' }).click();
    // The server refuses it too, and its word goes beside the field, not into a banner.
    await expect.poll(() => messageOf(name), WAIT).toBe('Use at most 39 characters.');
    expect(await page.getByRole('alert').filter({ hasText: 'must NOT' }).count()).toBe(0);
    await name.fill('Nadia');
    await expect.poll(() => name.getAttribute('aria-invalid'), WAIT).not.toBe('true');
  });

  it('a member name the server refuses for length below its minimum says so in words', async () => {
    await page.goto(`${base}/members`);
    const form = page.getByRole('form', { name: 'Invite a member' });
    const name = form.getByRole('textbox', { name: 'Name' });
    await name.fill('N');
    expect(await messageOf(name)).toBe('Use at least 2 characters.');
  });

  it('a bad integration name is explained beside the field', async () => {
    await page.goto(`${base}/integrations`);
    const form = page.getByRole('form', { name: 'Create an integration' });
    const name = form.getByRole('textbox', { name: 'Name' });
    await name.waitFor(WAIT);
    await name.fill('I'.repeat(40));
    expect(await messageOf(name)).toBe('Use at most 39 characters (40 now).');
    // Only spaces: the browser lets it through; the server refuses the trimmed name, and says why beside the field.
    await name.fill('   ');
    await form.getByRole('button', { name: /Create/ }).click();
    expect(await messageOf(name)).toBe('This cannot be empty.');
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('the API envelope carries the field and the sentence next to Flashduty code and message', async () => {
    const res = await t.post(
      '/member/invite',
      { members: [{ member_name: 'x'.repeat(40), email: 'x@example.com' }] },
      owner.appKey,
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'InvalidParameter',
      message: expect.stringContaining('members[0].member_name'),
      fields: [{ field: 'members[0].member_name', message: 'Use at most 39 characters.' }],
    });
  });
});

describe('polish (defect 10)', () => {
  it("a team's creator is in it unless they take themselves out", async () => {
    await page.goto(`${base}/teams`);
    await page.getByRole('button', { name: 'Create a team' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a team' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Payments');
    await dialog.getByRole('button', { name: 'Save team' }).click();
    await page.getByRole('table', { name: 'Teams' }).getByText('Payments').waitFor(WAIT);
    const teams = await t.post('/team/list', { limit: 100 }, owner.appKey);
    const team = teams.body.data.items.find((x: { team_name: string }) => x.team_name === 'Payments');
    expect(team.person_ids).toEqual([owner.memberId]);
  });

  it('focus goes back to the button that opened a dialog when it closes', async () => {
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source, { title_rule: 'Disk full', event_status: 'Critical' });
    await page.goto(`${base}/incident/detail/${incidentId}`);
    const reassign = page.getByRole('button', { name: 'Reassign' });
    await reassign.waitFor(WAIT);
    await reassign.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await expect
      .poll(() => page.evaluate('document.activeElement?.textContent?.trim()'), WAIT)
      .toBe('Reassign');
    // Escape closes it too, and focus still comes back.
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor(WAIT);
    await page.keyboard.press('Escape');
    await expect
      .poll(() => page.evaluate('document.activeElement?.textContent?.trim()'), WAIT)
      .toBe('Reassign');
  });
});

describe('incident list (gaps)', () => {
  it('keeps its filters in the address: a reload keeps them and a link opens them', async () => {
    await page.goto(`${base}/incidents`);
    await page.getByRole('group', { name: 'Severity' }).getByText('Critical').click();
    await page.getByRole('textbox', { name: 'Search incidents' }).fill('disk');
    await expect.poll(() => new URL(page.url()).search, WAIT).toBe('?severity=Critical&q=disk');
    await page.reload();
    const critical = page
      .getByRole('group', { name: 'Severity' })
      .getByRole('checkbox', { name: 'Critical' });
    await critical.waitFor({ state: 'attached', ...WAIT });
    expect(await critical.isChecked()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Search incidents' }).inputValue()).toBe('disk');
    // A shared link: closed Warning incidents.
    await page.goto(`${base}/incidents?progress=Closed&severity=Warning`);
    const group = page.getByRole('group', { name: 'Progress' });
    await group.getByRole('checkbox', { name: 'Closed' }).waitFor({ state: 'attached', ...WAIT });
    expect(await group.getByRole('checkbox', { name: 'Closed' }).isChecked()).toBe(true);
    expect(await group.getByRole('checkbox', { name: 'Open' }).isChecked()).toBe(false);
  });
});

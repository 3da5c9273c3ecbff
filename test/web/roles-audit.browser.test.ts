import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { signInOnPage, startConsoleRig } from './console-rig.ts';

/*
 * The Roles page manages custom roles (create with permissions, disable, delete) and the Audit
 * log page lists and filters what was changed, in headless Chromium against a listening Vigil.
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
  await page.goto(`${base}/roles`);
  await signInOnPage(page, email);
  await page.getByRole('heading', { name: 'Roles', level: 2 }).waitFor(WAIT);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await closeBrowser(browser);
  await t?.close();
});

const customRoles = async () =>
  ((await t.post('/role/list', {}, owner.appKey)).body.data.items as any[]).filter((r) => r.editable);

describe('the Roles page', () => {
  it('creates a role with permissions, disables it and deletes it', { timeout: 90_000 }, async () => {
    await page.getByRole('button', { name: 'Create a role' }).click();
    const form = page.getByRole('form', { name: 'Role' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Incident watchers');
    await form.getByRole('textbox', { name: 'Description' }).fill('Read incidents only');
    await form.getByRole('checkbox', { name: 'Incidents Read' }).check();
    await form.getByRole('button', { name: 'Save role' }).click();
    await page.getByRole('heading', { name: 'Incident watchers', level: 3 }).waitFor(WAIT);
    let [role] = await customRoles();
    expect(role).toMatchObject({ role_name: 'Incident watchers', permission_ids: [1], status: 'enabled' });

    await page.getByRole('button', { name: 'Disable Incident watchers' }).click();
    await page.getByRole('button', { name: 'Enable Incident watchers' }).waitFor(WAIT);
    [role] = await customRoles();
    expect(role.status).toBe('disabled');
    await page.screenshot({ path: outputPath('console-roles.png'), fullPage: true });

    // Built-in roles offer no actions.
    expect(await page.getByRole('button', { name: 'Delete Admin' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Delete Incident watchers' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the role?' })
      .getByRole('button', { name: 'Delete Incident watchers' })
      .click();
    await page
      .getByRole('heading', { name: 'Incident watchers', level: 3 })
      .waitFor({ state: 'detached', ...WAIT });
    expect(await customRoles()).toEqual([]);
  });

  it('says beside the name what the server refuses and what breaks its limit, in words', {
    timeout: 60_000,
  }, async () => {
    await page.getByRole('button', { name: 'Create a role' }).click();
    const form = page.getByRole('form', { name: 'Role' });
    const name = form.getByRole('textbox', { name: 'Name' });
    // Nothing is cut short: the whole name stays in the field, and the limit is said under it.
    await name.fill('R'.repeat(45));
    expect(await name.inputValue()).toHaveLength(45);
    await form.getByText(/at most 39 characters/).waitFor(WAIT);
    await form.getByRole('button', { name: 'Save role' }).click();
    expect(await customRoles()).toEqual([]);
    // The server's refusal (a built-in role's name) goes beside the name, not into a banner.
    await name.fill('Admin');
    await form.getByRole('button', { name: 'Save role' }).click();
    await form.getByText('is the name of a built-in role').waitFor(WAIT);
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').count()).toBe(0);
    await name.fill('Admins of the night');
    await form.getByRole('button', { name: 'Save role' }).click();
    await page.getByRole('heading', { name: 'Admins of the night', level: 3 }).waitFor(WAIT);
    expect((await customRoles()).map((r) => r.role_name)).toEqual(['Admins of the night']);
  });
});

describe('the Audit log page', () => {
  it('lists the changes just made, newest first, and filters them', { timeout: 90_000 }, async () => {
    await t.post('/team/upsert', { team_name: 'Audited by API' }, owner.appKey);
    await page.getByRole('link', { name: 'Audit log' }).click();
    const table = page.getByRole('table', { name: 'Audit log' });
    await table.waitFor(WAIT);
    const rows = table.getByRole('row');
    const text = async () => (await table.textContent()) ?? '';
    // The team made through the API, and the role's create, disable and delete from the console.
    await expect.poll(text, WAIT).toContain('team:write:upsert');
    expect(await rows.nth(1).textContent()).toContain('team:write:upsert');
    for (const operation of ['role:write:upsert', 'role:write:disable', 'role:write:delete'])
      expect(await text()).toContain(operation);
    expect(await text()).toContain('console');

    await page.getByRole('checkbox', { name: 'Dangerous only' }).check();
    await expect.poll(text, WAIT).toContain('role:write:delete');
    const filters = page.getByRole('search', { name: 'Audit filters' });
    await filters.getByLabel('Operations', { exact: true }).fill('role:write:delete');
    await page.getByRole('option', { name: /role:write:delete/ }).click();
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    await page.screenshot({ path: outputPath('console-audit.png'), fullPage: true });
  });
});

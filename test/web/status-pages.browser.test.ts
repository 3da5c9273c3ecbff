import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';
import { emailOf, setPassword } from './helpers.ts';

/*
 * The console's status-page screens in headless Chromium against a Vigil listening on 127.0.0.1:
 * create a page and its components, open an incident on one of them, post an update, resolve it,
 * check what the API stored and what the public page shows, and manage subscribers. Screenshots go
 * to test-output/console-status-pages-*.png.
 */

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let email: string;
let base: string;

beforeAll(async () => {
  ({ t, base, owner, email, browser } = await startConsoleRig({ realTime: true }));
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
});

const WAIT = { timeout: 20_000 };

function tokyo(seconds: number): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(seconds * 1000));
}

describe('status pages in the console', () => {
  it('creates a page and components, runs an incident to resolution, shows it publicly, adds subscribers', {
    timeout: 180_000,
  }, async () => {
    const urlName = `acme-${Math.random().toString(36).slice(2, 8)}`;
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${base}/status-pages`);
    await signInOnPage(page, email);
    await page.getByRole('heading', { name: 'Status pages', level: 2 }).waitFor(WAIT);
    await page.getByText('No status pages yet.').waitFor(WAIT);

    // Create: the address follows the name until edited; a bad one is flagged beside the field, in
    // words, and nothing is sent.
    const create = page.getByRole('form', { name: 'Create a status page' });
    await create.getByRole('textbox', { name: /^Name/ }).fill('Acme Cloud');
    const address = create.getByRole('textbox', { name: /^Address/ });
    expect(await address.inputValue()).toBe('acme-cloud');
    await address.fill('not a slug!');
    await create.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => address.getAttribute('aria-invalid'), WAIT).toBe('true');
    const said = await address.getAttribute('aria-describedby');
    expect(
      await page.locator(`[id="${said?.split(' ').find((id) => id.includes('error'))}"]`).textContent(),
    ).not.toMatch(/pattern|\^/);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect((await t.get('/status-page/list', {}, owner.appKey)).body.data.items).toEqual([]);
    await address.fill(urlName);
    await create.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Acme Cloud', level: 2 }).waitFor(WAIT);
    const pageId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(pageId).toBeGreaterThan(0);
    await page.getByText('An event says which components it affects').waitFor(WAIT);

    // Two components, through the dialog; then Web console moved above Public API. The tabs take
    // the arrow keys.
    await page.getByRole('tab', { name: 'Events', exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    const componentsTab = page.getByRole('tab', { name: 'Components', exact: true });
    await expect.poll(() => componentsTab.getAttribute('aria-selected'), WAIT).toBe('true');
    await page.getByText('No components yet.').waitFor(WAIT);
    for (const name of ['Public API', 'Web console']) {
      await page.getByRole('button', { name: 'Add a component', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a component' });
      await dialog.getByRole('textbox', { name: /^Name/ }).fill(name);
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.waitFor({ state: 'hidden', ...WAIT });
      await page.getByRole('cell', { name, exact: true }).waitFor(WAIT);
    }
    await page.getByRole('button', { name: 'Move Web console up', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Order saved.' }).waitFor(WAIT);
    const rows = page.getByRole('table', { name: 'Components: Not in a section' }).getByRole('row');
    await expect.poll(() => rows.nth(1).textContent(), WAIT).toContain('Web console');
    const info = async () => (await t.get('/status-page/info', { page_id: pageId }, owner.appKey)).body.data;
    const stored = await info();
    const byName = (name: string) => stored.components.find((c: any) => c.name === name);
    expect(byName('Web console').order_id).toBeLessThan(byName('Public API').order_id);
    const apiId: string = byName('Public API').component_id;
    const webId: string = byName('Web console').component_id;

    // A section, and Public API moved into it.
    await page.getByRole('button', { name: 'Add a section', exact: true }).click();
    const sectionDialog = page.getByRole('dialog', { name: 'Add a section' });
    await sectionDialog.getByRole('textbox', { name: /^Name/ }).fill('Core services');
    await sectionDialog.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name: 'Section: Core services' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Edit Public API', exact: true }).click();
    const editDialog = page.getByRole('dialog', { name: 'Edit the component' });
    await editDialog
      .getByRole('combobox', { name: 'Section', exact: true })
      .selectOption({ label: 'Core services' });
    await editDialog.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('table', { name: 'Components: Core services' })
      .getByRole('cell', { name: 'Public API', exact: true })
      .waitFor(WAIT);
    const sectionId = (await info()).sections[0].section_id;
    expect((await info()).components.find((c: any) => c.component_id === apiId).section_id).toBe(sectionId);
    await page.screenshot({ path: outputPath('console-status-pages-components.png'), fullPage: true });

    // A template for new incidents, offered when composing.
    await page.getByRole('tab', { name: 'Templates', exact: true }).click();
    await page.getByText('No templates yet.').waitFor(WAIT);
    await page.getByRole('button', { name: 'Add a template', exact: true }).click();
    const templateDialog = page.getByRole('dialog', { name: 'Add a template' });
    await templateDialog.getByRole('textbox', { name: /^Title/ }).fill('T'.repeat(300));
    await templateDialog.getByText(/at most 255 characters/).waitFor(WAIT);
    await templateDialog.getByRole('textbox', { name: /^Title/ }).fill('API errors');
    await templateDialog
      .getByRole('textbox', { name: /^Text/ })
      .fill('We are looking into errors on the API.');
    await templateDialog.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('table', { name: 'Templates' })
      .getByText('We are looking into errors on the API.')
      .waitFor(WAIT);

    // Open an incident on Public API (partial outage).
    await page.getByRole('tab', { name: 'Events', exact: true }).click();
    await page.getByText('Nothing open').waitFor(WAIT);
    await page.getByRole('button', { name: 'Open an incident', exact: true }).click();
    const compose = page.getByRole('dialog', { name: 'Open an incident' });
    await compose
      .getByRole('combobox', { name: 'Start from a template', exact: true })
      .selectOption({ label: 'API errors (Investigating)' });
    expect(await compose.getByRole('textbox', { name: /^Title/ }).inputValue()).toBe('API errors');
    expect(await compose.getByRole('textbox', { name: /^Description/ }).inputValue()).toBe(
      'We are looking into errors on the API.',
    );
    // A title past the server's limit is said beside it, and nothing is opened.
    await compose.getByRole('textbox', { name: /^Title/ }).fill('E'.repeat(256));
    await compose.getByRole('button', { name: 'Open the incident', exact: true }).click();
    await compose.getByText(/at most 255 characters/).waitFor(WAIT);
    await compose.getByRole('textbox', { name: /^Title/ }).fill('Elevated API errors');
    await compose.getByRole('textbox', { name: /^Description/ }).fill('Some API calls fail with 503.');
    await compose.getByRole('combobox', { name: 'Public API', exact: true }).selectOption('partial_outage');
    await compose.getByRole('button', { name: 'Open the incident', exact: true }).click();
    await compose.waitFor({ state: 'hidden', ...WAIT });
    const card = page.getByRole('region', { name: 'Elevated API errors' });
    await card.getByText('Affects: Public API (Partial outage)').waitFor(WAIT);
    const change = (
      await t.get('/status-page/change/active/list', { page_id: pageId, type: 'incident' }, owner.appKey)
    ).body.data.items[0];
    const start = change.start_at_seconds as number;
    await card.getByText(`Started ${tokyo(start)}`).waitFor(WAIT);

    // The public page, from the console's link (a new tab), shows the incident and the status.
    const [publicPage] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: /open the public page of Acme Cloud \(new tab\)$/ }).click(),
    ]);
    await publicPage.waitForLoadState();
    expect(publicPage.url()).toBe(`${base}/status/${urlName}`);
    await publicPage.getByRole('heading', { name: 'Elevated API errors' }).waitFor(WAIT);
    const statusOf = (id: string) => publicPage.locator(`[data-component-id="${id}"] strong`).textContent();
    expect(await statusOf(apiId)).toBe('Partial outage');
    expect(await statusOf(webId)).toBe('Operational');
    await publicPage.screenshot({ path: outputPath('console-status-pages-public-open.png'), fullPage: true });

    // An update: identified.
    const update = card.getByRole('form', { name: 'Post an update' });
    await update.getByRole('combobox', { name: 'Status', exact: true }).selectOption('identified');
    await update.getByRole('textbox', { name: /^Message/ }).fill('A bad deploy; rolling back.');
    await update.getByRole('button', { name: 'Post update', exact: true }).click();
    const timeline = card.getByRole('list', { name: 'Updates' });
    await timeline.getByText('A bad deploy; rolling back.').waitFor(WAIT);
    await expect.poll(() => timeline.getByRole('listitem').count(), WAIT).toBe(2);

    // Resolve: the form sets the affected component back to operational.
    await update.getByRole('button', { name: 'Mark resolved', exact: true }).click();
    expect(await update.getByRole('combobox', { name: 'Public API', exact: true }).inputValue()).toBe(
      'operational',
    );
    expect(await update.getByRole('combobox', { name: 'Web console', exact: true }).inputValue()).toBe('');
    await update.getByRole('textbox', { name: /^Message/ }).fill('Rolled back; all calls succeed.');
    await update.getByRole('button', { name: 'Post update', exact: true }).click();
    await timeline.getByText('Rolled back; all calls succeed.').waitFor(WAIT);
    await card.getByText('Public API: Operational').waitFor(WAIT);
    await page
      .getByRole('region', { name: 'Ended events' })
      .getByRole('button', { name: 'Elevated API errors' })
      .waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-status-pages-event.png'), fullPage: true });

    const resolved = (
      await t.get('/status-page/change/info', { page_id: pageId, change_id: change.change_id }, owner.appKey)
    ).body.data;
    expect(resolved).toMatchObject({
      type: 'incident',
      title: 'Elevated API errors',
      description: 'Some API calls fail with 503.',
      status: 'resolved',
      affected_components: [{ component_id: apiId, status: 'operational' }],
    });
    expect(
      resolved.updates.map((u: any) => [
        u.status,
        u.description,
        u.component_changes.map((c: any) => [c.component_id, c.status]),
      ]),
    ).toEqual([
      ['investigating', 'Some API calls fail with 503.', [[apiId, 'partial_outage']]],
      ['identified', 'A bad deploy; rolling back.', []],
      ['resolved', 'Rolled back; all calls succeed.', [[apiId, 'operational']]],
    ]);
    expect((await info()).components.map((c: any) => c.status)).toEqual(['operational', 'operational']);

    // The public page now lists it among the past week's events, every component operational.
    await expect
      .poll(async () => {
        await publicPage.reload();
        return statusOf(apiId);
      }, WAIT)
      .toBe('Operational');
    await publicPage.getByRole('heading', { name: 'Past 7 days' }).waitFor(WAIT);
    await publicPage.getByRole('heading', { name: 'Elevated API errors' }).waitFor(WAIT);
    await publicPage.screenshot({
      path: outputPath('console-status-pages-public-resolved.png'),
      fullPage: true,
    });
    await publicPage.close();

    // Maintenance: the window defaults to the next hour but one, for two hours, in Tokyo time.
    await page.getByRole('button', { name: 'Schedule maintenance', exact: true }).click();
    const schedule = page.getByRole('dialog', { name: 'Schedule maintenance' });
    await schedule.getByRole('textbox', { name: /^Title/ }).fill('Database upgrade');
    await schedule.getByRole('textbox', { name: /^Description/ }).fill('The console is read-only meanwhile.');
    await schedule.getByText('In Asia/Tokyo').first().waitFor(WAIT);
    await schedule
      .getByRole('combobox', { name: 'Web console', exact: true })
      .selectOption('under_maintenance');
    await page.screenshot({ path: outputPath('console-status-pages-maintenance.png') });
    const asked = Math.floor(Date.now() / 1000);
    await schedule.getByRole('button', { name: 'Schedule it', exact: true }).click();
    await schedule.waitFor({ state: 'hidden', ...WAIT });
    const maintenance = (
      await t.get('/status-page/change/active/list', { page_id: pageId, type: 'maintenance' }, owner.appKey)
    ).body.data.items[0];
    expect(maintenance).toMatchObject({
      title: 'Database upgrade',
      status: 'scheduled',
      auto_update_by_schedule: true,
    });
    expect(maintenance.start_at_seconds % 3600).toBe(0);
    expect(maintenance.start_at_seconds - asked).toBeGreaterThan(3600 - 60);
    expect(maintenance.start_at_seconds - asked).toBeLessThanOrEqual(7200);
    expect(maintenance.close_at_seconds - maintenance.start_at_seconds).toBe(7200);
    await page
      .getByRole('region', { name: 'Database upgrade' })
      .getByText(
        `Window: ${tokyo(maintenance.start_at_seconds)} – ${tokyo(maintenance.close_at_seconds)} (planned)`,
      )
      .waitFor(WAIT);

    // Subscribers: add two at once, remove one.
    await page.getByRole('tab', { name: 'Subscribers', exact: true }).click();
    await page.getByText('No e-mail subscribers yet.').waitFor(WAIT);
    const add = page.getByRole('form', { name: 'Add subscribers' });
    await add.getByRole('textbox', { name: /^E-mail addresses/ }).fill('ops@example.com\nbad-address');
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    await add.getByRole('alert').filter({ hasText: 'subscribers[1].recipient' }).waitFor(WAIT);
    await add.getByRole('textbox', { name: /^E-mail addresses/ }).fill('ops@example.com\ncto@example.com');
    await add.getByRole('checkbox', { name: 'Public API', exact: true }).check();
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    const subscribers = page.getByRole('table', { name: 'Subscribers' });
    await subscribers.getByRole('cell', { name: 'cto@example.com', exact: true }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Remove cto@example.com', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove cto@example.com?' });
    await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
    await confirm.waitFor({ state: 'hidden', ...WAIT });
    await subscribers
      .getByRole('cell', { name: 'cto@example.com', exact: true })
      .waitFor({ state: 'detached', ...WAIT });

    // Export as a file, and import it back with one more line.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`subscribers-${urlName}.csv`);
    const exported = readFileSync(await download.path(), 'utf8');
    expect(exported).toBe(
      `Method,Recipient,Components,Subscribe All,Locale\nemail,ops@example.com,${apiId},false,en-US\n`,
    );
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Import CSV', exact: true }).click(),
    ]);
    await chooser.setFiles({
      name: 'subscribers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${exported}email,new@example.com,,true,en-US\n`),
    });
    await page
      .getByRole('status')
      .filter({ hasText: '2 subscribers imported from subscribers.csv.' })
      .waitFor(WAIT);
    await subscribers.getByRole('cell', { name: 'new@example.com', exact: true }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-status-pages-subscribers.png'), fullPage: true });
    const listed = (await t.get('/status-page/subscriber/list', { page_id: pageId }, owner.appKey)).body.data;
    expect(
      listed.items.map((s: any) => [s.recipient, s.status, s.all, s.components.map((c: any) => c.name)]),
    ).toEqual([
      ['ops@example.com', 'active', false, ['Public API']],
      ['new@example.com', 'active', true, []],
    ]);

    // The list of pages links to it; at phone width nothing scrolls sideways.
    await page.getByRole('link', { name: 'Status pages', exact: true }).first().click();
    await page.getByRole('link', { name: 'Acme Cloud', exact: true }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-status-pages-list.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/status-pages/${pageId}`);
    await page.getByRole('heading', { name: 'Acme Cloud', level: 2 }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Elevated API errors' }).click();
    await page.getByRole('region', { name: 'Elevated API errors' }).waitFor(WAIT);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: outputPath('console-status-pages-phone.png'), fullPage: true });
    for (const tab of ['Components', 'Subscribers', 'Templates', 'Settings']) {
      await page.getByRole('tab', { name: tab, exact: true }).click();
      await page.getByRole('tabpanel', { name: tab }).getByRole('button').first().waitFor(WAIT);
      await expectNoSidewaysScroll(page, `${tab} at 390 px`);
    }
    await page.getByRole('tab', { name: 'Components', exact: true }).click();
    await page.getByRole('button', { name: 'Move Public API down' }).waitFor(WAIT);
    await page.screenshot({ path: outputPath('console-status-pages-components-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says in words what the API refuses, edits the settings, and deletes a page', {
    timeout: 120_000,
  }, async () => {
    const beta = await t.newAccount('Beta');
    const betaEmail = await emailOf(t, beta);
    await setPassword(t, betaEmail);
    const reader = await t.newMember(beta, [4], 'Reader');
    const readerEmail = (
      await t.db.q
        .selectFrom('members')
        .select('email')
        .where('member_id', '=', reader.memberId)
        .executeTakeFirstOrThrow()
    ).email;
    await setPassword(t, readerEmail);
    const urlName = `beta-${Math.random().toString(36).slice(2, 8)}`;
    const created = await t.post(
      '/status-page/create',
      {
        name: 'Beta status',
        url_name: urlName,
        type: 'public',
        date_view: 'list',
        display_uptime_mode: 'chart',
      },
      beta.appKey,
    );
    const pageId = created.body.data.page_id as number;

    const signIn = async (who: string) => {
      const context = await browser!.newContext({ viewport: { width: 1024, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${base}/status-pages`);
      await signInOnPage(page, who);
      await page.getByRole('heading', { name: 'Status pages', level: 2 }).waitFor(WAIT);
      return { context, page };
    };

    // A read-only member sees the page but may not create one: the refusal names the permission.
    const asReader = await signIn(readerEmail);
    await asReader.page.getByRole('link', { name: 'Beta status', exact: true }).waitFor(WAIT);
    const form = asReader.page.getByRole('form', { name: 'Create a status page' });
    await form.getByRole('textbox', { name: /^Name/ }).fill('Mine');
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    const refusal = asReader.page.getByRole('alert').filter({ hasText: 'Ask an account admin for access.' });
    await refusal.waitFor(WAIT);
    expect(await refusal.textContent()).toContain('Status Pages Manage');
    await asReader.page.screenshot({ path: outputPath('console-status-pages-denied.png') });
    await asReader.context.close();

    // The owner renames it and sets its title in Settings, then deletes it.
    const asOwner = await signIn(betaEmail);
    const page = asOwner.page;

    // An address already taken is refused beside the address, not in a banner.
    const create = page.getByRole('form', { name: 'Create a status page' });
    await create.getByRole('textbox', { name: /^Name/ }).fill('Beta again');
    const address = create.getByRole('textbox', { name: /^Address/ });
    await address.fill(urlName);
    await create.getByRole('button', { name: 'Create', exact: true }).click();
    await create.getByText('is already used by another status page').waitFor(WAIT);
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('link', { name: 'Beta status', exact: true }).click();
    await page.getByRole('heading', { name: 'Beta status', level: 2 }).waitFor(WAIT);
    await page.getByRole('tab', { name: 'Settings', exact: true }).click();
    const settings = page.getByRole('form', { name: 'Page settings' });
    await settings.getByRole('textbox', { name: /^Name/ }).fill('Beta Cloud status');
    await settings.getByRole('textbox', { name: /^Browser title/ }).fill('Beta Cloud — status');
    await settings.getByRole('combobox', { name: 'Uptime', exact: true }).selectOption('none');
    await settings.getByRole('button', { name: 'Save settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Beta Cloud status', level: 2 }).waitFor(WAIT);
    await settings.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor(WAIT);
    expect((await t.get('/status-page/info', { page_id: pageId }, beta.appKey)).body.data).toMatchObject({
      name: 'Beta Cloud status',
      page_title: 'Beta Cloud — status',
      display_uptime_mode: 'none',
      url_name: urlName,
    });
    await page.screenshot({ path: outputPath('console-status-pages-settings.png'), fullPage: true });

    // Look and clock: a logo that is not http(s) and a colour that is not #rrggbb are flagged beside
    // their fields in words; the colours and the zone reach the public page; the embed snippets are there.
    const logo = settings.getByRole('textbox', { name: /^Logo image/ });
    await logo.fill('javascript:alert(1)');
    await settings
      .getByText('Enter a web address starting with http:// or https://, or leave it empty.')
      .waitFor(WAIT);
    await logo.fill('https://beta.example/logo.png');
    const brand = settings.getByRole('textbox', { name: /^Brand colour/ });
    await brand.fill('red');
    await settings.getByText('Enter a colour as #rrggbb (e.g. #0a3069), or leave it empty.').waitFor(WAIT);
    await brand.fill('#0a3069');
    await page.keyboard.press('Escape');
    const zone = settings.getByLabel('Time zone', { exact: true });
    await zone.fill('Europe/Berl');
    await page.getByRole('listbox').getByRole('option', { name: 'Europe/Berlin', exact: true }).click();
    await settings.getByRole('button', { name: 'Save settings', exact: true }).click();
    await settings.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor(WAIT);
    expect((await t.get('/status-page/info', { page_id: pageId }, beta.appKey)).body.data).toMatchObject({
      logo: 'https://beta.example/logo.png',
      brand_color: '#0a3069',
      time_zone: 'Europe/Berlin',
    });
    const embed = page.getByRole('region', { name: 'Embed' });
    expect(await embed.getByRole('textbox', { name: 'Widget (script)' }).inputValue()).toBe(
      `<script src="${t.config.publicUrl}/status/${urlName}/widget.js" async></script>`,
    );
    const publicHtml = await (await fetch(`${base}/status/${urlName}`)).text();
    expect(publicHtml).toContain('--brand:#0a3069');
    expect(publicHtml).toContain('Times are shown in Europe/Berlin.');
    await page.screenshot({ path: outputPath('console-status-pages-branding.png'), fullPage: true });

    await settings.getByRole('button', { name: 'Delete this page', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Beta Cloud status?' });
    await confirm.getByRole('button', { name: 'Delete the page', exact: true }).click();
    await page.getByText('No status pages yet.').waitFor(WAIT);
    expect((await t.get('/status-page/info', { page_id: pageId }, beta.appKey)).body.error?.code).toBe(
      'ResourceNotFound',
    );
    await asOwner.context.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { Receiver } from '../webhooks/helpers.ts';
import { invalid, newComponents, newIncident, newPage, ok } from './helpers.ts';
import { linkIn, SmtpSink } from './smtp.ts';

let t: TestApp;
let owner: TestAccount;
let smtp: SmtpSink;
let receiver: Receiver;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  receiver = await Receiver.start();
  t = await startTestApp({
    env: { SMTP_URL: smtp.url, SMTP_FROM: 'Status <status@vigil.example>', ...ALLOW_LOOPBACK },
  });
  owner = await t.newAccount();
});
afterAll(async () => {
  await t.close();
  await smtp.close();
  await receiver.close();
});

const importSubscribers = (body: Record<string, unknown>) =>
  t.post('/status-page/subscriber/import', body, owner.appKey);
const list = (query: Record<string, unknown>) => t.get('/status-page/subscriber/list', query, owner.appKey);
const exportCsv = async (body: Record<string, unknown>) =>
  ok(await t.post('/status-page/subscriber/export', body, owner.appKey)) as string;
/** A path of Vigil's own, from a link in a mail (the harness serves the app in-process). */
const pathOf = (url: string) => url.slice(t.config.publicUrl.length);
const deliverAll = async () => {
  const report = await t.statusPages.runOnce();
  // Let the SMTP sink finish receiving what was just sent.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return report;
};

describe('import, list, export', () => {
  it('round-trips subscribers through a CSV export and an import', async () => {
    const { pageId } = await newPage(t, owner);
    const [api, web] = await newComponents(t, owner, pageId, ['API', 'Web']);
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'email',
        subscribers: [
          { recipient: 'alice@example.com', all: true, locale: 'en-US' },
          { recipient: 'bob@example.com', component_ids: [api, web], all: false, locale: 'zh-CN' },
          { recipient: 'carol@example.com', component_ids: [web] },
        ],
      }),
    );
    const listed = ok(await list({ page_id: pageId }));
    expect(listed.total).toBe(3);
    expect(listed.has_next_page).toBe(false);
    expect(
      listed.items.map((s: any) => [
        s.recipient,
        s.method,
        s.all,
        s.locale,
        s.status,
        s.components.map((c: any) => c.name),
      ]),
    ).toEqual([
      ['alice@example.com', 'email', true, 'en-US', 'active', []],
      ['bob@example.com', 'email', false, 'zh-CN', 'active', ['API', 'Web']],
      ['carol@example.com', 'email', false, 'en-US', 'active', ['Web']],
    ]);

    const csv = await exportCsv({ page_id: pageId });
    expect(csv).toBe(
      'Method,Recipient,Components,Subscribe All,Locale\n' +
        'email,alice@example.com,,true,en-US\n' +
        `email,bob@example.com,${api};${web},false,zh-CN\n` +
        `email,carol@example.com,${web},false,en-US\n`,
    );
    expect(await exportCsv({ page_id: pageId, component_ids: [api] })).toBe(
      `Method,Recipient,Components,Subscribe All,Locale\nemail,alice@example.com,,true,en-US\nemail,bob@example.com,${api};${web},false,zh-CN\n`,
    );

    // The CSV back in, as an import: nothing changes.
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'email',
        subscribers: rows.map(([, recipient, components, all, locale]) => ({
          recipient,
          component_ids: components ? components.split(';') : [],
          all: all === 'true',
          locale,
        })),
      }),
    );
    expect(await exportCsv({ page_id: pageId })).toBe(csv);
  });

  it('refuses bad imports naming the field', async () => {
    const { pageId } = await newPage(t, owner);
    const internal = await newPage(t, owner, { type: 'internal' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    const one = (subscriber: Record<string, unknown>, method = 'email', page = pageId) =>
      importSubscribers({ page_id: page, method, subscribers: [subscriber] });
    invalid(await one({ recipient: 'a@example.com' }, 'email', internal.pageId), 'method', /public pages/);
    invalid(await one({ recipient: String(owner.memberId) }, 'im'), 'method', /internal pages/);
    invalid(await one({ recipient: 'not-an-address' }), 'subscribers[0].recipient', /e-mail/);
    invalid(
      await one({ recipient: `${'x'.repeat(250)}@example.com` }),
      'subscribers[0].recipient',
      /more than 255/,
    );
    invalid(
      await one({ recipient: 'a@example.com', component_ids: ['nope'] }),
      'subscribers[0].component_ids[0]',
      /no such component/,
    );
    invalid(
      await one({ recipient: 'a@example.com', change_ids: [1] }),
      'subscribers[0].change_ids[0]',
      /no such event/,
    );
    invalid(await one({ recipient: 'a@example.com', all: false }), 'subscribers[0].all', /must be true/);
    invalid(await one({ recipient: 'ftp://example.com' }, 'webhook'), 'subscribers[0].recipient', /http/);
    invalid(await one({ recipient: '12345' }, 'im', internal.pageId), 'subscribers[0].recipient', /member/);
    invalid(await one({ recipient: 'a@example.com', locale: 'fr-FR' }), 'subscribers[0].locale');
    ok(await one({ recipient: String(owner.memberId) }, 'im', internal.pageId));
    ok(await one({ recipient: 'a@example.com', component_ids: [api] }));
    expect(ok(await list({ page_id: pageId })).total).toBe(1);
  });

  it('filters the list by component, pages it, and lists webhooks apart', async () => {
    const { pageId } = await newPage(t, owner);
    const [api, web] = await newComponents(t, owner, pageId, ['API', 'Web']);
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'email',
        subscribers: [
          { recipient: 'all@example.com' },
          { recipient: 'api@example.com', component_ids: [api] },
          { recipient: 'web@example.com', component_ids: [web] },
        ],
      }),
    );
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'webhook',
        subscribers: [{ recipient: receiver.url }],
      }),
    );
    const forApi = ok(await list({ page_id: pageId, component_ids: api }));
    expect(forApi.items.map((s: any) => s.recipient)).toEqual(['all@example.com', 'api@example.com']);
    const paged = ok(await list({ page_id: pageId, p: 2, limit: 2 }));
    expect(paged).toMatchObject({ total: 3, has_next_page: false });
    expect(paged.items.map((s: any) => s.recipient)).toEqual(['web@example.com']);
    expect(ok(await list({ page_id: pageId, p: 1, limit: 2 })).has_next_page).toBe(true);
    const hooks = ok(await list({ page_id: pageId, method: 'webhook' }));
    expect(hooks.items.map((s: any) => [s.method, s.recipient])).toEqual([['webhook', receiver.url]]);
  });

  it('needs Status Pages Manage to import or export; any member may list', async () => {
    const { pageId } = await newPage(t, owner);
    const responder = await t.newMember(owner, [3]);
    const refused = await t.post('/status-page/subscriber/export', { page_id: pageId }, responder.appKey);
    expect(refused.body.error?.code).toBe('AccessDenied');
    const refusedImport = await t.post(
      '/status-page/subscriber/import',
      { page_id: pageId, method: 'email' },
      responder.appKey,
    );
    expect(refusedImport.body.error?.code).toBe('AccessDenied');
    ok(await t.get('/status-page/subscriber/list', { page_id: pageId }, responder.appKey));
  });

  it('removes subscribers by method and recipient (Vigil), case-insensitively, on its own page only', async () => {
    const { pageId } = await newPage(t, owner);
    const { pageId: otherPage } = await newPage(t, owner);
    const remove = (body: Record<string, unknown>, key = owner.appKey) =>
      t.post('/status-page/subscriber/delete', body, key);
    for (const page_id of [pageId, otherPage]) {
      ok(
        await importSubscribers({
          page_id,
          method: 'email',
          subscribers: [{ recipient: 'ann@example.com' }, { recipient: 'ben@example.com' }],
        }),
      );
    }
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'webhook',
        subscribers: [{ recipient: receiver.url }],
      }),
    );

    expect(
      ok(
        await remove({
          page_id: pageId,
          method: 'email',
          recipients: ['ANN@example.com', 'nobody@example.com'],
        }),
      ),
    ).toEqual({ deleted: 1 });
    expect(ok(await list({ page_id: pageId })).items.map((s: any) => s.recipient)).toEqual([
      'ben@example.com',
    ]);
    // The same address on another page, and another method's subscriber, stay.
    expect(ok(await list({ page_id: otherPage })).total).toBe(2);
    expect(ok(await list({ page_id: pageId, method: 'webhook' })).total).toBe(1);
    // Removing again removes nothing.
    expect(ok(await remove({ page_id: pageId, method: 'email', recipients: ['ann@example.com'] }))).toEqual({
      deleted: 0,
    });

    invalid(await remove({ page_id: pageId, method: 'email', recipients: [] }), 'recipients');
    const stranger = await t.newAccount();
    expect(
      (await remove({ page_id: pageId, method: 'email', recipients: ['ben@example.com'] }, stranger.appKey))
        .body.error?.code,
    ).toBe('ResourceNotFound');
    const responder = await t.newMember(owner, [3]);
    expect(
      (await remove({ page_id: pageId, method: 'email', recipients: ['ben@example.com'] }, responder.appKey))
        .body.error?.code,
    ).toBe('AccessDenied');
    expect(ok(await list({ page_id: pageId })).total).toBe(1);
  });
});

describe('e-mail subscription on the page', () => {
  it('confirms by a link (double opt-in), notifies after that, and unsubscribes in one click', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: 'Acme' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    const address = 'visitor@example.com';
    const subscribed = await t.app.inject({
      method: 'POST',
      url: `/status/${urlName}/subscribe`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${encodeURIComponent(address)}`,
    });
    expect(subscribed.statusCode).toBe(200);
    expect(subscribed.body).toContain('Check your inbox');
    expect(ok(await list({ page_id: pageId })).items).toEqual([
      expect.objectContaining({ recipient: address, status: 'pending', all: true }),
    ]);

    // Nothing but the confirmation reaches an unconfirmed address.
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }], {
      notify_subscribers: true,
    });
    expect(await deliverAll()).toMatchObject({ claimed: 1, delivered: 1 });
    const [confirmation] = smtp.to(address);
    expect(smtp.to(address)).toHaveLength(1);
    expect(confirmation!.headers.subject).toBe('Confirm your subscription to Acme status');
    expect(confirmation!.headers.from).toBe('Status <status@vigil.example>');
    expect(confirmation!.headers['list-unsubscribe']).toMatch(/^<http.*\/unsubscribe\?token=[0-9a-f]{32}>$/);

    const confirmed = await t.app.inject({
      method: 'GET',
      url: pathOf(linkIn(confirmation!, '/subscribe/confirm?token=')),
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Subscribed');
    expect(ok(await list({ page_id: pageId })).items[0].status).toBe('active');
    const wrong = await t.app.inject({
      method: 'GET',
      url: `/status/${urlName}/subscribe/confirm?token=nope`,
    });
    expect(wrong.statusCode).toBe(404);

    // Now an event reaches it, with a one-click unsubscribe link and RFC 8058 headers.
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'full_outage' }], {
      notify_subscribers: true,
      title: 'API down',
    });
    expect(await deliverAll()).toMatchObject({ delivered: 1 });
    const update = smtp.to(address)[1]!;
    expect(update.headers.subject).toBe('[Acme] API down: Investigating');
    expect(update.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(update.text).toContain('- API: Full outage');
    const unsubscribeUrl = linkIn(update, '/unsubscribe?token=');

    // Following the link shows a button (a scanner fetching links unsubscribes no one)...
    const page = await t.app.inject({ method: 'GET', url: pathOf(unsubscribeUrl) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<button type="submit">Unsubscribe</button>');
    expect(ok(await list({ page_id: pageId })).total).toBe(1);
    // ...and the one click (or a mail client's RFC 8058 POST) ends the subscription.
    const done = await t.app.inject({
      method: 'POST',
      url: pathOf(unsubscribeUrl),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Unsubscribed');
    expect(ok(await list({ page_id: pageId })).total).toBe(0);
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }], {
      notify_subscribers: true,
    });
    expect(await deliverAll()).toMatchObject({ claimed: 0 });
    expect(smtp.to(address)).toHaveLength(2);
  });

  it('refuses an address that is not one, and is not offered on internal pages', async () => {
    const { urlName } = await newPage(t, owner);
    const bad = await t.app.inject({
      method: 'POST',
      url: `/status/${urlName}/subscribe`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=nobody',
    });
    expect(bad.statusCode).toBe(400);
    const internal = await newPage(t, owner, { type: 'internal' });
    const refused = await t.app.inject({
      method: 'POST',
      url: `/status/${internal.urlName}/subscribe`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a%40example.com',
    });
    expect(refused.statusCode).toBe(404);
  });
});

describe('notifications', () => {
  it('go to the subscribers of the affected components only, by e-mail and webhook, for the event and each update', async () => {
    const { pageId } = await newPage(t, owner, { name: 'Scoped' });
    const [a, b] = await newComponents(t, owner, pageId, ['A', 'B']);
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'email',
        subscribers: [
          { recipient: 'every@example.com', all: true },
          { recipient: 'only-a@example.com', component_ids: [a] },
          { recipient: 'only-b@example.com', component_ids: [b] },
        ],
      }),
    );
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'webhook',
        subscribers: [{ recipient: receiver.url, component_ids: [a] }],
      }),
    );
    const before = receiver.received.length;

    const changeId = await newIncident(t, owner, pageId, [{ component_id: a!, status: 'partial_outage' }], {
      notify_subscribers: true,
      title: 'A is failing',
    });
    expect(await deliverAll()).toMatchObject({ claimed: 3, delivered: 3 });
    expect(smtp.to('every@example.com')).toHaveLength(1);
    expect(smtp.to('only-a@example.com')).toHaveLength(1);
    expect(smtp.to('only-b@example.com')).toHaveLength(0);
    const call = receiver.received.slice(before);
    expect(call).toHaveLength(1);
    expect(call[0]!.headers['user-agent']).toBe('Vigil-StatusPage/1.0');
    expect(call[0]!.body).toMatchObject({
      event_type: 'status_page.update',
      page: { page_id: pageId, name: 'Scoped' },
      change: { change_id: changeId, type: 'incident', title: 'A is failing', status: 'investigating' },
      components: [{ name: 'A', status: 'partial_outage' }],
    });

    ok(
      await t.post(
        '/status-page/change/timeline/create',
        { page_id: pageId, change_id: changeId, status: 'identified', description: 'Found it.' },
        owner.appKey,
      ),
    );
    expect(await deliverAll()).toMatchObject({ claimed: 3, delivered: 3 });
    expect(smtp.to('only-a@example.com').map((m) => m.headers.subject)).toEqual([
      '[Scoped] A is failing: Investigating',
      '[Scoped] A is failing: Identified',
    ]);
    expect(smtp.to('only-a@example.com')[1]!.text).toContain('Found it.');
    expect(smtp.to('only-b@example.com')).toHaveLength(0);

    // Without notify_subscribers nothing is sent.
    await newIncident(t, owner, pageId, [{ component_id: b!, status: 'degraded' }]);
    expect(await deliverAll()).toMatchObject({ claimed: 0 });
  });

  it('retries through the outbox after a temporary refusal, and gives up on a permanent one', async () => {
    const { pageId } = await newPage(t, owner);
    const [a] = await newComponents(t, owner, pageId, ['A']);
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'email',
        subscribers: [{ recipient: 'later@example.com' }],
      }),
    );
    smtp.refuse(451);
    await newIncident(t, owner, pageId, [{ component_id: a!, status: 'degraded' }], {
      notify_subscribers: true,
    });
    expect(await deliverAll()).toMatchObject({ claimed: 1, retrying: 1 });
    const row = await t.db.q
      .selectFrom('status_page_notifications')
      .selectAll()
      .where('page_id', '=', pageId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempt: 1, next_attempt_at: t.clock.nowMs() + 30_000 });
    expect(row.error_message).toMatch(/451/);
    expect(await deliverAll()).toMatchObject({ claimed: 0 });
    t.clock.advance(30_000);
    expect(await deliverAll()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(smtp.to('later@example.com')).toHaveLength(1);

    smtp.refuse(550);
    await newIncident(t, owner, pageId, [{ component_id: a!, status: 'degraded' }], {
      notify_subscribers: true,
    });
    expect(await deliverAll()).toMatchObject({ claimed: 1, failed: 1 });
    t.clock.advance(3_600_000);
    expect(await deliverAll()).toMatchObject({ claimed: 0 });
  });
});

describe('repeats', () => {
  it('sends a retry with the Message-ID and Idempotency-Key of the first attempt, and logs both attempts', async () => {
    const { pageId } = await newPage(t, owner);
    const [a] = await newComponents(t, owner, pageId, ['A']);
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'email',
        subscribers: [{ recipient: 'twice@example.com' }],
      }),
    );
    ok(
      await importSubscribers({
        page_id: pageId,
        method: 'webhook',
        subscribers: [{ recipient: `${receiver.url}?twice` }],
      }),
    );
    const before = receiver.received.length;
    // The server has the mail but answers 451, and the endpoint answers 500: both are sent again.
    smtp.refuseData(451);
    receiver.reply(500);
    await newIncident(t, owner, pageId, [{ component_id: a!, status: 'degraded' }], {
      notify_subscribers: true,
    });
    expect(await deliverAll()).toMatchObject({ claimed: 2, retrying: 2 });
    t.clock.advance(30_000);
    expect(await deliverAll()).toMatchObject({ claimed: 2, delivered: 2 });

    const rows = await t.db.q
      .selectFrom('status_page_notifications')
      .select(['notification_id', 'channel', 'created_at'])
      .where('page_id', '=', pageId)
      .execute();
    const key = (channel: string) => {
      const row = rows.find((r) => r.channel === channel)!;
      return `vigil-status-page-${row.notification_id}-${row.created_at}`;
    };
    expect(smtp.to('twice@example.com').map((m) => m.headers['message-id'])).toEqual([
      `<${key('email')}@vigil.example>`,
      `<${key('email')}@vigil.example>`,
    ]);
    const calls = receiver.received.slice(before);
    expect(calls.map((c) => c.headers['idempotency-key'])).toEqual([key('webhook'), key('webhook')]);
    expect(calls[1]!.body).toEqual(calls[0]!.body);

    const attempts = await t.db.q
      .selectFrom('delivery_attempts')
      .select(['delivery_id', 'attempt', 'status', 'error_kind', 'status_code'])
      .where('outbox', '=', 'status_page_notifications')
      .where(
        'delivery_id',
        'in',
        rows.map((r) => r.notification_id),
      )
      .orderBy('delivery_id')
      .orderBy('attempt')
      .execute();
    const email = rows.find((r) => r.channel === 'email')!.notification_id;
    expect(
      attempts.filter((x) => x.delivery_id === email).map((x) => [x.attempt, x.status, x.status_code]),
    ).toEqual([
      [1, 'failed', 451],
      [2, 'success', 250],
    ]);
    expect(
      attempts.filter((x) => x.delivery_id !== email).map((x) => [x.attempt, x.status, x.status_code]),
    ).toEqual([
      [1, 'failed', 500],
      [2, 'success', 200],
    ]);
  });
});

describe('SMTP configuration', () => {
  it('takes smtp:// and smtps:// URLs and refuses others, naming SMTP_URL', () => {
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example:465' }).smtpUrl).toBe(
      'smtps://u:p@mail.example:465',
    );
    expect(loadConfig({}).smtpUrl).toBeUndefined();
    expect(loadConfig({}).smtpFrom).toBe('Vigil <vigil@localhost>');
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example' })).toThrow(/SMTP_URL/);
  });
});

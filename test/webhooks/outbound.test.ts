import type { LookupAddress } from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { guardedDispatcher, type Resolve } from '../../src/notifications/providers/outbound-guard.ts';
import { OutboundAllow, outboundUrlProblem } from '../../src/notifications/providers/outbound-policy.ts';
import { postJson } from '../../src/notifications/providers/webhook.ts';
import { createChannel, createTeam } from '../channels/helpers.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { Listener } from '../notifications/helpers.ts';
import { invalid, newIncident, pageWithComponents } from '../status-pages/helpers.ts';
import { alertSource, deliveries, newWebhook, ok, push } from './helpers.ts';

/*
 * Server-side request forgery (issue 17, item 4): the URLs account members set for Vigil to call
 * (webhooks, status-page webhook subscribers, chat bots) may reach public addresses only, unless
 * OUTBOUND_ALLOW says otherwise. Refused when saved for what the URL shows (scheme, an address in
 * any spelling, localhost), and at connect time for what a host name resolves to.
 */

const LOOPBACK = /address 127\.0\.0\.1 is not allowed: loopback; set OUTBOUND_ALLOW to permit it/;

/** Every form the issue reproduced, and its neighbours: [URL, why it is refused]. */
const FORBIDDEN: [string, RegExp][] = [
  ['http://127.0.0.1:8080/hook', LOOPBACK],
  ['http://127.8.9.10/', /address 127\.8\.9\.10 is not allowed: loopback/],
  ['http://localhost:8080/hook', /host localhost is not allowed: loopback; set OUTBOUND_ALLOW/],
  ['http://LOCALHOST./hook', /host localhost is not allowed: loopback/],
  ['http://api.localhost/hook', /host api\.localhost is not allowed: loopback/],
  ['http://[::1]/hook', /address ::1 is not allowed: loopback/],
  ['http://2130706433/hook', LOOPBACK],
  ['http://0x7f.1/hook', LOOPBACK],
  ['http://017700000001/hook', LOOPBACK],
  ['http://127.1/hook', LOOPBACK],
  ['http://[::ffff:127.0.0.1]/hook', LOOPBACK],
  ['http://[::ffff:7f00:1]/hook', LOOPBACK],
  ['http://[::127.0.0.1]/hook', /IPv4-compatible IPv6/],
  [
    'http://169.254.169.254/latest/meta-data/',
    /169\.254\.169\.254 is not allowed: link-local \(cloud metadata\)/,
  ],
  ['http://[::ffff:169.254.169.254]/', /169\.254\.169\.254 is not allowed: link-local \(cloud metadata\)/],
  ['http://169.254.1.1/', /link-local/],
  ['http://[fe80::1]/', /address fe80::1 is not allowed: link-local/],
  ['http://10.0.0.1/', /address 10\.0\.0\.1 is not allowed: private \(RFC 1918\)/],
  ['http://172.16.5.4/', /private \(RFC 1918\)/],
  ['http://192.168.1.1/', /private \(RFC 1918\)/],
  ['http://[fc00::1]/', /private \(unique local, fc00::\/7\)/],
  ['http://[fd00:ec2::254]/', /private \(unique local/],
  ['http://100.64.0.1/', /shared address space/],
  ['http://100.100.100.200/', /shared address space/],
  ['http://0.0.0.0/', /address 0\.0\.0\.0 is not allowed: unspecified/],
  ['http://0/', /address 0\.0\.0\.0 is not allowed: unspecified/],
  ['http://[::]/', /address :: is not allowed: unspecified/],
  ['http://224.0.0.1/', /multicast/],
  ['http://[ff02::1]/', /multicast/],
  ['http://255.255.255.255/', /broadcast/],
  ['http://240.0.0.1/', /reserved/],
  ['http://192.0.2.1/', /reserved/],
  ['http://[64:ff9b::7f00:1]/', /NAT64/],
  ['http://[2002:7f00:1::]/', /6to4/],
  ['file:///etc/passwd', /must start with http:\/\/ or https:\/\//],
  ['gopher://127.0.0.1:6379/_INFO', /must start with http:\/\/ or https:\/\//],
  ['ftp://example.com/x', /must start with http:\/\/ or https:\/\//],
  ['javascript:alert(1)', /must start with http:\/\/ or https:\/\//],
  ['data:text/plain,hi', /must start with http:\/\/ or https:\/\//],
  ['//example.com/hook', /must be an absolute http:\/\/ or https:\/\/ URL/],
];

const PUBLIC = [
  'https://hooks.slack.com/services/T0/B0/x',
  'http://8.8.8.8/hook',
  'https://[2606:4700:4700::1111]:8443/hook',
  'HTTPS://Example.COM/hook',
];

const allowOf = (text: string) => {
  const parsed = OutboundAllow.parse(text);
  expect(parsed.problems).toEqual([]);
  return parsed.allow;
};

describe('the policy: which URLs a member may store', () => {
  it.each(FORBIDDEN)('refuses %s', (url, reason) => {
    expect(outboundUrlProblem(url, OutboundAllow.none)).toMatch(reason);
  });

  it.each(PUBLIC)('accepts the public %s', (url) => {
    expect(outboundUrlProblem(url, OutboundAllow.none)).toBeUndefined();
  });

  it('takes CIDRs, addresses and host names from OUTBOUND_ALLOW, and only what they cover', () => {
    const allow = allowOf(' 127.0.0.1/32 , 10.1.0.0/16,fd00::/8, hooks.corp.example, *.intranet.example ');
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://2130706433:9/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://localhost:9/hook',
      'http://10.1.200.3/hook',
      'http://[fd12::1]/hook',
      'http://hooks.corp.example/hook',
      'http://a.b.intranet.example/hook',
    ]) {
      expect(outboundUrlProblem(url, allow), url).toBeUndefined();
    }
    for (const url of ['http://127.0.0.2/', 'http://[::1]/', 'http://10.2.0.1/', 'http://169.254.169.254/']) {
      expect(outboundUrlProblem(url, allow), url).toMatch(/is not allowed/);
    }
    // Only http(s), whatever is allowed.
    expect(outboundUrlProblem('gopher://127.0.0.1:70/', allow)).toMatch(/must start with http/);
  });

  it('names each OUTBOUND_ALLOW entry that is neither a network nor a host name, and Vigil does not start', () => {
    expect(loadConfig({ OUTBOUND_ALLOW: '127.0.0.1/8' }).outboundAllow.entries).toEqual(['127.0.0.1/8']);
    expect(loadConfig({}).outboundAllow).toBe(OutboundAllow.none);
    for (const bad of ['0x7f.1', '10.0.0.0/33', 'http://x.example', 'a b', '*']) {
      expect(() => loadConfig({ OUTBOUND_ALLOW: `10.0.0.0/8,${bad}` }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ OUTBOUND_ALLOW: bad }), bad).toThrow(/OUTBOUND_ALLOW: ".*" is neither/);
    }
  });
});

/** A plain HTTP server on a loopback address that records the paths it is asked for. */
async function loopbackServer(
  host: string,
  port = 0,
): Promise<{ port: number; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    request.resume();
    if (request.url === '/redirect') {
      response.writeHead(302, {
        location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal`,
      });
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end('INTERNAL-SECRET');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the guard: where a call connects, after DNS resolution', () => {
  let server: Awaited<ReturnType<typeof loopbackServer>>;
  beforeAll(async () => {
    server = await loopbackServer('127.0.0.1');
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.paths.length = 0;
  });

  /** A resolver of test names (and nothing else: no query leaves the machine). */
  const resolver =
    (answers: Record<string, string[]>): Resolve =>
    (hostname, _options, callback) => {
      const addresses = answers[hostname];
      if (!addresses) {
        return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      }
      callback(
        null,
        addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
    };

  const call = (url: string, allow: OutboundAllow, resolve?: Resolve) =>
    postJson(url, { 'content-type': 'application/json' }, '{}', {
      timeoutMs: 2_000,
      maxResponseBytes: 1024,
      dispatcher: guardedDispatcher(allow, resolve),
    });

  it('refuses a host name that resolves to loopback, before connecting, and allows it through OUTBOUND_ALLOW', async () => {
    const rebound = resolver({ 'hooks.rebind.test': ['127.0.0.1'] });
    const url = `http://hooks.rebind.test:${server.port}/hook`;
    const refused = await call(url, OutboundAllow.none, rebound);
    expect(refused).toMatchObject({ ok: false, refused: true, statusCode: 0, responseBody: '' });
    expect(refused.error).toMatch(LOOPBACK);
    expect(server.paths).toEqual([]);

    for (const allow of [allowOf('127.0.0.1/32'), allowOf('hooks.rebind.test'), allowOf('*.rebind.test')]) {
      const delivered = await call(url, allow, rebound);
      expect(delivered, allow.toString()).toMatchObject({ ok: true, refused: false, statusCode: 200 });
      expect(delivered.responseBody).toBe('INTERNAL-SECRET');
    }
    expect(server.paths).toEqual(['/hook', '/hook', '/hook']);
  });

  it('connects only to the allowed addresses of a name that resolves to several', async () => {
    // Both loopback (no traffic leaves the machine); the first is refused, the second allowed.
    const other = await loopbackServer('127.0.0.2', server.port);
    try {
      const mixed = resolver({ 'mixed.rebind.test': ['127.0.0.2', '127.0.0.1'] });
      const url = `http://mixed.rebind.test:${server.port}/hook`;
      expect(await call(url, allowOf('127.0.0.1'), mixed)).toMatchObject({ ok: true, statusCode: 200 });
      expect(server.paths).toEqual(['/hook']);
      expect(other.paths).toEqual([]);
      const none = await call(url, OutboundAllow.none, mixed);
      expect(none.error).toMatch(/address 127\.0\.0\.2 is not allowed: loopback/);
      expect(other.paths).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('refuses localhost through the system resolver, and every literal spelling of loopback', async () => {
    for (const host of [
      'localhost',
      '127.0.0.1',
      '2130706433',
      '0x7f.1',
      '017700000001',
      '[::ffff:127.0.0.1]',
      '[::1]',
    ]) {
      const result = await call(`http://${host}:${server.port}/hook`, OutboundAllow.none);
      expect(result, host).toMatchObject({ ok: false, refused: true, statusCode: 0 });
      expect(result.error, host).toMatch(/is not allowed: loopback; set OUTBOUND_ALLOW to permit it/);
    }
    expect(server.paths).toEqual([]);
    expect(await call(`http://localhost:${server.port}/hook`, allowOf('127.0.0.1'))).toMatchObject({
      ok: true,
    });
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const named = resolver({ 'public.rebind.test': ['127.0.0.1'] });
    const result = await call(
      `http://public.rebind.test:${server.port}/redirect`,
      allowOf('public.rebind.test'),
      named,
    );
    expect(result).toMatchObject({ ok: false, statusCode: 302, responseBody: '' });
    expect(server.paths).toEqual(['/redirect']);
  });
});

describe('saving a URL', () => {
  let t: TestApp;
  let owner: TestAccount;
  let teamId: number;
  let channelId: number;
  let pageId: number;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.newAccount('Outbound');
    teamId = await createTeam(t, owner, 'Ops', [owner.memberId]);
    channelId = await createChannel(t, owner, { team_id: teamId, channel_name: 'Outbound' });
    pageId = ok(
      await t.post(
        '/status-page/create',
        {
          name: 'Out',
          url_name: 'outbound-ssrf',
          type: 'public',
          date_view: 'list',
          display_uptime_mode: 'none',
        },
        owner.appKey,
      ),
    ).page_id;
  });
  afterAll(() => t.close());

  const webhookCount = async () =>
    Number(
      (
        await t.db.q
          .selectFrom('integrations')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('account_id', '=', owner.accountId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it.each(FORBIDDEN)('webhook settings.url %s is refused and nothing is stored', async (url, reason) => {
    const before = await webhookCount();
    const res = await t.post(
      '/datasource/upsert',
      { name: 'hook', plugin_type: 'webhook.incident', settings: { url } },
      owner.appKey,
    );
    invalid(res, 'settings.url', reason);
    expect(await webhookCount()).toBe(before);
  });

  it('refuses the same on update, and for the legacy settings.endpoint', async () => {
    const id = await newWebhook(t, owner, 'webhook.alert', { url: 'https://hooks.example/a' });
    invalid(
      await t.post(
        '/datasource/upsert',
        {
          integration_id: id,
          name: 'hook',
          plugin_type: 'webhook.alert',
          settings: { url: 'http://[::1]/' },
        },
        owner.appKey,
      ),
      'settings.url',
      /::1 is not allowed: loopback/,
    );
    invalid(
      await t.post(
        '/datasource/upsert',
        { name: 'legacy', plugin_type: 'webhook.alert', settings: { endpoint: 'http://169.254.169.254/' } },
        owner.appKey,
      ),
      'settings.endpoint',
      /cloud metadata/,
    );
  });

  it.each(FORBIDDEN)('status-page webhook subscriber %s is refused', async (url, reason) => {
    const res = await t.post(
      '/status-page/subscriber/import',
      {
        page_id: pageId,
        method: 'webhook',
        subscribers: [{ recipient: 'https://ok.example/x' }, { recipient: url }],
      },
      owner.appKey,
    );
    invalid(res, 'subscribers[1].recipient', reason);
    const stored = await t.db.q
      .selectFrom('status_page_subscribers')
      .select('recipient')
      .where('page_id', '=', pageId)
      .execute();
    expect(stored).toEqual([]);
  });

  it.each(FORBIDDEN)(
    'chat bot settings.url %s is refused, in a rule and in a channel',
    async (url, reason) => {
      const target = { person_ids: [owner.memberId], webhooks: [{ type: 'slack', settings: { url } }] };
      invalid(
        await t.post(
          '/channel/escalate/rule/create',
          {
            channel_id: channelId,
            rule_name: 'r',
            template_id: '0123456789abcdef01234567',
            layers: [{ target }],
          },
          owner.appKey,
        ),
        'layers[0].target.webhooks[0].settings.url',
        reason,
      );
      invalid(
        await t.post(
          '/channel/create',
          {
            team_id: teamId,
            channel_name: 'never',
            escalate_rule: { template_id: '0123456789abcdef01234567', target },
          },
          owner.appKey,
        ),
        'escalate_rule.target.webhooks[0].settings.url',
        reason,
      );
    },
  );

  it('refuses a chat bot url that is not a string, and accepts a public one', async () => {
    const rule = (settings: Record<string, unknown>) =>
      t.post(
        '/channel/escalate/rule/create',
        {
          channel_id: channelId,
          rule_name: 'r',
          template_id: '0123456789abcdef01234567',
          layers: [{ target: { person_ids: [owner.memberId], webhooks: [{ type: 'custom', settings }] } }],
        },
        owner.appKey,
      );
    invalid(await rule({ url: 42 }), 'layers[0].target.webhooks[0].settings.url', /http/);
    ok(await rule({ url: 'https://hooks.example/custom' }));
  });
});

describe('OUTBOUND_ALLOW on a running Vigil', () => {
  let t: TestApp;
  let owner: TestAccount;
  beforeAll(async () => {
    t = await startTestApp({ env: { OUTBOUND_ALLOW: '127.0.0.1/32,hooks.corp.example' } });
    owner = await t.newAccount('Allowed');
  });
  afterAll(() => t.close());

  it('accepts what it allows and still refuses the rest', async () => {
    ok(
      await t.post(
        '/datasource/upsert',
        { name: 'a', plugin_type: 'webhook.alert', settings: { url: 'http://127.0.0.1:9/hook' } },
        owner.appKey,
      ),
    );
    ok(
      await t.post(
        '/datasource/upsert',
        { name: 'b', plugin_type: 'webhook.alert', settings: { url: 'http://hooks.corp.example/x' } },
        owner.appKey,
      ),
    );
    for (const url of [
      'http://[::1]:9/',
      'http://10.0.0.1/',
      'http://169.254.169.254/',
      'file:///etc/passwd',
    ]) {
      invalid(
        await t.post(
          '/datasource/upsert',
          { name: 'c', plugin_type: 'webhook.alert', settings: { url } },
          owner.appKey,
        ),
        'settings.url',
      );
    }
  });
});

describe('delivering to a name that resolves to a refused address', () => {
  let listener: Listener;
  beforeAll(async () => {
    listener = await Listener.start();
  });
  afterAll(() => listener.close());

  /**
   * A webhook whose endpoint is `localhost` (a name: stored before URLs were checked, or a public
   * name re-pointed at loopback); the receiver answers with a body that must never be shown.
   */
  async function deliverToLocalhost(env: Record<string, string>) {
    const t = await startTestApp({ env });
    try {
      const owner = await t.newAccount('Rebound');
      const source = await alertSource(t, owner);
      const hookId = await newWebhook(t, owner, 'webhook.alert', { url: 'https://hooks.example/a' });
      await push(t, source.key, 'db-1');
      const internal = `${listener.base.replace('127.0.0.1', 'localhost')}/internal`;
      await t.db.q.updateTable('webhook_deliveries').set({ endpoint: internal }).execute();
      listener.answer({ status: 200, body: 'INTERNAL-SECRET-42' });
      await t.webhooks.runOnce();
      const [row] = await deliveries(t);
      const detail = ok(
        await t.post(
          '/webhook/history/detail',
          { integration_id: hookId, event_id: row!.event_id },
          owner.appKey,
        ),
      );
      return { detail, row: row! };
    } finally {
      await t.close();
    }
  }

  it('fails the delivery at once with the reason, calls nothing, and the history holds no answer', async () => {
    listener.hits.length = 0;
    const { detail, row } = await deliverToLocalhost({});
    expect(listener.hits).toHaveLength(0);
    expect(detail).toMatchObject({ status: 'failed', status_code: 0, attempt: 1, next_attempt_at: 0 });
    expect(detail.error_message).toMatch(/is not allowed: loopback; set OUTBOUND_ALLOW to permit it/);
    expect(detail.response_body ?? '').toBe('');
    expect(JSON.stringify(detail)).not.toContain('INTERNAL-SECRET');
    expect(row.status).toBe('failed');
  });

  it('delivers there once OUTBOUND_ALLOW allows it', async () => {
    listener.hits.length = 0;
    const { detail } = await deliverToLocalhost(ALLOW_LOOPBACK);
    expect(listener.hits).toHaveLength(1);
    expect(detail).toMatchObject({ status: 'success', status_code: 200 });
    expect(detail.response_body).toBe('INTERNAL-SECRET-42');
  });

  it('refuses a status-page webhook subscriber the same way', async () => {
    listener.hits.length = 0;
    const t = await startTestApp();
    try {
      const owner = await t.newAccount('Subscribed');
      const page = await pageWithComponents(t, owner, ['API']);
      ok(
        await t.post(
          '/status-page/subscriber/import',
          {
            page_id: page.pageId,
            method: 'webhook',
            subscribers: [{ recipient: 'https://hooks.example/s' }],
          },
          owner.appKey,
        ),
      );
      await newIncident(
        t,
        owner,
        page.pageId,
        [{ component_id: page.componentIds[0]!, status: 'degraded' }],
        {
          notify_subscribers: true,
        },
      );
      await t.db.q
        .updateTable('status_page_notifications')
        .set({ recipient: `${listener.base.replace('127.0.0.1', 'localhost')}/internal` })
        .execute();
      expect(await t.statusPages.runOnce()).toMatchObject({ claimed: 1, delivered: 0 });
      const rows = await t.db.q.selectFrom('status_page_notifications').selectAll().execute();
      // Failed for good at the first attempt: a refusal is not retried.
      expect(rows.map((r) => [r.status, r.attempt])).toEqual([['failed', 1]]);
      expect(rows[0]!.error_message).toMatch(/is not allowed: loopback; set OUTBOUND_ALLOW to permit it/);
      expect(listener.hits).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});

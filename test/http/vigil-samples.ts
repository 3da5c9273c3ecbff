import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SAMPLES, type SampleContext } from '../conformance/samples.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestApp } from '../harness/app.ts';
import { GOOD_APP } from '../harness/fake-feishu.ts';
import { startFakeSlack } from '../harness/fake-slack.ts';

/*
 * A valid request for every operation Vigil serves: the conformance samples for the operations
 * Flashduty documents, and below the ones only Vigil has. The whole-API tests start from these,
 * so what they send differs from a request that succeeds in one thing only.
 */

/** A request: its body or query, and how it authenticates (the owner's app_key unless `auth` says). */
export type SampleRequest = { input: Record<string, unknown>; auth?: Record<string, string> };
type RequestSample = (ctx: SampleContext, t: TestApp) => Promise<SampleRequest>;

/**
 * Operations no sample can call as a client would: the console's own session (cookie and CSRF
 * header) and its event stream; and the SNS push, whose messages must be signed by a certificate
 * served from SNS's own hosts (test/ingest/sources/aws-cloudwatch.test.ts covers it).
 */
export const SESSION_ONLY = new Set([
  '/event/push/alert/aws/cloudwatch',
  '/console/session',
  '/console/sign-out',
  '/console/password/change',
  '/console/events',
]);

async function statusPage(ctx: SampleContext) {
  const { page_id } = await ctx.call('/status-page/create', {
    name: 'Sample',
    url_name: ctx.unique('sample'),
    type: 'public',
    date_view: 'list',
    display_uptime_mode: 'chart_and_percentage',
  });
  const { section_ids } = await ctx.call('/status-page/section/upsert', {
    page_id,
    sections: [{ name: 'Core' }],
  });
  const { component_ids } = await ctx.call('/status-page/component/upsert', {
    page_id,
    components: [{ name: 'API', section_id: section_ids[0] }],
  });
  return {
    page_id: page_id as number,
    section_id: section_ids[0] as string,
    component_id: component_ids[0] as string,
  };
}

/**
 * Sources that answer in their own shape rather than Flashduty's envelope (docs/sources.md):
 * PagerDuty's `{status, message, dedup_key}` (202 for v2) and `{status: "invalid event", ...}`.
 */
export const OWN_REPLY_SHAPE = new Set([
  '/event/push/alert/pagerduty',
  '/v2/enqueue',
  '/generic/2010-04-15/create_event.json',
]);

const pagerDutyTrigger = (ctx: SampleContext) => ({
  event_action: 'trigger',
  dedup_key: ctx.unique('pd'),
  payload: {
    summary: 'Disk almost full',
    source: 'db-1',
    severity: 'warning',
    custom_details: { free: '1%' },
  },
  links: [{ href: 'https://example.com/', text: 'Runbook' }],
});

async function pushKey(ctx: SampleContext, plugin_type: string): Promise<string> {
  const { channel_id } = await ctx.channel();
  const created = await ctx.call('/datasource/upsert', {
    name: ctx.unique('push'),
    plugin_type,
    ...(plugin_type.startsWith('alert.') ? { channel_id } : {}),
  });
  return created.integration_key as string;
}

/** A member of the account with a console password, and that password. */
async function consoleMember(ctx: SampleContext) {
  const member = await ctx.member();
  const invite = await ctx.call('/console/invite/create', { member_id: member.member_id });
  const token = String(invite.invite_url).split('/invite/')[1]!;
  return { ...member, token };
}

const input = (value: Record<string, unknown>): SampleRequest => ({ input: value });

/** A post-mortem of a new incident. */
async function postMortem(ctx: SampleContext): Promise<string> {
  const { incident_id } = await ctx.alert();
  const { meta } = await ctx.call('/incident/post-mortem/init', { incident_ids: [incident_id] });
  return meta.post_mortem_id as string;
}

/** A PagerDuty-shaped API on 127.0.0.1 with nothing in it, for the import operations; unref'd. */
let emptySource: Promise<string> | undefined;
function emptyPagerduty(): Promise<string> {
  emptySource ??= new Promise((resolve) => {
    const server = createServer((request, response) => {
      request.resume();
      const empty = {
        users: [],
        teams: [],
        schedules: [],
        escalation_policies: [],
        services: [],
        more: false,
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(empty));
    });
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
  return emptySource;
}

const importSample = async () =>
  input({ source: 'pagerduty', api_url: await emptyPagerduty(), token: 'sample-token' });

const VIGIL_SAMPLES: Record<string, RequestSample> = {
  '/healthz': async () => input({}),
  '/readyz': async () => input({}),
  '/account/info': async () => input({}),
  '/datasource/delete': async (ctx) =>
    input({ integration_id: (await ctx.alertIntegration()).integration_id }),
  '/datasource/enable': async (ctx) =>
    input({ integration_id: (await ctx.alertIntegration()).integration_id }),
  '/datasource/disable': async (ctx) =>
    input({ integration_id: (await ctx.alertIntegration()).integration_id }),
  // With one Feishu integration hosting war rooms, so the list has an item.
  '/datasource/im/war-room-enabled/list': async (ctx) => {
    await ctx.call('/datasource/upsert', {
      name: ctx.unique('feishu'),
      plugin_type: 'im.feishu',
      settings: GOOD_APP,
    });
    return input({});
  },
  '/event/push/alert/standard': async (ctx) => ({
    input: {
      event_status: 'Warning',
      alert_key: ctx.unique('key'),
      title_rule: 'Disk full',
      labels: { host: 'db-1' },
    },
    auth: { integration_key: await pushKey(ctx, 'alert.standard') },
  }),
  '/event/push/alert/prometheus': async (ctx) => ({
    input: {
      version: '4',
      status: 'firing',
      receiver: 'vigil',
      groupKey: '{}:{alertname="Disk"}',
      groupLabels: { alertname: 'Disk' },
      commonLabels: { alertname: 'Disk' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Disk', severity: 'warning', instance: ctx.unique('host') },
          annotations: { summary: 'Disk almost full' },
          startsAt: '2026-01-05T08:59:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example/graph',
          fingerprint: 'a1b2c3d4e5f60718',
        },
      ],
    },
    auth: { integration_key: await pushKey(ctx, 'alert.prometheus') },
  }),
  '/event/push/alert/grafana': async (ctx) => ({
    input: {
      receiver: 'vigil',
      status: 'firing',
      orgId: 1,
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'High memory usage', instance: ctx.unique('host') },
          annotations: { summary: 'Memory high' },
          startsAt: '2026-01-05T08:59:00Z',
          fingerprint: ctx.unique('fp'),
          silenceURL: 'https://grafana.example/alerting/silence/new',
          values: { B: 44.2 },
          valueString: "[ var='B' value=44.2 ]",
        },
      ],
      state: 'alerting',
    },
    auth: { integration_key: await pushKey(ctx, 'alert.grafana') },
  }),
  '/event/push/alert/datadog': async (ctx) => ({
    input: {
      alert_cycle_key: ctx.unique('dd-cycle'),
      alert_id: '1234',
      alert_transition: 'Triggered',
      alert_type: 'warning',
      title: 'Memory Alert',
      message: 'Memory above 90%',
      tags: 'env:prod, role:computing-node',
      custom_labels: { kube_cluster: 'prod-1' },
    },
    auth: { integration_key: await pushKey(ctx, 'alert.datadog') },
  }),
  '/event/push/alert/sentry': async (ctx) => ({
    input: {
      action: 'triggered',
      data: {
        event: {
          issue_id: ctx.unique('1117540176'),
          event_id: 'e4874d664c3540c1a32eab185f12c5ab',
          title: 'ReferenceError: heck is not defined',
          level: 'error',
          tags: [['browser', 'Chrome 75.0.3770']],
        },
        triggered_rule: 'Very Important Alert Rule!',
      },
    },
    auth: { integration_key: await pushKey(ctx, 'alert.sentry') },
  }),
  '/event/push/alert/uptime-kuma': async (ctx) => ({
    input: {
      heartbeat: { monitorID: 29, status: 0, time: '2026-01-05 09:00:00.527', msg: 'timeout' },
      monitor: { id: ctx.unique('29'), name: 'Shop', type: 'http', url: 'https://shop.example.com/' },
      msg: '[Shop] [🔴 Down] timeout',
    },
    auth: { integration_key: await pushKey(ctx, 'alert.uptime-kuma') },
  }),
  '/event/push/alert/zabbix': async (ctx) => ({
    input: {
      event_id: ctx.unique('8271'),
      event_value: '1',
      event_name: 'High CPU utilization',
      event_nseverity: '4',
      event_tags: [{ tag: 'component', value: 'cpu' }],
      host_name: 'db-1',
    },
    auth: { integration_key: await pushKey(ctx, 'alert.zabbix') },
  }),
  '/event/push/alert/n9e': async (ctx) => ({
    input: {
      hash: ctx.unique('f75556af'),
      rule_name: 'CPU busy',
      severity: 2,
      is_recovered: false,
      tags: ['ident=db-1'],
      tags_map: { ident: 'db-1' },
      trigger_time: 1749196393,
      trigger_value: '33.07',
    },
    auth: { integration_key: await pushKey(ctx, 'alert.n9e') },
  }),
  '/event/push/alert/pagerduty': async (ctx) => ({
    input: pagerDutyTrigger(ctx),
    auth: { integration_key: await pushKey(ctx, 'alert.pagerduty') },
  }),
  '/v2/enqueue': async (ctx) => ({
    input: { ...pagerDutyTrigger(ctx), routing_key: await pushKey(ctx, 'alert.pagerduty') },
    auth: {},
  }),
  '/generic/2010-04-15/create_event.json': async (ctx) => ({
    input: {
      service_key: await pushKey(ctx, 'alert.pagerduty'),
      event_type: 'trigger',
      incident_key: ctx.unique('srv01/HTTP'),
      description: 'FAILURE for production/HTTP on machine srv01.acme.com',
      details: { 'ping time': '1500ms' },
      contexts: [{ type: 'link', href: 'http://acme.pagerduty.com', text: 'View' }],
    },
    auth: {},
  }),
  '/event/push/change/standard': async (ctx) => ({
    input: {
      change_status: 'Planned',
      change_key: ctx.unique('chg'),
      title: 'Deploy',
      labels: { service: 'web' },
    },
    auth: { integration_key: await pushKey(ctx, 'change.standard') },
  }),
  '/channel/escalate/rule/heads-up': async (ctx) =>
    input({ channel_id: (await ctx.channel()).channel_id, hours: 24 }),
  '/notification/reachability': async (ctx) =>
    input({
      person_ids: [ctx.account.memberId],
      incident_severity: 'Critical',
      by: { follow_preference: true },
    }),
  '/incident/notification/list': async (ctx) => input({ incident_id: (await ctx.alert()).incident_id }),
  '/change/info': async (ctx) => input({ change_id: (await ctx.change()).change_id }),
  '/incident/change/list': async (ctx) => input({ incident_id: (await ctx.alert()).incident_id, limit: 10 }),
  '/change/correlation/info': async () => input({}),
  '/change/correlation/upsert': async () => input({ label_keys: ['service'], window_seconds: 3600 }),
  '/insight/settings/info': async () => input({}),
  '/insight/settings/upsert': async (ctx) => {
    const { cal_id } = await ctx.call('/calendar/create', {
      cal_name: ctx.unique('cal'),
      workdays: [1, 2, 3, 4, 5],
    });
    return input({ cal_id });
  },
  '/status-page/create': async (ctx) =>
    input({
      name: 'Sample',
      url_name: ctx.unique('page'),
      type: 'public',
      date_view: 'list',
      display_uptime_mode: 'chart',
      custom_links: [{ name: 'Docs', url: 'https://example.com/docs' }],
      subscription: { email: true },
    }),
  '/status-page/update': async (ctx) =>
    input({
      page_id: (await statusPage(ctx)).page_id,
      page_title: 'Renamed',
      subscription: { email: false },
      time_zone: 'Europe/Berlin',
      brand_color: '#0a3069',
      header_color: '#ffd700',
    }),
  '/status-page/delete': async (ctx) => input({ page_id: (await statusPage(ctx)).page_id }),
  '/status-page/list': async () => input({}),
  '/status-page/info': async (ctx) => input({ page_id: (await statusPage(ctx)).page_id }),
  '/status-page/section/upsert': async (ctx) => {
    const { page_id, section_id } = await statusPage(ctx);
    return input({ page_id, sections: [{ section_id, name: 'Renamed', order_id: 2 }, { name: 'Edge' }] });
  },
  '/status-page/section/delete': async (ctx) => {
    const { page_id, section_id } = await statusPage(ctx);
    return input({ page_id, section_ids: [section_id] });
  },
  '/status-page/component/upsert': async (ctx) => {
    const { page_id, component_id } = await statusPage(ctx);
    return input({ page_id, components: [{ component_id, name: 'Renamed', order_id: 3 }, { name: 'Web' }] });
  },
  '/status-page/component/delete': async (ctx) => {
    const { page_id, component_id } = await statusPage(ctx);
    return input({ page_id, component_ids: [component_id] });
  },
  '/status-page/change/create-from-incident': async (ctx) => {
    const { page_id, component_id } = await statusPage(ctx);
    return input({
      page_id,
      incident_id: (await ctx.alert()).incident_id,
      component_changes: [{ component_id, status: 'degraded' }],
    });
  },
  '/status-page/change/active/list': async (ctx) =>
    input({ page_id: (await statusPage(ctx)).page_id, type: 'incident' }),
  '/status-page/template/list': async (ctx) => input({ page_id: (await statusPage(ctx)).page_id }),
  '/status-page/template/upsert': async (ctx) =>
    input({
      page_id: (await statusPage(ctx)).page_id,
      type: 'message',
      template: { event_type: 'incident', status: 'investigating', description: 'We are looking into it.' },
    }),
  '/status-page/template/delete': async (ctx) => {
    const { page_id } = await statusPage(ctx);
    const template_id = await ctx.call('/status-page/template/upsert', {
      page_id,
      type: 'message',
      template: { event_type: 'incident', status: 'identified', description: 'Found it.' },
    });
    return input({
      page_id,
      template_id: typeof template_id === 'string' ? template_id : template_id.template_id,
    });
  },
  '/status-page/subscriber/delete': async (ctx) => {
    const { page_id } = await statusPage(ctx);
    await ctx.call('/status-page/subscriber/import', {
      page_id,
      method: 'email',
      subscribers: [{ recipient: 'gone@example.com', all: true }],
    });
    return input({ page_id, method: 'email', recipients: ['gone@example.com'] });
  },
  '/schedule/ical': async () => input({}),
  '/schedule/feed/create': async () => input({}),
  '/schedule/feed/delete': async (ctx) =>
    input({ token: (await ctx.call('/schedule/feed/create', {})).token }),
  '/schedule/ical/feed': async (ctx) => ({
    input: { token: (await ctx.call('/schedule/feed/create', {})).token },
    auth: {},
  }),
  '/event/push/heartbeat': async (ctx) => ({
    input: {},
    auth: { integration_key: await pushKey(ctx, 'alert.heartbeat') },
  }),
  '/event/push/alert/webhook': async (ctx) => ({
    input: {
      title: 'Disk almost full',
      alert_key: ctx.unique('hook'),
      status: 'firing',
      severity: 'warning',
    },
    auth: { integration_key: await pushKey(ctx, 'alert.webhook') },
  }),
  '/datasource/webhook/preview': async () =>
    input({
      settings: { title: '$.check', alert_key: '$.id' },
      payload: { check: 'Disk almost full', id: 'a1' },
    }),
  '/incident/post-mortem/content/reset': async (ctx) =>
    input({ post_mortem_id: await postMortem(ctx), content: '# What happened\n\nA disk filled up.' }),
  '/incident/post-mortem/export': async (ctx) => input({ post_mortem_id: await postMortem(ctx) }),
  '/incident/custom-action/list': async (ctx) => input({ incident_id: (await ctx.alert()).incident_id }),
  '/import/plan': importSample,
  '/import/apply': importSample,
  '/console/invite/create': async (ctx) => input({ member_id: (await ctx.member()).member_id }),
  '/console/invite/info': async (ctx) => ({ input: { token: (await consoleMember(ctx)).token }, auth: {} }),
  '/console/invite/accept': async (ctx) => ({
    input: { token: (await consoleMember(ctx)).token, password: 'a sample password 1' },
    auth: {},
  }),
  '/console/sign-in': async (ctx, t) => {
    const member = await consoleMember(ctx);
    const accepted = await t.post(
      '/console/invite/accept',
      { token: member.token, password: 'a sample password 2' },
      undefined,
    );
    if (accepted.status !== 200) throw new Error(`invite accept answered ${accepted.status}`);
    return {
      input: { email: `${member.member_name}@example.com`, password: 'a sample password 2' },
      auth: {},
    };
  },
};

/** The valid request of an operation, or undefined when there is none (SESSION_ONLY). */
export function sampleFor(path: string): RequestSample | undefined {
  const documented = SAMPLES[path];
  if (documented) return async (ctx) => ({ input: await documented(ctx) });
  return VIGIL_SAMPLES[path];
}

/**
 * An app the samples can drive: outbound calls may reach loopback (the samples' receivers) and
 * Slack's Web API is a local fake (war rooms). `close` stops both.
 */
export async function startSampleApp(env: Record<string, string> = {}): Promise<TestApp> {
  const slack = await startFakeSlack();
  const t = await startTestApp({ env: { ...ALLOW_LOOPBACK, SLACK_API_URL: slack.url, ...env } });
  const close = t.close.bind(t);
  t.close = async () => {
    await close();
    await slack.close();
  };
  return t;
}

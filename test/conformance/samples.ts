import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { GOOD_TOKEN } from '../harness/fake-slack.ts';
import { PROCESSING_SAMPLES } from './samples-processing.ts';

/**
 * What a sample may use: the owner's account and app key, and helpers that create the
 * prerequisites an operation needs. Every helper creates something new, so samples do not
 * depend on one another or on the order they run in.
 */
export type SampleContext = {
  account: TestAccount;
  /** POSTs to Vigil with the owner's app key and returns `data`; throws unless the answer is 200. */
  call<T = any>(path: string, body?: unknown): Promise<T>;
  /** GETs a read operation with this query and the owner's app key and returns `data` (the status-page reads are GET). */
  read<T = any>(path: string, query: Record<string, string | number>): Promise<T>;
  /** A name no other sample uses, e.g. `team-7`. */
  unique(prefix: string): string;
  /** A new team with the owner in it. */
  team(): Promise<{ team_id: number; team_name: string }>;
  /** A newly invited member (role Responder). */
  member(): Promise<{ member_id: number; member_name: string }>;
  /** The id of a new app key of the owner's. */
  appKeyId(): Promise<number>;
  /** A new channel, owned by a new team. */
  channel(): Promise<{ channel_id: number; channel_name: string }>;
  /** A new shared alert integration (channel_id 0), which routes events to channels. */
  alertIntegration(): Promise<{ integration_id: number }>;
  /** A new change (Planned, then Processing) pushed to a new change.standard integration. */
  change(): Promise<{ change_id: string; integration_id: number; at: number }>;
  /**
   * A new alert and the incident it opened: a Critical event pushed to a new integration bound to
   * a new channel (which does not group, so the incident is the alert's own).
   */
  alert(): Promise<{
    alert_id: string;
    incident_id: string;
    channel_id: number;
    integration_id: number;
    /** When it was pushed, Unix seconds. */
    at: number;
  }>;
  /**
   * An incident webhook's delivery of a new incident, attempted once against a local receiver that
   * answers 200 (the webhook is disabled afterwards, so other samples enqueue nothing).
   */
  webhookDelivery(): Promise<{ integration_id: number; event_id: string; at_ms: number }>;
};

/** A new im.slack integration holding the token the local Slack server accepts. */
async function slackIntegration(ctx: SampleContext): Promise<number> {
  const created = await ctx.call('/datasource/upsert', {
    name: ctx.unique('slack'),
    plugin_type: 'im.slack',
    settings: { bot_token: GOOD_TOKEN },
  });
  return created.integration_id;
}

/** A war room on a new incident. */
async function warRoom(ctx: SampleContext) {
  const { incident_id } = await ctx.alert();
  const integration_id = await slackIntegration(ctx);
  const room = await ctx.call('/incident/war-room/create', { incident_id, integration_id });
  return { incident_id, integration_id, chat_id: room.chat_id as string };
}

/** A local HTTP receiver answering 200, started on first use; unref'd, so it never holds the process. */
let receiverUrl: Promise<string> | undefined;
function receiver(): Promise<string> {
  receiverUrl ??= new Promise((resolve) => {
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () =>
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
      );
    });
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    });
  });
  return receiverUrl;
}

/** Builds the JSON body (or, for a GET operation, the query) of a valid request. */
export type Sample = (ctx: SampleContext) => Promise<Record<string, unknown>>;

let counter = 0;

export function sampleContext(t: TestApp, account: TestAccount): SampleContext {
  const unique = (prefix: string) => {
    counter += 1;
    return `${prefix}-${counter}`;
  };
  const call = async (path: string, body: unknown = {}) => {
    const res = await t.post(path, body, account.appKey);
    if (res.status !== 200) {
      throw new Error(
        `${path} answered ${res.status}: ${JSON.stringify(res.body)} (sent ${JSON.stringify(body)})`,
      );
    }
    return res.body.data;
  };
  const read = async (path: string, query: Record<string, string | number>) => {
    const res = await t.get(path, query, account.appKey);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.data;
  };
  const ctx: SampleContext = {
    account,
    call,
    read,
    unique,
    team: async () => {
      const team_name = unique('team');
      return call('/team/upsert', { team_name, person_ids: [account.memberId] });
    },
    member: async () => {
      const member_name = unique('member');
      const invited = await call('/member/invite', {
        members: [{ member_name, email: `${member_name}@example.com`, role_ids: [3] }],
      });
      return invited.items[0];
    },
    appKeyId: async () => (await call('/person/app-key/create', { key_name: unique('key') })).key_id,
    channel: async () => {
      const { team_id } = await ctx.team();
      const channel_name = unique('channel');
      const created = await call('/channel/create', { team_id, channel_name });
      return { channel_id: created.channel_id, channel_name };
    },
    alertIntegration: async () => {
      const created = await call('/datasource/upsert', {
        name: unique('integration'),
        plugin_type: 'alert.standard',
      });
      return { integration_id: created.integration_id };
    },
    change: async () => {
      const integration = await call('/datasource/upsert', {
        name: unique('changes'),
        plugin_type: 'change.standard',
      });
      const change_key = unique('CHG');
      let change_id = '';
      for (const change_status of ['Planned', 'Processing']) {
        const pushed = await t.app.inject({
          method: 'POST',
          url: `/event/push/change/standard?integration_key=${integration.integration_key}`,
          headers: { 'content-type': 'application/json' },
          payload: {
            change_status,
            change_key,
            title: 'Conformance change',
            description: 'pushed by a conformance sample',
            link: 'https://example.com/changes/1',
            labels: { service: 'web', cluster: 'nj' },
          },
        });
        if (pushed.statusCode !== 200)
          throw new Error(`change push answered ${pushed.statusCode}: ${pushed.body}`);
        change_id = pushed.json().data.change_id;
      }
      return {
        change_id,
        integration_id: integration.integration_id,
        at: Math.floor(t.clock.nowMs() / 1000),
      };
    },
    alert: async () => {
      const { channel_id } = await ctx.channel();
      const integration = await call('/datasource/upsert', {
        name: unique('integration'),
        plugin_type: 'alert.standard',
        channel_id,
      });
      const alert_key = unique('alert');
      const pushed = await t.app.inject({
        method: 'POST',
        url: `/event/push/alert/standard?integration_key=${integration.integration_key}`,
        headers: { 'content-type': 'application/json' },
        payload: {
          event_status: 'Critical',
          alert_key,
          title_rule: '[TPL]Conformance {{.Labels.host}}',
          description: 'pushed by a conformance sample',
          labels: { host: 'web-1' },
          images: [{ src: 'https://example.com/graph.png', alt: 'graph', href: 'https://example.com' }],
        },
      });
      if (pushed.statusCode !== 200)
        throw new Error(`event push answered ${pushed.statusCode}: ${pushed.body}`);
      await t.waitForApplied();
      const now = Math.floor(t.clock.nowMs() / 1000);
      const found = await call('/alert/list', {
        start_time: now - 3600,
        end_time: now + 60,
        alert_keys: [alert_key],
      });
      const alert = found.items[0];
      return {
        alert_id: alert.alert_id,
        incident_id: alert.incident.incident_id,
        channel_id,
        integration_id: integration.integration_id,
        at: now,
      };
    },
    webhookDelivery: async () => {
      const webhook = await call('/datasource/upsert', {
        name: unique('webhook'),
        plugin_type: 'webhook.incident',
        settings: { url: await receiver(), event_types: ['i_new'], headers: { 'X-Sample': 'conformance' } },
      });
      await ctx.alert();
      await t.webhooks.runOnce();
      await call('/datasource/disable', { integration_id: webhook.integration_id });
      const at_ms = t.clock.nowMs();
      const history = await call('/webhook/history/list', {
        limit: 1,
        start_time: at_ms - 3_600_000,
        end_time: at_ms + 60_000,
        integration_id: webhook.integration_id,
      });
      return { integration_id: webhook.integration_id, event_id: history.items[0].event_id, at_ms };
    },
  };
  return ctx;
}

const page = { p: 1, limit: 20 };

/** A route that sends Critical alerts of a new shared integration to a new channel. */
async function routed(ctx: SampleContext) {
  const { channel_id } = await ctx.channel();
  const { integration_id } = await ctx.alertIntegration();
  return {
    integration_id,
    cases: [
      {
        if: [{ key: 'severity', oper: 'IN', vals: ['Critical'] }],
        channel_ids: [channel_id],
        fallthrough: false,
      },
    ],
    default: { channel_ids: [channel_id] },
  };
}

/**
 * One valid request for every documented operation Vigil serves. The conformance test fails
 * when Vigil serves a documented operation that has no sample here. Lists create an entry
 * first, so their items are checked too.
 */
export const SAMPLES: Record<string, Sample> = {
  ...PROCESSING_SAMPLES,
  // Members and persons (platform.openapi.en.json).
  '/member/info': async () => ({}),
  '/member/list': async (ctx) => {
    await ctx.member();
    return { ...page, orderby: 'created_at', asc: true };
  },
  '/member/invite': async (ctx) => {
    const member_name = ctx.unique('invitee');
    return {
      members: [
        { member_name, email: `${member_name}@example.com`, role_ids: [3], time_zone: 'Europe/Berlin' },
        { member_name: ctx.unique('caller'), phone: '+15550100', country_code: 'US' },
      ],
    };
  },
  '/member/delete': async (ctx) => ({ member_id: (await ctx.member()).member_id }),
  '/member/info/reset': async (ctx) => ({
    member_id: (await ctx.member()).member_id,
    member_name: ctx.unique('renamed'),
    time_zone: 'Asia/Tokyo',
  }),
  '/member/role/update': async (ctx) => ({ member_id: (await ctx.member()).member_id, role_ids: [2, 3] }),
  '/member/role/grant': async (ctx) => ({ member_id: (await ctx.member()).member_id, role_ids: [4] }),
  '/member/role/revoke': async (ctx) => ({ member_id: (await ctx.member()).member_id, role_ids: [3] }),
  '/person/infos': async (ctx) => ({
    person_ids: [ctx.account.memberId, (await ctx.member()).member_id],
  }),

  // Teams.
  '/team/list': async (ctx) => {
    await ctx.team();
    return { ...page, orderby: 'team_name', asc: true };
  },
  '/team/info': async (ctx) => ({ team_id: (await ctx.team()).team_id }),
  '/team/infos': async (ctx) => ({ team_ids: [(await ctx.team()).team_id] }),
  '/team/upsert': async (ctx) => ({
    team_name: ctx.unique('team'),
    description: 'Conformance sample',
    person_ids: [ctx.account.memberId, (await ctx.member()).member_id],
  }),
  '/team/delete': async (ctx) => ({ team_id: (await ctx.team()).team_id }),

  // Roles and permissions.
  '/role/list': async () => ({}),
  '/role/info': async () => ({ role_id: 3 }),
  '/role/permission/list': async () => ({ role_ids: [3], with_all: true }),
  '/role/member/grant': async (ctx) => ({ role_id: 2, member_ids: [(await ctx.member()).member_id] }),
  '/role/member/revoke': async (ctx) => ({ role_id: 3, member_ids: [(await ctx.member()).member_id] }),
  '/role/upsert': async (ctx) => ({
    role_name: ctx.unique('role'),
    description: 'Reads incidents',
    permission_ids: [1, 3],
  }),
  '/role/delete': async (ctx) => ({ role_id: (await customRole(ctx)).role_id }),
  '/role/enable': async (ctx) => ({ role_id: (await customRole(ctx)).role_id }),
  '/role/disable': async (ctx) => ({ role_id: (await customRole(ctx)).role_id }),
  '/role/permission/factor/list': async () => ({ factor_types: ['api'] }),
  '/audit/search': async (ctx) => {
    // A write to find: creating a team is recorded. The window holds the harness clock (2026-01-05).
    await ctx.team();
    const january = Date.UTC(2026, 0, 1) / 1000;
    return { start_time: january, end_time: january + 30 * 86_400, limit: 5, is_write: true };
  },
  '/audit/operation/list': async () => ({}),

  // App keys (legacy document).
  '/person/app-key/create': async (ctx) => ({ key_name: ctx.unique('key'), is_enabled: true }),
  '/person/app-key/list': async (ctx) => {
    await ctx.appKeyId();
    return { ...page, orderby: 'created_at', asc: false };
  },
  '/person/app-key/delete': async (ctx) => ({ key_id: await ctx.appKeyId() }),
  '/person/app-key/enable': async (ctx) => ({ key_id: await ctx.appKeyId() }),
  '/person/app-key/disable': async (ctx) => ({ key_id: await ctx.appKeyId() }),
  '/person/app-key/name/reset': async (ctx) => ({
    key_id: await ctx.appKeyId(),
    key_name: ctx.unique('key'),
  }),

  // Channels (on-call.openapi.en.json).
  '/channel/create': async (ctx) => ({
    team_id: (await ctx.team()).team_id,
    channel_name: ctx.unique('channel'),
    description: 'Conformance sample',
  }),
  '/channel/list': async (ctx) => {
    await ctx.channel();
    return { ...page, orderby: 'created_at', asc: true };
  },
  '/channel/info': async (ctx) => ({ channel_id: (await ctx.channel()).channel_id }),
  '/channel/infos': async (ctx) => ({ channel_ids: [(await ctx.channel()).channel_id] }),
  '/channel/update': async (ctx) => ({
    channel_id: (await ctx.channel()).channel_id,
    channel_name: ctx.unique('channel'),
    description: 'Renamed by a conformance sample',
  }),
  '/channel/delete': async (ctx) => ({ channel_id: (await ctx.channel()).channel_id }),
  '/channel/enable': async (ctx) => {
    const { channel_id } = await ctx.channel();
    await ctx.call('/channel/disable', { channel_id });
    return { channel_id };
  },
  '/channel/disable': async (ctx) => ({ channel_id: (await ctx.channel()).channel_id }),

  // Integrations (legacy document) and routes (on-call.openapi.en.json).
  '/datasource/upsert': async (ctx) => ({ name: ctx.unique('integration'), plugin_type: 'alert.prometheus' }),
  '/datasource/list': async (ctx) => {
    await ctx.alertIntegration();
    return { ...page };
  },
  '/datasource/desc': async (ctx) => ({ integration_id: (await ctx.alertIntegration()).integration_id }),
  '/webhook/history/list': async (ctx) => {
    const { integration_id, at_ms } = await ctx.webhookDelivery();
    return {
      limit: 20,
      start_time: at_ms - 3_600_000,
      end_time: at_ms + 60_000,
      integration_id,
      status: 'success',
      event_types: ['i_new'],
    };
  },
  '/webhook/history/detail': async (ctx) => {
    const { integration_id, event_id } = await ctx.webhookDelivery();
    return { integration_id, event_id };
  },
  '/route/upsert': routed,
  '/route/info': async (ctx) => {
    const route = await routed(ctx);
    await ctx.call('/route/upsert', route);
    return { integration_id: route.integration_id };
  },
  '/route/list': async (ctx) => {
    const route = await routed(ctx);
    await ctx.call('/route/upsert', route);
    return { integration_ids: [route.integration_id] };
  },

  // Incidents and alerts (on-call.openapi.en.json).
  '/incident/info': async (ctx) => ({ incident_id: (await ctx.alert()).incident_id }),
  '/incident/list': async (ctx) => {
    const { channel_id, at } = await ctx.alert();
    return {
      start_time: at - 3600,
      end_time: at + 60,
      channel_ids: [channel_id],
      progress: 'Triggered',
      ...page,
    };
  },
  '/incident/list-by-ids': async (ctx) => ({ incident_ids: [(await ctx.alert()).incident_id] }),
  // Feeds with entries of several types, each `detail` checked against the schema its `type`
  // maps to (the fixture turns the documented discriminator into if/then rules).
  '/incident/feed': async (ctx) => {
    const { incident_id } = await ctx.alert();
    await ctx.call('/incident/ack', { incident_ids: [incident_id] });
    await ctx.call('/incident/comment', {
      incident_ids: [incident_id],
      comment: 'from a conformance sample',
    });
    return { incident_id, ...page };
  },
  '/incident/alert/list': async (ctx) => ({
    incident_id: (await ctx.alert()).incident_id,
    include_events: true,
    p: 1,
    limit: 100,
  }),
  '/incident/past/list': async (ctx) => {
    // Two incidents with one title; the first closed with a comment, so it is the second's past.
    const past = await ctx.alert();
    await ctx.call('/incident/comment', { incident_ids: [past.incident_id], comment: 'restarted web-1' });
    await ctx.call('/incident/resolve', { incident_ids: [past.incident_id] });
    return { incident_id: (await ctx.alert()).incident_id, limit: 5 };
  },
  '/incident/custom-action/do': async (ctx) => {
    const { incident_id, channel_id } = await ctx.alert();
    const { integration_id } = await ctx.call('/datasource/upsert', {
      name: ctx.unique('action'),
      plugin_type: 'custom.action',
      settings: { url: await receiver(), channel_ids: [channel_id] },
    });
    return { incident_id, integration_id };
  },
  // War rooms, against the local Slack server the suite starts (test/harness/fake-slack.ts).
  '/incident/war-room/create': async (ctx) => ({
    incident_id: (await ctx.alert()).incident_id,
    integration_id: await slackIntegration(ctx),
    add_observers: true,
  }),
  '/incident/war-room/list': async (ctx) => ({ incident_id: (await warRoom(ctx)).incident_id }),
  '/incident/war-room/detail': async (ctx) => {
    const room = await warRoom(ctx);
    return { integration_id: room.integration_id, chat_id: room.chat_id };
  },
  '/incident/war-room/delete': async (ctx) => {
    const room = await warRoom(ctx);
    return { incident_id: room.incident_id, integration_id: room.integration_id };
  },
  '/incident/war-room/add-member': async (ctx) => {
    const room = await warRoom(ctx);
    const { member_id } = await ctx.member();
    return { integration_id: room.integration_id, chat_id: room.chat_id, member_ids: [member_id] };
  },
  '/incident/war-room/default-observers': async (ctx) => ({ incident_id: (await ctx.alert()).incident_id }),
  // Post-mortems: list/info/delete (on-call.openapi.en.json), init and the edits (openapi.legacy.zh.json).
  '/incident/post-mortem/init': async (ctx) => ({
    incident_ids: [(await ctx.alert()).incident_id],
    template_id: 'standard',
  }),
  '/incident/post-mortem/list': async (ctx) => {
    await postMortem(ctx);
    return { status: 'drafting', order_by: 'created_at_seconds', p: 1, limit: 20 };
  },
  '/incident/post-mortem/info': async (ctx) => ({ post_mortem_id: await postMortem(ctx) }),
  '/incident/post-mortem/delete': async (ctx) => ({ post_mortem_id: await postMortem(ctx) }),
  '/incident/post-mortem/title/reset': async (ctx) => ({
    post_mortem_id: await postMortem(ctx),
    title: 'Outage',
  }),
  '/incident/post-mortem/follow-ups/reset': async (ctx) => ({
    post_mortem_id: await postMortem(ctx),
    follow_ups: '- add an alert',
  }),
  '/incident/post-mortem/status/reset': async (ctx) => ({
    post_mortem_id: await postMortem(ctx),
    status: 'published',
  }),
  '/incident/post-mortem/template/list': async () => ({ p: 1, limit: 20 }),
  '/incident/post-mortem/template/info': async () => ({ template_id: 'standard' }),
  '/alert/list': async (ctx) => {
    const { channel_id, at } = await ctx.alert();
    return { start_time: at - 3600, end_time: at + 60, channel_ids: [channel_id], is_active: true, ...page };
  },
  '/alert/info': async (ctx) => ({ alert_id: (await ctx.alert()).alert_id }),
  '/alert/list-by-ids': async (ctx) => ({ alert_ids: [(await ctx.alert()).alert_id] }),
  '/alert/event/list': async (ctx) => ({ alert_id: (await ctx.alert()).alert_id }),
  '/alert-event/list': async (ctx) => {
    const { channel_id, at } = await ctx.alert();
    return {
      start_time: at - 3600,
      end_time: at + 60,
      channel_ids: [channel_id],
      orderby: 'event_time',
      ...page,
    };
  },
  '/alert/feed': async (ctx) => ({ alert_id: (await ctx.alert()).alert_id, ...page }),
  // Insights (on-call.openapi.en.json): a day around a new, acknowledged incident.
  '/insight/account': async (ctx) => ({
    ...(await insightDay(ctx)),
    aggregate_unit: 'day',
    split_hours: true,
  }),
  '/insight/team': async (ctx) => ({ ...(await insightDay(ctx)), aggregate_unit: 'week' }),
  '/insight/channel': async (ctx) => ({ ...(await insightDay(ctx)), split_hours: true }),
  '/insight/responder': async (ctx) => ({ ...(await insightDay(ctx)), aggregate_unit: 'day' }),
  '/insight/incident/list': async (ctx) => ({ ...(await insightDay(ctx)), ...page }),
  '/insight/alert/topk-by-label': async (ctx) => ({ ...(await insightDay(ctx)), label: 'check', k: 5 }),
  '/insight/incident/export': async (ctx) => ({ ...(await insightDay(ctx)), export_fields: ['incident_id'] }),
  '/insight/team/export': async (ctx) => insightDay(ctx),
  '/insight/channel/export': async (ctx) => insightDay(ctx),
  '/insight/responder/export': async (ctx) => insightDay(ctx),
  // Changes (openapi.legacy.zh.json): a listed change with its events.
  '/change/list': async (ctx) => {
    const { integration_id, at } = await ctx.change();
    return {
      start_time: at - 3600,
      end_time: at + 60,
      integration_ids: [integration_id],
      include_events: true,
      order_by: 'start_time',
      ...page,
    };
  },
  // Incident lifecycle actions (on-call.openapi.en.json).
  '/incident/create': async (ctx) => ({
    incident_severity: 'Warning',
    title: ctx.unique('manual incident'),
    description: 'Created by a conformance sample',
    channel_id: (await ctx.channel()).channel_id,
  }),
  '/incident/ack': async (ctx) => ({ incident_ids: [(await ctx.alert()).incident_id] }),
  '/incident/unack': async (ctx) => {
    const { incident_id } = await ctx.alert();
    await ctx.call('/incident/ack', { incident_ids: [incident_id] });
    return { incident_ids: [incident_id] };
  },
  '/incident/resolve': async (ctx) => ({
    incident_ids: [(await ctx.alert()).incident_id],
    root_cause: 'A full disk',
    resolution: 'Freed space',
  }),
  '/incident/reopen': async (ctx) => {
    const { incident_id } = await ctx.alert();
    await ctx.call('/incident/resolve', { incident_ids: [incident_id] });
    return { incident_ids: [incident_id], reason: 'It came back' };
  },
  '/incident/snooze': async (ctx) => ({ incident_ids: [(await ctx.alert()).incident_id], minutes: 30 }),
  '/incident/wake': async (ctx) => {
    const { incident_id } = await ctx.alert();
    await ctx.call('/incident/snooze', { incident_ids: [incident_id], minutes: 30 });
    return { incident_ids: [incident_id] };
  },
  '/incident/assign': async (ctx) => ({
    incident_id: (await ctx.alert()).incident_id,
    assigned_to: { person_ids: [(await ctx.member()).member_id], type: 'reassign' },
  }),
  '/incident/responder/add': async (ctx) => ({
    incident_id: (await ctx.alert()).incident_id,
    person_ids: [(await ctx.member()).member_id],
    notify: { follow_preference: true },
  }),
  '/incident/comment': async (ctx) => ({
    incident_ids: [(await ctx.alert()).incident_id],
    comment: 'Looking into it',
    mute_reply: false,
  }),
  '/incident/reset': async (ctx) => ({
    incident_id: (await ctx.alert()).incident_id,
    title: 'Renamed by a conformance sample',
    impact: 'Checkout is slow',
    incident_severity: 'Critical',
  }),
  '/incident/field/reset': async (ctx) => ({
    incident_id: (await ctx.alert()).incident_id,
    field_name: 'customer',
    field_value: 'ACME',
  }),
  '/incident/merge': async (ctx) => ({
    source_incident_ids: [(await ctx.alert()).incident_id],
    target_incident_id: (await ctx.alert()).incident_id,
    title: 'Merged by a conformance sample',
    comment: 'Same cause',
    owner_id: ctx.account.memberId,
    remove_source_incidents: false,
  }),
  '/incident/disable-merge': async (ctx) => ({ incident_ids: [(await ctx.alert()).incident_id] }),
  '/incident/remove': async (ctx) => ({ incident_ids: [(await ctx.alert()).incident_id] }),
  '/alert/merge': async (ctx) => ({
    alert_ids: [(await ctx.alert()).alert_id],
    incident_id: (await ctx.alert()).incident_id,
    comment: 'Same cause',
    title: 'Moved by a conformance sample',
    owner_id: ctx.account.memberId,
  }),
  // Silence, inhibit and drop (unsubscribe) rules of channels (on-call.openapi.en.json).
  '/channel/silence/rule/list': async (ctx) => {
    const { channel_id, rule_id } = await channelRule(ctx, 'silence');
    // A recurring rule too, so both item shapes are checked.
    await ctx.call('/channel/silence/rule/create', {
      channel_id,
      rule_name: ctx.unique('weekly'),
      time_filters: [{ start: '22:00', end: '06:00', repeat: [5, 6] }],
      filters: [[{ key: 'severity', oper: 'IN', vals: ['Info'] }]],
    });
    await ctx.call('/channel/silence/rule/disable', { channel_id, rule_id });
    return { channel_id };
  },
  '/channel/silence/rule/create': async (ctx) => ({
    channel_id: (await ctx.channel()).channel_id,
    ...channelRuleBody(ctx, 'silence'),
  }),
  '/channel/silence/rule/update': async (ctx) => ({
    ...(await channelRule(ctx, 'silence')),
    rule_name: ctx.unique('silence'),
    time_filters: [{ start: '09:00', end: '17:00', repeat: [1, 2, 3, 4, 5] }],
    is_directly_discard: true,
  }),
  '/channel/silence/rule/delete': async (ctx) => channelRule(ctx, 'silence'),
  '/channel/silence/rule/enable': async (ctx) => channelRule(ctx, 'silence'),
  '/channel/silence/rule/disable': async (ctx) => channelRule(ctx, 'silence'),
  '/channel/inhibit/rule/list': async (ctx) => ({
    channel_id: (await channelRule(ctx, 'inhibit')).channel_id,
  }),
  '/channel/inhibit/rule/create': async (ctx) => ({
    channel_id: (await ctx.channel()).channel_id,
    ...channelRuleBody(ctx, 'inhibit'),
  }),
  '/channel/inhibit/rule/update': async (ctx) => ({
    ...(await channelRule(ctx, 'inhibit')),
    rule_name: ctx.unique('inhibit'),
    equals: ['host', 'labels.service'],
  }),
  '/channel/inhibit/rule/delete': async (ctx) => channelRule(ctx, 'inhibit'),
  '/channel/inhibit/rule/enable': async (ctx) => channelRule(ctx, 'inhibit'),
  '/channel/inhibit/rule/disable': async (ctx) => channelRule(ctx, 'inhibit'),
  '/channel/unsubscribe/rule/list': async (ctx) => ({
    channel_id: (await channelRule(ctx, 'unsubscribe')).channel_id,
  }),
  '/channel/unsubscribe/rule/create': async (ctx) => ({
    channel_id: (await ctx.channel()).channel_id,
    ...channelRuleBody(ctx, 'unsubscribe'),
  }),
  '/channel/unsubscribe/rule/update': async (ctx) => ({
    ...(await channelRule(ctx, 'unsubscribe')),
    rule_name: ctx.unique('drop'),
    priority: 2,
  }),
  '/channel/unsubscribe/rule/delete': async (ctx) => channelRule(ctx, 'unsubscribe'),
  '/channel/unsubscribe/rule/enable': async (ctx) => channelRule(ctx, 'unsubscribe'),
  '/channel/unsubscribe/rule/disable': async (ctx) => channelRule(ctx, 'unsubscribe'),

  // Escalation rules of channels (on-call.openapi.en.json).
  '/channel/escalate/rule/list': async (ctx) => {
    const { channel_id } = await escalationRule(ctx);
    // A second, disabled rule with webhooks, windows and schedules, so every part of an item is checked.
    const second = await ctx.call('/channel/escalate/rule/create', {
      channel_id,
      ...(await escalationRuleBody(ctx)),
      priority: 5,
      time_filters: [{ start: '22:00', end: '06:00', repeat: [5, 6], cal_id: 'cn', is_off: true }],
      layers: [
        {
          target: {
            schedule_to_role_ids: { '1001': [1] },
            emails: ['oncall@example.com'],
            webhooks: [{ type: 'slack', settings: { url: 'https://hooks.slack.example/T1' } }],
          },
        },
      ],
    });
    await ctx.call('/channel/escalate/rule/disable', { channel_id, rule_id: second.rule_id });
    return { channel_id };
  },
  '/channel/escalate/rule/info': async (ctx) => escalationRule(ctx),
  '/channel/escalate/rule/create': async (ctx) => ({
    channel_id: (await ctx.channel()).channel_id,
    ...(await escalationRuleBody(ctx)),
  }),
  '/channel/escalate/rule/update': async (ctx) => ({
    ...(await escalationRule(ctx)),
    ...(await escalationRuleBody(ctx)),
    rule_name: ctx.unique('escalation'),
    aggr_window: 0,
  }),
  '/channel/escalate/rule/delete': async (ctx) => escalationRule(ctx),
  '/channel/escalate/rule/enable': async (ctx) => escalationRule(ctx),
  '/channel/escalate/rule/disable': async (ctx) => escalationRule(ctx),

  // Status pages (on-call.openapi.en.json); the reads are GET with a query.
  '/status-page/change/create': async (ctx) => {
    const { page_id, component_id } = await statusPage(ctx);
    return statusPageIncident(page_id, component_id);
  },
  '/status-page/change/update': async (ctx) => {
    const { page_id, change_id } = await statusPageEvent(ctx);
    return { page_id, change_id, title: 'Web Console Degraded Performance (Updated)' };
  },
  '/status-page/change/delete': async (ctx) => {
    const { page_id, change_id } = await statusPageEvent(ctx);
    return { page_id, change_id };
  },
  '/status-page/change/info': async (ctx) => {
    const { page_id, change_id } = await statusPageEvent(ctx);
    return { page_id, change_id };
  },
  '/status-page/change/list': async (ctx) => {
    const { page_id } = await statusPageEvent(ctx);
    return { page_id, type: 'incident', status: 'investigating' };
  },
  '/status-page/change/timeline/create': async (ctx) => {
    const { page_id, change_id, component_id } = await statusPageEvent(ctx);
    return {
      page_id,
      change_id,
      status: 'identified',
      description: 'We have identified the root cause and are working on a fix.',
      component_changes: [{ component_id, status: 'partial_outage' }],
    };
  },
  '/status-page/change/timeline/update': async (ctx) => {
    const { page_id, change_id, update_id } = await statusPageEvent(ctx);
    return { page_id, change_id, update_id, description: 'Corrected description.' };
  },
  '/status-page/change/timeline/delete': async (ctx) => {
    const { page_id, change_id } = await statusPageEvent(ctx);
    const { update_id } = await ctx.call('/status-page/change/timeline/create', {
      page_id,
      change_id,
      status: 'identified',
      description: 'A second update, to delete.',
    });
    return { page_id, change_id, update_id };
  },
  '/status-page/subscriber/list': async (ctx) => {
    const { page_id, component_id } = await statusPageSubscribers(ctx);
    return { page_id, component_ids: component_id, p: 1, limit: 10 };
  },
  '/status-page/subscriber/import': async (ctx) => {
    const { page_id, component_id } = await statusPage(ctx);
    return {
      page_id,
      method: 'email',
      subscribers: [
        { recipient: 'alice@example.com', all: true, locale: 'en-US' },
        { recipient: 'bob@example.com', component_ids: [component_id], all: false, locale: 'zh-CN' },
      ],
    };
  },
  '/status-page/subscriber/export': async (ctx) => {
    const { page_id } = await statusPageSubscribers(ctx);
    return { page_id };
  },
  // Statuspage migrations: starting one only records the job (the engine reads Statuspage).
  '/status-page/migrate-structure': async (ctx) => ({
    api_key: 'sk-stsp-sample',
    source_page_id: ctx.unique('sp'),
  }),
  '/status-page/migrate-email-subscribers': async (ctx) => ({
    api_key: 'sk-stsp-sample',
    source_page_id: ctx.unique('sp'),
    target_page_id: (await statusPage(ctx)).page_id,
  }),
  '/status-page/migration/status': async (ctx) => ({
    job_id: (
      await ctx.call('/status-page/migrate-structure', {
        api_key: 'sk-stsp-sample',
        source_page_id: ctx.unique('sp'),
      })
    ).job_id,
  }),
  '/status-page/migration/cancel': async (ctx) => ({
    job_id: (
      await ctx.call('/status-page/migrate-structure', {
        api_key: 'sk-stsp-sample',
        source_page_id: ctx.unique('sp'),
      })
    ).job_id,
  }),
  // Notification templates (on-call.openapi.en.json; /template/preview and /preference/* legacy).
  '/template/create': async (ctx) => ({
    template_name: ctx.unique('tpl'),
    description: 'Conformance sample',
    email: '<b>{{.Title}}</b>',
    slack: '*{{.Title}}* {{.DetailUrl}}',
  }),
  '/template/update': async (ctx) => {
    const { template_id } = await ctx.call('/template/create', { template_name: ctx.unique('tpl') });
    return { template_id, template_name: ctx.unique('tpl'), sms: '{{.Title}}' };
  },
  '/template/delete': async (ctx) => {
    const { template_id } = await ctx.call('/template/create', { template_name: ctx.unique('tpl') });
    return { template_id };
  },
  '/template/info': async (ctx) => {
    const { template_id } = await ctx.call('/template/create', {
      template_name: ctx.unique('tpl'),
      feishu: '{{.Title}}',
    });
    return { template_id };
  },
  '/template/list': async (ctx) => {
    await ctx.call('/template/create', { template_name: ctx.unique('tpl') });
    return { ...page, orderby: 'created_at' };
  },
  '/template/preview': async (ctx) => {
    const { incident_id } = await ctx.alert();
    return { type: 'slack', content: '{{.IncidentSeverity}} {{.Title}}', incident_id };
  },
  '/preference/info': async () => ({}),
  '/preference/update': async () => ({
    trigger_notify: { critical: ['email', 'sms'], warning: ['email'], info: [] },
  }),
  // Service calendars (on-call.openapi.en.json, "Calendars").
  '/calendar/create': async (ctx) => ({
    cal_name: ctx.unique('cal'),
    description: 'Conformance sample',
    timezone: 'Asia/Shanghai',
    workdays: [1, 2, 3, 4, 5],
  }),
  '/calendar/update': async (ctx) => ({
    cal_id: await calendar(ctx),
    cal_name: ctx.unique('cal'),
    workdays: [1, 2],
  }),
  '/calendar/delete': async (ctx) => ({ cal_id: await calendar(ctx) }),
  '/calendar/info': async (ctx) => ({ cal_id: await calendar(ctx) }),
  '/calendar/list': async (ctx) => {
    await calendar(ctx);
    return { kind: 'personal' };
  },
  '/calendar/event/upsert': async (ctx) => ({
    cal_id: await calendar(ctx),
    summary: 'Holiday',
    description: 'Conformance sample',
    start_at: '2026-01-01',
    end_at: '2026-01-02',
    is_off: true,
  }),
  '/calendar/event/delete': async (ctx) => {
    const cal_id = await calendar(ctx);
    const { event_id } = await ctx.call('/calendar/event/upsert', {
      cal_id,
      summary: 'Holiday',
      start_at: '2026-01-01',
      end_at: '2026-01-02',
      is_off: true,
    });
    return { cal_id, event_id };
  },
  '/calendar/event/list': async (ctx) => {
    const cal_id = await calendar(ctx);
    await ctx.call('/calendar/event/upsert', {
      cal_id,
      summary: 'Holiday',
      start_at: '2026-01-01',
      end_at: '2026-01-02',
      is_off: true,
    });
    return { cal_id, year: 2026, month: 1 };
  },
  // Schedules (on-call.openapi.en.json, "Schedules").
  '/schedule/create': async (ctx) => scheduleBody(ctx),
  '/schedule/update': async (ctx) => {
    const { schedule_id } = await ctx.call('/schedule/create', scheduleBody(ctx));
    return { ...scheduleBody(ctx), schedule_id };
  },
  '/schedule/delete': async (ctx) => {
    const { schedule_id } = await ctx.call('/schedule/create', scheduleBody(ctx));
    return { schedule_ids: [schedule_id] };
  },
  '/schedule/info': async (ctx) => {
    const { schedule_id } = await ctx.call('/schedule/create', scheduleBody(ctx));
    return { schedule_id, ...SCHEDULE_WINDOW };
  },
  '/schedule/infos': async (ctx) => {
    const { schedule_id } = await ctx.call('/schedule/create', scheduleBody(ctx));
    return { schedule_ids: [schedule_id] };
  },
  '/schedule/list': async (ctx) => {
    await ctx.call('/schedule/create', scheduleBody(ctx));
    return { p: 1, limit: 10, ...SCHEDULE_WINDOW };
  },
  '/schedule/preview': async (ctx) => ({ ...scheduleBody(ctx), ...SCHEDULE_WINDOW }),
  // Custom field definitions and usage reports (openapi.legacy.zh.json; Flashduty's Go SDK calls them).
  '/field/list': async (ctx) => {
    await ctx.call('/field/create', fieldBody(ctx));
    return {};
  },
  '/field/info': async (ctx) => ({ field_id: (await ctx.call('/field/create', fieldBody(ctx))).field_id }),
  '/field/create': async (ctx) => fieldBody(ctx),
  '/field/update': async (ctx) => ({
    field_id: (await ctx.call('/field/create', fieldBody(ctx))).field_id,
    display_name: 'Ticket queue',
    description: 'where the ticket went',
    options: ['OPS', 'DEV', 'SEC'],
    default_value: 'SEC',
  }),
  '/field/delete': async (ctx) => ({ field_id: (await ctx.call('/field/create', fieldBody(ctx))).field_id }),
  '/report/oncall/notifications': async (ctx) => {
    const { at, channel_id } = await ctx.alert();
    return { step: 'day', start_time: at - 7 * 86_400, end_time: at + 60, channel_ids: [channel_id] };
  },
  '/report/oncall/changes': async (ctx) => {
    const { at } = await ctx.change();
    return { step: 'week', start_time: at - 30 * 86_400, end_time: at + 60 };
  },
  '/oncall/roles': async () => ({}),
  '/schedule/self': async (ctx) => {
    await ctx.call('/schedule/create', scheduleBody(ctx));
    return SCHEDULE_WINDOW;
  },
};

/** A single-select custom field with a unique name. */
function fieldBody(ctx: SampleContext) {
  return {
    field_name: ctx.unique('queue').replace(/-/g, '_'),
    display_name: 'Queue',
    field_type: 'single_select',
    value_type: 'string',
    options: ['OPS', 'DEV'],
    default_value: 'OPS',
  };
}

/** A new public status page with one component. */
async function statusPage(ctx: SampleContext): Promise<{ page_id: number; component_id: string }> {
  const { page_id } = await ctx.call('/status-page/create', {
    name: 'Conformance',
    url_name: ctx.unique('conformance'),
    type: 'public',
    date_view: 'list',
    display_uptime_mode: 'chart_and_percentage',
  });
  const { component_ids } = await ctx.call('/status-page/component/upsert', {
    page_id,
    components: [{ name: 'Web Console' }],
  });
  return { page_id, component_id: component_ids[0] };
}

/** The seed's incident on a page's component. */
function statusPageIncident(page_id: number, component_id: string) {
  return {
    page_id,
    type: 'incident',
    title: 'Web Console Degraded Performance',
    description: 'We are investigating degraded performance affecting the web console.',
    status: 'investigating',
    start_at_seconds: 1712000000,
    notify_subscribers: true,
    updates: [
      {
        status: 'investigating',
        description: 'We are currently investigating an issue affecting some users.',
        component_changes: [{ component_id, status: 'degraded' }],
      },
    ],
  };
}

/** A new page with an open incident on its component. */
async function statusPageEvent(ctx: SampleContext) {
  const { page_id, component_id } = await statusPage(ctx);
  const { change_id } = await ctx.call(
    '/status-page/change/create',
    statusPageIncident(page_id, component_id),
  );
  const info = await ctx.read('/status-page/change/info', { page_id, change_id });
  return {
    page_id,
    component_id,
    change_id: change_id as number,
    update_id: info.updates[0].update_id as string,
  };
}

/** A new page with e-mail subscribers, one of them scoped to its component. */
async function statusPageSubscribers(ctx: SampleContext) {
  const { page_id, component_id } = await statusPage(ctx);
  await ctx.call('/status-page/subscriber/import', {
    page_id,
    method: 'email',
    subscribers: [
      { recipient: 'all@example.com', all: true },
      { recipient: 'scoped@example.com', component_ids: [component_id], all: false },
    ],
  });
  return { page_id, component_id };
}

type RuleFamily = 'silence' | 'inhibit' | 'unsubscribe';

/** A valid create body (without channel_id) of a silence, inhibit or drop rule. */
function channelRuleBody(ctx: SampleContext, family: RuleFamily): Record<string, unknown> {
  const rule_name = ctx.unique(family);
  if (family === 'silence') {
    return {
      rule_name,
      description: 'Conformance sample',
      priority: 1,
      // 2026-01-05 08:00–12:00 UTC, around the harness clock.
      time_filter: { start_time: 1_767_600_000, end_time: 1_767_614_400 },
      filters: [[{ key: 'labels.host', oper: 'IN', vals: ['web-*'] }]],
      is_directly_discard: false,
    };
  }
  if (family === 'inhibit') {
    return {
      rule_name,
      equals: ['host'],
      source_filters: [[{ key: 'title', oper: 'IN', vals: ['/host down/'] }]],
      target_filters: [[{ key: 'severity', oper: 'IN', vals: ['Warning', 'Info'] }]],
      is_directly_discard: false,
    };
  }
  return { rule_name, filters: [[{ key: 'labels.env', oper: 'IN', vals: ['test'] }]] };
}

/** A new channel with one new rule; answers the {channel_id, rule_id} rule operations take. */
async function channelRule(ctx: SampleContext, family: RuleFamily) {
  const { channel_id } = await ctx.channel();
  const { rule_id } = await ctx.call(`/channel/${family}/rule/create`, {
    channel_id,
    ...channelRuleBody(ctx, family),
  });
  return { channel_id, rule_id: rule_id as string };
}

/** Around the harness clock (2026-01-05 09:00 UTC): the week from Monday 00:00. */
const SCHEDULE_WINDOW = { start: 1_767_571_200, end: 1_767_571_200 + 7 * 86_400 };

/**
 * A schedule layer as the upsert document spells it: the detail model, read-only fields included
 * (Vigil ignores those and computes them).
 */
function scheduleLayer(ctx: SampleContext, layer: Record<string, any>) {
  const start = layer.layer_start as number;
  return {
    account_id: ctx.account.accountId,
    name: layer.layer_name,
    schedule_id: 0,
    hidden: 0,
    weight: 0,
    rotation_duration: 86_400,
    handoff_time: 0,
    enable_time: start,
    expire_time: layer.layer_end ?? 0,
    restrict_mode: 0,
    restrict_start: 0,
    restrict_end: 0,
    restrict_periods: [],
    day_mask: { repeat: [] },
    create_at: 0,
    create_by: 0,
    update_at: 0,
    update_by: 0,
    fair_rotation: false,
    rotation_unit: 'day',
    rotation_value: 1,
    mask_continuous_enabled: false,
    ...layer,
    groups: (layer.groups as Record<string, unknown>[]).map((g) => ({
      name: g.group_name,
      start,
      end: 0,
      ...g,
    })),
  };
}

/** A schedule with a restricted daily rotation of the owner, an override, and notification settings. */
function scheduleBody(ctx: SampleContext) {
  const person = ctx.account.memberId;
  return {
    schedule_name: ctx.unique('schedule'),
    description: 'Conformance sample',
    time_zone: 'Asia/Shanghai',
    layers: [
      scheduleLayer(ctx, {
        layer_name: 'day',
        mode: 0,
        groups: [{ group_name: 'first', members: [{ role_id: 1, person_ids: [person] }] }],
        rotation_unit: 'day',
        rotation_value: 1,
        layer_start: SCHEDULE_WINDOW.start,
        restrict_mode: 1,
        restrict_periods: [{ restrict_start: 9 * 3600, restrict_end: 18 * 3600 }],
        day_mask: { repeat: [1, 2, 3, 4, 5] },
      }),
      scheduleLayer(ctx, {
        layer_name: 'cover',
        mode: 1,
        groups: [{ group_name: 'cover', members: [{ role_id: 1, person_ids: [person] }] }],
        layer_start: SCHEDULE_WINDOW.start + 3600,
        layer_end: SCHEDULE_WINDOW.start + 10 * 3600,
      }),
    ],
    notify: {
      advance_in_time: 600,
      fixed_time: { cycle: 'day', start: '08:00' },
      by: { follow_preference: true, personal_channels: [] },
      webhooks: [
        {
          type: 'feishu',
          settings: {
            token: 'secret',
            alias: 'ops',
            data_source_id: 0,
            chat_ids: [],
            verify_token: '',
            sign_secret: '',
          },
        },
      ],
    },
  };
}

/** A valid escalation rule create body (without channel_id): two layers, a member then a team. */
async function escalationRuleBody(ctx: SampleContext): Promise<Record<string, unknown>> {
  const { member_id } = await ctx.member();
  const { team_id } = await ctx.team();
  return {
    rule_name: ctx.unique('escalation'),
    description: 'Conformance sample',
    priority: 1,
    aggr_window: 60,
    template_id: '6321aad26c12104586a88916',
    layers: [
      {
        max_times: 2,
        notify_step: 5,
        escalate_window: 15,
        force_escalate: false,
        target: { person_ids: [member_id], by: { follow_preference: true } },
      },
      { target: { team_ids: [team_id], by: { critical: ['voice', 'sms'], warning: ['email'], info: [] } } },
    ],
    time_filters: [{ start: '09:00', end: '18:00', repeat: [1, 2, 3, 4, 5] }],
    filters: [[{ key: 'severity', oper: 'IN', vals: ['Critical', 'Warning'] }]],
  };
}

/** A new channel with one new escalation rule; answers the {channel_id, rule_id} rule operations take. */
async function escalationRule(ctx: SampleContext) {
  const { channel_id } = await ctx.channel();
  const { rule_id } = await ctx.call('/channel/escalate/rule/create', {
    channel_id,
    ...(await escalationRuleBody(ctx)),
  });
  return { channel_id, rule_id: rule_id as string };
}

/** The id of a new post-mortem of a new incident. */
async function postMortem(ctx: SampleContext): Promise<string> {
  const { incident_id } = await ctx.alert();
  const { meta } = await ctx.call('/incident/post-mortem/init', { incident_ids: [incident_id] });
  return meta.post_mortem_id as string;
}

/** The id of a new calendar with a workday pattern. */
async function calendar(ctx: SampleContext): Promise<string> {
  const { cal_id } = await ctx.call('/calendar/create', {
    cal_name: ctx.unique('cal'),
    workdays: [1, 2, 3, 4, 5],
  });
  return cal_id as string;
}

/** The insight filter of a day around a new incident that the owner acknowledged. */
async function insightDay(ctx: SampleContext) {
  const { incident_id, at } = await ctx.alert();
  await ctx.call('/incident/ack', { incident_ids: [incident_id] });
  return { start_time: at - 43_200, end_time: at + 43_200 };
}

/** A new custom role of the owner's account. */
function customRole(ctx: SampleContext): Promise<{ role_id: number }> {
  return ctx.call('/role/upsert', { role_name: ctx.unique('role'), permission_ids: [1] });
}

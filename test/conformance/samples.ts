import type { TestAccount, TestApp } from '../harness/app.ts';

/**
 * What a sample may use: the owner's account and app key, and helpers that create the
 * prerequisites an operation needs. Every helper creates something new, so samples do not
 * depend on one another or on the order they run in.
 */
export type SampleContext = {
  account: TestAccount;
  /** POSTs to Vigil with the owner's app key and returns `data`; throws unless the answer is 200. */
  call<T = any>(path: string, body?: unknown): Promise<T>;
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
};

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
  const ctx: SampleContext = {
    account,
    call,
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
};

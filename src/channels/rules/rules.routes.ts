import type { Permission } from '../../accounts/permissions.ts';
import type { ChannelRuleKind } from '../../db/schema.ts';
import type { AppDeps } from '../../http/app.ts';
import { type Api, Empty, openApi } from '../../http/route.ts';
import * as S from './rules.schemas.ts';
import {
  createDropRule,
  createInhibitRule,
  createSilenceRule,
  listDropRules,
  listInhibitRules,
  listSilenceRules,
  setRuleStatus,
  updateDropRule,
  updateInhibitRule,
  updateSilenceRule,
} from './rules.service.ts';

/**
 * Noise-control rules of channels: /channel/silence/rule/*, /channel/inhibit/rule/* and
 * /channel/unsubscribe/rule/* (drop rules) of on-call.openapi.en.json, tag "Channels". Writes need
 * Channels Manage; lists need what the spec names (Channels Read; any key for drop rules).
 */
export function registerChannelRuleRoutes(app: Api, deps: AppDeps): void {
  const tag = 'Channels';
  const manage: Permission = 'channels.manage';

  openApi(
    app,
    '/channel/silence/rule/list',
    {
      tag,
      summary: 'List the silence rules of a channel',
      permission: 'channels.read',
      input: S.ChannelScopedListRequest,
      data: S.SilenceListResponse,
    },
    async ({ actor, input }) => ({ items: await listSilenceRules(deps, actor, input.channel_id) }),
  );
  openApi(
    app,
    '/channel/silence/rule/create',
    {
      tag,
      summary: 'Create a silence rule',
      permission: manage,
      input: S.SilenceCreateRequest,
      data: S.RuleCreateResponse,
    },
    async ({ actor, input }) => createSilenceRule(deps, actor, input),
  );
  openApi(
    app,
    '/channel/silence/rule/update',
    {
      tag,
      summary: 'Update a silence rule (only the fields sent change)',
      permission: manage,
      input: S.SilenceUpdateRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await updateSilenceRule(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/channel/inhibit/rule/list',
    {
      tag,
      summary: 'List the inhibit rules of a channel',
      permission: 'channels.read',
      input: S.ChannelScopedListRequest,
      data: S.InhibitListResponse,
    },
    async ({ actor, input }) => ({ items: await listInhibitRules(deps, actor, input.channel_id) }),
  );
  openApi(
    app,
    '/channel/inhibit/rule/create',
    {
      tag,
      summary: 'Create an inhibit rule',
      permission: manage,
      input: S.InhibitCreateRequest,
      data: S.RuleCreateResponse,
    },
    async ({ actor, input }) => createInhibitRule(deps, actor, input),
  );
  openApi(
    app,
    '/channel/inhibit/rule/update',
    {
      tag,
      summary: 'Update an inhibit rule (only the fields sent change)',
      permission: manage,
      input: S.InhibitUpdateRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await updateInhibitRule(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/channel/unsubscribe/rule/list',
    {
      tag,
      summary: 'List the drop rules of a channel',
      permission: null,
      input: S.ChannelScopedListRequest,
      data: S.DropListResponse,
    },
    async ({ actor, input }) => ({ items: await listDropRules(deps, actor, input.channel_id) }),
  );
  openApi(
    app,
    '/channel/unsubscribe/rule/create',
    {
      tag,
      summary: 'Create a drop rule (matching alerts are discarded)',
      permission: manage,
      input: S.DropCreateRequest,
      data: S.RuleCreateResponse,
    },
    async ({ actor, input }) => createDropRule(deps, actor, input),
  );
  openApi(
    app,
    '/channel/unsubscribe/rule/update',
    {
      tag,
      summary: 'Update a drop rule (only the fields sent change)',
      permission: manage,
      input: S.DropUpdateRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await updateDropRule(deps, actor, input);
      return {};
    },
  );

  const kinds: [path: string, kind: ChannelRuleKind, name: string][] = [
    ['silence', 'silence', 'silence rule'],
    ['inhibit', 'inhibit', 'inhibit rule'],
    ['unsubscribe', 'drop', 'drop rule'],
  ];
  const verbs = [
    ['delete', 'deleted', 'Delete'],
    ['enable', 'enabled', 'Enable'],
    ['disable', 'disabled', 'Disable'],
  ] as const;
  for (const [path, kind, name] of kinds) {
    for (const [verb, status, title] of verbs) {
      openApi(
        app,
        `/channel/${path}/rule/${verb}`,
        {
          tag,
          summary: `${title} a ${name}`,
          permission: manage,
          input: S.ChannelRuleIdRequest,
          data: Empty,
        },
        async ({ actor, input }) => {
          await setRuleStatus(deps, actor, kind, input, status);
          return {};
        },
      );
    }
  }
}

import type { AppDeps } from '../../http/app.ts';
import { type Api, Empty, openApi } from '../../http/route.ts';
import * as S from './notify-rules.schemas.ts';
import {
  createNotifyRule,
  deleteNotifyRule,
  listNotifyRules,
  setNotifyRuleStatus,
  updateNotifyRule,
} from './notify-rules.service.ts';

/**
 * Notification rules of channels: /channel/notify/rule/* of on-call.openapi.en.json, tag
 * "Channels". Writes need Channels Manage; the list needs any valid key, as the spec says.
 */
export function registerNotifyRuleRoutes(app: Api, deps: AppDeps): void {
  const tag = 'Channels';

  openApi(
    app,
    '/channel/notify/rule/list',
    {
      tag,
      summary: 'List the notification rules of a channel',
      permission: null,
      input: S.NotifyRuleListRequest,
      data: S.NotifyRuleListResponse,
    },
    async ({ actor, input }) => ({ items: await listNotifyRules(deps, actor, input.channel_id) }),
  );
  openApi(
    app,
    '/channel/notify/rule/create',
    {
      tag,
      summary: 'Create a notification rule (its targets hear of matching incident events)',
      permission: 'channels.manage',
      input: S.NotifyRuleCreateRequest,
      data: S.NotifyRuleCreateResponse,
    },
    async ({ actor, input }) => createNotifyRule(deps, actor, input),
  );
  openApi(
    app,
    '/channel/notify/rule/update',
    {
      tag,
      summary: 'Update a notification rule (its fields are replaced)',
      permission: 'channels.manage',
      input: S.NotifyRuleUpdateRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await updateNotifyRule(deps, actor, input);
      return {};
    },
  );
  openApi(
    app,
    '/channel/notify/rule/delete',
    {
      tag,
      summary: 'Delete a notification rule',
      permission: 'channels.manage',
      input: S.NotifyRuleIdRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await deleteNotifyRule(deps, actor, input);
      return {};
    },
  );
  for (const [verb, status] of [
    ['enable', 'enabled'],
    ['disable', 'disabled'],
  ] as const) {
    openApi(
      app,
      `/channel/notify/rule/${verb}`,
      {
        tag,
        summary: `${verb === 'enable' ? 'Enable' : 'Disable'} a notification rule`,
        permission: 'channels.manage',
        input: S.NotifyRuleIdRequest,
        data: Empty,
      },
      async ({ actor, input }) => {
        await setNotifyRuleStatus(deps, actor, input, status);
        return {};
      },
    );
  }
}

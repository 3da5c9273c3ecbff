import type { AppDeps } from '../http/app.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import * as S from './escalation.schemas.ts';
import {
  createEscalationRule,
  escalationRuleInfo,
  listEscalationRuleItems,
  setEscalationRuleStatus,
  updateEscalationRuleFields,
} from './escalation.service.ts';
import { headsUp } from './heads-up.ts';

/**
 * Escalation rules of channels: /channel/escalate/rule/* of on-call.openapi.en.json, tag
 * "Channels". Reads need Channels Read and writes Channels Manage, as the spec says.
 */
export function registerEscalationRoutes(app: Api, deps: AppDeps): void {
  const tag = 'Channels';

  openApi(
    app,
    '/channel/escalate/rule/list',
    {
      tag,
      summary: 'List the escalation rules of a channel, in evaluation order',
      permission: 'channels.read',
      input: S.ChannelScopedRequest,
      data: S.EscalationListResponse,
    },
    async ({ actor, input }) => ({ items: await listEscalationRuleItems(deps, actor, input.channel_id) }),
  );
  openApi(
    app,
    '/channel/escalate/rule/heads-up',
    {
      tag,
      summary:
        'Vigil: parts of escalation rules that would reach nobody (unreachable people, empty teams, schedule gaps)',
      permission: 'channels.read',
      input: S.HeadsUpRequest,
      data: S.HeadsUpResponse,
    },
    async ({ actor, input }) => headsUp(deps, actor, input),
  );
  openApi(
    app,
    '/channel/escalate/rule/info',
    {
      tag,
      summary: 'Get an escalation rule',
      permission: 'channels.read',
      input: S.ChannelRuleIdRequest,
      data: S.EscalateRuleItem,
    },
    async ({ actor, input }) => escalationRuleInfo(deps, actor, input),
  );
  openApi(
    app,
    '/channel/escalate/rule/create',
    {
      tag,
      summary: 'Create an escalation rule',
      permission: 'channels.manage',
      input: S.EscalationCreateRequest,
      data: S.RuleCreateResponse,
    },
    async ({ actor, input }) => createEscalationRule(deps, actor, input),
  );
  openApi(
    app,
    '/channel/escalate/rule/update',
    {
      tag,
      summary:
        'Update an escalation rule (rule_name, template_id and layers are replaced; the rest when sent)',
      permission: 'channels.manage',
      input: S.EscalationUpdateRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await updateEscalationRuleFields(deps, actor, input);
      return {};
    },
  );
  const verbs = [
    ['delete', 'deleted', 'Delete'],
    ['enable', 'enabled', 'Enable'],
    ['disable', 'disabled', 'Disable'],
  ] as const;
  for (const [verb, status, title] of verbs) {
    openApi(
      app,
      `/channel/escalate/rule/${verb}`,
      {
        tag,
        summary: `${title} an escalation rule`,
        permission: 'channels.manage',
        input: S.ChannelRuleIdRequest,
        data: Empty,
      },
      async ({ actor, input }) => {
        await setEscalationRuleStatus(deps, actor, input, status);
        return {};
      },
    );
  }
}

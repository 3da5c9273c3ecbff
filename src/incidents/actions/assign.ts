import type { Static } from 'typebox';
import type { Actor } from '../../accounts/permissions.ts';
import type { Config } from '../../config/config.ts';
import { endEscalation, escalateToLayer } from '../../escalation/control.ts';
import { BY_CHANNEL } from '../../escalation/escalation.service.ts';
import { findEscalationRule, lockLiveMembers, toEscalationRule } from '../../escalation/escalation.store.ts';
import type { EscalateTarget } from '../../escalation/escalation.types.ts';
import { snapshotRule } from '../../escalation/match.ts';
import { type AssignType, runLayerStep } from '../../escalation/notify-layer.ts';
import { DEFAULT_TEMPLATE_ID } from '../../notifications/default-template.ts';
import { type Capabilities, deliveryCapabilities } from '../../notifications/preferences.ts';
import { findTemplate } from '../../notifications/templates.service.ts';
import { invalidParameter } from '../../shared/app-error.ts';
import { newObjectId } from '../../shared/ids.ts';
import { addFeedEntries } from '../feed.store.ts';
import type { AssignedTo, AssignRequest, NotifyOptions, ResponderAddRequest } from './actions.schemas.ts';
import {
  type ActionDeps,
  byActor,
  type Executor,
  type IncidentRow,
  inTransaction,
  lockIncidents,
} from './actions.store.ts';
import { readResponders } from './responders.ts';

/*
 * /incident/assign and /incident/responder/add (docs/escalation.md, "Manual assignment"). Both
 * page whoever they add at once, through the same layer step the escalation engine runs
 * (runLayerStep: outbox rows, i_assign, i_warn), in the action's transaction.
 */

export type AssignDeps = ActionDeps & { config: Pick<Config, 'smtpUrl' | 'phoneProviderUrl'> };

const NO_RULE = { rule_id: '', rule_name: '', template_id: DEFAULT_TEMPLATE_ID };

function personTarget(
  personIds: readonly number[],
  emails: readonly string[],
  notify?: Static<typeof NotifyOptions>,
): EscalateTarget {
  const channels = notify?.personal_channels ?? [];
  const follow = notify?.follow_preference ?? channels.length === 0;
  return {
    person_ids: [...personIds],
    team_ids: [],
    schedule_to_role_ids: {},
    emails: [...emails],
    by: { follow_preference: follow, critical: [...channels], warning: [...channels], info: [...channels] },
  };
}

/** Every id must be a live member of the account; the first one that is not is named. */
async function checkMembers(
  q: Executor,
  accountId: number,
  ids: readonly number[],
  field: string,
): Promise<number[]> {
  const unique = [...new Set(ids)];
  const live = await lockLiveMembers(q, accountId, unique);
  const missing = ids.findIndex((id) => !live.has(id));
  if (missing >= 0)
    throw invalidParameter(`${field}[${missing}]`, `member ${ids[missing]} does not exist in the account`);
  return unique;
}

/** The template to page with: the given one, which must exist, or the default. */
async function checkTemplate(
  q: Executor,
  accountId: number,
  templateId: string | undefined,
  field: string,
): Promise<string> {
  if (templateId === undefined) return DEFAULT_TEMPLATE_ID;
  const id = templateId.toLowerCase();
  if (!(await findTemplate(q, accountId, id))) throw invalidParameter(field, `template ${id} does not exist`);
  return id;
}

type Plan =
  | {
      kind: 'people';
      personIds: number[];
      emails: string[];
      type: AssignType;
      notify: Static<typeof NotifyOptions> | undefined;
    }
  | { kind: 'layer'; ruleId: string; layerIdx: number; type: AssignType };

function plan(to: Static<typeof AssignedTo>): Plan {
  const people = (to.person_ids?.length ?? 0) + (to.emails?.length ?? 0) > 0;
  if (to.escalate_rule_id !== undefined) {
    if (people) {
      throw invalidParameter(
        'assigned_to',
        'give either escalate_rule_id (with layer_idx) or person_ids/emails, not both',
      );
    }
    return {
      kind: 'layer',
      ruleId: to.escalate_rule_id.toLowerCase(),
      layerIdx: to.layer_idx ?? 0,
      type: to.type ?? 'escalate',
    };
  }
  if (!people)
    throw invalidParameter(
      'assigned_to.person_ids',
      'give person_ids or emails, or escalate_rule_id with layer_idx',
    );
  return {
    kind: 'people',
    personIds: to.person_ids ?? [],
    emails: to.emails ?? [],
    type: to.type ?? 'reassign',
    notify: to.notify,
  };
}

async function assignOne(
  trx: Executor,
  actor: Actor,
  incident: IncidentRow,
  how: Plan,
  nowMs: number,
  capabilities: Capabilities,
): Promise<void> {
  const assign = { type: how.type, from: 'manual' as const, creatorId: actor.memberId };
  if (how.kind === 'people') {
    await endEscalation(trx, incident, nowMs, true);
    await runLayerStep(
      trx,
      incident,
      personTarget(how.personIds, how.emails, how.notify),
      {
        stepKey: `assign:${newObjectId(nowMs)}`,
        rule: { ...NO_RULE, template_id: how.notify?.template_id?.toLowerCase() ?? DEFAULT_TEMPLATE_ID },
        layerIdx: 0,
        fireType: 'fire',
        assign,
      },
      nowMs,
      capabilities,
    );
    return;
  }
  const row = await findEscalationRule(trx, {
    accountId: actor.accountId,
    channelId: incident.channel_id,
    ruleId: how.ruleId,
  });
  if (!row) {
    throw invalidParameter(
      'assigned_to.escalate_rule_id',
      `rule ${how.ruleId} is not an escalation rule of the channel of incident ${incident.incident_id}`,
    );
  }
  const snapshot = snapshotRule(toEscalationRule(row));
  const layer = snapshot.layers[how.layerIdx];
  if (!layer) {
    throw invalidParameter(
      'assigned_to.layer_idx',
      `rule ${how.ruleId} has ${snapshot.layers.length} layers (0 to ${snapshot.layers.length - 1})`,
    );
  }
  const escalationId = await escalateToLayer(trx, incident, snapshot, how.layerIdx, nowMs);
  await runLayerStep(
    trx,
    incident,
    layer.target as EscalateTarget,
    {
      stepKey: `esc:${escalationId}:rule:${snapshot.rule_id}:layer:${how.layerIdx}:fire:1`,
      rule: {
        rule_id: snapshot.rule_id,
        rule_name: snapshot.rule_name,
        template_id: snapshot.template_id || DEFAULT_TEMPLATE_ID,
      },
      layerIdx: how.layerIdx,
      fireType: 'fire',
      assign,
    },
    nowMs,
    capabilities,
  );
}

/** Personal channel names must be ones `by` takes; the first that is not is named. */
function checkChannels(notify: Static<typeof NotifyOptions> | undefined, field: string): void {
  (notify?.personal_channels ?? []).forEach((channel, i) => {
    if (!BY_CHANNEL.test(channel)) {
      throw invalidParameter(
        `${field}.personal_channels[${i}]`,
        'must be email, sms, voice, push, or an IM (feishu, dingtalk, wecom, teams, slack)',
      );
    }
  });
}

/**
 * Applies `assigned_to` to locked incidents, inside the caller's transaction (/incident/assign,
 * and /incident/create with `assigned_to`). Closed incidents are left as they are.
 */
export async function applyAssignment(
  trx: Executor,
  actor: Actor,
  incidents: readonly IncidentRow[],
  to: Static<typeof AssignedTo>,
  nowMs: number,
  capabilities: Capabilities,
): Promise<void> {
  const how = plan(to);
  checkChannels(to.notify, 'assigned_to.notify');
  await checkTemplate(trx, actor.accountId, to.notify?.template_id, 'assigned_to.notify.template_id');
  if (how.kind === 'people') {
    how.personIds = await checkMembers(trx, actor.accountId, how.personIds, 'assigned_to.person_ids');
  }
  for (const incident of incidents) {
    if (incident.progress === 'Closed') continue;
    await assignOne(trx, actor, incident, how, nowMs, capabilities);
  }
}

/**
 * /incident/assign: (re)assigns each incident — to people and addresses (the running escalation
 * ends; they are paged on their preferences, or on `notify`'s channels), or to a layer of one of
 * its channel's escalation rules (the escalation now stands in that layer and goes on from there).
 */
export async function assignIncidents(
  deps: AssignDeps,
  actor: Actor,
  input: Static<typeof AssignRequest>,
): Promise<void> {
  const ids = [...(input.incident_id ? [input.incident_id] : []), ...(input.incident_ids ?? [])];
  if (ids.length === 0) throw invalidParameter('incident_ids', 'give incident_id or incident_ids');
  if (ids.length > 100) throw invalidParameter('incident_ids', 'at most 100 incidents at once');
  const nowMs = deps.clock.nowMs();
  const capabilities = deliveryCapabilities(deps.config);
  await inTransaction(deps.db, async (trx) => {
    const incidents = await lockIncidents(trx, actor.accountId, ids);
    await applyAssignment(trx, actor, incidents, input.assigned_to, nowMs, capabilities);
  });
}

/**
 * /incident/responder/add: adds people to the incident's responders (assigned now) without
 * changing its assignment or escalation; with `notify`, pages them on their preferences or on the
 * listed channels, with the given template.
 */
export async function addResponders(
  deps: AssignDeps,
  actor: Actor,
  input: Static<typeof ResponderAddRequest>,
): Promise<void> {
  (input.notify?.personal_channels ?? []).forEach((channel, i) => {
    if (!BY_CHANNEL.test(channel)) {
      throw invalidParameter(
        `notify.personal_channels[${i}]`,
        'must be email, sms, voice, push, or an IM (feishu, dingtalk, wecom, teams, slack)',
      );
    }
  });
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  const capabilities = deliveryCapabilities(deps.config);
  await inTransaction(deps.db, async (trx) => {
    const personIds = await checkMembers(trx, actor.accountId, input.person_ids, 'person_ids');
    const templateId = await checkTemplate(
      trx,
      actor.accountId,
      input.notify?.template_id,
      'notify.template_id',
    );
    const [incident] = await lockIncidents(trx, actor.accountId, [input.incident_id]);
    if (!incident || incident.progress === 'Closed') return;
    const responders = readResponders(incident.responders);
    const added = personIds.filter((id) => !responders.some((r) => r.person_id === id));
    if (added.length === 0) return;
    responders.push(...added.map((person_id) => ({ person_id, assigned_at: now, acknowledged_at: 0 })));
    await trx
      .updateTable('incidents')
      .set({ responders: JSON.stringify(responders), updated_at: now })
      .where('incident_id', '=', incident.incident_id)
      .execute();
    await addFeedEntries(trx, [
      byActor(actor, nowMs, {
        incidentId: incident.incident_id,
        type: 'i_a_rspd',
        detail: { person_ids: added, notify: input.notify !== undefined },
      }),
    ]);
    if (!input.notify) return;
    incident.responders = responders;
    await runLayerStep(
      trx,
      incident,
      personTarget(added, [], input.notify),
      {
        stepKey: `rspd:${newObjectId(nowMs)}`,
        rule: { ...NO_RULE, template_id: templateId },
        layerIdx: 0,
        fireType: 'fire',
        assign: null,
      },
      nowMs,
      capabilities,
    );
  });
}

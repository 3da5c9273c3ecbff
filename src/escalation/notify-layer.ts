import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { Severity } from '../db/schema.ts';
import { readResponders } from '../incidents/actions/responders.ts';
import { addFeedEntries, type FeedEntry } from '../incidents/feed.store.ts';
import { enqueueNotifications, type NotificationRequest } from '../notifications/notifications.enqueue.ts';
import { resolvePeople } from '../notifications/preferences.service.ts';
import type { Capabilities } from '../notifications/preferences.ts';
import type { DeliveryChannel } from '../notifications/providers/provider.ts';
import { inRoles, whoIsOnCall } from '../schedules/oncall-lookup.ts';
import { newObjectId } from '../shared/ids.ts';
import { teamMembers } from './escalation.store.ts';
import type { EscalateTarget, EscalateWebhook } from './escalation.types.ts';

/*
 * One escalation step's effect on an incident (docs/escalation.md, "Runtime"): page a layer's
 * target — people on their channels, e-mail addresses, group chats — and, on a layer's first
 * notification, assign the incident to it. Shared by the engine (escalation.module.ts) and manual
 * assignment (/incident/assign). Runs inside the caller's transaction, with the incident locked.
 * Whatever could not be reached is written as a heads-up (`i_warn`), never skipped silently.
 */

type Executor = Db['q'];

/** What a step reads of the (locked) incident. */
export type StepIncident = {
  incident_id: string;
  account_id: number;
  incident_severity: Severity;
  responders: unknown;
};

/** The rule a step runs under; all empty for a manual assignment to people. */
export type StepRule = { rule_id: string; rule_name: string; template_id: string };

export type AssignType = 'assign' | 'escalate' | 'reassign' | 'reopen';

export type LayerStep = {
  /** Identifies the step in the outbox key, so a retried or raced step enqueues nothing twice. */
  stepKey: string;
  rule: StepRule;
  layerIdx: number;
  fireType: 'fire' | 'refire';
  /** Set on a layer's first notification and on manual assignment: the incident is (re)assigned. */
  assign: { type: AssignType; from?: 'timeout' | 'manual'; creatorId: number } | null;
};

/** Why a part of a target reaches nobody (the heads-up's items). */
export type Warning =
  | { kind: 'person_unreachable'; person_id: number; reasons: string[] }
  | { kind: 'schedule_gap'; schedule_id: number; role_ids: number[] }
  | { kind: 'schedule_missing'; schedule_id: number }
  | { kind: 'team_empty'; team_id: number }
  | { kind: 'email_unconfigured'; emails: string[] }
  | { kind: 'chat_undeliverable'; type: string; reason: string }
  | { kind: 'nobody'; reason: string };

export type TargetPeople = { people: number[]; warnings: Warning[] };

/** The people a target names now: persons, members of its teams, schedules' on-call by role. */
async function targetPeople(
  q: Executor,
  accountId: number,
  target: EscalateTarget,
  nowMs: number,
): Promise<TargetPeople> {
  const people = [...target.person_ids];
  const warnings: Warning[] = [];
  const teams = await teamMembers(q, accountId, target.team_ids);
  for (const [teamId, members] of teams) {
    if (members.length === 0) warnings.push({ kind: 'team_empty', team_id: teamId });
    people.push(...members);
  }
  const schedules = Object.entries(target.schedule_to_role_ids);
  if (schedules.length > 0) {
    const ids = schedules.map(([id]) => Number(id));
    const onCall = await whoIsOnCall(q, accountId, ids, Math.floor(nowMs / 1000));
    for (const [id, roles] of schedules) {
      const scheduleId = Number(id);
      const now = onCall.get(scheduleId);
      if (!now) {
        warnings.push({ kind: 'schedule_missing', schedule_id: scheduleId });
        continue;
      }
      const found = inRoles(now, roles);
      if (found.length === 0)
        warnings.push({ kind: 'schedule_gap', schedule_id: scheduleId, role_ids: roles });
      people.push(...found);
    }
  }
  return { people: [...new Set(people.map(Number))], warnings };
}

/** Group-chat types Vigil delivers to, and the delivery channel each uses. */
const CHAT_CHANNELS: Record<string, DeliveryChannel> = {
  slack: 'slack',
  feishu: 'feishu',
  dingtalk: 'dingtalk',
  wecom: 'wecom',
  teams: 'teams',
  telegram: 'telegram',
  custom: 'webhook',
};

type ChatTarget = { channel: DeliveryChannel; recipient: string; target: Record<string, unknown> };

function text(settings: Record<string, unknown>, key: string): string {
  const value = settings[key];
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * Where a group chat of a target is sent (docs/escalation.md, "Group chats"): incoming-webhook bots
 * take `settings.url` (and `secret` for signed Feishu and DingTalk bots, `headers` for a custom
 * webhook), Telegram takes `token` and `chat_id`. App integrations (`*_app`) and Zoom need an IM
 * app Vigil does not have: they are reported, not dropped silently.
 */
export function chatTarget(webhook: EscalateWebhook): ChatTarget | { reason: string } {
  const channel = CHAT_CHANNELS[webhook.type];
  if (!channel)
    return { reason: `Vigil has no delivery for chat type ${webhook.type}; use an incoming-webhook bot` };
  const s = webhook.settings;
  let target: Record<string, unknown>;
  if (channel === 'telegram') {
    if (!text(s, 'token') || !text(s, 'chat_id'))
      return { reason: 'telegram needs settings.token and settings.chat_id' };
    target = { token: text(s, 'token'), chat_id: text(s, 'chat_id') };
  } else {
    const url = text(s, 'url');
    if (!/^https?:\/\//i.test(url)) return { reason: `${webhook.type} needs settings.url (http or https)` };
    target = { url };
    if (text(s, 'secret')) target.secret = text(s, 'secret');
    if (channel === 'webhook' && s.headers && typeof s.headers === 'object') target.headers = s.headers;
  }
  // The key names the chat without carrying its secret: a hash of where it goes.
  const digest = createHash('sha256').update(JSON.stringify(target)).digest('hex').slice(0, 16);
  return { channel, recipient: `chat:${webhook.type}:${digest}`, target };
}

export type StepResult = {
  people: number[];
  notifications: number;
  warnings: Warning[];
  assignment: Record<string, unknown> | null;
};

/** One step of a batch: the (locked) incident, the target it pages and the step. */
export type LayerStepItem = { incident: StepIncident; target: EscalateTarget; step: LayerStep };

/**
 * Pages `target` for `step` and, when the step assigns, writes `assigned_to`, `responders` and the
 * `i_assign` entry; unreachable parts are written as one `i_warn` entry. The incident must be
 * locked by the caller's transaction.
 */
export async function runLayerStep(
  trx: Executor,
  incident: StepIncident,
  target: EscalateTarget,
  step: LayerStep,
  nowMs: number,
  capabilities: Capabilities,
): Promise<StepResult> {
  return (await runLayerSteps(trx, [{ incident, target, step }], nowMs, capabilities))[0]!;
}

/**
 * runLayerStep for many incidents at once, with the same effect as one call per item, in a fixed
 * number of statements: who a target names and how people are reached is looked up once per
 * distinct target in the batch, and the notifications, assignments and feed entries of all items
 * are written by one statement each. Each incident at most once per batch, locked by the caller.
 */
export async function runLayerSteps(
  trx: Executor,
  items: readonly LayerStepItem[],
  nowMs: number,
  capabilities: Capabilities,
): Promise<StepResult[]> {
  if (new Set(items.map((i) => i.incident.incident_id)).size !== items.length)
    throw new Error('runLayerSteps: an incident appears twice in one batch');
  const named = new Map<string, TargetPeople>();
  const resolved = new Map<string, Awaited<ReturnType<typeof resolvePeople>>>();
  const chats = new Map<string, ChatTarget | { reason: string }>();
  const requests: NotificationRequest[] = [];
  const entries: FeedEntry[] = [];
  const assignments: Array<{
    incidentId: string;
    assignedTo: string;
    responders: string;
    updatedAt: number;
  }> = [];
  const results: StepResult[] = [];

  for (const { incident, target, step } of items) {
    const peopleKey = `${incident.account_id}:${JSON.stringify(target)}`;
    let found = named.get(peopleKey);
    if (!found) {
      found = await targetPeople(trx, incident.account_id, target, nowMs);
      named.set(peopleKey, found);
    }
    const people = [...found.people];
    const warnings = [...found.warnings];
    const base = {
      accountId: incident.account_id,
      incidentId: incident.incident_id,
      step: step.stepKey,
      templateId: step.rule.template_id,
      fireType: step.fireType,
      layerIdx: step.layerIdx,
      nowMs,
    };
    const own: NotificationRequest[] = [];
    if (target.by) {
      const resolveKey = `${incident.account_id}:${people.join(',')}:${incident.incident_severity}:${JSON.stringify(target.by)}`;
      let persons = resolved.get(resolveKey);
      if (!persons) {
        persons = await resolvePeople(
          trx,
          incident.account_id,
          people,
          incident.incident_severity,
          target.by,
          capabilities,
        );
        resolved.set(resolveKey, persons);
      }
      for (const person of persons) {
        if (person.unreachable) {
          warnings.push({
            kind: 'person_unreachable',
            person_id: person.personId,
            reasons: person.skipped.map((s) => `${s.channel}: ${s.reason}`),
          });
        }
        for (const c of person.channels) {
          own.push({
            ...base,
            recipient: `person:${person.personId}`,
            channel: c.channel,
            target: c.target,
            personId: person.personId,
          });
        }
      }
    }
    if (target.emails.length > 0) {
      if (!capabilities.email) warnings.push({ kind: 'email_unconfigured', emails: [...target.emails] });
      else {
        for (const address of target.emails) {
          own.push({
            ...base,
            recipient: `email:${address.toLowerCase()}`,
            channel: 'email',
            target: { address },
          });
        }
      }
    }
    for (const webhook of target.webhooks ?? []) {
      const chatKey = JSON.stringify(webhook);
      let chat = chats.get(chatKey);
      if (!chat) {
        chat = chatTarget(webhook);
        chats.set(chatKey, chat);
      }
      if ('reason' in chat)
        warnings.push({ kind: 'chat_undeliverable', type: webhook.type, reason: chat.reason });
      else own.push({ ...base, recipient: chat.recipient, channel: chat.channel, target: chat.target });
    }
    if (own.length === 0)
      warnings.push({ kind: 'nobody', reason: 'no person, address or chat of the target can be notified' });
    requests.push(...own);

    const creatorId = step.assign?.creatorId ?? 0;
    let assignment: Record<string, unknown> | null = null;
    if (step.assign) {
      const now = Math.floor(nowMs / 1000);
      assignment = {
        person_ids: people,
        ...(target.emails.length > 0 ? { emails: [...target.emails] } : {}),
        // A manual assignment to people runs under no rule: the rule fields are left out.
        ...(step.rule.rule_id
          ? { escalate_rule_id: step.rule.rule_id, escalate_rule_name: step.rule.rule_name }
          : {}),
        layer_idx: step.layerIdx,
        type: step.assign.type,
        assigned_at: now,
        id: newObjectId(nowMs),
      };
      const responders = readResponders(incident.responders);
      for (const personId of people) {
        const current = responders.find((r) => r.person_id === personId);
        if (!current) responders.push({ person_id: personId, assigned_at: now, acknowledged_at: 0 });
        else if (current.assigned_at === 0) current.assigned_at = now;
      }
      assignments.push({
        incidentId: incident.incident_id,
        assignedTo: JSON.stringify(assignment),
        responders: JSON.stringify(responders),
        updatedAt: now,
      });
      incident.responders = responders;
      entries.push({
        accountId: incident.account_id,
        incidentId: incident.incident_id,
        type: 'i_assign',
        detail: {
          ...assignment,
          ...(step.assign.from ? { from: step.assign.from } : {}),
          notifications: own.length,
        },
        creatorId,
        atMs: nowMs,
      });
    }
    if (warnings.length > 0) {
      entries.push({
        accountId: incident.account_id,
        incidentId: incident.incident_id,
        type: 'i_warn',
        detail: { layer_idx: step.layerIdx, escalate_rule_id: step.rule.rule_id, warnings },
        creatorId,
        atMs: nowMs,
      });
    }
    results.push({ people, notifications: own.length, warnings, assignment });
  }

  await enqueueNotifications(trx, requests);
  if (assignments.length > 0) {
    const values = assignments.map(
      (a) =>
        sql`(${a.incidentId}::text, ${a.assignedTo}::jsonb, ${a.responders}::jsonb, ${a.updatedAt}::bigint)`,
    );
    await sql`
      update incidents as i
         set assigned_to = v.assigned_to, responders = v.responders, updated_at = v.updated_at
        from (values ${sql.join(values)}) as v(incident_id, assigned_to, responders, updated_at)
       where i.incident_id = v.incident_id`.execute(trx);
  }
  if (entries.length > 0) await addFeedEntries(trx, entries);
  return results;
}

import type { Db } from '../../db/db.ts';
import type { Condition, EscalateTarget } from '../../escalation/escalation.types.ts';
import { filtersMatch } from '../../escalation/match.ts';
import { type LayerStepItem, runLayerSteps } from '../../escalation/notify-layer.ts';
import type { Capabilities } from '../../notifications/preferences.ts';
import { INCIDENT_EVENT_TYPES } from '../../webhooks/webhook-settings.ts';
import type { FeedEvent } from '../../webhooks/webhooks.enqueue.ts';

/*
 * Channel notification rules at work (docs/channels.md, "Notification rules"): an incident event
 * (a feed entry) of a channel whose enabled rule names its type and whose filters match the incident
 * pages the rule's target through the notification outbox — the way an escalation layer does
 * (runLayerSteps), without assigning. It runs inside the transaction that writes the entries, so
 * the notifications exist exactly when the event committed; the outbox key carries the event's id,
 * so an event is notified once per recipient and channel, whichever instance wrote it.
 */

type Executor = Db['q'];

const INCIDENT_TYPES: ReadonlySet<string> = new Set(INCIDENT_EVENT_TYPES);
/** Delivery reports what cannot be sent; the rule does not guess it beforehand (as the engine). */
const ALL: Capabilities = { email: true, phone: true };

type RuleRow = {
  rule_id: string;
  account_id: number;
  channel_id: number;
  rule_name: string;
  template_id: string;
  event_types: string[];
  filters: Condition[][];
  target: EscalateTarget;
};

/** The outbox step of a rule's notification about one event: the same on every retry and instance. */
function notifyRuleStep(ruleId: string, eventId: string): string {
  return `notify_rule:${ruleId}:event:${eventId}`;
}

/** Enqueues the notifications of every enabled rule one of these feed events fires; returns how many steps ran. */
export async function enqueueNotifyRuleEvents(q: Executor, events: readonly FeedEvent[]): Promise<number> {
  const candidates = events.filter((e) => e.incidentId && INCIDENT_TYPES.has(e.type));
  if (candidates.length === 0) return 0;
  const rules = (await q
    .selectFrom('channel_notify_rules')
    .select([
      'rule_id',
      'account_id',
      'channel_id',
      'rule_name',
      'template_id',
      'event_types',
      'filters',
      'target',
    ])
    .where('account_id', 'in', [...new Set(candidates.map((e) => e.accountId))])
    .where('status', '=', 'enabled')
    .execute()) as unknown as RuleRow[];
  if (rules.length === 0) return 0;
  const wanted = candidates.filter((e) =>
    rules.some((r) => Number(r.account_id) === e.accountId && r.event_types.includes(e.type)),
  );
  if (wanted.length === 0) return 0;
  const incidents = new Map(
    (
      await q
        .selectFrom('incidents')
        .select([
          'incident_id',
          'account_id',
          'channel_id',
          'incident_severity',
          'title',
          'description',
          'labels',
          'integration_id',
          'responders',
        ])
        .where('incident_id', 'in', [...new Set(wanted.map((e) => e.incidentId!.toLowerCase()))])
        .execute()
    ).map((row) => [row.incident_id, row]),
  );

  const items: LayerStepItem[] = [];
  for (const event of wanted) {
    const incident = incidents.get(event.incidentId!.toLowerCase());
    if (!incident || Number(incident.account_id) !== event.accountId) continue;
    for (const rule of rules) {
      if (
        Number(rule.account_id) !== event.accountId ||
        Number(rule.channel_id) !== Number(incident.channel_id) ||
        !rule.event_types.includes(event.type) ||
        !filtersMatch(rule.filters, incident)
      )
        continue;
      items.push({
        incident: {
          incident_id: incident.incident_id,
          account_id: Number(incident.account_id),
          incident_severity: incident.incident_severity,
          responders: incident.responders,
        },
        target: rule.target,
        step: {
          stepKey: notifyRuleStep(rule.rule_id, event.refId),
          rule: { rule_id: rule.rule_id, rule_name: rule.rule_name, template_id: rule.template_id },
          layerIdx: 0,
          fireType: 'fire',
          assign: null,
        },
      });
    }
  }
  // runLayerSteps takes each incident at most once per call: rounds of distinct incidents.
  let pending = items;
  while (pending.length > 0) {
    const seen = new Set<string>();
    const round: LayerStepItem[] = [];
    const later: LayerStepItem[] = [];
    for (const item of pending) {
      if (seen.has(item.incident.incident_id)) later.push(item);
      else {
        seen.add(item.incident.incident_id);
        round.push(item);
      }
    }
    await runLayerSteps(q, round, Math.max(...wanted.map((e) => e.atMs)), ALL);
    pending = later;
  }
  return items.length;
}

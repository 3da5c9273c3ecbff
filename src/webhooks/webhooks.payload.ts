import { loadAlertContext, toAlertItem } from '../alerts/alerts.mapper.ts';
import type { Db } from '../db/db.ts';
import { loadIncidentContext, toIncidentInfo } from '../incidents/incidents.mapper.ts';

/*
 * The body of a webhook call, after Flashduty's alert and incident webhook documents:
 * {event_id, event_time (ms), event_type, person?, alert | incident}. The object is the alert or
 * incident as the read API shows it, read when the delivery is first attempted (see
 * docs/webhooks.md for why then).
 */

type Executor = Db['q'];

export type PayloadSource = {
  account_id: number;
  event_id: string;
  event_type: string;
  event_time: number;
  webhook_type: 'alert' | 'incident';
  ref_id: string;
  person_id: number;
};

/** Who acted, for events a person caused; Flashduty's Person has all three fields. */
async function person(q: Executor, accountId: number, personId: number) {
  if (personId <= 0) return undefined;
  const member = await q
    .selectFrom('members')
    .select(['member_id', 'member_name', 'email'])
    .where('account_id', '=', accountId)
    .where('member_id', '=', personId)
    .executeTakeFirst();
  return member && { person_id: member.member_id, person_name: member.member_name, email: member.email };
}

/** The alert as /alert/info shows it, with the progress and close_time of Flashduty's webhook alert. */
async function alertObject(q: Executor, accountId: number, alertId: string) {
  const row = await q
    .selectFrom('alerts')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('alert_id', '=', alertId)
    .executeTakeFirst();
  if (!row) return undefined;
  const context = await loadAlertContext(q, accountId, [row], { events: false });
  const closed = row.end_time > 0;
  return {
    ...toAlertItem(row, context),
    progress: closed ? 'Closed' : 'Triggered',
    close_time: row.end_time,
  };
}

async function incidentObject(q: Executor, accountId: number, incidentId: string, publicUrl: string) {
  const row = await q
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  if (!row) return undefined;
  return toIncidentInfo(row, await loadIncidentContext(q, accountId, [row], publicUrl));
}

/** The JSON body for a delivery; undefined when its alert or incident no longer exists. */
export async function buildWebhookBody(
  q: Executor,
  source: PayloadSource,
  publicUrl: string,
): Promise<string | undefined> {
  const [actor, object] = await Promise.all([
    person(q, source.account_id, source.person_id),
    source.webhook_type === 'alert'
      ? alertObject(q, source.account_id, source.ref_id)
      : incidentObject(q, source.account_id, source.ref_id, publicUrl),
  ]);
  if (!object) return undefined;
  return JSON.stringify({
    event_id: source.event_id,
    event_time: source.event_time,
    event_type: source.event_type,
    ...(actor ? { person: actor } : {}),
    [source.webhook_type]: object,
  });
}

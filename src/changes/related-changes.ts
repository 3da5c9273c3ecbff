import type { Db } from '../db/db.ts';
import type { IncidentRow } from '../incidents/incidents.store.ts';
import { alertLabelsOfIncident, correlationCandidates } from './changes.query.ts';
import type { ChangeRow } from './changes.store.ts';
import {
  type Correlation,
  type CorrelationSettings,
  DEFAULT_CORRELATION,
  incidentLabelValues,
  lookBack,
  rankRelatedChanges,
} from './correlation.ts';

type Executor = Db['q'];

/** An account's correlation settings, or the defaults when it saved none. */
export async function correlationSettings(
  q: Executor,
  accountId: number,
): Promise<CorrelationSettings & { isDefault: boolean }> {
  const row = await q
    .selectFrom('change_correlation_settings')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row
    ? { labelKeys: row.label_keys, windowSeconds: row.window_seconds, isDefault: false }
    : { ...DEFAULT_CORRELATION, isDefault: true };
}

export async function saveCorrelationSettings(
  q: Executor,
  accountId: number,
  settings: CorrelationSettings,
  by: { memberId: number; now: number },
): Promise<void> {
  const values = {
    label_keys: [...settings.labelKeys],
    window_seconds: settings.windowSeconds,
    updated_by: by.memberId,
    updated_at: by.now,
  };
  await q
    .insertInto('change_correlation_settings')
    .values({ account_id: accountId, ...values })
    .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
    .execute();
}

export type RelatedChanges = {
  /** Best first; every related change (up to the candidates read). */
  ranked: { change: ChangeRow; correlation: Correlation }[];
  window: { from: number; to: number };
};

/**
 * The changes related to an incident, best first: those active in the look-back window before it
 * started that share a value with it (its labels or its alerts') on a correlation key. The top one
 * is named in notifications (topRelatedChanges).
 */
export async function relatedChanges(
  q: Executor,
  incident: Pick<IncidentRow, 'account_id' | 'incident_id' | 'start_time' | 'labels'>,
  settings: CorrelationSettings,
): Promise<RelatedChanges> {
  const alertLabels = await alertLabelsOfIncident(q, incident.account_id, incident.incident_id);
  const values = incidentLabelValues(settings.labelKeys, [incident.labels, ...alertLabels]);
  const window = lookBack(incident.start_time, settings.windowSeconds);
  const candidates = await correlationCandidates(q, incident.account_id, window, values);
  return {
    ranked: rankRelatedChanges(
      candidates,
      { startTime: incident.start_time, values },
      settings.windowSeconds,
    ),
    window,
  };
}

/** What a notification says of an incident's most related change. */
export type TopChange = {
  title: string;
  status: string;
  link: string;
  change_key: string;
  start_time: number;
};

/**
 * The most related change of each incident (docs/changes.md, "In notifications"), for accounts that
 * have changes at all: an account without any costs one indexed probe, not a correlation per incident.
 */
export async function topRelatedChanges(
  q: Executor,
  accountId: number,
  incidents: readonly Pick<IncidentRow, 'account_id' | 'incident_id' | 'start_time' | 'labels'>[],
): Promise<Map<string, TopChange>> {
  const out = new Map<string, TopChange>();
  if (incidents.length === 0) return out;
  const any = await q
    .selectFrom('changes')
    .select('change_id')
    .where('account_id', '=', accountId)
    .limit(1)
    .executeTakeFirst();
  if (!any) return out;
  const settings = await correlationSettings(q, accountId);
  for (const incident of incidents) {
    const [top] = (await relatedChanges(q, incident, settings)).ranked;
    if (!top) continue;
    const c = top.change;
    out.set(incident.incident_id, {
      title: c.title,
      status: c.change_status,
      link: c.link,
      change_key: c.change_key,
      start_time: c.start_time,
    });
  }
  return out;
}

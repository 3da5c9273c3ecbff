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
 * started that share a value with it (its labels or its alerts') on a correlation key.
 *
 * NOTE for notifications (the on-call issue): once notifications land, mention `ranked[0]` — the
 * top related change, its title, status and link — in the incident's notification, computed with
 * the account's settings (`correlationSettings`). Not wired yet: there are no notifications.
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

import { sql } from 'kysely';
import { type IncidentTouch, TOUCH_GRANULARITY_SECONDS } from '../../alerts/transitions.ts';
import type { Write } from '../../db/statements.ts';

/**
 * A repeat still shows the alert is firing, so it keeps the incident's last_time (what auto-resolve's
 * "update" mode counts from) fresh, to within two minutes: repeats rarely write or lock the incident
 * row. An incident another transaction holds is skipped (the next repeat moves it): a touch must
 * never wait, or it could close a lock cycle with a batch of another lane. A statement to run with
 * others (src/db/statements.ts).
 */
export function touchIncidentsSql(touches: readonly IncidentTouch[]): Write {
  const latest = new Map<string, number>();
  for (const t of touches) latest.set(t.incidentId, Math.max(latest.get(t.incidentId) ?? 0, t.eventTime));
  if (latest.size === 0) return null;
  const ids = [...latest.keys()].sort();
  return sql`
    update incidents i set last_time = due.event_time
      from (select t.incident_id, v.event_time
              from unnest(${ids}::text[], ${ids.map((id) => latest.get(id)!)}::bigint[]) as v(incident_id, event_time)
              join incidents t on t.incident_id = v.incident_id
             where t.last_time < v.event_time - ${TOUCH_GRANULARITY_SECONDS}
             for update of t skip locked) due
     where i.incident_id = due.incident_id`;
}

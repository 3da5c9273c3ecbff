import { type RawBuilder, sql } from 'kysely';

/*
 * The sums an incident metric needs, over incident facts `f` (insight_incident_facts), and those a
 * responder metric needs, over incident × responder facts `r`. The rollups store them under the
 * same names, so a query can add rollup rows and fact rows alike.
 */
export const INCIDENT_AGGREGATES: readonly [string, RawBuilder<unknown>][] = [
  ['incidents', sql`count(*)`],
  ['acknowledged', sql`count(*) filter (where f.ack_time > 0)`],
  ['closed', sql`count(*) filter (where f.close_time > 0)`],
  ['auto_closed', sql`count(*) filter (where f.closed_by = 'auto')`],
  ['manually_closed', sql`count(*) filter (where f.closed_by = 'manually')`],
  ['timeout_closed', sql`count(*) filter (where f.closed_by = 'timeout')`],
  ['escalated', sql`count(*) filter (where f.escalations > 0)`],
  ['manually_escalated', sql`count(*) filter (where f.manual_escalations > 0)`],
  ['timeout_escalated', sql`count(*) filter (where f.timeout_escalations > 0)`],
  ['reassigned', sql`count(*) filter (where f.reassignments > 0)`],
  ['interruptions', sql`sum(f.interruptions)`],
  ['notifications', sql`sum(f.notifications)`],
  ['engaged', sql`sum(f.engaged_seconds)`],
  ['to_ack', sql`sum(case when f.ack_time > 0 then greatest(f.ack_time - f.start_time, 0) else 0 end)`],
  ['to_close', sql`sum(case when f.close_time > 0 then greatest(f.close_time - f.start_time, 0) else 0 end)`],
  ['alerts', sql`sum(f.alert_cnt)`],
  ['alert_events', sql`sum(f.alert_event_cnt)`],
];

export const RESPONDER_AGGREGATES: readonly [string, RawBuilder<unknown>][] = [
  ['incidents', sql`count(*)`],
  ['acknowledged', sql`count(*) filter (where r.ack_time > 0)`],
  ['reassigned', sql`count(*) filter (where r.reassigned)`],
  ['escalated', sql`count(*) filter (where r.escalated)`],
  ['timeout_escalated', sql`count(*) filter (where r.timeout_escalated)`],
  ['manually_escalated', sql`count(*) filter (where r.manually_escalated)`],
  ['interruptions', sql`sum(r.interruptions)`],
  ['notifications', sql`sum(r.notifications)`],
  ['engaged', sql`sum(r.engaged_seconds)`],
  [
    'to_ack',
    sql`sum(case when r.ack_time > 0
                 then greatest(r.ack_time - case when r.assigned_at > 0 then r.assigned_at else r.start_time end, 0)
                 else 0 end)`,
  ],
];

/** `expr as name, ...` of the aggregates. */
export function aggregateList(aggregates: readonly [string, RawBuilder<unknown>][]): RawBuilder<unknown> {
  return sql.join(
    aggregates.map(([name, expr]) => sql`${expr} as ${sql.ref(name)}`),
    sql`, `,
  );
}

/** `sum(name) as name, ...`: adds rows that already hold the aggregates. */
export function sumList(
  aggregates: readonly [string, RawBuilder<unknown>][],
  alias?: string,
): RawBuilder<unknown> {
  return sql.join(
    aggregates.map(([name]) => sql`sum(${sql.ref(alias ? `${alias}.${name}` : name)}) as ${sql.ref(name)}`),
    sql`, `,
  );
}

export const ROLLUP_COLUMNS = INCIDENT_AGGREGATES.map(([name]) => name);
export const RESPONDER_ROLLUP_COLUMNS = RESPONDER_AGGREGATES.map(([name]) => name);

import type { EventStatus, Severity } from '../db/schema.ts';

const RANK: Record<EventStatus, number> = { Ok: 0, Info: 1, Warning: 2, Critical: 3 };

/** A status's rank: Ok 0, Info 1, Warning 2, Critical 3 (SEVERITY_RANK_SQL in SQL). */
export function rankOf(status: EventStatus): number {
  return RANK[status];
}

/** The more severe of two severities. */
export function higherSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The status of a rank, for aggregates computed in SQL. */
export function statusOfRank(rank: number): EventStatus {
  return (['Ok', 'Info', 'Warning', 'Critical'] as const)[Math.max(0, Math.min(3, rank))]!;
}

/** The SQL expression ranking a status column the same way (used by aggregates). */
export const SEVERITY_RANK_SQL = (column: string) =>
  `case ${column} when 'Critical' then 3 when 'Warning' then 2 when 'Info' then 1 else 0 end`;

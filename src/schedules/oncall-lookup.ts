import type { Db } from '../db/db.ts';
import { currentAndNext } from './oncall.ts';
import { fromRow } from './schedules.service.ts';
import { getSchedules } from './schedules.store.ts';

type Executor = Db['q'];

/** Who a schedule puts on call at one instant, with their on-call roles. */
export type OnCall = { person_id: number; role_id: number }[];

/**
 * Who is on call at `at` (Unix seconds) on each of these schedules of the account: the final
 * schedule's shift holding that instant. A schedule that is unknown or deleted is absent from the
 * map; one with nobody on call maps to []. For escalation targets (`schedule_to_role_ids`) filter
 * by role with `inRoles`.
 */
export async function whoIsOnCall(
  q: Executor,
  accountId: number,
  scheduleIds: readonly number[],
  at: number,
): Promise<Map<number, OnCall>> {
  const rows = await getSchedules(q, accountId, [...new Set(scheduleIds)]);
  const out = new Map<number, OnCall>();
  for (const row of rows) {
    const { time_zone: zone, layers } = fromRow(row);
    const { current } = currentAndNext(zone, layers, at);
    const people = (current?.group.members ?? []).flatMap((m) =>
      m.person_ids.map((person_id) => ({ person_id, role_id: m.role_id })),
    );
    out.set(row.schedule_id, people);
  }
  return out;
}

/** The people of those on call who hold one of the roles; no roles: everyone, each once. */
export function inRoles(onCall: OnCall, roleIds: readonly number[]): number[] {
  const wanted = roleIds.length === 0 ? onCall : onCall.filter((p) => roleIds.includes(p.role_id));
  return [...new Set(wanted.map((p) => p.person_id))];
}

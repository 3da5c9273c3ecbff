import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { EngineModule } from '../jobs/engine.ts';
import { refreshFacts } from './facts.store.ts';
import { rebuildDailyRollups } from './rollups.store.ts';

/*
 * Insight upkeep in the background (docs/insights.md, "How the numbers are kept"): rebuilds the
 * daily rollups of an account whose time zone changed, and folds recent incident changes into the
 * facts and rollups of every account that uses insights, so the refresh an insight query runs first
 * finds little left to do. Only accounts with facts (one insight query made them) are kept up.
 */

/** At most one look per this long per instance, however often the engine cycles. */
const INSIGHT_UPKEEP_INTERVAL_MS = 10_000;

const lastRun = new WeakMap<Db, number>();

async function upkeep(db: Db, nowMs: number): Promise<number> {
  let changed = 0;
  const rezoned = await sql<{ account_id: number }>`
    select s.account_id from insight_refresh_state s join accounts a on a.account_id = s.account_id
     where s.rollup_zone is distinct from a.time_zone
     order by s.account_id`.execute(db.q);
  for (const { account_id } of rezoned.rows) {
    if (await rebuildDailyRollups(db, Number(account_id))) changed++;
  }
  const due = await db.q
    .selectFrom('insight_refresh_state')
    .select('account_id')
    .where('refreshed_at', '<', nowMs - INSIGHT_UPKEEP_INTERVAL_MS)
    .orderBy('account_id')
    .execute();
  for (const { account_id } of due) {
    await db.withStatementTimeout('long', () => refreshFacts(db, account_id, nowMs));
    changed++;
  }
  return changed;
}

export const insightUpkeepModule: EngineModule = {
  name: 'insight-upkeep',
  async run({ db }, nowMs) {
    const last = lastRun.get(db);
    if (last !== undefined && nowMs >= last && nowMs - last < INSIGHT_UPKEEP_INTERVAL_MS) return 0;
    lastRun.set(db, nowMs);
    return upkeep(db, nowMs);
  },
};

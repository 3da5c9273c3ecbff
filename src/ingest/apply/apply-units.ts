import type { Db } from '../../db/db.ts';
import type { GroupConfig } from '../../incidents/grouping.ts';
import { applyScreened } from './apply-screened.ts';
import { decide } from './decide.ts';
import type { EventOutcome } from './decide-event.ts';
import { load } from './load.ts';
import { lock } from './lock.ts';
import type { AlertUnit } from './unit.ts';
import { write } from './write.ts';

type Executor = Db['q'];

/**
 * Applies routed events, in order, inside the caller's transaction. Runs of events of channels that
 * screen events (noise rules) or group by similarity take the one-event path (./apply-screened.ts);
 * runs of the others are applied set-based: lock → load → decide → write. Both decide what an event
 * does to its alert through the same pure step (./decide-event.ts).
 */
export async function applyUnits(
  q: Executor,
  units: readonly AlertUnit[],
  nowMs: number,
): Promise<EventOutcome[]> {
  const oneByOne = (unit: AlertUnit) => unit.screened || (unit.channel.group as GroupConfig).method === 'i';
  const outcomes: EventOutcome[] = [];
  for (let start = 0; start < units.length; ) {
    const slow = oneByOne(units[start]!);
    let end = start + 1;
    while (end < units.length && oneByOne(units[end]!) === slow) end++;
    const run = units.slice(start, end);
    if (slow) {
      for (const unit of run) outcomes.push(await applyScreened(q, unit, nowMs));
    } else {
      outcomes.push(...(await applySetBased(q, run, nowMs)));
    }
    start = end;
  }
  return outcomes;
}

async function applySetBased(
  q: Executor,
  units: readonly AlertUnit[],
  nowMs: number,
): Promise<EventOutcome[]> {
  const locked = await lock(q, units, nowMs);
  const loaded = await load(q, locked);
  const decision = decide(loaded, units, nowMs);
  await write(q, decision, nowMs);
  return decision.outcomes;
}

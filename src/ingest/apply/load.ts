import type { StatusPoint } from '../../alerts/noise.ts';
import { keyStatusHistories } from '../../alerts/noise-control.ts';
import type { Db } from '../../db/db.ts';
import type { Loaded } from './decide.ts';
import type { Locked } from './lock.ts';

type Executor = Db['q'];

/**
 * Phase "load" of applying: what the decide step reads beyond the locked rows — the recent statuses
 * of the keys whose channel detects flapping (src/alerts/noise.ts). Nothing is locked here.
 */
export async function load(q: Executor, locked: Locked): Promise<Loaded> {
  const names = [...locked.histories.keys()];
  const histories = new Map<string, StatusPoint[]>();
  for (const [i, history] of (await keyStatusHistories(q, [...locked.histories.values()])).entries()) {
    histories.set(names[i]!, history);
  }
  return { open: locked.open, incidents: locked.incidents, histories };
}

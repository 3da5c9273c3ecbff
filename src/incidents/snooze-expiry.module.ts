import type { EngineModule } from '../jobs/engine.ts';
import { wakeExpiredSnoozes } from './actions/snooze.ts';

/**
 * Ends every snooze that has run out (snoozed_before ≤ now): the incident returns to Triggered with
 * an i_wake {from: "timeout"} entry. Claims rows with FOR UPDATE SKIP LOCKED (see wakeExpiredSnoozes).
 */
export const snoozeExpiryModule: EngineModule = {
  name: 'snooze-expiry',
  run: ({ db }, nowMs) => wakeExpiredSnoozes(db, nowMs),
};

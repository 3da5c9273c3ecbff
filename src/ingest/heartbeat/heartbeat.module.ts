import type { EngineModule } from '../../jobs/engine.ts';
import { raiseMissedHeartbeats } from './heartbeats.ts';

/**
 * Opens an alert for every heartbeat integration whose ping is late (docs/sources.md
 * "Heartbeats"); the alert goes through the ingest log like any pushed event.
 */
export const heartbeatModule: EngineModule = {
  name: 'heartbeat',
  run: ({ db }, nowMs) => raiseMissedHeartbeats(db, nowMs),
};

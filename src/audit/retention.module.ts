import type { EngineModule } from '../jobs/engine.ts';
import { deleteAuditLogsBefore } from './audit.store.ts';

const DEFAULT_AUDIT_RETENTION_DAYS = 180;
/** Rows one cycle removes at most, so a large backlog (a lowered retention) never holds a long lock. */
const BATCH = 5_000;

/**
 * Removes audit entries older than AUDIT_RETENTION_DAYS. Safe on any number of instances at once:
 * a row two of them pick is deleted once, and the other's delete finds nothing.
 */
export const auditRetentionModule: EngineModule = {
  name: 'audit-retention',
  async run({ db, auditRetentionDays }, nowMs) {
    const days = auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    return deleteAuditLogsBefore(db, nowMs - days * 86_400_000, BATCH);
  },
};

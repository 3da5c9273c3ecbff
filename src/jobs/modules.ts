import { auditRetentionModule } from '../audit/retention.module.ts';
import { tableMaintenanceModule } from '../db/table-maintenance.ts';
import { escalationModule } from '../escalation/escalation.module.ts';
import { autoResolveModule } from '../incidents/auto-resolve.module.ts';
import { snoozeExpiryModule } from '../incidents/snooze-expiry.module.ts';
import { heartbeatModule } from '../ingest/heartbeat/heartbeat.module.ts';
import { insightUpkeepModule } from '../insights/rollups.module.ts';
import { statuspageMigrationModule } from '../status-pages/migration/migration.module.ts';
import { maintenanceScheduleModule } from '../status-pages/schedule.module.ts';
import type { EngineModule } from './engine.ts';

/**
 * Every engine module, in the order a cycle runs them. Heartbeats only append alert events to the
 * ingest log (applied in the background), so their place is free; they come first. Auto-resolve runs before snooze expiry, so an
 * incident whose timeout and snooze ran out together closes without first waking (and, once
 * escalation exists, without paging anyone again). Escalation runs after both, so it sees incidents
 * closed or woken in this cycle. Status-page maintenance schedules are independent
 * of both. Statuspage migrations (background imports) come after the deadlines, so a long one delays no page. Insight upkeep (daily rollups, facts kept current) answers no deadline. Audit
 * retention removes what AUDIT_RETENTION_DAYS no longer keeps. Table maintenance (planner statistics, and vacuum on PGlite) comes last: it is nobody's due work, only
 * what keeps the others' queries planned well.
 */
export const engineModules: readonly EngineModule[] = [
  heartbeatModule,
  autoResolveModule,
  snoozeExpiryModule,
  escalationModule,
  maintenanceScheduleModule,
  statuspageMigrationModule,
  insightUpkeepModule,
  auditRetentionModule,
  tableMaintenanceModule,
];

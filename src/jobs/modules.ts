import { escalationModule } from '../escalation/escalation.module.ts';
import { autoResolveModule } from '../incidents/auto-resolve.module.ts';
import { snoozeExpiryModule } from '../incidents/snooze-expiry.module.ts';
import { maintenanceScheduleModule } from '../status-pages/schedule.module.ts';
import type { EngineModule } from './engine.ts';

/**
 * Every engine module, in the order a cycle runs them. Auto-resolve runs before snooze expiry, so an
 * incident whose timeout and snooze ran out together closes without first waking (and, once
 * escalation exists, without paging anyone again). Escalation runs after both, so it sees incidents
 * closed or woken in this cycle. Status-page maintenance schedules are independent
 * of both.
 */
export const engineModules: readonly EngineModule[] = [
  autoResolveModule,
  snoozeExpiryModule,
  escalationModule,
  maintenanceScheduleModule,
];

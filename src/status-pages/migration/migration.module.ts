import type { Dispatcher } from 'undici';
import type { Actor } from '../../accounts/permissions.ts';
import type { EngineDeps, EngineModule } from '../../jobs/engine.ts';
import { guardedDispatcher } from '../../notifications/providers/outbound-guard.ts';
import type { OutboundAllow } from '../../notifications/providers/outbound-policy.ts';
import { AppError } from '../../shared/app-error.ts';
import { nowSeconds } from '../../shared/clock.ts';
import { newUlid } from '../../shared/ids.ts';
import { claimJob, emptyProgress, finishJob, type MigrationRow, saveProgress } from './migration.store.ts';
import { StatuspageError } from './statuspage-client.ts';
import { MigrationRefused, migrateStructure, type Progress, STRUCTURE_STEPS } from './structure.ts';
import { migrateSubscribers, SUBSCRIBER_STEPS } from './subscribers.ts';

/*
 * Runs Statuspage migration jobs in the engine. A job is claimed with a lease (LEASE_MS) that every
 * checkpoint renews; an instance that stops mid-job lets the lease run out and the next cycle of any
 * instance runs the job again from the start, which finds what the first run created through the
 * links and creates nothing twice. A checkpoint that finds the job cancelled stops the run.
 */

const LEASE_MS = 60_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** Jobs one cycle runs at most, so other modules' due work is not held back long. */
const JOBS_PER_CYCLE = 2;
const MAX_WARNINGS = 100;

/** Thrown by a checkpoint that finds the job no longer this run's (cancelled, or taken over). */
class Stopped extends Error {}

const dispatchers = new WeakMap<OutboundAllow, Dispatcher>();
function dispatcherFor(allow: OutboundAllow): Dispatcher {
  let dispatcher = dispatchers.get(allow);
  if (!dispatcher) {
    dispatcher = guardedDispatcher(allow);
    dispatchers.set(allow, dispatcher);
  }
  return dispatcher;
}

/** The member who started the job, as the status-page services see the author of what it creates. */
const actorOf = (job: MigrationRow): Actor => ({
  accountId: job.account_id,
  memberId: job.creator_id,
  memberName: '',
  roleIds: [],
  permissions: new Set(),
});

async function runJob(deps: EngineDeps, job: MigrationRow, owner: string): Promise<void> {
  const { db, clock } = deps;
  const statuspage = deps.statuspage!;
  const total = job.kind === 'structure' ? STRUCTURE_STEPS : SUBSCRIBER_STEPS;
  const counters = emptyProgress(total);
  let phase: MigrationRow['phase'] = job.phase;
  const progress: Progress = {
    counters,
    warn(message) {
      if (counters.warnings.length < MAX_WARNINGS) counters.warnings.push(message.slice(0, 500));
    },
    async checkpoint(next, targetPageId) {
      phase = next;
      const held = await saveProgress(
        db.q,
        job,
        owner,
        {
          progress: counters,
          phase,
          ...(targetPageId !== undefined ? { target_page_id: targetPageId } : {}),
        },
        clock.nowMs() + LEASE_MS,
        nowSeconds(clock),
      );
      if (!held) throw new Stopped();
    },
  };
  const stepDeps = {
    db,
    clock,
    client: {
      apiUrl: statuspage.apiUrl,
      apiKey: job.api_key,
      dispatcher: dispatcherFor(statuspage.outboundAllow),
      timeoutMs: REQUEST_TIMEOUT_MS,
    },
  };
  let error = '';
  try {
    if (job.kind === 'structure')
      await migrateStructure(
        stepDeps,
        actorOf(job),
        { pageId: job.source_page_id, urlName: job.url_name },
        progress,
      );
    else {
      await migrateSubscribers(
        { ...stepDeps, outboundAllow: statuspage.outboundAllow },
        actorOf(job),
        job.source_page_id,
        job.target_page_id,
        progress,
      );
    }
  } catch (caught) {
    if (caught instanceof Stopped) return;
    if (
      caught instanceof StatuspageError ||
      caught instanceof MigrationRefused ||
      caught instanceof AppError
    ) {
      error = caught.message;
    } else {
      error = `internal error: ${(caught as Error).message}`;
    }
  }
  await finishJob(
    db.q,
    job,
    owner,
    { status: error ? 'failed' : 'completed', error, progress: counters },
    nowSeconds(clock),
  );
}

export const statuspageMigrationModule: EngineModule = {
  name: 'statuspage-migration',
  async run(deps, nowMs) {
    // An engine without STATUSPAGE_API_URL (a test of other modules) leaves jobs to one that has it.
    if (!deps.statuspage) return 0;
    let ran = 0;
    while (ran < JOBS_PER_CYCLE) {
      const owner = newUlid();
      const job = await claimJob(deps.db.q, owner, nowMs, deps.clock.nowMs() + LEASE_MS);
      if (!job) break;
      await runJob(deps, job, owner);
      ran += 1;
    }
    return ran;
  },
};

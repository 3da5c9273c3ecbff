import type { Static } from 'typebox';
import type { Actor } from '../../accounts/permissions.ts';
import type { Db } from '../../db/db.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { requestEngineCycle } from '../../jobs/engine.ts';
import { invalidParameter, notFound } from '../../shared/app-error.ts';
import { type Clock, nowSeconds } from '../../shared/clock.ts';
import { newUlid } from '../../shared/ids.ts';
import { pageOf } from '../pages.service.ts';
import type { MigrationJob } from './migration.schemas.ts';
import { cancelJob, emptyProgress, findActiveJob, findJob, type MigrationRow } from './migration.store.ts';
import { STRUCTURE_STEPS } from './structure.ts';
import { SUBSCRIBER_STEPS } from './subscribers.ts';

/*
 * Starting, reading and cancelling Statuspage migrations. Starting only records the job: the engine
 * (migration.module.ts) reads Statuspage, so a wrong key or an unreachable API ends the job with its
 * error, never the start call. docs/status-pages.md, "Migrating from Statuspage".
 */

type Deps = { db: Db; clock: Clock };

type Start = { api_key: string; source_page_id: string; target_page_id?: number; url_name?: string };

/** Starts a job, or answers the one already in progress for the same source page and kind. */
export async function startMigration(deps: Deps, actor: Actor, input: Start): Promise<{ job_id: string }> {
  const kind = input.target_page_id === undefined ? 'structure' : 'subscribers';
  if (input.target_page_id !== undefined) {
    const page = await pageOf(deps.db.q, actor, input.target_page_id);
    if (page.type !== 'public') {
      throw invalidParameter(
        'target_page_id',
        'e-mail subscribers belong to public pages; this page is internal',
      );
    }
  }
  const active = await findActiveJob(deps.db.q, actor.accountId, kind, input.source_page_id);
  if (active && active.target_page_id !== (input.target_page_id ?? active.target_page_id)) {
    throw invalidParameter(
      'target_page_id',
      `job ${active.job_id} is already migrating these subscribers to status page ${active.target_page_id}`,
    );
  }
  if (active) return { job_id: active.job_id };
  const now = nowSeconds(deps.clock);
  const jobId = newUlid();
  try {
    await deps.db.q
      .insertInto('status_page_migrations')
      .values({
        job_id: jobId,
        account_id: actor.accountId,
        creator_id: actor.memberId,
        kind,
        source_page_id: input.source_page_id,
        api_key: input.api_key,
        target_page_id: input.target_page_id ?? 0,
        url_name: input.url_name ?? '',
        phase: kind === 'structure' ? 'structure' : 'subscribers',
        progress: JSON.stringify(emptyProgress(kind === 'structure' ? STRUCTURE_STEPS : SUBSCRIBER_STEPS)),
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (error) {
    // Another start of the same migration won the race: answer its job.
    if (!isUniqueViolation(error)) throw error;
    const winner = await findActiveJob(deps.db.q, actor.accountId, kind, input.source_page_id);
    if (!winner) throw error;
    return { job_id: winner.job_id };
  }
  requestEngineCycle();
  return { job_id: jobId };
}

export function toMigrationJob(job: MigrationRow): Static<typeof MigrationJob> {
  return {
    job_id: job.job_id,
    account_id: job.account_id,
    source_page_id: job.source_page_id,
    target_page_id: job.target_page_id,
    phase: job.phase,
    status: job.status,
    progress: job.progress,
    ...(job.error ? { error: job.error } : {}),
    created_at: job.created_at,
    updated_at: job.updated_at,
  };
}

export async function migrationStatus(deps: Deps, actor: Actor, jobId: string): Promise<MigrationRow> {
  const job = await findJob(deps.db.q, actor.accountId, jobId);
  if (!job) throw notFound(`migration job ${jobId}`);
  return job;
}

/** Cancels a job not ended yet (pending or running); an ended one is a bad request. */
export async function cancelMigration(deps: Deps, actor: Actor, jobId: string): Promise<void> {
  if (await cancelJob(deps.db.q, actor.accountId, jobId, nowSeconds(deps.clock))) return;
  const job = await migrationStatus(deps, actor, jobId);
  throw invalidParameter('job_id', `the job is ${job.status}; only a job in progress can be cancelled`);
}

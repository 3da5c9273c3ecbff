import type { Selectable } from 'kysely';
import type { Db } from '../../db/db.ts';
import type {
  MigrationProgress,
  StatusPageMigrationLinksTable,
  StatusPageMigrationsTable,
} from '../../db/schema.ts';

/* Rows of Statuspage migration jobs and of what they created (migration 0091). */

type Executor = Db['q'];
export type MigrationRow = Selectable<StatusPageMigrationsTable>;
export type LinkKind = StatusPageMigrationLinksTable['source_kind'];

const IN_PROGRESS = ['pending', 'running'] as const;

export const emptyProgress = (totalSteps: number): MigrationProgress => ({
  total_steps: totalSteps,
  completed_steps: 0,
  components_imported: 0,
  sections_imported: 0,
  incidents_imported: 0,
  maintenances_imported: 0,
  subscribers_imported: 0,
  templates_imported: 0,
  subscribers_skipped: 0,
  warnings: [],
});

export async function findJob(
  q: Executor,
  accountId: number,
  jobId: string,
): Promise<MigrationRow | undefined> {
  return q
    .selectFrom('status_page_migrations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('job_id', '=', jobId)
    .executeTakeFirst();
}

/** The job in progress for this account, kind and source page, if any. */
export async function findActiveJob(
  q: Executor,
  accountId: number,
  kind: MigrationRow['kind'],
  sourcePageId: string,
): Promise<MigrationRow | undefined> {
  return q
    .selectFrom('status_page_migrations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '=', kind)
    .where('source_page_id', '=', sourcePageId)
    .where('status', 'in', IN_PROGRESS)
    .executeTakeFirst();
}

/**
 * Claims one job in progress whose lease has run out (new, or its instance stopped), for `owner`
 * until `leaseUntilMs`. SKIP LOCKED: two instances claiming at once take different jobs.
 */
export async function claimJob(
  q: Executor,
  owner: string,
  nowMs: number,
  leaseUntilMs: number,
): Promise<MigrationRow | undefined> {
  return q.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('status_page_migrations')
      .select('job_id')
      .where('status', 'in', IN_PROGRESS)
      .where('lease_until_ms', '<', nowMs)
      .orderBy('created_at')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!due) return undefined;
    return trx
      .updateTable('status_page_migrations')
      .set({ status: 'running', lease_owner: owner, lease_until_ms: leaseUntilMs })
      .where('job_id', '=', due.job_id)
      .returningAll()
      .executeTakeFirst();
  });
}

/**
 * Records progress and renews the lease, only while `owner` still holds the running job: false once
 * the job was cancelled or another instance took it over, and the holder must stop.
 */
export async function saveProgress(
  q: Executor,
  job: MigrationRow,
  owner: string,
  values: { progress: MigrationProgress; phase: MigrationRow['phase']; target_page_id?: number },
  leaseUntilMs: number,
  nowSeconds: number,
): Promise<boolean> {
  const result = await q
    .updateTable('status_page_migrations')
    .set({
      progress: JSON.stringify(values.progress),
      phase: values.phase,
      ...(values.target_page_id !== undefined ? { target_page_id: values.target_page_id } : {}),
      lease_until_ms: leaseUntilMs,
      updated_at: nowSeconds,
    })
    .where('job_id', '=', job.job_id)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends a job its holder ran: completed or failed; the API key is forgotten. */
export async function finishJob(
  q: Executor,
  job: MigrationRow,
  owner: string,
  end: { status: 'completed' | 'failed'; error: string; progress: MigrationProgress },
  nowSeconds: number,
): Promise<void> {
  await q
    .updateTable('status_page_migrations')
    .set({
      status: end.status,
      error: end.error,
      progress: JSON.stringify(end.progress),
      api_key: '',
      lease_until_ms: 0,
      updated_at: nowSeconds,
    })
    .where('job_id', '=', job.job_id)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'running')
    .execute();
}

/** Cancels a job in progress; false when it has already ended. */
export async function cancelJob(q: Executor, accountId: number, jobId: string, nowSeconds: number) {
  const result = await q
    .updateTable('status_page_migrations')
    .set({ status: 'cancelled', api_key: '', lease_until_ms: 0, updated_at: nowSeconds })
    .where('account_id', '=', accountId)
    .where('job_id', '=', jobId)
    .where('status', 'in', IN_PROGRESS)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** What earlier runs created from one source page: `${kind}:${source id}` → Vigil id. */
export async function linksOf(
  q: Executor,
  accountId: number,
  sourcePageId: string,
): Promise<Map<string, string>> {
  const rows = await q
    .selectFrom('status_page_migration_links')
    .select(['source_kind', 'source_id', 'target_id'])
    .where('account_id', '=', accountId)
    .where('source_page_id', '=', sourcePageId)
    .execute();
  return new Map(rows.map((r) => [`${r.source_kind}:${r.source_id}`, r.target_id]));
}

export async function saveLink(
  q: Executor,
  link: { accountId: number; sourcePageId: string; kind: LinkKind; sourceId: string; targetId: string },
): Promise<void> {
  await q
    .insertInto('status_page_migration_links')
    .values({
      account_id: link.accountId,
      source_page_id: link.sourcePageId,
      source_kind: link.kind,
      source_id: link.sourceId,
      target_id: link.targetId,
    })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'source_page_id', 'source_kind', 'source_id'])
        .doUpdateSet({ target_id: link.targetId }),
    )
    .execute();
}

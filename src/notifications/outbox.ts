import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { Tables } from '../db/schema.ts';

/*
 * A table used as an outbox: rows are inserted in the transaction that produced them, and workers
 * claim the due ones, attempt them and record the outcome in the same row, which is thereby also
 * the delivery log. Outbound webhooks use it; notifications and status-page subscriptions will.
 * Time is the injected clock's (milliseconds), never the database's now(), so tests can move it.
 *
 * An outbox table has these columns (see migration 0006):
 *   status          'pending' | 'success' | 'failed' — only pending rows are ever claimed
 *   attempt         attempts started; a claim adds one, and it fences a worker whose lease ran out
 *   next_attempt_at when a pending row is due (ms); a claim moves it to the end of its lease
 *   attempted_at    when the last attempt finished (ms)
 * docs/webhooks.md describes the guarantees.
 */

type Executor = Db['q'];

export type RetryPolicy = {
  /** Wait after the n-th failed attempt (the last value repeats). */
  backoffMs: readonly number[];
  /** After this many failed attempts the row is `failed` for good. */
  maxAttempts: number;
  /** How long a claim holds a row: a worker that dies mid-attempt leaves it to others after this. */
  leaseMs: number;
};

export type Outbox = {
  table: keyof Tables;
  /** The integer primary key. */
  idColumn: string;
  policy: RetryPolicy;
};

/** When a row whose attempt number `attempt` just failed is tried again; undefined: never. */
export function retryAt(policy: RetryPolicy, attempt: number, nowMs: number): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const delays = policy.backoffMs;
  return nowMs + delays[Math.min(attempt, delays.length) - 1]!;
}

/**
 * Claims up to `limit` due pending rows, earliest first, and returns them with `attempt` already
 * counted. Rows another worker is claiming right now are skipped (SKIP LOCKED), and a claimed row
 * is not due again until its lease ends, so two workers, in one process or two, never hold one row.
 */
export async function claimDue<Row>(
  q: Executor,
  outbox: Outbox,
  nowMs: number,
  limit: number,
): Promise<Row[]> {
  const table = sql.table(outbox.table);
  const id = sql.ref(outbox.idColumn);
  const { rows } = await sql<Row>`
    update ${table} set attempt = attempt + 1, next_attempt_at = ${nowMs + outbox.policy.leaseMs}
    where ${id} in (
      select ${id} from ${table}
      where status = 'pending' and next_attempt_at <= ${nowMs}
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning *`.execute(q);
  return rows;
}

export type AttemptOutcome = 'success' | 'retry' | 'failed';

/**
 * Records how the claimed attempt number `attempt` of a row went, with the row's own log columns
 * (`log`: column → value). A failure is retried after the policy's backoff until maxAttempts, then
 * the row is failed for good; `final` fails it at once (nothing to retry). Returns what became of
 * the row, or undefined when the claim was lost (its lease ran out and another worker took the row),
 * in which case nothing is written.
 */
export async function recordAttempt(
  q: Executor,
  outbox: Outbox,
  claim: { id: number; attempt: number },
  nowMs: number,
  result: { ok: boolean; final?: boolean },
  log: Record<string, string | number>,
): Promise<AttemptOutcome | undefined> {
  const next = result.ok || result.final ? undefined : retryAt(outbox.policy, claim.attempt, nowMs);
  const outcome: AttemptOutcome = result.ok ? 'success' : next === undefined ? 'failed' : 'retry';
  const columns = Object.entries(log).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  const { numAffectedRows } = await sql`
    update ${sql.table(outbox.table)}
    set status = ${outcome === 'retry' ? 'pending' : outcome},
        next_attempt_at = ${next ?? nowMs},
        attempted_at = ${nowMs}
        ${columns.length > 0 ? sql`, ${sql.join(columns)}` : sql``}
    where ${sql.ref(outbox.idColumn)} = ${claim.id} and attempt = ${claim.attempt} and status = 'pending'`.execute(
    q,
  );
  return Number(numAffectedRows ?? 0) > 0 ? outcome : undefined;
}

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

export type AttemptRecord = {
  claim: { id: number; attempt: number };
  result: { ok: boolean; final?: boolean };
  /** The row's own log columns, the same columns (and value types) for every record of a call. */
  log: Record<string, string | number>;
};

/**
 * recordAttempt for many claimed rows in one statement, with the same effect and fencing per row;
 * the outcomes come back in the order of `records` (undefined: that claim was lost).
 */
export async function recordAttempts(
  q: Executor,
  outbox: Outbox,
  records: readonly AttemptRecord[],
  nowMs: number,
): Promise<Array<AttemptOutcome | undefined>> {
  if (records.length === 0) return [];
  const planned = records.map(({ claim, result }) => {
    const next = result.ok || result.final ? undefined : retryAt(outbox.policy, claim.attempt, nowMs);
    const outcome: AttemptOutcome = result.ok ? 'success' : next === undefined ? 'failed' : 'retry';
    return { outcome, next: next ?? nowMs };
  });
  const columns = Object.keys(records[0]!.log);
  // VALUES has no column types to infer from: numbers go as bigint (assignable to integer), text as text.
  const typed = (value: string | number | undefined) =>
    typeof value === 'number' ? sql`${value}::bigint` : sql`${value ?? ''}::text`;
  const values = records.map(
    (r, i) =>
      sql`(${sql.join([
        sql`${r.claim.id}::bigint`,
        sql`${r.claim.attempt}::integer`,
        sql`${planned[i]!.outcome === 'retry' ? 'pending' : planned[i]!.outcome}::text`,
        sql`${planned[i]!.next}::bigint`,
        ...columns.map((c) => typed(r.log[c])),
      ])})`,
  );
  const id = sql.ref(`t.${outbox.idColumn}`);
  const { rows } = await sql<{ id: number | string }>`
    update ${sql.table(outbox.table)} as t
       set status = v.vigil_status, next_attempt_at = v.vigil_next, attempted_at = ${nowMs}
           ${columns.length > 0 ? sql`, ${sql.join(columns.map((c) => sql`${sql.ref(c)} = ${sql.ref(`v.${c}`)}`))}` : sql``}
      from (values ${sql.join(values)})
           as v(vigil_id, vigil_attempt, vigil_status, vigil_next${columns.length > 0 ? sql`, ${sql.join(columns.map((c) => sql.ref(c)))}` : sql``})
     where ${id} = v.vigil_id and t.attempt = v.vigil_attempt and t.status = 'pending'
     returning ${id} as id`.execute(q);
  const recorded = new Set(rows.map((r) => Number(r.id)));
  return records.map((r, i) => (recorded.has(r.claim.id) ? planned[i]!.outcome : undefined));
}

/** What one delivery pass did: rows claimed, and how their attempts ended. */
export type DeliveryPassReport = {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
  /** The claim was lost (its lease ran out and another worker took the row): nothing recorded. */
  lost: number;
  /** The delivery threw: logged; the row's lease runs out and it is tried again. */
  errors: number;
};

const COUNTERS: Record<AttemptOutcome, 'delivered' | 'retrying' | 'failed'> = {
  success: 'delivered',
  retry: 'retrying',
  failed: 'failed',
};

/** An attempt whose call is over and whose recording goes on: the lane is free for the next row. */
export type Recording = { recorded: Promise<AttemptOutcome | undefined> };

/**
 * One delivery pass over an outbox: claims up to `batch` due rows and attempts each, `concurrency`
 * at a time. `prepare` sees the claimed rows first (to read what they share in one query) and
 * returns the attempt for one row, which records its result (recordAttempt) and answers the outcome
 * — or answers a Recording once the call is over, so the next call need not wait for the record
 * (the pass still ends only when every record has).
 */
export async function runDeliveryPass<Row>(options: {
  q: Executor;
  outbox: Outbox;
  nowMs: number;
  batch: number;
  concurrency: number;
  prepare: (rows: readonly Row[]) => Promise<(row: Row) => Promise<AttemptOutcome | undefined | Recording>>;
  onError: (row: Row, error: unknown) => void;
}): Promise<DeliveryPassReport> {
  const report: DeliveryPassReport = { claimed: 0, delivered: 0, retrying: 0, failed: 0, lost: 0, errors: 0 };
  const rows = await claimDue<Row>(options.q, options.outbox, options.nowMs, options.batch);
  report.claimed = rows.length;
  if (rows.length === 0) return report;
  const attempt = await options.prepare(rows);
  const count = (outcome: AttemptOutcome | undefined) => {
    if (outcome) report[COUNTERS[outcome]] += 1;
    else report.lost += 1;
  };
  const failed = (row: Row, error: unknown) => {
    report.errors += 1;
    options.onError(row, error);
  };
  const recordings: Promise<void>[] = [];
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        const attempted = await attempt(row);
        if (typeof attempted === 'object')
          recordings.push(attempted.recorded.then(count, (error: unknown) => failed(row, error)));
        else count(attempted);
      } catch (error) {
        failed(row, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, rows.length) }, lane));
  await Promise.all(recordings);
  return report;
}

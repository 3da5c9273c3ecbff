import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { Tables } from '../db/schema.ts';
import type { Clock } from '../shared/clock.ts';

/*
 * A table used as an outbox: rows are inserted in the transaction that produced them, and workers
 * claim the due ones, attempt them and record the outcome in the same row, which is thereby also
 * the delivery log. Outbound webhooks, notifications and status-page subscriptions use it.
 * Time is the injected clock's (milliseconds), never the database's now(), so tests can move it.
 *
 * An outbox table has these columns (see migration 0006):
 *   status          'pending' | 'success' | 'failed' — only pending rows are ever claimed
 *   attempt         attempts started; a claim adds one, and it fences a worker whose lease ran out
 *   next_attempt_at when a pending row is due (ms); a claim moves it to the end of its lease
 *   attempted_at    when the last attempt finished (ms)
 *   account_id      whose row it is
 * Every attempt also has a row in delivery_attempts (migration 0022): inserted by the claim,
 * finished by the record. docs/webhooks.md describes the guarantees.
 */

type Executor = Db['q'];

export type RetryPolicy = {
  /** Wait after the n-th failed attempt (the last value repeats). */
  backoffMs: readonly number[];
  /** After this many failed attempts the row is `failed` for good. */
  maxAttempts: number;
  /**
   * How long a claim holds a row without renewal. A pass renews the leases of the rows it still
   * holds every third of it (runDeliveryPass), so a slow send keeps its row, and a worker that dies
   * mid-attempt leaves its rows to others at most this long after its last renewal.
   */
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
 * The same statement starts each claimed attempt's row in delivery_attempts and marks the row's
 * earlier attempt that never reported (its worker died or lost its lease) `abandoned`: its
 * sub-statements see the same snapshot, so the new attempts are not among the abandoned.
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
    with claimed as (
      update ${table} set attempt = attempt + 1, next_attempt_at = ${nowMs + outbox.policy.leaseMs}
      where ${id} in (
        select ${id} from ${table}
        where status = 'pending' and next_attempt_at <= ${nowMs}
        order by next_attempt_at
        limit ${limit}
        for update skip locked
      )
      returning *
    ), started as (
      insert into delivery_attempts (outbox, delivery_id, attempt, account_id, started_at)
      select ${outbox.table}, ${id}, attempt, account_id, ${nowMs} from claimed
    ), abandoned as (
      update delivery_attempts set status = 'abandoned', lease_lost = true
      where outbox = ${outbox.table} and status = 'sending' and delivery_id in (select ${id} from claimed)
    )
    select * from claimed`.execute(q);
  return rows;
}

/** A claim: the row's id and the attempt number the claim gave it. */
export type Claim = { id: number; attempt: number };

/**
 * Gives back claimed rows whose attempt never began (the worker is stopping): due now, the claim's
 * attempt uncounted and its delivery_attempts row removed, as if never claimed. `attempt` fences a
 * claim that was lost meanwhile. Returns how many rows were handed back.
 */
async function handBack(
  q: Executor,
  outbox: Outbox,
  claims: readonly Claim[],
  nowMs: number,
): Promise<number> {
  const values = claims.map((c) => sql`(${c.id}::bigint, ${c.attempt}::integer)`);
  const { rows } = await sql<{ n: number }>`
    with back as (
      update ${sql.table(outbox.table)} as t
         set attempt = t.attempt - 1, next_attempt_at = ${nowMs}
        from (values ${sql.join(values)}) as v(vigil_id, vigil_attempt)
       where ${sql.ref(`t.${outbox.idColumn}`)} = v.vigil_id and t.attempt = v.vigil_attempt and t.status = 'pending'
      returning ${sql.ref(`t.${outbox.idColumn}`)} as id, v.vigil_attempt as attempt
    ), forgotten as (
      delete from delivery_attempts d using back
       where d.outbox = ${outbox.table} and d.delivery_id = back.id and d.attempt = back.attempt
         and d.status = 'sending'
    )
    select count(*)::int as n from back`.execute(q);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Extends the leases of rows a pass still holds to `nowMs` + the lease. Only rows of these claims
 * whose attempt is not recorded yet: `attempt` fences claims lost to another worker, and
 * `attempted_at < claimedAtMs` (a record sets it to its own time, never before the claim) leaves
 * alone a row whose failure was recorded meanwhile and that waits for its retry. Returns how many
 * leases were renewed.
 */
async function renewLeases(
  q: Executor,
  outbox: Outbox,
  claims: readonly Claim[],
  claimedAtMs: number,
  nowMs: number,
): Promise<number> {
  if (claims.length === 0) return 0;
  const values = claims.map((c) => sql`(${c.id}::bigint, ${c.attempt}::integer)`);
  const { numAffectedRows } = await sql`
    update ${sql.table(outbox.table)} as t
       set next_attempt_at = greatest(t.next_attempt_at, ${nowMs + outbox.policy.leaseMs})
      from (values ${sql.join(values)}) as v(vigil_id, vigil_attempt)
     where ${sql.ref(`t.${outbox.idColumn}`)} = v.vigil_id and t.attempt = v.vigil_attempt
       and t.status = 'pending' and t.attempted_at < ${claimedAtMs}`.execute(q);
  return Number(numAffectedRows ?? 0);
}

export type AttemptOutcome = 'success' | 'retry' | 'failed';

/** How an attempt went: `final` fails the row at once (nothing to retry); the rest goes to its attempt's log. */
export type AttemptResult = {
  ok: boolean;
  final?: boolean;
  error?: string;
  /** The HTTP status or SMTP reply code, 0 without one. */
  statusCode?: number;
  durationMs?: number;
};

/**
 * Records how the claimed attempt number `attempt` of a row went, with the row's own log columns
 * (`log`: column → value). A failure is retried after the policy's backoff until maxAttempts, then
 * the row is failed for good; `final` fails it at once (nothing to retry). Returns what became of
 * the row, or undefined when the claim was lost (its lease ran out and another worker took the row),
 * in which case the row is left as it is (only the attempt's own log entry is finished).
 */
export async function recordAttempt(
  q: Executor,
  outbox: Outbox,
  claim: Claim,
  nowMs: number,
  result: AttemptResult,
  log: Record<string, string | number>,
): Promise<AttemptOutcome | undefined> {
  const [outcome] = await recordAttempts(q, outbox, [{ claim, result, log }], nowMs);
  return outcome;
}

export type AttemptRecord = {
  claim: Claim;
  result: AttemptResult;
  /** The row's own log columns, the same columns (and value types) for every record of a call. */
  log: Record<string, string | number>;
};

/**
 * recordAttempt for many claimed rows in one statement, with the same effect and fencing per row;
 * the outcomes come back in the order of `records` (undefined: that claim was lost). Each
 * attempt's entry in delivery_attempts is finished whether or not the claim was lost: the attempt
 * happened, and a late report is what tells a double send from a lost one.
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
    ({ claim, result, log }, i) =>
      sql`(${sql.join([
        sql`${claim.id}::bigint`,
        sql`${claim.attempt}::integer`,
        sql`${planned[i]!.outcome === 'retry' ? 'pending' : planned[i]!.outcome}::text`,
        sql`${planned[i]!.next}::bigint`,
        sql`${result.ok ? 'success' : 'failed'}::text`,
        sql`${result.ok ? '' : result.final ? 'permanent' : 'transient'}::text`,
        sql`${(result.error ?? '').slice(0, 1024)}::text`,
        sql`${result.statusCode ?? 0}::integer`,
        sql`${Math.round(result.durationMs ?? 0)}::integer`,
        ...columns.map((c) => typed(log[c])),
      ])})`,
  );
  const own = columns.length > 0 ? sql`, ${sql.join(columns.map((c) => sql.ref(c)))}` : sql``;
  const id = sql.ref(`t.${outbox.idColumn}`);
  const { rows } = await sql<{ id: number | string }>`
    with v (vigil_id, vigil_attempt, vigil_status, vigil_next,
            vigil_outcome, vigil_kind, vigil_error, vigil_code, vigil_duration${own})
      as (values ${sql.join(values)}),
    finished as (
      update delivery_attempts as a
         set status = v.vigil_outcome, finished_at = ${nowMs}, error_kind = v.vigil_kind,
             error_message = v.vigil_error, status_code = v.vigil_code, duration = v.vigil_duration
        from v
       where a.outbox = ${outbox.table} and a.delivery_id = v.vigil_id and a.attempt = v.vigil_attempt
         and a.status in ('sending', 'abandoned')
    )
    update ${sql.table(outbox.table)} as t
       set status = v.vigil_status, next_attempt_at = v.vigil_next, attempted_at = ${nowMs}
           ${columns.length > 0 ? sql`, ${sql.join(columns.map((c) => sql`${sql.ref(c)} = ${sql.ref(`v.${c}`)}`))}` : sql``}
      from v
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
  /** Claimed but never begun because the worker was stopping: due again at once (absent: none). */
  handedBack?: number;
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
 *
 * While it runs, the pass renews the leases of the rows it holds (claimed, not yet recorded) every
 * third of the lease, so a slow send, or a row waiting for a free lane, is never taken by another
 * worker while this one lives; a worker that dies stops renewing, and its rows are due again
 * within one lease. Once `stopping` is aborted (a graceful shutdown) it begins no new attempt,
 * finishes the ones begun, and hands back the rows it never began (handBack).
 */
export async function runDeliveryPass<Row extends { attempt: number }>(options: {
  q: Executor;
  outbox: Outbox;
  clock: Clock;
  batch: number;
  concurrency: number;
  prepare: (rows: readonly Row[]) => Promise<(row: Row) => Promise<AttemptOutcome | undefined | Recording>>;
  onError: (row: Row, error: unknown) => void;
  /** A lease renewal failed (it is tried again at the next beat; the rows stay fenced meanwhile). */
  onRenewalError: (error: unknown) => void;
  stopping?: AbortSignal | undefined;
}): Promise<DeliveryPassReport> {
  const { q, outbox, clock } = options;
  const report: DeliveryPassReport = { claimed: 0, delivered: 0, retrying: 0, failed: 0, lost: 0, errors: 0 };
  const claimedAt = clock.nowMs();
  const rows = await claimDue<Row>(q, outbox, claimedAt, options.batch);
  report.claimed = rows.length;
  if (rows.length === 0) return report;
  const idOf = (row: Row) => Number((row as Record<string, unknown>)[outbox.idColumn]);
  const held = new Map(rows.map((row) => [idOf(row), row.attempt]));
  let renewing: Promise<unknown> | undefined;
  const beat = setInterval(
    () => {
      if (renewing || held.size === 0) return;
      const claims = [...held].map(([id, attempt]) => ({ id, attempt }));
      renewing = renewLeases(q, outbox, claims, claimedAt, clock.nowMs())
        .catch(options.onRenewalError)
        .finally(() => {
          renewing = undefined;
        });
    },
    Math.max(1, Math.floor(outbox.policy.leaseMs / 3)),
  );
  beat.unref();
  const count = (row: Row, outcome: AttemptOutcome | undefined) => {
    held.delete(idOf(row));
    if (outcome) report[COUNTERS[outcome]] += 1;
    else report.lost += 1;
  };
  const failed = (row: Row, error: unknown) => {
    // Not renewed any more: the row is due again when its lease ends.
    held.delete(idOf(row));
    report.errors += 1;
    options.onError(row, error);
  };
  try {
    const attempt = await options.prepare(rows);
    const recordings: Promise<void>[] = [];
    let next = 0;
    const lane = async () => {
      while (next < rows.length && !options.stopping?.aborted) {
        const row = rows[next++]!;
        try {
          const attempted = await attempt(row);
          if (typeof attempted === 'object')
            recordings.push(
              attempted.recorded.then(
                (outcome) => count(row, outcome),
                (error: unknown) => failed(row, error),
              ),
            );
          else count(row, attempted);
        } catch (error) {
          failed(row, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, rows.length) }, lane));
    const unbegun = rows.slice(next);
    if (unbegun.length > 0) {
      for (const row of unbegun) held.delete(idOf(row));
      report.handedBack = await handBack(
        q,
        outbox,
        unbegun.map((row) => ({ id: idOf(row), attempt: row.attempt })),
        clock.nowMs(),
      );
    }
    await Promise.all(recordings);
    return report;
  } finally {
    clearInterval(beat);
    await renewing;
  }
}

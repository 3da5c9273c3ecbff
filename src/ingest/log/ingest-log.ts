import { sql } from 'kysely';
import type { Db } from '../../db/db.ts';
import type { AlertEventInput } from '../event.ts';
import { GroupCommit } from '../group-commit.ts';

/*
 * The ingest log (migration 0023, docs/ingest.md): a push appends its normalised events here, in its
 * request, through group commit; the appliers (../apply/applier.ts) apply and delete them.
 */

/**
 * Partitions of the log: the unit an applier claims (an advisory lock). A key's events always fall
 * in one partition, so they are applied one after another, in the order they were appended. Fixed:
 * every instance must agree on it.
 */
export const INGEST_PARTITIONS = 16;

/** The NOTIFY channel an append tells other instances' appliers on (PostgreSQL). */
export const INGEST_CHANNEL = 'vigil_ingest';

export type NewLogEntry = {
  accountId: number;
  integrationId: number;
  /** Milliseconds: the time the event is applied as. */
  acceptedAt: number;
  event: AlertEventInput;
};

/** The partition of an integration's alert key (FNV-1a, so every instance computes the same). */
function partitionOf(integrationId: number, alertKey: string): number {
  const key = `${integrationId}:${alertKey}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % INGEST_PARTITIONS;
}

/**
 * Appends through one group commit per process: requests waiting while a commit is in flight share
 * the next one. A request's events are appended together, in order; `append` resolves once they
 * are committed. On PostgreSQL the same statement notifies other instances' appliers.
 */
export class IngestLog {
  readonly #commit: GroupCommit<readonly NewLogEntry[], undefined>;

  constructor(db: Db) {
    const notify = db.kind === 'postgres';
    this.#commit = new GroupCommit<readonly NewLogEntry[], undefined>(db, async (q, requests) => {
      await appendEntries(q, requests.flat(), notify);
      return requests.map(() => undefined);
    });
  }

  append(entries: readonly NewLogEntry[]): Promise<undefined> {
    return entries.length === 0 ? Promise.resolve(undefined) : this.#commit.submit(entries);
  }
}

/**
 * Appends entries inside the caller's transaction, for work that must change its own rows and
 * append in one commit (a heartbeat's timer and its alert event). `notify`: on PostgreSQL.
 */
export async function appendEntries(
  q: Db['q'],
  entries: readonly NewLogEntry[],
  notify: boolean,
): Promise<void> {
  const column = <T>(pick: (e: NewLogEntry) => T) => entries.map(pick);
  const insert = sql`
    insert into ingest_log (partition, account_id, integration_id, accepted_at, event)
    select * from unnest(
      ${column((e) => partitionOf(e.integrationId, e.event.alertKey))}::smallint[],
      ${column((e) => e.accountId)}::bigint[],
      ${column((e) => e.integrationId)}::bigint[],
      ${column((e) => e.acceptedAt)}::bigint[],
      ${column((e) => JSON.stringify(e.event))}::text[]::json[])`;
  if (notify) {
    await sql`with appended as (${insert}) select pg_notify(${INGEST_CHANNEL}, '')`.execute(q);
  } else {
    await insert.execute(q);
  }
}

/** What is accepted and not yet applied, database-wide. */
export type Backlog = { events: number; oldestAcceptedAt: number | null };

export async function readBacklog(q: Db['q']): Promise<Backlog> {
  const { rows } = await sql<{ events: number; oldest: number | null }>`
    select (select count(*) from ingest_log)::int as events,
           (select accepted_at from ingest_log order by seq limit 1) as oldest`.execute(q);
  return { events: rows[0]?.events ?? 0, oldestAcceptedAt: rows[0]?.oldest ?? null };
}

import type { Selectable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { ChangeEventsTable, ChangesTable } from '../db/schema.ts';
import type { ChangeEventInput } from './change-event.ts';
import type { ChangeState, SequencedEvent } from './merge.ts';

type Executor = Db['q'];

export type ChangeRow = Selectable<ChangesTable>;
export type ChangeEventRow = Selectable<ChangeEventsTable>;

/** The merged state a change row holds. */
export function stateOf(row: ChangeRow): ChangeState {
  return {
    status: row.change_status,
    title: row.title,
    description: row.description,
    link: row.link,
    labels: row.labels,
    startTime: row.start_time,
    lastTime: row.last_time,
    endTime: row.end_time,
  };
}

const stateColumns = (state: ChangeState) => ({
  change_status: state.status,
  title: state.title,
  description: state.description,
  link: state.link,
  labels: JSON.stringify(state.labels),
  start_time: state.startTime,
  last_time: state.lastTime,
  end_time: state.endTime,
});

export type NewChange = {
  changeId: string;
  accountId: number;
  integrationId: number;
  changeKey: string;
  state: ChangeState;
  now: number;
};

/**
 * Creates the change of a key with its first event's state, unless the integration already has
 * one for that key (then nothing happens and the answer is false). A concurrent insert of the same
 * key waits for the other transaction and then does nothing: one key never makes two changes.
 */
export async function insertChangeIfAbsent(q: Executor, change: NewChange): Promise<boolean> {
  const inserted = await q
    .insertInto('changes')
    .values({
      change_id: change.changeId,
      account_id: change.accountId,
      integration_id: change.integrationId,
      change_key: change.changeKey,
      ...stateColumns(change.state),
      event_cnt: 1,
      created_at: change.now,
      updated_at: change.now,
    })
    .onConflict((oc) => oc.columns(['integration_id', 'change_key']).doNothing())
    .returning('change_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The change of a key, its row locked until the transaction ends. */
export async function lockChange(
  q: Executor,
  integrationId: number,
  changeKey: string,
): Promise<ChangeRow | undefined> {
  return q
    .selectFrom('changes')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('change_key', '=', changeKey)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateChange(
  q: Executor,
  changeId: string,
  state: ChangeState,
  eventCnt: number,
  now: number,
): Promise<void> {
  await q
    .updateTable('changes')
    .set({ ...stateColumns(state), event_cnt: eventCnt, updated_at: now })
    .where('change_id', '=', changeId)
    .execute();
}

export type NewChangeEvent = {
  eventId: string;
  changeId: string;
  accountId: number;
  integrationId: number;
  seq: number;
  event: ChangeEventInput;
  now: number;
};

export async function insertChangeEvent(q: Executor, row: NewChangeEvent): Promise<void> {
  const { event } = row;
  await q
    .insertInto('change_events')
    .values({
      event_id: row.eventId,
      change_id: row.changeId,
      account_id: row.accountId,
      integration_id: row.integrationId,
      seq: row.seq,
      change_key: event.changeKey,
      change_status: event.status,
      title: event.title,
      description: event.description,
      link: event.link,
      labels: JSON.stringify(event.labels),
      event_time: event.eventTime,
      created_at: row.now,
    })
    .execute();
}

/** Every event of a change, as the merge reads them. */
export async function sequencedEvents(q: Executor, changeId: string): Promise<SequencedEvent[]> {
  const rows = await q
    .selectFrom('change_events')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('event_time')
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    changeKey: row.change_key,
    status: row.change_status,
    title: row.title,
    description: row.description,
    link: row.link,
    labels: row.labels,
    eventTime: row.event_time,
    seq: row.seq,
  }));
}

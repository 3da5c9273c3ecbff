import type { Db } from '../db/db.ts';
import { type IntegrationRef, loadRelated } from '../incidents/related.store.ts';
import { eventsOfChanges } from './changes.query.ts';
import type { ChangeItem } from './changes.schemas.ts';
import type { ChangeEventRow, ChangeRow } from './changes.store.ts';

type Executor = Db['q'];

/** What a page of changes needs besides its rows: integration names and, when asked, events. */
export type ChangeContext = {
  integrations: ReadonlyMap<number, IntegrationRef>;
  events?: ReadonlyMap<string, ChangeEventRow[]>;
};

/** Loads the context of a page of changes in one query per kind. `events`: how many per change. */
export async function loadChangeContext(
  q: Executor,
  accountId: number,
  rows: readonly ChangeRow[],
  options: { eventsPerChange?: number | undefined },
): Promise<ChangeContext> {
  const [related, events] = await Promise.all([
    loadRelated(q, accountId, {
      channelIds: [],
      integrationIds: rows.map((row) => row.integration_id),
      memberIds: [],
    }),
    options.eventsPerChange
      ? eventsOfChanges(
          q,
          accountId,
          rows.map((row) => row.change_id),
          options.eventsPerChange,
        )
      : undefined,
  ]);
  return { integrations: related.integrations, ...(events ? { events } : {}) };
}

function toChangeEventItem(row: ChangeEventRow) {
  return {
    event_id: row.event_id,
    change_id: row.change_id,
    integration_id: row.integration_id,
    change_key: row.change_key,
    change_status: row.change_status,
    title: row.title,
    description: row.description,
    link: row.link,
    labels: row.labels,
    event_time: row.event_time,
    created_at: row.created_at,
  };
}

export function toChangeItem(row: ChangeRow, context: ChangeContext): ChangeItem {
  const integrationName = context.integrations.get(row.integration_id)?.name ?? '';
  return {
    change_id: row.change_id,
    account_id: row.account_id,
    change_key: row.change_key,
    change_status: row.change_status,
    status: row.change_status,
    title: row.title,
    description: row.description,
    link: row.link,
    labels: row.labels,
    start_time: row.start_time,
    last_time: row.last_time,
    end_time: row.end_time,
    integration_id: row.integration_id,
    integration_name: integrationName,
    data_source_id: row.integration_id,
    data_source_name: integrationName,
    // Change integrations are shared: a change belongs to the account, not to a channel.
    channel_id: row.channel_id,
    channel_name: '',
    event_cnt: row.event_cnt,
    ...(context.events ? { events: (context.events.get(row.change_id) ?? []).map(toChangeEventItem) } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

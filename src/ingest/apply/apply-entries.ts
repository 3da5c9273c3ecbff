import { sql } from 'kysely';
import { type AlertUnit, applyAlertBatch } from '../../alerts/apply-batch.ts';
import type { EventOutcome } from '../../alerts/apply-event.ts';
import type { Db } from '../../db/db.ts';
import { tablesGrew } from '../../db/table-maintenance.ts';
import type { AlertEventInput } from '../event.ts';
import { acknowledgeAlertKey } from './acknowledge.ts';
import { pickChannels, type RoutingCache } from './route.ts';

type Executor = Db['q'];

/** An ingest log entry, as claimed (src/ingest/log/ingest-log.ts). */
export type LogEntry = {
  seq: number;
  partition: number;
  accountId: number;
  integrationId: number;
  acceptedAt: number;
  event: AlertEventInput;
};

/** What applying one entry did, for logs and metrics. */
export type EntryResult = {
  entry: LogEntry;
  /** The integration's type; '' when it was deleted since (the event is dropped). */
  integrationType: string;
  outcomes: EventOutcome[];
};

/**
 * Applies entries, in seq order, inside the caller's transaction: route each event (phase route),
 * drop and count those no channel takes, then apply the rest set-based (src/alerts/apply-batch.ts).
 * Entries are applied at the time they were accepted, in runs of one second, so when an entry is
 * applied changes nothing it records. An acknowledge entry (PagerDuty) ends a run and is applied
 * alone, in its place, so it sees every event accepted before it.
 */
export async function applyEntries(
  q: Executor,
  routing: RoutingCache,
  entries: readonly LogEntry[],
): Promise<EntryResult[]> {
  const results: EntryResult[] = [];
  for (let start = 0; start < entries.length; ) {
    const first = entries[start]!;
    if (first.event.action === 'acknowledge') {
      results.push(await applyAcknowledgement(q, routing, first));
      start += 1;
      continue;
    }
    const second = Math.floor(first.acceptedAt / 1000);
    let end = start + 1;
    while (
      end < entries.length &&
      Math.floor(entries[end]!.acceptedAt / 1000) === second &&
      entries[end]!.event.action === undefined
    )
      end++;
    const run = entries.slice(start, end);
    results.push(...(await applyRun(q, routing, run, Math.max(...run.map((e) => e.acceptedAt)))));
    start = end;
  }
  tablesGrew();
  return results;
}

async function applyAcknowledgement(
  q: Executor,
  routing: RoutingCache,
  entry: LogEntry,
): Promise<EntryResult> {
  const integration = await routing.integration(q, entry.integrationId);
  if (integration) {
    await acknowledgeAlertKey(
      q,
      {
        accountId: integration.account_id,
        integrationId: integration.integration_id,
        integrationName: integration.name,
      },
      entry.event.alertKey,
      entry.acceptedAt,
    );
  }
  return { entry, integrationType: integration?.plugin_type ?? '', outcomes: [] };
}

async function applyRun(
  q: Executor,
  routing: RoutingCache,
  entries: readonly LogEntry[],
  nowMs: number,
): Promise<EntryResult[]> {
  const units: AlertUnit[] = [];
  const unitCounts: number[] = [];
  const types: string[] = [];
  const dropped = new Map<number, number>();
  for (const entry of entries) {
    const integration = await routing.integration(q, entry.integrationId);
    types.push(integration?.plugin_type ?? '');
    if (!integration) {
      unitCounts.push(0);
      continue;
    }
    const targets = await routing.targets(q, integration);
    const channels = pickChannels(targets, integration, entry.event);
    unitCounts.push(channels.length);
    if (channels.length === 0) dropped.set(entry.integrationId, (dropped.get(entry.integrationId) ?? 0) + 1);
    const source = {
      accountId: integration.account_id,
      integrationId: integration.integration_id,
      integrationType: integration.plugin_type,
    };
    for (const channel of channels) {
      units.push({ source, channel, event: entry.event, screened: targets.ruled.has(channel.channel_id) });
    }
  }
  for (const [integrationId, count] of [...dropped].sort((a, b) => a[0] - b[0])) {
    await q
      .updateTable('integrations')
      .set({ dropped_event_cnt: sql`dropped_event_cnt + ${count}` })
      .where('integration_id', '=', integrationId)
      .execute();
  }
  const outcomes = await applyAlertBatch(q, units, nowMs);
  let next = 0;
  return entries.map((entry, i) => {
    const mine = outcomes.slice(next, next + unitCounts[i]!);
    next += unitCounts[i]!;
    return { entry, integrationType: types[i]!, outcomes: mine };
  });
}

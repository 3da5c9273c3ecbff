import { sql } from 'kysely';
import type { Db } from '../../db/db.ts';
import { tablesGrew } from '../../db/table-maintenance.ts';
import type { IntegrationRow } from '../../integrations/integrations.store.ts';
import type { AlertEventInput } from '../event.ts';
import { acknowledgeAlertKey } from './acknowledge.ts';
import { applyUnits } from './apply-units.ts';
import type { EventOutcome } from './decide-event.ts';
import { ProcessRun } from './process.ts';
import { pickChannels, type RoutingCache } from './route.ts';
import type { AlertUnit } from './unit.ts';

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
 * Applies claimed entries (./claim.ts), in seq order, inside the caller's transaction. A batch reads
 * as named phases: process (enrichment and pipelines) → route → lock → load → decide → write
 * (./apply-units.ts). Alert sources plug in before all this, at accept (src/ingest/sources/: a
 * parser to AlertEventInput and a push route); whatever changes events plugs into "process".
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
  const { units, unitCounts, types } = await prepare(q, routing, entries, nowMs);
  const outcomes = await applyUnits(q, units, nowMs);
  let next = 0;
  return entries.map((entry, i) => {
    const mine = outcomes.slice(next, next + unitCounts[i]!);
    next += unitCounts[i]!;
    return { entry, integrationType: types[i]!, outcomes: mine };
  });
}

/**
 * Phases "process" and "route": each entry's event goes through its integration's enrichment and
 * alert pipeline (./process.ts — where anything that changes events before they reach alerts
 * plugs in), then to the channels it is routed to (./route.ts), one unit per channel. Events the
 * pipeline drops or no channel takes are counted on their integration.
 */
async function prepare(
  q: Executor,
  routing: RoutingCache,
  entries: readonly LogEntry[],
  nowMs: number,
): Promise<{ units: AlertUnit[]; unitCounts: number[]; types: string[] }> {
  const units: AlertUnit[] = [];
  const unitCounts: number[] = [];
  const types: string[] = [];
  const dropped = new Map<number, Map<string, number>>();
  const countDrop = (integrationId: number, reason: string) => {
    const reasons = dropped.get(integrationId) ?? new Map<string, number>();
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    dropped.set(integrationId, reasons);
  };
  const integrations: (IntegrationRow | undefined)[] = [];
  for (const entry of entries) integrations.push(await routing.integration(q, entry.integrationId));
  // Events are processed concurrently: a mapping API call of one does not wait for another's.
  const run = new ProcessRun(q, routing.processing, nowMs);
  const processed = await Promise.all(
    entries.map((entry, i) => {
      const integration = integrations[i];
      return integration ? run.process(integration, entry.event) : undefined;
    }),
  );
  for (const [i, entry] of entries.entries()) {
    const integration = integrations[i];
    const result = processed[i];
    types.push(integration?.plugin_type ?? '');
    if (!integration || !result) {
      unitCounts.push(0);
      continue;
    }
    if (result.dropped) {
      unitCounts.push(0);
      countDrop(entry.integrationId, result.reason);
      continue;
    }
    const event = result.event;
    const targets = await routing.targets(q, integration);
    const channels = pickChannels(targets, integration, event);
    unitCounts.push(channels.length);
    if (channels.length === 0) countDrop(entry.integrationId, '');
    const source = {
      accountId: integration.account_id,
      integrationId: integration.integration_id,
      integrationType: integration.plugin_type,
    };
    for (const channel of channels) {
      units.push({ source, channel, event, screened: targets.ruled.has(channel.channel_id) });
    }
  }
  await countDropped(q, dropped);
  return { units, unitCounts, types };
}

/** Unrouted events are counted in total only; pipeline discards also per reason (docs/processing.md). */
async function countDropped(
  q: Executor,
  dropped: ReadonlyMap<number, ReadonlyMap<string, number>>,
): Promise<void> {
  for (const [integrationId, reasons] of [...dropped].sort((a, b) => a[0] - b[0])) {
    const count = [...reasons.values()].reduce((a, b) => a + b, 0);
    let reasonsSql = sql<string>`dropped_event_reasons`;
    for (const [reason, n] of reasons) {
      if (reason === '') continue;
      reasonsSql = sql<string>`${reasonsSql} || jsonb_build_object(${reason}::text,
        coalesce((dropped_event_reasons ->> ${reason}::text)::bigint, 0) + ${n})`;
    }
    await q
      .updateTable('integrations')
      .set({ dropped_event_cnt: sql`dropped_event_cnt + ${count}`, dropped_event_reasons: reasonsSql })
      .where('integration_id', '=', integrationId)
      .execute();
  }
}

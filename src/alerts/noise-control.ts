import { sql } from 'kysely';
import type { ChannelRow } from '../channels/channels.store.ts';
import { loadNoiseRules } from '../channels/rules/rules.store.ts';
import type { Db } from '../db/db.ts';
import { addFeedEntries, type FeedEntry } from '../incidents/feed.store.ts';
import type { AlertEventInput } from '../ingest/event.ts';
import type { AlertRow } from './alerts.store.ts';
import type { AlertAttributes } from './conditions.ts';
import {
  decideNoise,
  type Flapping,
  type FlappingConfig,
  INHIBIT_WINDOW_SECONDS,
  judgeFlapping,
  type NoiseCause,
  type NoiseReason,
  needsInhibitSources,
  type SourceAlert,
  type StatusPoint,
} from './noise.ts';

/*
 * Noise control inside the alert pipeline (docs/noise-control.md). applyScreened (src/ingest/apply/apply-screened.ts) calls
 * screenAlertEvent before it touches the alert — drop, silence and inhibit rules decide whether the
 * event is discarded or the alert muted — and applyScreening once the event is stored, which marks
 * what was muted, records why in the feeds, and judges flapping. Both run in the caller's
 * transaction, under its per-key lock.
 */

type Executor = Db['q'];

/** An event the channel's rules discarded: not stored, counted on the integration. */
export type DiscardedEvent = {
  kind: 'discarded';
  reason: NoiseReason;
  ruleId: string;
  /** The open alert the event would have updated; null when it would have opened one. */
  alertId: string | null;
};

type Subject = {
  accountId: number;
  integrationId: number;
  channelId: number;
  alertKey: string;
  isNew: boolean;
  flapping: FlappingConfig;
};

export type Screening =
  | { discarded: true; outcome: DiscardedEvent }
  | {
      discarded: false;
      subject: Subject;
      mute: (NoiseCause & { reason: 'silence' | 'inhibit' }) | undefined;
    };

/** At most this many recent events of a key are read to count its status changes. */
const MAX_FLAPPING_EVENTS = 2000;
/** At most this many active alerts of a channel are considered as inhibition sources. */
const MAX_INHIBIT_SOURCES = 1000;

const FEED_TYPE: Record<NoiseReason, string> = {
  drop: 'a_m_drop',
  silence: 'a_m_silence',
  inhibit: 'a_m_inhibit',
};

export function defaultFlapping(stored: Record<string, unknown>): FlappingConfig {
  const f = stored as Partial<FlappingConfig>;
  return {
    is_disabled: f.is_disabled ?? false,
    max_changes: f.max_changes ?? 4,
    in_mins: f.in_mins ?? 60,
    mute_mins: f.mute_mins ?? 120,
  };
}

/**
 * Applies the channel's drop, silence and inhibit rules to an event that would open an alert
 * (`open` undefined) or change the open one. Recoveries (Ok) are never screened: an alert must
 * always be able to recover. A discarded event is counted on its integration and, when it would
 * have changed an open alert, noted once per rule in that alert's feed.
 */
export async function screenAlertEvent(
  q: Executor,
  source: { accountId: number; integrationId: number },
  channel: ChannelRow,
  event: AlertEventInput,
  open: AlertRow | undefined,
  nowMs: number,
): Promise<Screening> {
  const subject: Subject = {
    accountId: source.accountId,
    integrationId: source.integrationId,
    channelId: channel.channel_id,
    alertKey: event.alertKey,
    isNew: open === undefined,
    flapping: defaultFlapping(channel.flapping),
  };
  if (event.status === 'Ok') return { discarded: false, subject, mute: undefined };
  const { timeZone, rules } = await loadNoiseRules(q, source.accountId, channel.channel_id);
  if (rules.length === 0) return { discarded: false, subject, mute: undefined };

  const now = Math.floor(nowMs / 1000);
  const attributes: AlertAttributes = {
    severity: event.severity,
    title: event.title,
    description: event.description,
    labels: event.labels,
    alert_key: event.alertKey,
    integration_id: source.integrationId,
  };
  const sources = needsInhibitSources(rules, attributes, subject.isNew)
    ? await activeSourceAlerts(q, source.accountId, channel.channel_id, now)
    : [];
  const decision = decideNoise({
    rules,
    timeZone,
    event: attributes,
    isNew: subject.isNew,
    nowSeconds: now,
    sources,
  });
  if (decision.action === 'pass') return { discarded: false, subject, mute: undefined };
  if (decision.action === 'mute') return { discarded: false, subject, mute: decision.cause };

  const { cause } = decision;
  await countDiscarded(q, source.integrationId, cause.reason);
  if (open) {
    await noteOnce(q, open.alert_id, {
      accountId: source.accountId,
      alertId: open.alert_id,
      type: FEED_TYPE[cause.reason],
      detail: { ...cause, discarded: true, event_status: event.status },
      atMs: nowMs,
    });
  }
  return {
    discarded: true,
    outcome: {
      kind: 'discarded',
      reason: cause.reason,
      ruleId: cause.rule_id,
      alertId: open?.alert_id ?? null,
    },
  };
}

/**
 * After the event was stored: marks a muted alert and its incident ever_muted and records the rule
 * in the alert's feed (once per alert and rule), then judges flapping of the alert key — a
 * flapping key's incident gets an i_m_flapping entry once per flapping period and, when the
 * channel mutes flapping alerts, ever_muted and a muted_until.
 */
export async function applyScreening(
  q: Executor,
  screening: Extract<Screening, { discarded: false }>,
  alertId: string,
  incidentId: string | null,
  nowMs: number,
): Promise<void> {
  const { subject, mute } = screening;
  if (mute) {
    await q.updateTable('alerts').set({ ever_muted: true }).where('alert_id', '=', alertId).execute();
    if (incidentId) await markIncidentMuted(q, incidentId);
    const entry: FeedEntry = {
      accountId: subject.accountId,
      alertId,
      type: FEED_TYPE[mute.reason],
      detail: { ...mute },
      atMs: nowMs,
    };
    if (subject.isNew) await addFeedEntries(q, [entry]);
    else await noteOnce(q, alertId, entry);
  }
  if (incidentId && !subject.flapping.is_disabled)
    await judgeAndRecordFlapping(q, subject, alertId, incidentId, nowMs);
}

async function judgeAndRecordFlapping(
  q: Executor,
  subject: Subject,
  alertId: string,
  incidentId: string,
  nowMs: number,
): Promise<void> {
  const now = Math.floor(nowMs / 1000);
  const points = await keyStatusHistory(q, subject, now - subject.flapping.in_mins * 60);
  const flapping = judgeFlapping(subject.flapping, points, now);
  if (flapping) await recordFlapping(q, subject, alertId, incidentId, flapping, nowMs);
}

/**
 * A flapping key: its incident gets an i_m_flapping entry once per flapping period and, when the
 * channel mutes flapping alerts, ever_muted and a muted_until.
 */
async function recordFlapping(
  q: Executor,
  subject: FlappingSubject,
  alertId: string,
  incidentId: string,
  flapping: Flapping,
  nowMs: number,
): Promise<void> {
  await addFeedEntries(q, await recordFlappings(q, [{ subject, alertId, incidentId, flapping }], nowMs));
}

export type FlappingSubject = { accountId: number; alertKey: string; flapping: FlappingConfig };
export type FlapRecord = {
  subject: FlappingSubject;
  alertId: string;
  incidentId: string;
  flapping: Flapping;
};

/**
 * recordFlapping for many flapping keys at once, in one statement; answers the
 * i_m_flapping entries to add (in order), so the caller writes them with the rest of its feed.
 */
export async function recordFlappings(
  q: Executor,
  flaps: readonly FlapRecord[],
  nowMs: number,
): Promise<FeedEntry[]> {
  if (flaps.length === 0) return [];
  const now = Math.floor(nowMs / 1000);
  const mutedUntil = (config: FlappingConfig) => (config.mute_mins > 0 ? now + config.mute_mins * 60 : 0);
  // Per incident: the earliest told time that still counts as this period, and the longest mute.
  const byIncident = new Map<string, { accountId: number; since: number; until: number }>();
  for (const { subject, incidentId } of flaps) {
    const seen = byIncident.get(incidentId);
    const until = Math.max(seen?.until ?? 0, mutedUntil(subject.flapping));
    const since = seen?.since ?? nowMs - subject.flapping.in_mins * 60_000;
    byIncident.set(incidentId, { accountId: subject.accountId, since, until });
  }
  const ids = [...byIncident.keys()].sort();
  const col = <T>(pick: (v: { accountId: number; since: number; until: number }) => T) =>
    ids.map((id) => pick(byIncident.get(id)!));
  // One statement: mark muted incidents ever_muted, extend their mutes, and stamp flapping_told_at
  // on the incidents not told within their period — answering which those were (old values).
  const { rows } = await sql<{ incident_id: string; tell: boolean }>`/* prepared */
    with v as (
      select * from unnest(${ids}::text[], ${col((v) => v.accountId)}::bigint[], ${col((v) => v.since)}::bigint[],
                           ${col((v) => v.until)}::bigint[]) as v(incident_id, account_id, since, muted_until)
    ), old as (
      select i.incident_id, i.flapping_told_at < v.since as tell, v.muted_until
        from incidents i join v on v.incident_id = i.incident_id
       order by i.incident_id
         for update of i
    ), mutes as (
      insert into incident_mutes (incident_id, account_id, reason, muted_until, updated_at)
      select incident_id, account_id, 'flapping', muted_until, ${now}::bigint from v where muted_until > 0
      on conflict (incident_id) do update
         set muted_until = greatest(incident_mutes.muted_until, excluded.muted_until), updated_at = excluded.updated_at
    )
    update incidents i
       set ever_muted = i.ever_muted or old.muted_until > 0,
           flapping_told_at = case when old.tell then ${nowMs}::bigint else i.flapping_told_at end
      from old
     where i.incident_id = old.incident_id and (old.tell or (old.muted_until > 0 and not i.ever_muted))
    returning i.incident_id, old.tell`.execute(q);
  const toTell = new Set(rows.filter((r) => r.tell).map((r) => r.incident_id));
  const told = new Set(ids.filter((id) => !toTell.has(id)));
  const entries: FeedEntry[] = [];
  for (const { subject, alertId, incidentId, flapping } of flaps) {
    if (told.has(incidentId)) continue;
    told.add(incidentId);
    entries.push({
      accountId: subject.accountId,
      incidentId,
      type: 'i_m_flapping',
      detail: {
        alert_id: alertId,
        alert_key: subject.alertKey,
        ...flapping,
        muted_until: mutedUntil(subject.flapping),
      },
      atMs: nowMs,
    });
  }
  return entries;
}

async function markIncidentMuted(q: Executor, incidentId: string): Promise<void> {
  await q
    .updateTable('incidents')
    .set({ ever_muted: true })
    .where('incident_id', '=', incidentId)
    .where('ever_muted', '=', false)
    .execute();
}

/** Adds a feed entry to an alert unless it already has one of this type for this rule. */
async function noteOnce(q: Executor, alertId: string, entry: FeedEntry): Promise<void> {
  const ruleId = String(entry.detail?.rule_id ?? '');
  const seen = await q
    .selectFrom('feed_entries')
    .select('ref_id')
    .where('alert_id', '=', alertId)
    .where('type', '=', entry.type)
    .where(sql<string>`detail ->> 'rule_id'`, '=', ruleId)
    .limit(1)
    .executeTakeFirst();
  if (!seen) await addFeedEntries(q, [entry]);
}

/** Counts a discarded event on its integration: in total (dropped_event_cnt) and per reason. */
async function countDiscarded(q: Executor, integrationId: number, reason: NoiseReason): Promise<void> {
  await q
    .updateTable('integrations')
    .set({
      dropped_event_cnt: sql<number>`dropped_event_cnt + 1`,
      dropped_event_reasons: sql<string>`dropped_event_reasons || jsonb_build_object(${reason}::text,
        coalesce((dropped_event_reasons ->> ${reason}::text)::bigint, 0) + 1)`,
    })
    .where('integration_id', '=', integrationId)
    .execute();
}

/**
 * Open alerts of the channel that arrived in the last INHIBIT_WINDOW_SECONDS and whose incident
 * nobody acknowledged yet (progress Triggered): the alerts that may inhibit a new one.
 */
async function activeSourceAlerts(
  q: Executor,
  accountId: number,
  channelId: number,
  now: number,
): Promise<SourceAlert[]> {
  const rows = await q
    .selectFrom('alerts')
    .innerJoin('incidents', 'incidents.incident_id', 'alerts.incident_id')
    .select([
      'alerts.alert_id',
      'alerts.title',
      'alerts.description',
      'alerts.alert_severity',
      'alerts.labels',
      'alerts.alert_key',
      'alerts.integration_id',
    ])
    .where('alerts.channel_id', '=', channelId)
    .where('alerts.account_id', '=', accountId)
    .where('alerts.end_time', '=', 0)
    .where('alerts.created_at', '>=', now - INHIBIT_WINDOW_SECONDS)
    .where('incidents.progress', '=', 'Triggered')
    .orderBy('alerts.created_at', 'desc')
    .limit(MAX_INHIBIT_SOURCES)
    .execute();
  return rows.map((r) => ({
    alert_id: r.alert_id,
    severity: r.alert_severity,
    title: r.title,
    description: r.description,
    labels: r.labels,
    alert_key: r.alert_key,
    integration_id: r.integration_id,
  }));
}

/**
 * The stored events of an alert key (every alert it opened in this integration and channel) from
 * the window start on, plus the last one before it — the status the first change in the window
 * changed from. Served by alert_events_key_time_idx.
 */
async function keyStatusHistory(q: Executor, subject: Subject, windowStart: number): Promise<StatusPoint[]> {
  const { channelId, integrationId, alertKey } = subject;
  const rows = await sql<{ status: string; time: number | string }>`/* prepared */
    select event_status as status, event_time as time
    from alert_events
    where channel_id = ${channelId} and integration_id = ${integrationId} and alert_key = ${alertKey}
      and event_time >= coalesce(
        (select max(event_time) from alert_events
         where channel_id = ${channelId} and integration_id = ${integrationId} and alert_key = ${alertKey}
           and event_time < ${windowStart}),
        ${windowStart})
    order by event_time desc, event_id desc
    limit ${MAX_FLAPPING_EVENTS}`.execute(q);
  return rows.rows.map((r) => ({ status: r.status, time: Number(r.time) })).reverse();
}

/**
 * keyStatusHistory for many keys in one statement: each key's events from its window start on,
 * plus the last one before it, oldest first.
 */
export async function keyStatusHistories(
  q: Executor,
  keys: readonly { channelId: number; integrationId: number; alertKey: string; windowStart: number }[],
): Promise<StatusPoint[][]> {
  const histories: StatusPoint[][] = keys.map(() => []);
  if (keys.length === 0) return histories;
  const rows = await sql<{ i: number | string; status: string; time: number | string }>`/* prepared */
    select k.i, e.event_status as status, e.event_time as time
      from unnest(${keys.map((k) => k.channelId)}::bigint[], ${keys.map((k) => k.integrationId)}::bigint[],
                  ${keys.map((k) => k.alertKey)}::text[], ${keys.map((k) => k.windowStart)}::bigint[])
           with ordinality as k(channel_id, integration_id, alert_key, window_start, i)
      cross join lateral (
        select event_status, event_time, event_id from alert_events
         where channel_id = k.channel_id and integration_id = k.integration_id and alert_key = k.alert_key
           and event_time >= coalesce(
             (select max(event_time) from alert_events
               where channel_id = k.channel_id and integration_id = k.integration_id and alert_key = k.alert_key
                 and event_time < k.window_start),
             k.window_start)
         order by event_time desc, event_id desc
         limit ${MAX_FLAPPING_EVENTS}) e
     order by k.i, e.event_time, e.event_id`.execute(q);
  for (const r of rows.rows) histories[Number(r.i) - 1]!.push({ status: r.status, time: Number(r.time) });
  return histories;
}

/** Logs (at debug) every event of a push that a channel rule discarded: such events leave no alert behind. */
export function logDiscarded(
  log: { debug(details: object, message: string): void },
  integrationId: number,
  results: readonly { alertKey: string; outcomes: readonly ({ kind: string } | DiscardedEvent)[] }[],
): void {
  for (const result of results) {
    for (const outcome of result.outcomes) {
      if (outcome.kind !== 'discarded') continue;
      const discarded = outcome as DiscardedEvent;
      log.debug(
        {
          integration_id: integrationId,
          alert_key: result.alertKey,
          reason: discarded.reason,
          rule_id: discarded.ruleId,
          alert_id: discarded.alertId,
        },
        'alert event discarded by a channel rule',
      );
    }
  }
}

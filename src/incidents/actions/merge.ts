import type { Actor } from '../../accounts/permissions.ts';
import { AppError, invalidParameter, notFound } from '../../shared/app-error.ts';
import { addFeedEntries, type FeedEntry } from '../feed.store.ts';
import { refreshIncident } from '../refresh-incident.ts';
import {
  type ActionDeps,
  behaviourOf,
  byActor,
  type Executor,
  type IncidentRow,
  inTransaction,
  lockAlertsOf,
  lockIncidents,
  memberExists,
  normalizeIds,
} from './actions.store.ts';

/** What a merge may also change on the incident that receives the alerts. */
type TargetChanges = { title?: string | undefined; owner_id?: number | undefined };

export type MergeInput = TargetChanges & {
  source_incident_ids: string[];
  target_incident_id: string;
  comment?: string;
  remove_source_incidents?: boolean;
};

/**
 * /incident/merge: moves every alert of the source incidents into the target, re-derives the target
 * from its alerts (as the pipeline does), and closes the emptied sources — or soft-deletes them with
 * remove_source_incidents. The target must be open. i_merge entries on the target and on each
 * source, a_merge on each moved alert.
 */
export async function mergeIncidents(deps: ActionDeps, actor: Actor, input: MergeInput): Promise<void> {
  const targetId = input.target_incident_id.toLowerCase();
  const sourceIds = normalizeIds(input.source_incident_ids);
  if (sourceIds.includes(targetId)) {
    throw invalidParameter('source_incident_ids', `must not contain the target incident ${targetId}`);
  }
  const title = checkTitle(input.title);
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    await checkOwner(trx, actor, input.owner_id);
    await lockAlertsOf(trx, actor.accountId, sourceIds, { openOnly: false });
    const incidents = await lockIncidents(trx, actor.accountId, [...sourceIds, targetId]);
    const target = openTarget(incidents, targetId, 'target_incident_id');
    const sources = incidents.filter((i) => i.incident_id !== targetId);
    const moved = await lockAlertsOf(trx, actor.accountId, sourceIds, { openOnly: false });
    if (moved.length > 0) {
      await trx
        .updateTable('alerts')
        .set({ incident_id: targetId, updated_at: now })
        .where('incident_id', 'in', sourceIds)
        .where('deleted_at', '=', 0)
        .execute();
    }

    // The documented i_merge detail, the same on the target and on every source.
    const detail = {
      source_incidents: sources.map(short),
      target_incident: short(title === undefined ? target : { ...target, title }),
      ...(title === undefined ? {} : { title }),
      ...(input.comment ? { comment: input.comment } : {}),
      ...(input.owner_id ? { owner_id: input.owner_id } : {}),
      remove_source_incidents: input.remove_source_incidents ?? false,
      alert_cnt: moved.length,
      person_id: actor.memberId,
    };
    const feed: FeedEntry[] = [byActor(actor, nowMs, { incidentId: targetId, type: 'i_merge', detail })];
    feed.push(...(await changeTarget(trx, actor, target, { title, owner_id: input.owner_id }, nowMs)));
    await refreshIncident(trx, targetId, await behaviourOf(trx, target), nowMs);
    for (const source of sources) {
      feed.push(byActor(actor, nowMs, { incidentId: source.incident_id, type: 'i_merge', detail }));
      feed.push(...(await retireSource(trx, actor, source, input.remove_source_incidents ?? false, nowMs)));
    }
    feed.push(
      ...moved.map((alert) =>
        byActor(actor, nowMs, {
          alertId: alert.alert_id,
          type: 'a_merge',
          detail: { from_incident_id: alert.incident_id, incident_id: targetId, person_id: actor.memberId },
        }),
      ),
    );
    await addFeedEntries(trx, feed);
  });
}

export type AlertMergeInput = TargetChanges & { alert_ids: string[]; incident_id: string; comment?: string };

/**
 * /alert/merge: moves alerts into an open incident and re-derives it and every incident that gave
 * alerts up; a source left without alerts is closed by the caller (Flashduty: "emptied source
 * incident auto-closes"). Alerts already in the target stay. An a_merge entry per moved alert on
 * the target (as grouping writes one) and on the alert; an i_merge entry on each source.
 */
export async function mergeAlerts(deps: ActionDeps, actor: Actor, input: AlertMergeInput): Promise<void> {
  const targetId = input.incident_id.toLowerCase();
  const alertIds = normalizeIds(input.alert_ids);
  const title = checkTitle(input.title);
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    await checkOwner(trx, actor, input.owner_id);
    const alerts = await trx
      .selectFrom('alerts')
      .select(['alert_id', 'incident_id', 'title'])
      .where('account_id', '=', actor.accountId)
      .where('alert_id', 'in', alertIds)
      .where('deleted_at', '=', 0)
      .orderBy('alert_id')
      .forUpdate()
      .execute();
    const found = new Set(alerts.map((a) => a.alert_id));
    const missing = alertIds.find((id) => !found.has(id));
    if (missing !== undefined) throw notFound(`alert ${missing}`);

    const moving = alerts.filter((a) => a.incident_id !== targetId);
    const sourceIds = normalizeIds(moving.flatMap((a) => (a.incident_id ? [a.incident_id] : [])));
    const incidents = await lockIncidents(trx, actor.accountId, [targetId, ...sourceIds]);
    const target = openTarget(incidents, targetId, 'incident_id');
    if (moving.length > 0) {
      await trx
        .updateTable('alerts')
        .set({ incident_id: targetId, updated_at: now })
        .where(
          'alert_id',
          'in',
          moving.map((a) => a.alert_id),
        )
        .execute();
    }

    const comment = input.comment ? { comment: input.comment } : {};
    const feed: FeedEntry[] = moving.map((alert) =>
      byActor(actor, nowMs, {
        incidentId: targetId,
        type: 'a_merge',
        detail: {
          alert_id: alert.alert_id,
          title: alert.title,
          from_incident_id: alert.incident_id,
          reason: 'moved into this incident by hand',
          person_id: actor.memberId,
          ...comment,
        },
      }),
    );
    feed.push(...(await changeTarget(trx, actor, target, { title, owner_id: input.owner_id }, nowMs)));
    await refreshIncident(trx, targetId, await behaviourOf(trx, target), nowMs);
    for (const source of incidents.filter((i) => i.incident_id !== targetId)) {
      const gave = moving.filter((a) => a.incident_id === source.incident_id).map((a) => a.alert_id);
      feed.push(
        byActor(actor, nowMs, {
          incidentId: source.incident_id,
          type: 'i_merge',
          detail: {
            target_incident: short(title === undefined ? target : { ...target, title }),
            alert_ids: gave,
            person_id: actor.memberId,
            ...comment,
          },
        }),
      );
      const left = await trx
        .selectFrom('alerts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('incident_id', '=', source.incident_id)
        .where('deleted_at', '=', 0)
        .executeTakeFirstOrThrow();
      if (Number(left.n) === 0) feed.push(...(await retireSource(trx, actor, source, false, nowMs)));
      else await refreshIncident(trx, source.incident_id, await behaviourOf(trx, source), nowMs);
    }
    feed.push(
      ...moving.map((alert) =>
        byActor(actor, nowMs, {
          alertId: alert.alert_id,
          type: 'a_merge',
          detail: { from_incident_id: alert.incident_id, incident_id: targetId, person_id: actor.memberId },
        }),
      ),
    );
    await addFeedEntries(trx, feed);
  });
}

/** An incident as the feed names it (the documented IncidentShort). */
function short(incident: Pick<IncidentRow, 'incident_id' | 'title' | 'progress'>) {
  return { incident_id: incident.incident_id, title: incident.title, progress: incident.progress };
}

function checkTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const trimmed = title.trim();
  if (trimmed === '') throw invalidParameter('title', 'must not be blank');
  return trimmed;
}

async function checkOwner(q: Executor, actor: Actor, ownerId: number | undefined): Promise<void> {
  if (ownerId === undefined || ownerId === 0) return;
  if (!(await memberExists(q, actor.accountId, ownerId))) {
    throw invalidParameter('owner_id', `member ${ownerId} does not exist`);
  }
}

/** The locked target; alerts are only moved into an incident that is not closed. */
function openTarget(incidents: readonly IncidentRow[], targetId: string, field: string): IncidentRow {
  const target = incidents.find((i) => i.incident_id === targetId)!;
  if (target.progress === 'Closed') {
    throw new AppError(
      'BadRequest',
      `The incident ${targetId} (${field}) is closed; reopen it before merging into it.`,
    );
  }
  return target;
}

/** Sets the title (a person's choice: recorded in manual_overrides) and owner a merge carries. */
async function changeTarget(
  q: Executor,
  actor: Actor,
  target: IncidentRow,
  changes: TargetChanges,
  nowMs: number,
): Promise<FeedEntry[]> {
  const { title } = changes;
  const ownerId = changes.owner_id ? changes.owner_id : undefined;
  if (title === undefined && ownerId === undefined) return [];
  await q
    .updateTable('incidents')
    .set({
      ...(title === undefined
        ? {}
        : { title, manual_overrides: [...new Set([...target.manual_overrides, 'title'])] }),
      ...(ownerId === undefined ? {} : { owner_id: ownerId }),
      updated_at: Math.floor(nowMs / 1000),
    })
    .where('incident_id', '=', target.incident_id)
    .execute();
  return title === undefined || title === target.title
    ? []
    : [
        byActor(actor, nowMs, {
          incidentId: target.incident_id,
          type: 'i_r_title',
          detail: { from: target.title, to: title },
        }),
      ];
}

/**
 * A source incident left without alerts: its counters are zeroed and it takes no more alerts; it is
 * closed by the caller (unless already closed), or soft-deleted when `remove` is set.
 */
async function retireSource(
  q: Executor,
  actor: Actor,
  source: IncidentRow,
  remove: boolean,
  nowMs: number,
): Promise<FeedEntry[]> {
  const now = Math.floor(nowMs / 1000);
  const closes = !remove && source.progress !== 'Closed';
  await q
    .updateTable('incidents')
    .set({
      alert_cnt: 0,
      active_alert_cnt: 0,
      alert_event_cnt: 0,
      group_key: null,
      snoozed_before: 0,
      ...(remove ? { deleted_at: now } : {}),
      ...(closes ? { progress: 'Closed' as const, close_time: now, closer_id: actor.memberId } : {}),
      updated_at: now,
    })
    .where('incident_id', '=', source.incident_id)
    .execute();
  return closes
    ? [
        byActor(actor, nowMs, {
          incidentId: source.incident_id,
          type: 'i_rslv',
          detail: { from: 'console', person_id: actor.memberId },
        }),
      ]
    : [];
}

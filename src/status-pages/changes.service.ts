import type { Updateable } from 'kysely';
import { getMembers } from '../accounts/members.store.ts';
import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import type { StatusPageChangesTable } from '../db/schema.ts';
import { addFeedEntries } from '../incidents/feed.store.ts';
import { findIncident } from '../incidents/incidents.query.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newUlid } from '../shared/ids.ts';
import {
  type ChangeRow,
  deleteChangeRow,
  deleteUpdateRow,
  findChange,
  insertChange,
  insertUpdates,
  touchedComponents,
  type UpdateRow,
  updateChangeRow,
  updateUpdateRow,
  withUpdates,
} from './changes.store.ts';
import { enqueueUpdateNotifications } from './notify.ts';
import { withLockedPage } from './pages.service.ts';
import { componentsOf, type PageRow } from './pages.store.ts';
import type {
  ChangeCreateRequest,
  ChangeFromIncidentRequest,
  ChangeUpdateRequest,
  TimelineCreateRequest,
  TimelineUpdateRequest,
} from './status-pages.schemas.ts';
import {
  type ChangeType,
  type ComponentChange,
  checkOrder,
  componentStatusesOf,
  duplicateComponent,
  inTimeOrder,
  isTerminal,
  type Replayed,
  replay,
  statusesOf,
  type TimelineUpdate,
} from './timeline.ts';

/*
 * Status-page events (Flashduty's "changes"): create with its first updates, edit, delete, and the
 * timeline. Every write replays the event's whole timeline through timeline.ts, and stores the
 * status and close time it leaves. docs/status-pages.md.
 */

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];

/** How far ahead a maintenance that follows its schedule may be planned. */
const SCHEDULE_HORIZON_SECONDS = 30 * 86_400;

const toTimeline = (updates: readonly UpdateRow[]): TimelineUpdate[] =>
  updates.map((u) => ({ atSeconds: u.at_seconds, status: u.status, componentChanges: u.component_changes }));

/** Checks a list of component changes against the page's components and the event's type. */
async function checkComponentChanges(
  q: Executor,
  pageId: number,
  type: ChangeType,
  changes: readonly ComponentChange[],
  field: string,
): Promise<void> {
  if (changes.length === 0) return;
  const duplicate = duplicateComponent(changes);
  if (duplicate !== undefined) {
    throw invalidParameter(`${field}[${duplicate}].component_id`, 'a component appears twice in one update');
  }
  const known = new Set((await componentsOf(q, [pageId])).map((c) => c.component_id));
  const allowed = componentStatusesOf(type) as readonly string[];
  for (const [index, change] of changes.entries()) {
    if (!known.has(change.component_id)) {
      throw invalidParameter(`${field}[${index}].component_id`, 'no such component on this status page');
    }
    if (!allowed.includes(change.status)) {
      throw invalidParameter(`${field}[${index}].status`, `must be one of ${allowed.join(', ')} for ${type}`);
    }
  }
}

async function checkResponders(q: Executor, actor: Actor, responders: readonly number[] | undefined) {
  if (!responders || responders.length === 0) return;
  const found = new Set((await getMembers(q, actor.accountId, responders)).map((m) => m.member_id));
  const missing = responders.findIndex((id) => !found.has(id));
  if (missing >= 0)
    throw invalidParameter(`responders[${missing}]`, `member ${responders[missing]} does not exist`);
}

function checkStatus(type: ChangeType, status: string, field: string): void {
  if (!statusesOf(type).includes(status)) {
    throw invalidParameter(field, `must be one of ${statusesOf(type).join(', ')} for ${type}`);
  }
}

/** The close time an event shows: when it ended, or (not ended) the planned end of a maintenance or retrospective. */
function closeAtOf(
  change: Pick<ChangeRow, 'is_retrospective' | 'planned_close_at'>,
  replayed: Replayed,
): number {
  if (isTerminal(replayed.status)) {
    return change.is_retrospective && change.planned_close_at > 0
      ? change.planned_close_at
      : replayed.closedAt;
  }
  return change.planned_close_at;
}

export async function createChange(
  deps: Deps,
  actor: Actor,
  input: ChangeCreateRequest,
  /** Runs in the event's transaction once it is stored (publishing from an incident). */
  onCreated?: (trx: Executor, page: PageRow, changeId: number) => Promise<void>,
): Promise<{ change_id: number; change_name: string }> {
  const now = nowSeconds(deps.clock);
  const type = input.type as ChangeType;
  checkStatus(type, input.status, 'status');
  const auto = input.auto_update_by_schedule ?? false;
  const retrospective = input.is_retrospective ?? false;
  if (auto && type !== 'maintenance') {
    throw invalidParameter('auto_update_by_schedule', 'only a maintenance follows a schedule');
  }
  if (auto && retrospective) {
    throw invalidParameter('auto_update_by_schedule', 'a retrospective event has no schedule to follow');
  }
  // 0 is Go's zero value: absent.
  const start = input.start_at_seconds || now;
  const closeAt = input.close_at_seconds || 0;
  if (closeAt > 0 && closeAt <= start)
    throw invalidParameter('close_at_seconds', 'must be after start_at_seconds');
  if (retrospective && input.updates.length < 2) {
    throw invalidParameter('updates', 'a retrospective event needs at least 2 updates: its whole history');
  }
  if (auto && start > now + SCHEDULE_HORIZON_SECONDS) {
    throw invalidParameter('start_at_seconds', 'a scheduled maintenance must start within 30 days');
  }
  if (auto && closeAt > now + SCHEDULE_HORIZON_SECONDS) {
    throw invalidParameter('close_at_seconds', 'a scheduled maintenance must end within 30 days');
  }

  if (input.updates.length > 1 && !input.updates[0]!.status) {
    throw invalidParameter('updates[0].status', 'the first of several updates needs its status');
  }
  // A maintenance is announced now, before its window; an incident's first update is its start.
  const firstAt = type === 'maintenance' ? Math.min(start, now) : start;
  const timeline: TimelineUpdate[] = input.updates.map((update, index) => ({
    atSeconds: update.at_seconds || (index === 0 ? firstAt : now),
    status: update.status ?? (index === 0 ? input.status : null),
    componentChanges: update.component_changes ?? [],
  }));
  const outOfOrder = checkOrder(timeline);
  if (outOfOrder !== undefined) {
    throw invalidParameter(`updates[${outOfOrder}].at_seconds`, 'updates must be sent in time order');
  }

  return withLockedPage(deps, actor, input.page_id, async (trx, page) => {
    for (const [index, update] of timeline.entries()) {
      await checkComponentChanges(
        trx,
        input.page_id,
        type,
        update.componentChanges,
        `updates[${index}].component_changes`,
      );
    }
    await checkResponders(trx, actor, input.responders);
    const replayed = replay(type, start, timeline);
    if (replayed.violation) {
      const { index, field, reason } = replayed.violation;
      throw invalidParameter(`updates[${index}].${field}`, reason);
    }
    if (replayed.status !== input.status) {
      throw invalidParameter(
        'status',
        `the updates leave the event ${replayed.status}; status must say the same`,
      );
    }
    const last = timeline[timeline.length - 1]!;
    if (closeAt > 0 && isTerminal(replayed.status) && closeAt < last.atSeconds) {
      throw invalidParameter('close_at_seconds', 'must not be before the last update');
    }
    if (closeAt > 0 && type === 'incident' && !retrospective && !isTerminal(replayed.status)) {
      throw invalidParameter(
        'close_at_seconds',
        'an incident still open has no close time (only retrospective events, maintenance and ended events do)',
      );
    }

    const planned = { is_retrospective: retrospective, planned_close_at: closeAt };
    const changeId = await insertChange(trx, {
      account_id: actor.accountId,
      page_id: input.page_id,
      type,
      title: input.title,
      description: input.description,
      status: replayed.status,
      start_at_seconds: start,
      close_at_seconds: closeAtOf(planned, replayed),
      planned_close_at: closeAt,
      is_retrospective: retrospective,
      notify_subscribers: input.notify_subscribers ?? false,
      auto_update_by_schedule: auto,
      auto_start_pending: auto && replayed.status === 'scheduled',
      auto_end_pending: auto && closeAt > 0 && replayed.status !== 'completed',
      responder_ids: JSON.stringify(input.responders ?? []),
      linked_change_ids: JSON.stringify(input.linked_changes ?? []),
      creator_id: actor.memberId,
      created_at: now,
      updated_at: now,
    });
    const rows = timeline.map((update, index) => ({
      update_id: newUlid(),
      change_id: changeId,
      account_id: actor.accountId,
      at_seconds: update.atSeconds,
      status: update.status,
      description: input.updates[index]!.description ?? '',
      component_changes: JSON.stringify(update.componentChanges),
      creator_id: actor.memberId,
      created_at: now,
    }));
    await insertUpdates(trx, rows);
    if (input.notify_subscribers) {
      // One notification for the event as published, not one per update of a retrospective history.
      await enqueueUpdateNotifications(trx, {
        accountId: actor.accountId,
        pageId: input.page_id,
        changeId,
        updateId: rows[rows.length - 1]!.update_id,
        componentIds: [...replayed.components.keys()],
        nowMs: deps.clock.nowMs(),
      });
    }
    await onCreated?.(trx, page, changeId);
    return { change_id: changeId, change_name: input.title };
  });
}

/**
 * Publishes an on-call incident as a status-page incident, linked to it (`linked_changes`), the
 * caller as responder; the incident's timeline records it (`i_publish`). The public text is what
 * the caller wrote for customers, never the incident's internal description: without one, a
 * neutral sentence naming the affected components. The caller must be able to read incidents.
 * docs/status-pages.md.
 */
export async function createChangeFromIncident(
  deps: Deps,
  actor: Actor,
  input: ChangeFromIncidentRequest,
): Promise<{ change_id: number; change_name: string }> {
  if (!actor.permissions.has('incidents.read')) {
    throw new AppError('AccessDenied', 'Access Denied: this operation needs the Incidents Read permission.');
  }
  const incident = await findIncident(deps.db.q, actor.accountId, input.incident_id);
  if (!incident) throw notFound(`incident ${input.incident_id}`);
  const title = input.title ?? incident.title.slice(0, 255);
  const status = input.status ?? 'investigating';
  const description = input.description?.trim() || NEUTRAL_MESSAGE;
  return createChange(
    deps,
    actor,
    {
      page_id: input.page_id,
      type: 'incident',
      title,
      description,
      status,
      responders: [actor.memberId],
      linked_changes: [incident.incident_id],
      updates: [{ status, description, component_changes: input.component_changes }],
      notify_subscribers: input.notify_subscribers ?? false,
    },
    (trx, page, changeId) =>
      addFeedEntries(trx, [
        {
          accountId: actor.accountId,
          incidentId: incident.incident_id,
          type: 'i_publish',
          detail: { page_id: page.page_id, page_name: page.name, change_id: changeId, title, status },
          creatorId: actor.memberId,
          atMs: deps.clock.nowMs(),
        },
      ]),
  );
}

/** The public message when the publisher wrote none: says nothing the customers should not read. */
const NEUTRAL_MESSAGE = 'We are investigating reports of a problem and will post an update soon.';

/** Finds an event of the page, locked; ResourceNotFound otherwise. */
async function lockedChange(
  trx: Executor,
  actor: Actor,
  pageId: number,
  changeId: number,
): Promise<ChangeRow> {
  const change = await findChange(trx, { accountId: actor.accountId, pageId }, changeId, true);
  if (!change) throw notFound(`status page event ${changeId}`);
  return change;
}

/**
 * Stores what a changed timeline leaves: the event's status and close time, and, when a person
 * changed the status, the schedule steps that change made moot (a maintenance started by hand does
 * not start again; one completed or set back to scheduled by hand follows no schedule any more).
 */
export async function storeReplay(
  trx: Executor,
  change: ChangeRow,
  replayed: Replayed,
  now: number,
  values: Updateable<StatusPageChangesTable> = {},
): Promise<void> {
  const manual: Updateable<StatusPageChangesTable> = {};
  if (replayed.status !== change.status) {
    if (replayed.status === 'ongoing') manual.auto_start_pending = false;
    if (replayed.status === 'completed' || replayed.status === 'scheduled') {
      manual.auto_start_pending = false;
      manual.auto_end_pending = false;
    }
  }
  await updateChangeRow(trx, change.change_id, {
    status: replayed.status,
    close_at_seconds: closeAtOf(change, replayed),
    updated_at: now,
    ...manual,
    ...values,
  });
}

export async function updateChange(deps: Deps, actor: Actor, input: ChangeUpdateRequest): Promise<void> {
  await withLockedPage(deps, actor, input.page_id, async (trx) => {
    await lockedChange(trx, actor, input.page_id, input.change_id);
    await checkResponders(trx, actor, input.responders);
    await updateChangeRow(trx, input.change_id, {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.responders !== undefined ? { responder_ids: JSON.stringify(input.responders) } : {}),
      ...(input.linked_changes !== undefined
        ? { linked_change_ids: JSON.stringify(input.linked_changes) }
        : {}),
      updated_at: nowSeconds(deps.clock),
    });
  });
}

/** Deletes an event, its timeline, and with them its pending schedule steps and unsent notifications. */
export async function deleteChange(
  deps: Deps,
  actor: Actor,
  pageId: number,
  changeId: number,
): Promise<void> {
  await withLockedPage(deps, actor, pageId, async (trx) => {
    await lockedChange(trx, actor, pageId, changeId);
    await deleteChangeRow(trx, changeId);
  });
}

/**
 * Reports a rule a changed timeline breaks: on a new update, the field of it that breaks it; on an
 * edited one (only its time can break a rule), at_seconds; a rule broken further on is named too.
 */
function reportViolation(replayed: Replayed, ownIndex: number, edited: boolean): void {
  if (!replayed.violation) return;
  const { index, field, reason } = replayed.violation;
  if (index === ownIndex) throw invalidParameter(edited ? 'at_seconds' : field, reason);
  throw invalidParameter('at_seconds', `the timeline would break a rule at update ${index + 1}: ${reason}`);
}

export async function addTimelineUpdate(
  deps: Deps,
  actor: Actor,
  input: TimelineCreateRequest,
): Promise<{ update_id: string }> {
  const now = nowSeconds(deps.clock);
  return withLockedPage(deps, actor, input.page_id, async (trx) => {
    const change = await lockedChange(trx, actor, input.page_id, input.change_id);
    const type = change.type as ChangeType;
    checkStatus(type, input.status, 'status');
    const componentChanges = input.component_changes ?? [];
    await checkComponentChanges(trx, input.page_id, type, componentChanges, 'component_changes');
    const [current] = await withUpdates(trx, [change]);
    const row: UpdateRow = {
      update_id: newUlid(),
      change_id: change.change_id,
      account_id: actor.accountId,
      at_seconds: input.at_seconds || now,
      status: input.status,
      description: input.description,
      component_changes: componentChanges,
      creator_id: actor.memberId,
      created_at: now,
    };
    const updates = inTimeOrder([...current!.updates, row]);
    const replayed = replay(type, change.start_at_seconds, toTimeline(updates));
    reportViolation(replayed, updates.indexOf(row), false);
    await insertUpdates(trx, [{ ...row, component_changes: JSON.stringify(componentChanges) }]);
    await storeReplay(trx, change, replayed, now);
    if (change.notify_subscribers) {
      await enqueueUpdateNotifications(trx, {
        accountId: actor.accountId,
        pageId: input.page_id,
        changeId: change.change_id,
        updateId: row.update_id,
        componentIds: touchedComponents(updates),
        nowMs: deps.clock.nowMs(),
      });
    }
    return { update_id: row.update_id };
  });
}

/** The update of an event, or InvalidParameter naming update_id. */
function updateOf(updates: readonly UpdateRow[], updateId: string): UpdateRow {
  const update = updates.find((u) => u.update_id === updateId);
  if (!update) throw invalidParameter('update_id', 'no such update in this event');
  return update;
}

export async function editTimelineUpdate(
  deps: Deps,
  actor: Actor,
  input: TimelineUpdateRequest,
): Promise<void> {
  const now = nowSeconds(deps.clock);
  await withLockedPage(deps, actor, input.page_id, async (trx) => {
    const change = await lockedChange(trx, actor, input.page_id, input.change_id);
    const [current] = await withUpdates(trx, [change]);
    const update = updateOf(current!.updates, input.update_id);
    const atSeconds = input.at_seconds || update.at_seconds;
    const edited = { ...update, at_seconds: atSeconds, description: input.description ?? update.description };
    const updates = inTimeOrder(current!.updates.map((u) => (u === update ? edited : u)));
    // Moving an incident's first update earlier moves its start (a maintenance keeps its planned window).
    const start =
      change.type === 'incident' && updates[0] === edited
        ? Math.min(change.start_at_seconds, atSeconds)
        : change.start_at_seconds;
    const replayed = replay(change.type as ChangeType, start, toTimeline(updates));
    reportViolation(replayed, updates.indexOf(edited), true);
    await updateUpdateRow(trx, update.update_id, { at_seconds: atSeconds, description: edited.description });
    await storeReplay(trx, change, replayed, now, { start_at_seconds: start });
  });
}

export async function deleteTimelineUpdate(
  deps: Deps,
  actor: Actor,
  input: { page_id: number; change_id: number; update_id: string },
): Promise<void> {
  const now = nowSeconds(deps.clock);
  await withLockedPage(deps, actor, input.page_id, async (trx) => {
    const change = await lockedChange(trx, actor, input.page_id, input.change_id);
    const [current] = await withUpdates(trx, [change]);
    const update = updateOf(current!.updates, input.update_id);
    if (current!.updates.length === 1) {
      throw invalidParameter('update_id', 'an event keeps at least one update; delete the event instead');
    }
    const updates = current!.updates.filter((u) => u !== update);
    const replayed = replay(change.type as ChangeType, change.start_at_seconds, toTimeline(updates));
    if (replayed.violation) {
      throw invalidParameter(
        'update_id',
        `without it the timeline would break a rule at update ${replayed.violation.index + 1}: ${replayed.violation.reason}`,
      );
    }
    await deleteUpdateRow(trx, update.update_id);
    await storeReplay(trx, change, replayed, now);
  });
}

import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import {
  checkTimeZone,
  normalizeLayers,
  normalizeNotify,
  personField,
  personIdsOf,
  type StoredLayer,
  type StoredNotify,
} from './schedule-config.ts';
import { type ScheduleSource, toScheduleItem, type Window } from './schedules.mapper.ts';
import type { ScheduleItemOut, ScheduleUpsert } from './schedules.schemas.ts';
import {
  accountTimeZone,
  findSchedule,
  insertSchedule,
  liveMembers,
  liveTeam,
  type ScheduleRow,
  updateSchedule as updateScheduleRow,
} from './schedules.store.ts';

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];

const DAY = 86_400;
/** /schedule/info, /schedule/list and /schedule/preview compute at most 45 days; /schedule/self 30. */
export const MAX_WINDOW_DAYS = 45;
export const MAX_SELF_WINDOW_DAYS = 30;

export function checkWindow(start: number, end: number, maxDays: number): Window {
  if (end <= start) throw invalidParameter('end', 'must be after start');
  if (end - start > maxDays * DAY)
    throw invalidParameter('end', `the window from start to end must not exceed ${maxDays} days`);
  return { start, end };
}

export function fromRow(row: ScheduleRow): ScheduleSource {
  return {
    schedule_id: row.schedule_id,
    account_id: row.account_id,
    schedule_name: row.schedule_name,
    description: row.description,
    team_id: row.team_id,
    time_zone: row.time_zone,
    // Written only by this module, after normalisation.
    layers: row.layers as StoredLayer[],
    notify: row.notify as StoredNotify,
    creator_id: row.creator_id,
    updated_by: row.updated_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function cleanName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  if (trimmed === '') throw invalidParameter('schedule_name', 'must not be blank');
  return trimmed;
}

/** The layers of a request, normalised, with every person checked against the account's members. */
async function checkedLayers(
  q: Executor,
  accountId: number,
  request: ScheduleUpsert,
): Promise<StoredLayer[] | undefined> {
  if (request.layers === undefined) return undefined;
  const layers = normalizeLayers(request.layers);
  const people = personIdsOf(layers);
  const live = await liveMembers(q, accountId, people);
  const missing = people.find((id) => !live.has(id));
  if (missing !== undefined) {
    throw invalidParameter(
      personField(request.layers, missing),
      `person ${missing} is not a member of this account`,
    );
  }
  return layers;
}

async function checkTeam(q: Executor, accountId: number, teamId: number | undefined): Promise<void> {
  if (teamId && !(await liveTeam(q, accountId, teamId)))
    throw invalidParameter('team_id', `team ${teamId} does not exist`);
}

function nameConflict(error: unknown): never {
  if (isUniqueViolation(error, 'schedules_name_key'))
    throw invalidParameter('schedule_name', 'a schedule with this name exists');
  throw error;
}

export async function createSchedule(
  deps: Deps,
  actor: Actor,
  request: ScheduleUpsert,
): Promise<{ schedule_id: number }> {
  const name = cleanName(request.schedule_name || request.name);
  if (name === undefined) throw invalidParameter('schedule_name', 'is required');
  const notify = normalizeNotify(request.notify);
  const now = nowSeconds(deps.clock);
  try {
    const id = await deps.db.q.transaction().execute(async (trx) => {
      const layers = (await checkedLayers(trx, actor.accountId, request)) ?? [];
      await checkTeam(trx, actor.accountId, request.team_id);
      const zone = checkTimeZone(
        request.time_zone ?? (await accountTimeZone(trx, actor.accountId)),
        'time_zone',
      );
      return insertSchedule(trx, {
        account_id: actor.accountId,
        schedule_name: name,
        description: request.description ?? '',
        team_id: request.team_id ?? 0,
        time_zone: zone,
        layers: JSON.stringify(layers),
        notify: JSON.stringify(notify),
        person_ids: personIdsOf(layers),
        creator_id: actor.memberId,
        updated_by: actor.memberId,
        created_at: now,
        updated_at: now,
      });
    });
    return { schedule_id: id };
  } catch (error) {
    nameConflict(error);
  }
}

/** Changes the fields the request carries; sent layers or notify replace the stored ones whole. */
export async function updateSchedule(deps: Deps, actor: Actor, request: ScheduleUpsert): Promise<void> {
  if (request.schedule_id === undefined) throw invalidParameter('schedule_id', 'is required');
  const scheduleId = request.schedule_id;
  const name = cleanName(request.schedule_name || request.name || undefined);
  const notify = request.notify === undefined ? undefined : normalizeNotify(request.notify);
  const zone = request.time_zone === undefined ? undefined : checkTimeZone(request.time_zone, 'time_zone');
  try {
    await deps.db.q.transaction().execute(async (trx) => {
      const row = await findSchedule(trx, actor.accountId, scheduleId, { lock: true });
      if (!row) throw notFound(`schedule ${scheduleId}`);
      const layers = await checkedLayers(trx, actor.accountId, request);
      await checkTeam(trx, actor.accountId, request.team_id);
      const changes = {
        schedule_name: name,
        description: request.description,
        team_id: request.team_id,
        time_zone: zone,
        layers: layers && JSON.stringify(layers),
        person_ids: layers && personIdsOf(layers),
        notify: notify && JSON.stringify(notify),
      };
      const sent = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      await updateScheduleRow(trx, actor.accountId, scheduleId, {
        ...sent,
        updated_by: actor.memberId,
        updated_at: nowSeconds(deps.clock),
      });
    });
  } catch (error) {
    nameConflict(error);
  }
}

/** Computes a schedule from the request without saving it; with schedule_id, unsent fields come from that schedule. */
export async function previewSchedule(
  deps: Deps,
  actor: Actor,
  request: ScheduleUpsert,
): Promise<ScheduleItemOut> {
  if (request.start === undefined) throw invalidParameter('start', 'is required');
  if (request.end === undefined) throw invalidParameter('end', 'is required');
  const window = checkWindow(request.start, request.end, MAX_WINDOW_DAYS);
  const q = deps.db.q;
  const base =
    request.schedule_id === undefined
      ? undefined
      : await findSchedule(q, actor.accountId, request.schedule_id);
  if (request.schedule_id !== undefined && !base) throw notFound(`schedule ${request.schedule_id}`);
  const layers = (await checkedLayers(q, actor.accountId, request)) ?? (base ? fromRow(base).layers : []);
  const zone = checkTimeZone(
    request.time_zone ?? base?.time_zone ?? (await accountTimeZone(q, actor.accountId)),
    'time_zone',
  );
  const now = nowSeconds(deps.clock);
  const source: ScheduleSource = {
    schedule_id: null,
    account_id: actor.accountId,
    schedule_name: null,
    description: null,
    team_id: null,
    time_zone: zone,
    layers,
    notify: request.notify
      ? normalizeNotify(request.notify)
      : base
        ? fromRow(base).notify
        : normalizeNotify(undefined),
    creator_id: base?.creator_id ?? actor.memberId,
    updated_by: actor.memberId,
    created_at: base?.created_at ?? now,
    updated_at: now,
  };
  return toScheduleItem(source, window, now);
}

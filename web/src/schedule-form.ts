import { toLocalInput } from './timeline.ts';

/*
 * A schedule as the editor holds it, and back to the upsert body (/schedule/create, /update,
 * /preview). Rules are wall-clock times in the schedule's zone; instants here are milliseconds,
 * the API's seconds. Pure (test/web/timeline.test.ts).
 */

export type RotationUnit = 'hour' | 'day' | 'week' | 'month';
type OncallMember = { role_id: number; person_ids: number[] };
export type RestrictPeriod = { restrict_start: number; restrict_end: number };

/** The parts of a stored layer (/schedule/info `layers[]`) the editor reads. */
export type ApiLayer = {
  layer_name: string;
  mode: 0 | 1;
  hidden: number;
  groups: { group_name: string; members: OncallMember[] }[];
  rotation_unit: RotationUnit;
  rotation_value: number;
  handoff_time: number;
  layer_start: number;
  layer_end: number | null;
  restrict_mode: 0 | 1 | 2;
  restrict_periods: RestrictPeriod[];
  day_mask: { repeat: number[] };
  fair_rotation: boolean;
  mask_continuous_enabled: boolean;
  /** Vigil's own: on call together with the layers below (imported schedules use it). */
  cumulative?: boolean;
};

/** One turn of a rotation: its on-call (Primary) people; people in other roles are kept as they were. */
export type Turn = { key: string; name: string; people: number[]; others: OncallMember[] };

export type Rotation = {
  key: string;
  name: string;
  turns: Turn[];
  unit: RotationUnit;
  value: number;
  start: number;
  end: number | null;
  /** Weekly cycles: seconds from Monday 00:00 to the hand-off. */
  handoff: number;
  restrictMode: 0 | 1 | 2;
  periods: RestrictPeriod[];
  /** Weekdays covered, 0 = Sunday; empty: every day. */
  days: number[];
  continuous: boolean;
  fair: boolean;
  /** Adds its people to the layers below instead of replacing them (kept as stored). */
  cumulative: boolean;
  hidden: number;
};

export type Override = { key: string; name: string; people: number[]; start: number; end: number };

export type ScheduleForm = {
  name: string;
  description: string;
  teamId: number;
  timeZone: string;
  rotations: Rotation[];
  overrides: Override[];
};

let keys = 0;
/** A key for React lists, never sent. */
export const newKey = () => `k${++keys}`;

const splitMembers = (members: OncallMember[]) => ({
  people: [...new Set(members.filter((m) => m.role_id === 0).flatMap((m) => m.person_ids))],
  others: members.filter((m) => m.role_id !== 0),
});

export function formFromSchedule(schedule: {
  schedule_name: string | null;
  description: string | null;
  team_id: number | null;
  time_zone: string;
  layers: ApiLayer[];
}): ScheduleForm {
  const rotations: Rotation[] = [];
  const overrides: Override[] = [];
  for (const layer of schedule.layers) {
    if (layer.mode === 1) {
      const group = layer.groups[0];
      overrides.push({
        key: newKey(),
        name: layer.layer_name,
        people: group ? splitMembers(group.members).people : [],
        start: layer.layer_start * 1000,
        end: (layer.layer_end ?? layer.layer_start) * 1000,
      });
      continue;
    }
    rotations.push({
      key: newKey(),
      name: layer.layer_name,
      turns: layer.groups.map((g) => ({ key: newKey(), name: g.group_name, ...splitMembers(g.members) })),
      unit: layer.rotation_unit,
      value: layer.rotation_value,
      start: layer.layer_start * 1000,
      end: layer.layer_end ? layer.layer_end * 1000 : null,
      handoff: layer.handoff_time,
      restrictMode: layer.restrict_mode,
      periods: layer.restrict_periods,
      days: layer.day_mask.repeat,
      continuous: layer.mask_continuous_enabled,
      fair: layer.fair_rotation,
      cumulative: layer.cumulative ?? false,
      hidden: layer.hidden,
    });
  }
  return {
    name: schedule.schedule_name ?? '',
    description: schedule.description ?? '',
    teamId: schedule.team_id ?? 0,
    timeZone: schedule.time_zone,
    rotations,
    overrides,
  };
}

export function newRotation(index: number, start: number): Rotation {
  return {
    key: newKey(),
    name: `Layer ${index + 1}`,
    turns: [{ key: newKey(), name: '', people: [], others: [] }],
    unit: 'day',
    value: 1,
    start,
    end: null,
    handoff: 0,
    restrictMode: 0,
    periods: [],
    days: [],
    continuous: false,
    fair: false,
    cumulative: false,
    hidden: 0,
  };
}

const seconds = (ms: number) => Math.floor(ms / 60_000) * 60;

const members = (people: number[], others: OncallMember[] = []): OncallMember[] => [
  ...(people.length ? [{ role_id: 0, person_ids: people }] : []),
  ...others,
];

/** A cycle of whole weeks, where the hand-off names a weekday and a time (as the server reads it). */
export function weeklyCycle(rotation: Pick<Rotation, 'unit' | 'value'>): boolean {
  return rotation.unit === 'week' || (rotation.unit === 'day' && rotation.value % 7 === 0);
}

/** The upsert body's `layers`: rotations in their order, then the overrides (which win over them). */
export function layersOf(form: ScheduleForm) {
  return [
    ...form.rotations.map((r) => ({
      layer_name: r.name.trim(),
      mode: 0 as const,
      hidden: r.hidden,
      groups: r.turns.map((turn) => ({ group_name: turn.name, members: members(turn.people, turn.others) })),
      rotation_unit: r.unit,
      rotation_value: r.value,
      handoff_time: r.handoff,
      layer_start: seconds(r.start),
      layer_end: r.end === null ? null : seconds(r.end),
      restrict_mode: r.restrictMode,
      restrict_periods: r.restrictMode === 0 ? [] : r.periods,
      day_mask: { repeat: r.days },
      mask_continuous_enabled: r.continuous,
      fair_rotation: r.fair,
      cumulative: r.cumulative,
    })),
    ...form.overrides.map((o) => ({
      layer_name: o.name.trim(),
      mode: 1 as const,
      groups: [{ group_name: '', members: members(o.people) }],
      rotation_unit: 'day' as const,
      rotation_value: 1,
      layer_start: seconds(o.start),
      layer_end: seconds(o.end),
    })),
  ];
}

/** The upsert body: the fields the editor edits (notify is left as stored). */
export function upsertBody(form: ScheduleForm) {
  return {
    schedule_name: form.name.trim(),
    description: form.description,
    team_id: form.teamId,
    time_zone: form.timeZone,
    layers: layersOf(form),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "09:30" for seconds since midnight (or since Monday 00:00: the day is dropped). */
export function clockOf(secondsOfDay: number): string {
  const s = secondsOfDay % 86_400;
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}`;
}

/**
 * A weekly hand-off at the moment `startMs` names on `zone`'s clock (seconds from Monday 00:00):
 * a rotation that starts Monday 09:00 hands off Mondays at 09:00, not at midnight.
 */
function handoffAt(startMs: number, zone: string): number {
  const local = toLocalInput(startMs, zone);
  const weekday = (new Date(`${local.slice(0, 10)}T00:00:00Z`).getUTCDay() + 6) % 7;
  return weekday * 86_400 + (secondsOf(local.slice(11, 16)) ?? 0);
}

/**
 * The changes to a rotation, with its weekly hand-off following its start while it did (or was
 * never set): only a hand-off chosen on purpose stays where it is.
 */
export function withHandoff(rotation: Rotation, patch: Partial<Rotation>, zone: string): Partial<Rotation> {
  const following = rotation.handoff === 0 || rotation.handoff === handoffAt(rotation.start, zone);
  if (!following || patch.handoff !== undefined || !weeklyCycle({ ...rotation, ...patch })) return patch;
  return { ...patch, handoff: handoffAt(patch.start ?? rotation.start, zone) };
}

/** Seconds since midnight for "09:30"; undefined when it is not a time. */
export function secondsOf(clock: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  return match ? Number(match[1]) * 3600 + Number(match[2]) * 60 : undefined;
}

/** Weekdays from Monday, as weekly hand-offs and weekly restriction periods count them. */
export const WEEK_FROM_MONDAY = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];

import type { Static } from 'typebox';
import {
  currentAndNext,
  type FinalShift,
  finalShifts,
  layerShifts,
  rotationSeconds,
  type Shift,
} from './oncall.ts';
import type { StoredLayer, StoredNotify } from './schedule-config.ts';
import type { CalculatedLayer, LayerOut, OncallOut, ScheduleItemOut } from './schedules.schemas.ts';

/** What the mapper needs of a schedule: a stored row, or an unsaved preview. */
export type ScheduleSource = {
  schedule_id: number | null;
  account_id: number;
  schedule_name: string | null;
  description: string | null;
  team_id: number | null;
  time_zone: string;
  layers: StoredLayer[];
  notify: StoredNotify;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

export type Window = { start: number; end: number };

function groupOut(shift: Pick<Shift, 'group' | 'start' | 'end'>) {
  return {
    group_name: shift.group.group_name,
    name: shift.group.group_name,
    members: shift.group.members.map((m) => ({ role_id: m.role_id, person_ids: m.person_ids })),
    start: shift.start,
    end: shift.end,
  };
}

const shiftOut = (s: Shift) => ({ start: s.start, end: s.end, group: groupOut(s), index: s.index });

function layerOut(source: ScheduleSource, layer: StoredLayer, weight: number): Static<typeof LayerOut> {
  const first = layer.restrict_periods[0];
  return {
    account_id: source.account_id,
    name: layer.layer_name,
    schedule_id: source.schedule_id ?? 0,
    hidden: layer.hidden,
    mode: layer.mode,
    weight,
    groups: layer.groups.map((g) => ({
      group_name: g.group_name,
      name: g.group_name,
      members: g.members,
      start: layer.layer_start,
      end: layer.layer_end ?? 0,
    })),
    rotation_duration: rotationSeconds(layer.rotation_unit, layer.rotation_value),
    handoff_time: layer.handoff_time,
    enable_time: layer.layer_start,
    expire_time: layer.layer_end ?? 0,
    restrict_mode: layer.restrict_mode,
    restrict_start: first?.restrict_start ?? 0,
    restrict_end: first?.restrict_end ?? 0,
    restrict_periods: layer.restrict_periods,
    day_mask: { repeat: layer.day_mask },
    create_at: source.created_at,
    create_by: source.creator_id,
    update_at: source.updated_at,
    update_by: source.updated_by,
    layer_name: layer.layer_name,
    fair_rotation: layer.fair_rotation,
    layer_start: layer.layer_start,
    layer_end: layer.layer_end,
    rotation_unit: layer.rotation_unit,
    rotation_value: layer.rotation_value,
    mask_continuous_enabled: layer.mask_continuous_enabled,
    cumulative: layer.cumulative ?? false,
  };
}

const NOBODY: Static<typeof OncallOut> = {
  start: 0,
  end: 0,
  group: { group_name: '', name: '', members: [], start: 0, end: 0 },
  update_at: 0,
  weight: 0,
  index: 0,
};

function oncallOut(shift: FinalShift | undefined, updatedAt: number): Static<typeof OncallOut> {
  if (!shift) return NOBODY;
  return {
    start: shift.start,
    end: shift.end,
    group: groupOut(shift),
    update_at: updatedAt,
    weight: shift.weight,
    index: shift.index,
  };
}

/** The schedule as the API shows it, with its shifts in the window (none without one) and who is on call now. */
export function toScheduleItem(
  source: ScheduleSource,
  window: Window | undefined,
  now: number,
): ScheduleItemOut {
  const zone = source.time_zone;
  const calculated: Static<typeof CalculatedLayer>[] = window
    ? source.layers.map((layer) => ({
        layer_name: layer.layer_name,
        name: layer.layer_name,
        mode: layer.mode,
        schedules: layerShifts(zone, layer, window).map(shiftOut),
      }))
    : [];
  const final = window ? finalShifts(zone, source.layers, window) : [];
  const { current, next } = currentAndNext(zone, source.layers, now);
  const preview = source.schedule_id === null;
  return {
    id: source.schedule_id,
    name: source.schedule_name,
    account_id: source.account_id,
    group_id: preview ? null : (source.team_id ?? 0),
    disabled: preview ? null : 0,
    create_at: source.created_at,
    create_by: source.creator_id,
    update_at: source.updated_at,
    update_by: source.updated_by,
    layers: source.layers.map((layer, i) => layerOut(source, layer, i)),
    schedule_layers: calculated,
    layer_schedules: calculated,
    final_schedule: { layer_name: 'final', name: 'final', mode: 0, schedules: final.map(shiftOut) },
    start: window?.start ?? 0,
    end: window?.end ?? 0,
    notify: source.notify,
    schedule_id: source.schedule_id ?? 0,
    schedule_name: source.schedule_name,
    team_id: source.team_id,
    description: source.description,
    status: preview ? null : 0,
    cur_oncall: oncallOut(current, source.updated_at),
    next_oncall: oncallOut(next, source.updated_at),
    time_zone: zone,
  };
}

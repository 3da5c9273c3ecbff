import { invalidParameter } from '../shared/app-error.ts';
import type { Layer, RestrictPeriod, RotationUnit } from './oncall.ts';
import type { LayerInput, NotifyInput } from './schedules.schemas.ts';
import { isValidTimeZone } from './zoned.ts';

/*
 * Turning an upsert body into the stored schedule: defaults, legacy aliases, and the checks the
 * schema cannot express, each refusal naming the field (docs/schedules.md, "Validation").
 */

/** A layer as stored: what the calculator reads, plus the display flag. */
export type StoredLayer = Layer & { hidden: number };

export type StoredNotify = {
  advance_in_time: number;
  fixed_time: { cycle: string; start: string };
  by: { follow_preference: boolean; personal_channels: string[] };
  im: Record<string, string>;
  webhooks: {
    type: string;
    settings: {
      token: string;
      alias: string;
      data_source_id: number;
      chat_ids: string[];
      verify_token: string;
      sign_secret: string;
    };
  }[];
};

/** The on-call roles (legacy GET /oncall/roles): built in, the same in every account. */
export const ONCALL_ROLES = [
  { id: 0, name: 'Primary' },
  { id: 1, name: 'Backup' },
] as const;

const DAY = 86_400;
const WEEK = 7 * DAY;

export function checkTimeZone(zone: string, field: string): string {
  if (!isValidTimeZone(zone)) throw invalidParameter(field, `${zone} is not an IANA time zone`);
  return zone;
}

/** hour/day/week from a legacy rotation_duration in seconds. */
function unitFromDuration(seconds: number, field: string): { unit: RotationUnit; value: number } {
  for (const [unit, size] of [
    ['week', WEEK],
    ['day', DAY],
    ['hour', 3600],
  ] as const) {
    if (seconds % size === 0 && seconds / size >= 1 && seconds / size <= 30)
      return { unit, value: seconds / size };
  }
  throw invalidParameter(field, 'must be a whole number (1–30) of hours, days or weeks');
}

function normalizePeriods(input: LayerInput, mode: 0 | 1 | 2, field: string): RestrictPeriod[] {
  // Without restrictions periods are kept as sent (clients read back what they wrote) but not used.
  if (mode === 0) return input.restrict_periods ?? [];
  let periods = input.restrict_periods ?? [];
  if (periods.length === 0 && input.restrict_start !== undefined && input.restrict_end !== undefined) {
    periods = [{ restrict_start: input.restrict_start, restrict_end: input.restrict_end }];
  }
  if (periods.length === 0) {
    throw invalidParameter(`${field}.restrict_periods`, 'restrict_mode 1 or 2 needs at least one period');
  }
  const span = mode === 1 ? DAY : WEEK;
  periods.forEach((p, i) => {
    const at = `${field}.restrict_periods[${i}]`;
    for (const key of ['restrict_start', 'restrict_end'] as const) {
      if (p[key] > span) {
        throw invalidParameter(
          `${at}.${key}`,
          `must be at most ${span} (seconds from ${mode === 1 ? '00:00' : 'Monday 00:00'})`,
        );
      }
      if (p[key] % 60 !== 0) throw invalidParameter(`${at}.${key}`, 'must be whole minutes');
    }
    if (p.restrict_start % span === p.restrict_end % span) {
      throw invalidParameter(`${at}.restrict_end`, 'must differ from restrict_start');
    }
  });
  return periods.map((p) => ({ restrict_start: p.restrict_start % span, restrict_end: p.restrict_end }));
}

function normalizeLayer(input: LayerInput, index: number): StoredLayer {
  const field = `layers[${index}]`;
  const mode = input.mode ?? 0;
  const layerStart = input.layer_start ?? input.enable_time;
  if (layerStart === undefined) throw invalidParameter(`${field}.layer_start`, 'is required');
  if (layerStart % 60 !== 0) throw invalidParameter(`${field}.layer_start`, 'must be on a whole minute');
  const rawEnd = input.layer_end ?? (input.expire_time ? input.expire_time : null);
  const layerEnd = rawEnd === 0 ? null : rawEnd;
  if (layerEnd !== null && layerEnd <= layerStart) {
    throw invalidParameter(`${field}.layer_end`, 'must be after layer_start');
  }
  if (mode === 1 && layerEnd === null)
    throw invalidParameter(`${field}.layer_end`, 'an override (mode 1) needs an end');

  let unit = input.rotation_unit;
  let value = input.rotation_value ?? 1;
  if (unit === undefined) {
    if (input.rotation_duration)
      ({ unit, value } = unitFromDuration(input.rotation_duration, `${field}.rotation_duration`));
    else if (mode === 1) unit = 'day';
    else throw invalidParameter(`${field}.rotation_unit`, 'is required (hour, day, week or month)');
  }
  const handoff = input.handoff_time ?? 0;
  if (handoff % 60 !== 0) throw invalidParameter(`${field}.handoff_time`, 'must be whole minutes');

  const groups = input.groups ?? [];
  if (groups.length === 0) throw invalidParameter(`${field}.groups`, 'needs at least one group');
  if (mode === 1 && groups.length > 1) throw invalidParameter(`${field}.groups`, 'an override has one group');

  const restrictMode = mode === 1 ? 0 : (input.restrict_mode ?? 0);
  const dayMask = [...new Set(mode === 1 ? [] : (input.day_mask?.repeat ?? []))].sort((a, b) => a - b);
  const masking = dayMask.length > 0 && dayMask.length < 7;
  if (masking && restrictMode === 2) {
    throw invalidParameter(
      `${field}.restrict_mode`,
      'weekly restrictions (2) cannot be combined with a day mask',
    );
  }
  return {
    layer_name: (input.layer_name ?? input.name ?? '').trim(),
    mode,
    hidden: input.hidden ?? 0,
    groups: groups.map((g, j) => ({
      group_name: (g.group_name ?? g.name ?? '').trim(),
      members: g.members.map((m, k) => {
        const role = m.role_id ?? 0;
        if (!ONCALL_ROLES.some((r) => r.id === role)) {
          throw invalidParameter(
            `${field}.groups[${j}].members[${k}].role_id`,
            'must be an on-call role: 0 (Primary) or 1 (Backup)',
          );
        }
        return { role_id: role, person_ids: [...new Set(m.person_ids)] };
      }),
    })),
    rotation_unit: unit,
    rotation_value: value,
    handoff_time: handoff,
    layer_start: layerStart,
    layer_end: layerEnd,
    restrict_mode: restrictMode,
    restrict_periods: normalizePeriods(input, restrictMode, field),
    // Kept as sent; empty or all seven days both mean every day.
    day_mask: dayMask,
    mask_continuous_enabled: input.mask_continuous_enabled ?? false,
    fair_rotation: input.fair_rotation ?? false,
    cumulative: input.cumulative ?? false,
  };
}

/** Rotations first, then overrides (the legacy spec's order); each keeps its relative order. */
export function normalizeLayers(inputs: readonly LayerInput[]): StoredLayer[] {
  const layers = inputs.map(normalizeLayer);
  return [...layers.filter((l) => l.mode === 0), ...layers.filter((l) => l.mode === 1)];
}

export function personIdsOf(layers: readonly StoredLayer[]): number[] {
  return [...new Set(layers.flatMap((l) => l.groups.flatMap((g) => g.members.flatMap((m) => m.person_ids))))];
}

/** Where a person id first appears, for an error naming the field. */
export function personField(inputs: readonly LayerInput[], personId: number): string {
  for (const [i, layer] of inputs.entries()) {
    for (const [j, group] of (layer.groups ?? []).entries()) {
      for (const [k, member] of group.members.entries()) {
        if (member.person_ids.includes(personId)) return `layers[${i}].groups[${j}].members[${k}].person_ids`;
      }
    }
  }
  return 'layers';
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function normalizeNotify(input: NotifyInput | undefined): StoredNotify {
  const fixed = input?.fixed_time;
  if (fixed?.start && !HH_MM.test(fixed.start))
    throw invalidParameter('notify.fixed_time.start', 'must be HH:MM');
  if (fixed?.cycle && fixed.cycle !== 'day')
    throw invalidParameter('notify.fixed_time.cycle', 'only "day" is supported');
  if (input?.advance_in_time !== undefined && input.advance_in_time % 300 !== 0) {
    throw invalidParameter('notify.advance_in_time', 'must be a multiple of 300 seconds (5 minutes)');
  }
  return {
    advance_in_time: input?.advance_in_time ?? 0,
    fixed_time: { cycle: fixed?.cycle ?? '', start: fixed?.start ?? '' },
    by: {
      follow_preference: input?.by?.follow_preference ?? false,
      personal_channels: input?.by?.personal_channels ?? [],
    },
    im: input?.im ?? {},
    webhooks: (input?.webhooks ?? []).map((w) => ({
      type: w.type,
      settings: {
        token: w.settings?.token ?? '',
        alias: w.settings?.alias ?? '',
        data_source_id: w.settings?.data_source_id ?? w.settings?.integration_id ?? 0,
        chat_ids: w.settings?.chat_ids ?? [],
        verify_token: w.settings?.verify_token ?? '',
        sign_secret: w.settings?.sign_secret ?? '',
      },
    })),
  };
}

/*
 * The channel page's forms and the API's shapes (/channel/update `group` and `flapping`, silence
 * windows): pure conversions, unit-tested in test/web/channel-form.test.ts.
 */
import {
  type Condition,
  type ConditionRow,
  type Converted,
  conditionToRow,
  emptyRow,
  isConditionKey,
  parseKeyList,
  rowsToConditions,
} from './conditions.ts';

export type GroupMethod = 'n' | 'p' | 'i';
export type WindowType = 'tumbling' | 'sliding';

/** `group` as /channel/info returns it (every field filled in) and /channel/update takes it. */
export type Group = {
  method: GroupMethod;
  equals?: string[][];
  cases?: { if: Condition[]; equals: string[] }[];
  all_equals_required?: boolean;
  time_window?: number;
  window_type?: WindowType;
  storm_threshold?: number;
  storm_thresholds?: number[];
  i_keys?: string[];
  i_score_threshold?: number;
};

export type Flapping = { is_disabled?: boolean; max_changes?: number; in_mins?: number; mute_mins?: number };

export type GroupCaseForm = { conditions: ConditionRow[]; equals: string };

export type GroupForm = {
  method: GroupMethod;
  /** One set of keys per line, keys separated by commas. */
  equals: string;
  cases: GroupCaseForm[];
  allEqualsRequired: boolean;
  /** Minutes; 0 = until the incident closes. */
  timeWindow: number;
  windowType: WindowType;
  /** Comma-separated alert counts. */
  stormThresholds: string;
  iKeys: string;
  iScoreThreshold: number;
  /** The legacy single threshold, kept as stored. */
  stormThreshold: number;
};

const DEFAULT_I_KEYS = ['title', 'description', 'labels.service', 'labels.resource'];

export function groupToForm(group: Group | undefined): GroupForm {
  return {
    method: group?.method ?? 'n',
    equals: (group?.equals ?? []).map((keys) => keys.join(', ')).join('\n'),
    cases: (group?.cases ?? []).map((c) => ({
      conditions: c.if.map(conditionToRow),
      equals: c.equals.join(', '),
    })),
    allEqualsRequired: group?.all_equals_required ?? false,
    timeWindow: group?.time_window ?? 0,
    windowType: group?.window_type ?? 'tumbling',
    stormThresholds: (group?.storm_thresholds ?? []).join(', '),
    iKeys: (group?.i_keys?.length ? group.i_keys : DEFAULT_I_KEYS).join(', '),
    iScoreThreshold: group?.i_score_threshold ?? 0.9,
    stormThreshold: group?.storm_threshold ?? 0,
  };
}

export const emptyGroupCase = (): GroupCaseForm => ({ conditions: [emptyRow()], equals: '' });

function keysProblem(keys: string[], where: string): string[] {
  return keys
    .filter((k) => !isConditionKey(k))
    .map((k) => `${where}: "${k}" is not a key; use title, severity, labels.<name>, ...`);
}

/** The form → `group` for /channel/update, or the reasons it cannot be sent. */
export function formToGroup(form: GroupForm): Converted<Group> {
  const errors: string[] = [];
  const thresholds = parseKeyList(form.stormThresholds).map(Number);
  if (thresholds.some((n) => !Number.isInteger(n) || n < 2 || n > 10_000)) {
    errors.push('Storm thresholds: whole numbers from 2 to 10000, separated by commas.');
  }
  const common = {
    time_window: form.timeWindow,
    window_type: form.windowType,
    storm_threshold: form.stormThreshold,
    storm_thresholds: thresholds,
  };
  if (form.method === 'n') return { value: { method: 'n', ...common }, errors };
  if (form.method === 'i') {
    const iKeys = parseKeyList(form.iKeys);
    errors.push(...keysProblem(iKeys, 'Compared fields'));
    return {
      value: { method: 'i', ...common, i_keys: iKeys, i_score_threshold: form.iScoreThreshold },
      errors,
    };
  }
  const equals = form.equals
    .split('\n')
    .map(parseKeyList)
    .filter((keys) => keys.length > 0);
  equals.forEach((keys, i) => {
    errors.push(...keysProblem(keys, `Group by, line ${i + 1}`));
  });
  const cases: { if: Condition[]; equals: string[] }[] = [];
  form.cases.forEach((c, i) => {
    const label = `Case ${i + 1}`;
    const conditions = rowsToConditions(c.conditions, label);
    const keys = parseKeyList(c.equals);
    errors.push(...conditions.errors, ...keysProblem(keys, `${label}, group by`));
    if (conditions.value.length === 0) errors.push(`${label}: add at least one condition.`);
    if (keys.length === 0) errors.push(`${label}: name the keys its alerts are grouped by.`);
    cases.push({ if: conditions.value, equals: keys });
  });
  if (equals.length === 0 && cases.length === 0) {
    errors.push('Group by: name at least one key (e.g. labels.service), or add a case.');
  }
  return {
    value: { method: 'p', ...common, equals, cases, all_equals_required: form.allEqualsRequired },
    errors,
  };
}

export type FlappingForm = {
  enabled: boolean;
  maxChanges: number;
  inMins: number;
  /** mark: only note it on the incident; mute: also mute notifications for muteMins. */
  action: 'mark' | 'mute';
  muteMins: number;
};

export function flappingToForm(flapping: Flapping | undefined): FlappingForm {
  const mute = flapping?.mute_mins ?? 120;
  return {
    enabled: !(flapping?.is_disabled ?? false),
    maxChanges: flapping?.max_changes ?? 4,
    inMins: flapping?.in_mins ?? 60,
    action: mute > 0 ? 'mute' : 'mark',
    muteMins: mute > 0 ? mute : 120,
  };
}

export function formToFlapping(form: FlappingForm): Flapping {
  return {
    is_disabled: !form.enabled,
    max_changes: form.maxChanges,
    in_mins: form.inMins,
    mute_mins: form.action === 'mute' ? form.muteMins : 0,
  };
}

/** Auto-resolve is stored in seconds and edited in minutes; an unchanged field keeps the exact seconds. */
export function autoResolveSeconds(minutes: number, storedSeconds: number): number {
  return minutes === Math.round(storedSeconds / 60) ? storedSeconds : Math.round(minutes * 60);
}

// ---- Silence windows -------------------------------------------------------------------------

export type WeeklyWindow = { start: string; end: string; repeat: number[] };

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Weekly windows for the API, or what is wrong with them (start 00:00–23:59, end up to 24:00). */
export function checkWeeklyWindows(windows: readonly WeeklyWindow[]): Converted<WeeklyWindow[]> {
  const errors: string[] = [];
  windows.forEach((w, i) => {
    if (!HHMM.test(w.start)) errors.push(`Weekly window ${i + 1}: the start must be a time, e.g. 22:00.`);
    if (!HHMM.test(w.end) && w.end !== '24:00') {
      errors.push(`Weekly window ${i + 1}: the end must be a time, e.g. 06:00.`);
    }
  });
  if (windows.length === 0) errors.push('Add at least one weekly window.');
  const value = windows.map((w) => ({ start: w.start, end: w.end, repeat: [...new Set(w.repeat)].sort() }));
  return { value, errors };
}

/** "Mon, Fri 22:00–06:00" (an empty repeat is every day). */
export function describeWeeklyWindow(w: WeeklyWindow): string {
  const days =
    w.repeat.length === 0 || w.repeat.length === 7
      ? 'Every day'
      : w.repeat.map((d) => WEEKDAYS[d]).join(', ');
  return `${days} ${w.start}–${w.end}`;
}

function zoneParts(ms: number, timeZone: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const out: Record<string, number> = {};
  for (const p of parts) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `ms`, in milliseconds. */
function offsetMs(ms: number, timeZone: string): number {
  const p = zoneParts(ms, timeZone);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * A `datetime-local` value ("2026-11-23T22:00") read as wall-clock time in `timeZone` → Unix
 * seconds; undefined when it is not such a value.
 */
export function zonedInputToUnix(value: string, timeZone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // The offset at the guess, then again at the corrected instant (they differ across a DST change).
  const first = wall - offsetMs(wall, timeZone);
  const second = wall - offsetMs(first, timeZone);
  return Math.floor(second / 1000);
}

/** Unix seconds → the `datetime-local` value showing that instant in `timeZone`. */
export function unixToZonedInput(seconds: number, timeZone: string): string {
  const p = zoneParts(seconds * 1000, timeZone);
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two((p.hour ?? 0) % 24)}:${two(p.minute)}`;
}

/** A one-off window from the form, or what is wrong with it. */
export function checkOnceWindow(
  start: string,
  end: string,
  timeZone: string,
): Converted<{ start_time: number; end_time: number }> {
  const errors: string[] = [];
  const startTime = zonedInputToUnix(start, timeZone);
  const endTime = zonedInputToUnix(end, timeZone);
  if (startTime === undefined) errors.push('Silence from: choose a date and time.');
  if (endTime === undefined) errors.push('Silence until: choose a date and time.');
  if (startTime !== undefined && endTime !== undefined && endTime <= startTime) {
    errors.push('Silence until: must be after the start.');
  }
  return { value: { start_time: startTime ?? 0, end_time: endTime ?? 0 }, errors };
}

/*
 * Noise control, the pure part (docs/noise-control.md): which of a channel's drop, silence and
 * inhibit rules applies to an alert event, whether a silence window is open at an instant in the
 * account's time zone, and whether an alert key is flapping. No I/O: the caller loads the rules,
 * the candidate source alerts and the status history, and applies the decision
 * (src/alerts/noise-control.ts).
 *
 * Order: drop rules → silence rules → inhibit rules; the first rule that matches, in that order and
 * within a kind by priority (lower first, then the older rule), decides the event's fate alone.
 * Flapping is judged afterwards, on every event that was stored.
 */

import { localTime } from '../shared/wall-clock.ts';
import {
  type AlertAttributes,
  type AlertPredicate,
  attributeKey,
  type Condition,
  compileConditions,
} from './conditions.ts';

/** OR of AND groups: a filter matches when every condition of at least one group matches. */
export type FilterGroups = readonly (readonly Condition[])[];

/** A one-off window in Unix seconds: from start_time (inclusive) to end_time (exclusive). */
export type OnceWindow = { start_time: number; end_time: number };

/** A weekly window in the account's time zone: "HH:MM" to "HH:MM" on the `repeat` weekdays (0 = Sunday; empty = every day). */
export type WeeklyWindow = { start: string; end: string; repeat: readonly number[] };

type RuleBase = { rule_id: string; rule_name: string; priority: number };

export type SilenceRule = RuleBase & {
  kind: 'silence';
  filters: FilterGroups;
  time_filter: OnceWindow | null;
  time_filters: readonly WeeklyWindow[];
  is_directly_discard: boolean;
};

export type InhibitRule = RuleBase & {
  kind: 'inhibit';
  source_filters: FilterGroups;
  target_filters: FilterGroups;
  equals: readonly string[];
  is_directly_discard: boolean;
};

export type DropRule = RuleBase & { kind: 'drop'; filters: FilterGroups };

export type NoiseRule = SilenceRule | InhibitRule | DropRule;

/** An active alert that may inhibit a new one. */
export type SourceAlert = AlertAttributes & { alert_id: string };

/** How long an active source alert inhibits new target alerts after it arrived. */
export const INHIBIT_WINDOW_SECONDS = 600;

export type NoiseReason = 'drop' | 'silence' | 'inhibit';

/** The rule that decided, and for inhibition the alert that inhibited. */
export type NoiseCause = {
  reason: NoiseReason;
  rule_id: string;
  rule_name: string;
  source_alert_id?: string;
};

export type NoiseDecision =
  /** Nothing applies: the event goes on as if no rule existed. */
  | { action: 'pass' }
  /** Not stored at all. */
  | { action: 'discard'; cause: NoiseCause }
  /** Stored, and the alert (and its incident) marked ever_muted. */
  | { action: 'mute'; cause: NoiseCause & { reason: 'silence' | 'inhibit' } };

export type NoiseInput = {
  /** The channel's enabled rules, of any kind, in any order. */
  rules: readonly NoiseRule[];
  /** The account's IANA time zone, in which weekly silence windows are read. */
  timeZone: string;
  /** The event as the alert would look after it (firing events only; recoveries are never screened). */
  event: AlertAttributes;
  /** True when the event would open a new alert; only new alerts can be inhibited. */
  isNew: boolean;
  nowSeconds: number;
  /**
   * Active alerts of the channel (open, incident not acknowledged) that arrived within
   * INHIBIT_WINDOW_SECONDS — needed only when needsInhibitSources answered true.
   */
  sources?: readonly SourceAlert[];
};

const MAX_COMPILED = 2000;
const compiled = new Map<string, AlertPredicate>();

/** A compiled AND group, memoised by its content (rules are re-read per event, conditions rarely change). */
function predicate(group: readonly Condition[]): AlertPredicate {
  const key = JSON.stringify(group);
  let found = compiled.get(key);
  if (!found) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    found = compileConditions(group);
    compiled.set(key, found);
  }
  return found;
}

/** OR of AND groups; no group at all matches nothing (a rule without filters never applies). */
function matchesFilters(filters: FilterGroups, alert: AlertAttributes): boolean {
  return filters.some((group) => group.length > 0 && predicate(group)(alert));
}

const byPriority = (a: RuleBase, b: RuleBase): number =>
  a.priority - b.priority || (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0);

function ofKind<K extends NoiseRule['kind']>(
  rules: readonly NoiseRule[],
  kind: K,
): Extract<NoiseRule, { kind: K }>[] {
  return rules.filter((r): r is Extract<NoiseRule, { kind: K }> => r.kind === kind).sort(byPriority);
}

/** The weekday (0 = Sunday) and minute of the day at an instant, on the wall clock of a time zone. */
export function wallClock(timeZone: string, nowSeconds: number): { weekday: number; minute: number } {
  const { day, minute } = localTime(timeZone, nowSeconds);
  return { weekday: day.weekday, minute };
}

/** "HH:MM" → minutes after midnight; "24:00" (an end) → 1440. Undefined when malformed. */
export function minuteOfDay(text: string, options: { allowEndOfDay?: boolean } = {}): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (options.allowEndOfDay && hours === 24 && minutes === 0) return 1440;
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : undefined;
}

/**
 * Whether a weekly window is open. A window whose end is not after its start runs past midnight
 * into the next day (so "00:00"–"00:00" is the whole day); `repeat` names the day it starts on.
 */
export function weeklyWindowOpen(window: WeeklyWindow, clock: { weekday: number; minute: number }): boolean {
  const start = minuteOfDay(window.start);
  const end = minuteOfDay(window.end, { allowEndOfDay: true });
  if (start === undefined || end === undefined) return false;
  const on = (day: number) => window.repeat.length === 0 || window.repeat.includes(day);
  if (start < end) return on(clock.weekday) && clock.minute >= start && clock.minute < end;
  const yesterday = (clock.weekday + 6) % 7;
  return (on(clock.weekday) && clock.minute >= start) || (on(yesterday) && clock.minute < end);
}

/** Whether a silence rule's window (one-off, or any of its weekly windows) is open at an instant. */
export function silenceWindowOpen(
  rule: Pick<SilenceRule, 'time_filter' | 'time_filters'>,
  timeZone: string,
  nowSeconds: number,
): boolean {
  if (rule.time_filter)
    return nowSeconds >= rule.time_filter.start_time && nowSeconds < rule.time_filter.end_time;
  if (rule.time_filters.length === 0) return false;
  const clock = wallClock(timeZone, nowSeconds);
  return rule.time_filters.some((w) => weeklyWindowOpen(w, clock));
}

/** An `equals` entry: a condition key (`labels.host`, `service`, `title`, ...) or a bare label name. */
function equalsReader(key: string): (alert: AlertAttributes) => string | undefined {
  const parsed = attributeKey(key);
  if (typeof parsed !== 'string') return parsed.read;
  return (alert) => (Object.hasOwn(alert.labels, key) ? alert.labels[key] : undefined);
}

/** Both alerts carry every `equals` key, with the same value. */
function pairs(equals: readonly string[], source: AlertAttributes, target: AlertAttributes): boolean {
  return equals.every((key) => {
    const read = equalsReader(key);
    const value = read(target);
    return value !== undefined && value === read(source);
  });
}

/** Whether inhibition needs the channel's active source alerts for this event (so the caller loads them only then). */
export function needsInhibitSources(
  rules: readonly NoiseRule[],
  event: AlertAttributes,
  isNew: boolean,
): boolean {
  return isNew && ofKind(rules, 'inhibit').some((rule) => matchesFilters(rule.target_filters, event));
}

/** What the channel's rules do with an event (see the module comment for the order). */
export function decideNoise(input: NoiseInput): NoiseDecision {
  const { rules, event } = input;
  const cause = (rule: RuleBase, reason: NoiseReason) => ({
    reason,
    rule_id: rule.rule_id,
    rule_name: rule.rule_name,
  });

  const drop = ofKind(rules, 'drop').find((rule) => matchesFilters(rule.filters, event));
  if (drop) return { action: 'discard', cause: cause(drop, 'drop') };

  const silence = ofKind(rules, 'silence').find(
    (rule) =>
      silenceWindowOpen(rule, input.timeZone, input.nowSeconds) && matchesFilters(rule.filters, event),
  );
  if (silence) {
    const c = { ...cause(silence, 'silence'), reason: 'silence' as const };
    return silence.is_directly_discard ? { action: 'discard', cause: c } : { action: 'mute', cause: c };
  }

  if (input.isNew) {
    for (const rule of ofKind(rules, 'inhibit')) {
      if (!matchesFilters(rule.target_filters, event)) continue;
      const source = (input.sources ?? []).find(
        (s) => matchesFilters(rule.source_filters, s) && pairs(rule.equals, s, event),
      );
      if (!source) continue;
      const c = { ...cause(rule, 'inhibit'), reason: 'inhibit' as const, source_alert_id: source.alert_id };
      return rule.is_directly_discard ? { action: 'discard', cause: c } : { action: 'mute', cause: c };
    }
  }
  return { action: 'pass' };
}

/** A channel's flapping setting as stored (channels.service normalizeFlapping). */
export type FlappingConfig = {
  is_disabled: boolean;
  max_changes: number;
  in_mins: number;
  mute_mins: number;
};

/** One stored event of an alert key: its status and event time (Unix seconds). */
export type StatusPoint = { status: string; time: number };

/**
 * How many times the status of an alert key changed within the window that starts at
 * `windowStart`: events are taken in event-time order; each event in the window whose status
 * differs from the event before it (the last one before the window included) is one change.
 */
export function statusChanges(points: readonly StatusPoint[], windowStart: number): number {
  const ordered = points.map((p, i) => ({ ...p, i })).sort((a, b) => a.time - b.time || a.i - b.i);
  let changes = 0;
  let previous: string | undefined;
  for (const point of ordered) {
    if (point.time >= windowStart && previous !== undefined && point.status !== previous) changes += 1;
    previous = point.status;
  }
  return changes;
}

export type Flapping = { changes: number; max_changes: number; in_mins: number; mute_mins: number };

/** The key is flapping when its status changed at least max_changes times in the last in_mins minutes. */
export function judgeFlapping(
  config: FlappingConfig,
  points: readonly StatusPoint[],
  nowSeconds: number,
): Flapping | undefined {
  if (config.is_disabled) return undefined;
  const changes = statusChanges(points, nowSeconds - config.in_mins * 60);
  if (changes < config.max_changes) return undefined;
  return { changes, max_changes: config.max_changes, in_mins: config.in_mins, mute_mins: config.mute_mins };
}

/*
 * Which escalation rule of a channel takes an incident, and the copy of it an escalation runs on.
 * Pure — no I/O: the caller loads the channel's rules, the account's time zone and, when rules
 * name calendars, says which days are days off. Decisions: docs/escalation.md.
 */

import { type AlertAttributes, type AlertPredicate, compileConditions } from '../alerts/conditions.ts';
import { minuteOfDay } from '../alerts/noise.ts';
import { type LocalDay, localTime } from '../shared/wall-clock.ts';
import type { Condition, EscalateTimeFilter, EscalationRule } from './escalation.types.ts';

/** What a rule's filters look at in an incident (the names of the incidents table). */
export type EscalationSubject = {
  incident_severity: string;
  title: string;
  description?: string | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
  integration_id?: number | undefined;
  alert_key?: string | undefined;
};

/** A calendar day on the wall clock of the account's time zone; weekday 0 = Sunday. */

/**
 * Whether a day is a day off in a calendar. Unknown calendars should answer false (a workday),
 * which is also what happens when no callback is given.
 */
export type IsDayOff = (calId: string, day: LocalDay) => boolean;

type MatchableRule = Pick<
  EscalationRule,
  'rule_id' | 'priority' | 'status' | 'filters' | 'time_filters' | 'created_at'
>;

const MAX_COMPILED = 2000;
const compiled = new Map<string, AlertPredicate>();

/** A compiled AND group, memoised by content (rules are re-read per incident and rarely change). */
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

function attributes(incident: EscalationSubject): AlertAttributes {
  return {
    severity: incident.incident_severity,
    title: incident.title,
    description: incident.description ?? '',
    labels: incident.labels ?? {},
    alert_key: incident.alert_key,
    integration_id: incident.integration_id,
  };
}

/** OR of AND groups; no group at all matches every incident (a rule without filters takes them all). */
export function filtersMatch(
  filters: readonly (readonly Condition[])[],
  incident: EscalationSubject,
): boolean {
  if (filters.length === 0) return true;
  const subject = attributes(incident);
  return filters.some((group) => group.length > 0 && predicate(group)(subject));
}

function dayBefore(day: LocalDay): LocalDay {
  const d = new Date(Date.UTC(day.year, day.month - 1, day.day - 1));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: (day.weekday + 6) % 7,
  };
}

/**
 * Whether a window is open at a local time. `[start, end)` on the wall clock; when end is not after
 * start the window runs past midnight into the next day ("00:00"–"00:00" is the whole day), and
 * `repeat` and the calendar are judged on the day it starts.
 */
function timeFilterOpen(
  window: EscalateTimeFilter,
  now: { day: LocalDay; minute: number },
  isDayOff?: IsDayOff,
): boolean {
  const start = minuteOfDay(window.start);
  const end = minuteOfDay(window.end, { allowEndOfDay: true });
  if (start === undefined || end === undefined) return false;
  const startsOn = (day: LocalDay): boolean => {
    if (window.repeat.length > 0 && !window.repeat.includes(day.weekday)) return false;
    if (!window.cal_id) return true;
    const off = isDayOff?.(window.cal_id, day) ?? false;
    return window.is_off ? off : !off;
  };
  if (start < end) return now.minute >= start && now.minute < end && startsOn(now.day);
  return (now.minute >= start && startsOn(now.day)) || (now.minute < end && startsOn(dayBefore(now.day)));
}

/** A rule without windows applies at any time; otherwise one of its windows must be open. */
function timeFiltersAdmit(
  windows: readonly EscalateTimeFilter[],
  timeZone: string,
  nowSeconds: number,
  isDayOff?: IsDayOff,
): boolean {
  if (windows.length === 0) return true;
  const now = localTime(timeZone, nowSeconds);
  return windows.some((w) => timeFilterOpen(w, now, isDayOff));
}

/** Evaluation order: lower priority first, then the older rule (then the smaller id, for a total order). */
function byEvaluationOrder(a: MatchableRule, b: MatchableRule): number {
  return (
    a.priority - b.priority ||
    a.created_at - b.created_at ||
    (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0)
  );
}

/**
 * The rule that takes an incident: among the enabled rules, in evaluation order, the first whose
 * filters match the incident and whose time windows admit `nowSeconds` in `timeZone` (the
 * account's IANA zone). Undefined when none does: the incident is assigned to nobody.
 */
export function pickEscalationRule<R extends MatchableRule>(
  rules: readonly R[],
  incident: EscalationSubject,
  nowSeconds: number,
  timeZone: string,
  isDayOff?: IsDayOff,
): R | undefined {
  return [...rules]
    .filter((rule) => rule.status === 'enabled')
    .sort(byEvaluationOrder)
    .find(
      (rule) =>
        filtersMatch(rule.filters, incident) &&
        timeFiltersAdmit(rule.time_filters, timeZone, nowSeconds, isDayOff),
    );
}

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What an escalation runs on: the rule as it was when the escalation started. */
export type EscalationSnapshot = DeepReadonly<
  Pick<EscalationRule, 'rule_id' | 'rule_name' | 'channel_id' | 'template_id' | 'aggr_window' | 'layers'> & {
    /** The rule's updated_at when the snapshot was taken: which version of the rule runs. */
    rule_version: number;
  }
>;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The immutable copy of a rule an escalation runs on: a deep copy (later edits of the rule, or of
 * the object it was read from, do not reach it), frozen (the engine cannot change it either). It
 * is plain JSON, to be stored with the escalation.
 */
export function snapshotRule(
  rule: Pick<
    EscalationRule,
    'rule_id' | 'rule_name' | 'channel_id' | 'template_id' | 'aggr_window' | 'layers' | 'updated_at'
  >,
): EscalationSnapshot {
  return deepFreeze(
    structuredClone({
      rule_id: rule.rule_id,
      rule_name: rule.rule_name,
      channel_id: rule.channel_id,
      template_id: rule.template_id,
      aggr_window: rule.aggr_window,
      layers: rule.layers,
      rule_version: rule.updated_at,
    }),
  );
}

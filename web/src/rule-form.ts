/*
 * The noise-rule editor's form and the bodies of /channel/{silence,inhibit,unsubscribe}/rule/create
 * and /update. Pure: unit-tested in test/web/channel-form.test.ts.
 */
import { checkOnceWindow, checkWeeklyWindows, unixToZonedInput, type WeeklyWindow } from './channel-form.ts';
import type { RuleItem, RuleKind } from './channel-types.ts';
import { type ConditionRow, filtersToGroups, groupsToFilters, parseKeyList } from './conditions.ts';

export type RuleForm = {
  ruleId?: string;
  name: string;
  description: string;
  priority: number;
  /** Silence and drop: the alerts the rule acts on. Inhibit: the target alerts. */
  filters: ConditionRow[][];
  /** Inhibit: the alerts that hide the targets. */
  sourceFilters: ConditionRow[][];
  /** Inhibit: keys the source and target must share, separated by commas. */
  equals: string;
  /** Silence and inhibit: discard matching alerts instead of keeping and marking them. */
  discard: boolean;
  windowKind: 'once' | 'weekly';
  /** `datetime-local` values in the member's zone. */
  onceStart: string;
  onceEnd: string;
  weekly: WeeklyWindow[];
};

const HOUR = 3600;

/** A new rule: a one-off window from now for an hour. */
export function newRuleForm(nowSeconds: number, timeZone: string): RuleForm {
  const start = Math.floor(nowSeconds / 60) * 60;
  return {
    name: '',
    description: '',
    priority: 0,
    filters: filtersToGroups([]),
    sourceFilters: filtersToGroups([]),
    equals: '',
    discard: false,
    windowKind: 'once',
    onceStart: unixToZonedInput(start, timeZone),
    onceEnd: unixToZonedInput(start + HOUR, timeZone),
    weekly: [{ start: '22:00', end: '06:00', repeat: [] }],
  };
}

export function ruleToForm(kind: RuleKind, rule: RuleItem, nowSeconds: number, timeZone: string): RuleForm {
  const form = newRuleForm(nowSeconds, timeZone);
  const weekly = rule.time_filters ?? [];
  const once = rule.time_filter;
  return {
    ...form,
    ruleId: rule.rule_id,
    name: rule.rule_name,
    description: rule.description,
    priority: rule.priority,
    filters: filtersToGroups(kind === 'inhibit' ? rule.target_filters : rule.filters),
    sourceFilters: filtersToGroups(rule.source_filters),
    equals: (rule.equals ?? []).join(', '),
    discard: rule.is_directly_discard ?? false,
    ...(weekly.length > 0
      ? { windowKind: 'weekly' as const, weekly }
      : once && once.start_time > 0
        ? {
            windowKind: 'once' as const,
            onceStart: unixToZonedInput(once.start_time, timeZone),
            onceEnd: unixToZonedInput(once.end_time, timeZone),
          }
        : {}),
  };
}

/**
 * The form → the create (no `ruleId`) or update body, or the reasons it cannot be sent. Filters are
 * required (the API refuses a rule that would match every alert).
 */
export function formToRule(
  kind: RuleKind,
  form: RuleForm,
  channelId: number,
  timeZone: string,
): { body: Record<string, unknown>; errors: string[] } {
  const errors: string[] = [];
  if (form.name.trim() === '') errors.push('Name: give the rule a name.');
  const filterLabel = kind === 'inhibit' ? 'Target alerts' : 'Matching alerts';
  const filters = groupsToFilters(form.filters, filterLabel);
  errors.push(...filters.errors);
  if (filters.errors.length === 0 && filters.value.length === 0) {
    errors.push(`${filterLabel}: add at least one condition.`);
  }
  const body: Record<string, unknown> = {
    channel_id: channelId,
    ...(form.ruleId ? { rule_id: form.ruleId } : {}),
    rule_name: form.name.trim(),
    description: form.description.trim(),
    priority: form.priority,
  };
  if (kind === 'inhibit') {
    const source = groupsToFilters(form.sourceFilters, 'Source alerts');
    errors.push(...source.errors);
    if (source.errors.length === 0 && source.value.length === 0) {
      errors.push('Source alerts: add at least one condition.');
    }
    Object.assign(body, {
      source_filters: source.value,
      target_filters: filters.value,
      equals: parseKeyList(form.equals),
      is_directly_discard: form.discard,
    });
  } else {
    body.filters = filters.value;
  }
  if (kind === 'silence') {
    body.is_directly_discard = form.discard;
    if (form.windowKind === 'once') {
      const once = checkOnceWindow(form.onceStart, form.onceEnd, timeZone);
      errors.push(...once.errors);
      body.time_filter = once.value;
    } else {
      const weekly = checkWeeklyWindows(form.weekly);
      errors.push(...weekly.errors);
      body.time_filters = weekly.value;
    }
  }
  return { body, errors };
}

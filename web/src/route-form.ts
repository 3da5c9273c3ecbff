/*
 * The routes page's form and /route/upsert: ordered cases (conditions → channels) and the default
 * channels of a shared integration. Pure: unit-tested in test/web/channel-form.test.ts.
 */
import type { RouteCase, RouteItem } from './channel-types.ts';
import { type ConditionRow, conditionToRow, rowsToConditions } from './conditions.ts';

export type RouteCaseForm = {
  conditions: ConditionRow[];
  channelIds: string[];
  fallthrough: boolean;
  mode: 'standard' | 'name_mapping';
  label: string;
};

export type RouteForm = {
  cases: RouteCaseForm[];
  defaultChannelIds: string[];
  sections: { name: string; position: number }[];
  version: number;
};

export function routeToForm(route: RouteItem): RouteForm {
  return {
    cases: route.cases.map((c) => ({
      conditions: c.if.map(conditionToRow),
      channelIds: c.channel_ids.map(String),
      fallthrough: c.fallthrough,
      mode: c.routing_mode,
      label: c.name_mapping_label,
    })),
    defaultChannelIds: route.default.channel_ids.map(String),
    sections: route.sections,
    version: route.version,
  };
}

export const emptyRouteCase = (): RouteCaseForm => ({
  conditions: [],
  channelIds: [],
  fallthrough: false,
  mode: 'standard',
  label: '',
});

/** Moves the case at `index` by `delta` places (−1 up, +1 down); out-of-range moves change nothing. */
export function moveCase<T>(cases: readonly T[], index: number, delta: number): T[] {
  const target = index + delta;
  if (target < 0 || target >= cases.length) return [...cases];
  const next = [...cases];
  const [item] = next.splice(index, 1);
  next.splice(target, 0, item as T);
  return next;
}

/** The form → the /route/upsert body (with the version read, so a concurrent edit is refused). */
export function formToRoute(
  form: RouteForm,
  integrationId: number,
): { body: Record<string, unknown>; errors: string[] } {
  const errors: string[] = [];
  const cases: RouteCase[] = form.cases.map((c, i) => {
    const label = `Case ${i + 1}`;
    const conditions = rowsToConditions(c.conditions, label);
    errors.push(...conditions.errors);
    if (c.mode === 'standard' && c.channelIds.length === 0)
      errors.push(`${label}: choose at least one channel.`);
    if (c.mode === 'name_mapping' && c.label.trim() === '') {
      errors.push(`${label}: name the label whose value is the channel's name.`);
    }
    return {
      if: conditions.value,
      channel_ids: c.mode === 'standard' ? c.channelIds.map(Number) : [],
      fallthrough: c.fallthrough,
      routing_mode: c.mode,
      name_mapping_label: c.mode === 'name_mapping' ? c.label.trim() : '',
    };
  });
  // Sections are display groups placed between cases: keep them, within the new number of cases.
  const sections = form.sections.map((s) => ({ ...s, position: Math.min(s.position, cases.length) }));
  return {
    body: {
      integration_id: integrationId,
      cases,
      sections,
      default: { channel_ids: form.defaultChannelIds.map(Number) },
      version: form.version,
    },
    errors,
  };
}

/*
 * The meaning of a shared integration's route: which channels an alert goes to. Pure — no I/O —
 * so the route service validates with it and the alert pipeline routes with it.
 *
 * Cases are evaluated in order. A case matches when every condition of its `if` matches (an empty
 * `if` matches every alert); a matching case adds its channels and stops the evaluation unless it
 * has `fallthrough`. When no case matched, or the matched cases yielded no channel (a name-mapping
 * label that names no channel), the alert goes to `default.channel_ids`.
 *
 * Condition keys and value forms (regex, wildcard, cidr:, num:, IN/NOTIN) are the shared filter
 * language of src/alerts/conditions.ts.
 */

import { type AlertAttributes, type Condition, compileConditions } from '../alerts/conditions.ts';

export {
  type AlertAttributes,
  conditionKeyProblem,
  conditionValueProblem,
  MAX_LABEL_KEY_LENGTH,
} from '../alerts/conditions.ts';

type RoutingMode = 'standard' | 'name_mapping';

export type RouteCondition = Condition;

export type RouteCase = {
  if: readonly RouteCondition[];
  channel_ids: readonly number[];
  fallthrough: boolean;
  routing_mode?: RoutingMode | undefined;
  name_mapping_label?: string | undefined;
};

export type RouteRule = {
  cases: readonly RouteCase[];
  default: { channel_ids: readonly number[] };
};

export type CompiledRoute = {
  /**
   * The channels the alert goes to, in order and without repeats. `channelIdByName` resolves the
   * label value of a name-mapping case to a channel of the account; without it such cases yield
   * nothing.
   */
  route(alert: AlertAttributes, channelIdByName?: ReadonlyMap<string, number>): number[];
};

/** Compiles a stored (validated) route once; throws if it holds a key or value that never validated. */
export function compileRoute(rule: RouteRule): CompiledRoute {
  const cases = rule.cases.map((c) => ({
    matches: compileConditions(c.if),
    channelIds: c.channel_ids,
    fallthrough: c.fallthrough,
    mappingLabel: c.routing_mode === 'name_mapping' ? (c.name_mapping_label ?? '') : undefined,
  }));
  const defaults = rule.default.channel_ids;
  return {
    route(alert, channelIdByName) {
      const chosen = new Set<number>();
      for (const c of cases) {
        if (!c.matches(alert)) continue;
        if (c.mappingLabel === undefined) {
          for (const id of c.channelIds) chosen.add(id);
        } else {
          const name = Object.hasOwn(alert.labels, c.mappingLabel) ? alert.labels[c.mappingLabel] : undefined;
          const id = name === undefined ? undefined : channelIdByName?.get(name);
          if (id !== undefined) chosen.add(id);
        }
        if (!c.fallthrough) break;
      }
      return chosen.size > 0 ? [...chosen] : [...new Set(defaults)];
    },
  };
}

/** One-off routing of an alert; compile once with compileRoute when routing many. */
export function routeAlert(
  rule: RouteRule,
  alert: AlertAttributes,
  channelIdByName?: ReadonlyMap<string, number>,
): number[] {
  return compileRoute(rule).route(alert, channelIdByName);
}

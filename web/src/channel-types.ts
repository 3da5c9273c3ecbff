import type { Flapping, Group, WeeklyWindow } from './channel-form.ts';
import type { Filters } from './conditions.ts';

/* The parts of the channel, rule and route answers the configuration pages read (src/channels/, src/integrations/). */

export type Team = { team_id: number; team_name: string };

export type ChannelItem = {
  channel_id: number;
  channel_name: string;
  description: string;
  team_id: number;
  managing_team_ids: number[];
  status: 'enabled' | 'disabled';
  group: Group;
  flapping: Flapping;
  auto_resolve_timeout: number;
  auto_resolve_mode: 'trigger' | 'update';
  is_private: boolean;
  disable_outlier_detection: boolean;
  disable_auto_close: boolean;
  is_external_report_enabled: boolean;
  external_report_token: string;
  updated_at: number;
};

export type RuleKind = 'silence' | 'inhibit' | 'drop';

export type RuleItem = {
  rule_id: string;
  rule_name: string;
  description: string;
  priority: number;
  status: 'enabled' | 'disabled';
  updated_at: number;
  // silence and drop
  filters?: Filters;
  // silence
  time_filter?: { start_time: number; end_time: number };
  time_filters?: WeeklyWindow[];
  is_directly_discard?: boolean;
  is_effective?: boolean;
  // inhibit
  source_filters?: Filters;
  target_filters?: Filters;
  equals?: string[];
};

export type RouteCase = {
  if: { key: string; oper: 'IN' | 'NOTIN'; vals: string[] }[];
  channel_ids: number[];
  fallthrough: boolean;
  routing_mode: 'standard' | 'name_mapping';
  name_mapping_label: string;
};

export type RouteItem = {
  integration_id: number;
  cases: RouteCase[];
  sections: { name: string; position: number }[];
  default: { channel_ids: number[] };
  version: number;
  updated_at: number;
};

export type Integration = {
  integration_id: number;
  name: string;
  plugin_type_name: string;
  channel_id: number;
  status: string;
};

/** A channel's grouping in a few words, for the list. */
export function describeGrouping(group: Group | undefined): string {
  if (!group || group.method === 'n') return 'Not grouped';
  if (group.method === 'i') return 'Similar alerts';
  const keys = (group.equals ?? []).map((set) => set.join(' + '));
  const cases = group.cases?.length ?? 0;
  const parts = [
    keys.length ? `By ${keys.join(' or ')}` : '',
    cases ? `${cases} case${cases > 1 ? 's' : ''}` : '',
  ];
  return parts.filter(Boolean).join(', ') || 'By dimensions';
}

/** The API path of a kind of rule (drop rules are "unsubscribe" rules in Flashduty's API). */
export const RULE_PATH: Record<RuleKind, string> = {
  silence: '/channel/silence/rule',
  inhibit: '/channel/inhibit/rule',
  drop: '/channel/unsubscribe/rule',
};

import type { RestrictPeriod, RotationUnit } from '../schedules/oncall.ts';

/*
 * The neutral plan every source is read into (docs/import.md): what Vigil should hold, in Vigil's
 * own shapes, with references to other source objects by their source ids. The planner resolves
 * the references to Vigil ids and diffs against what Vigil has; nothing here knows a source's API.
 */

export const SOURCES = ['opsgenie', 'pagerduty', 'grafana-oncall'] as const;
export type SourceName = (typeof SOURCES)[number];

export const KINDS = ['users', 'teams', 'schedules', 'escalations', 'integrations'] as const;
export type Kind = (typeof KINDS)[number];

/** Something of the source that is not imported, or not wholly, and why. */
export type Skipped = { kind: string; source_id: string; name: string; reason: string };

export type SeverityChannels = { critical: string[]; warning: string[]; info: string[] };

export type DesiredMember = {
  source_id: string;
  name: string;
  email: string;
  phone?: { country_code: string; number: string } | undefined;
  time_zone?: string | undefined;
  /** Personal notification preferences, when the source's rules have a Vigil equivalent. */
  notify?: SeverityChannels | undefined;
  notes: string[];
};

export type DesiredTeam = {
  source_id: string;
  name: string;
  description: string;
  /** Source user ids. */
  members: string[];
  notes: string[];
};

/** A schedule layer as Vigil stores it, with people named by source user id. */
export type LayerDraft = {
  layer_name: string;
  mode: 0 | 1;
  /** Each group's people (source user ids); an empty group is a turn with nobody. */
  groups: string[][];
  rotation_unit: RotationUnit;
  rotation_value: number;
  handoff_time: number;
  layer_start: number;
  layer_end: number | null;
  restrict_mode: 0 | 1 | 2;
  restrict_periods: RestrictPeriod[];
  cumulative: boolean;
};

/** Who the source says is on call: intervals of source user ids (they may overlap). */
export type SourceShift = { start: number; end: number; users: string[] };

export type DesiredSchedule = {
  source_id: string;
  name: string;
  description: string;
  team?: string | undefined;
  time_zone: string;
  layers: LayerDraft[];
  notes: string[];
  /** Set when the schedule cannot be imported exactly: it is skipped with this reason. */
  unmapped?: string | undefined;
};

export type DesiredChannel = {
  source_id: string;
  name: string;
  description: string;
  /** Source team id; none: the import's own team. */
  team?: string | undefined;
  auto_resolve_timeout?: number | undefined;
  notes: string[];
};

export type TargetDraft = {
  users: string[];
  teams: string[];
  schedules: string[];
};

export type RuleLayerDraft = {
  target: TargetDraft;
  max_times: number;
  notify_step: number;
  escalate_window: number;
  force_escalate: boolean;
};

export type TimeFilterDraft = { start: string; end: string; repeat: number[] };

export type DesiredRule = {
  /** Unique within its channel. */
  source_id: string;
  channel: string;
  name: string;
  description: string;
  priority: number;
  aggr_window: number;
  layers: RuleLayerDraft[];
  time_filters: TimeFilterDraft[];
  /** The zone the source reads the windows in; Vigil reads them in the account's. */
  time_zone?: string | undefined;
  notes: string[];
  unmapped?: string | undefined;
};

export type DesiredIntegration = {
  source_id: string;
  channel: string;
  name: string;
  description: string;
  plugin_type: 'alert.standard' | 'alert.prometheus';
  notes: string[];
};

export type SourceWindow = { start: number; end: number };

/** A source, read lazily; each call reads its part of the source once per run. */
export type Source = {
  name: SourceName;
  users(): Promise<{ users: DesiredMember[]; skipped: Skipped[] }>;
  teams(): Promise<{ teams: DesiredTeam[]; skipped: Skipped[] }>;
  schedules(): Promise<{ schedules: DesiredSchedule[]; skipped: Skipped[] }>;
  /** The source's own final schedule (its "who is on call" API) over a window. */
  oncall(scheduleId: string, window: SourceWindow): Promise<SourceShift[]>;
  escalations(): Promise<{ channels: DesiredChannel[]; rules: DesiredRule[]; skipped: Skipped[] }>;
  integrations(): Promise<{
    channels: DesiredChannel[];
    integrations: DesiredIntegration[];
    skipped: Skipped[];
  }>;
};

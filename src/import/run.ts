import type { Comparison } from './compare.ts';
import type { Kind, Skipped, Source, SourceName } from './model.ts';
import { SourceError } from './source-http.ts';
import { escalationStage, integrationStage } from './stages/channels.ts';
import { newRefs, type StageContext, type UserRefs } from './stages/context.ts';
import { teamStage, userStage } from './stages/people.ts';
import { scheduleStage } from './stages/schedules.ts';
import type { VigilApi } from './vigil-api.ts';
import { VigilError } from './vigil-api.ts';

/*
 * One import (docs/import.md): stages in order — users, teams, schedules, escalations,
 * integrations — each reading its part of the source, planning against what Vigil holds, and (unless
 * planning only) applying, before the next stage starts. A stage that cannot read the source
 * changes nothing; what earlier stages did stays, and the next run picks up where this one stopped.
 */

export type Action = 'create' | 'update' | 'match' | 'unchanged' | 'skip' | 'failed';

export type PlanItem = {
  stage: Kind;
  kind: 'member' | 'team' | 'schedule' | 'channel' | 'escalation rule' | 'integration';
  source_id: string;
  name: string;
  action: Action;
  reason: string;
  notes: string[];
  vigil_id?: number | string | undefined;
  push_url?: string | undefined;
};

export type ScheduleCheck = {
  source_id: string;
  name: string;
  schedule_id?: number | undefined;
  /** Vigil's answer came from the schedule as stored (apply), or from the calculator on the plan. */
  checked: 'stored' | 'planned';
  window: { start: number; end: number };
} & Comparison;

export type ImportReport = {
  source: SourceName;
  mode: 'plan' | 'apply';
  stages: Kind[];
  items: PlanItem[];
  skipped: Skipped[];
  checks: ScheduleCheck[];
  /** Set when a stage stopped the run: nothing of that stage was written. */
  error?: { stage: Kind; message: string; kind: string } | undefined;
  /** Source calls made, and how often it asked to slow down. */
  source_calls: number;
  throttled: number;
};

export type ImportOptions = {
  api: VigilApi;
  source: Source;
  only: readonly Kind[];
  mode: 'plan' | 'apply';
  /** Unix seconds: overrides before it are past, and the on-call check starts there. */
  now: number;
  /** Days the on-call check covers. */
  checkDays?: number;
  onProgress?: (stage: Kind, message: string) => void;
  stats?: () => { calls: number; throttled: number };
};

const STAGES = {
  users: userStage,
  teams: teamStage,
  schedules: scheduleStage,
  escalations: escalationStage,
  integrations: integrationStage,
} as const;

const STAGE_ORDER: Kind[] = ['users', 'teams', 'schedules', 'escalations', 'integrations'];

export async function runImport(options: ImportOptions, refs: UserRefs = newRefs()): Promise<ImportReport> {
  const report: ImportReport = {
    source: options.source.name,
    mode: options.mode,
    stages: [],
    items: [],
    skipped: [],
    checks: [],
    source_calls: 0,
    throttled: 0,
  };
  const ctx: StageContext = {
    api: options.api,
    source: options.source,
    apply: options.mode === 'apply',
    now: options.now,
    checkDays: options.checkDays ?? 56,
    refs,
    report,
    progress: (stage, message) => options.onProgress?.(stage, message),
    handled: new Set(),
  };
  for (const stage of STAGE_ORDER) {
    if (!options.only.includes(stage)) continue;
    ctx.progress(stage, 'reading');
    try {
      await STAGES[stage](ctx);
      report.stages.push(stage);
      ctx.progress(stage, 'done');
    } catch (error) {
      if (error instanceof SourceError || (error instanceof VigilError && error.code === 'Unreachable')) {
        report.error = {
          stage,
          message: error.message,
          kind: error instanceof SourceError ? error.kind : 'vigil',
        };
        ctx.progress(stage, `stopped: ${error.message}`);
        break;
      }
      throw error;
    } finally {
      const stats = options.stats?.();
      if (stats) [report.source_calls, report.throttled] = [stats.calls, stats.throttled];
    }
  }
  return report;
}

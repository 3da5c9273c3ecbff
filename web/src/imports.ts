/*
 * The Import page's pure logic: the sources and their API addresses, the stages in order, and the
 * report (/import/plan, /import/apply) in words. Tested in test/web/imports.test.ts.
 */

export type SourceName = 'pagerduty' | 'opsgenie' | 'grafana-oncall';
export type Stage = 'users' | 'teams' | 'schedules' | 'escalations' | 'integrations';

export const STAGES: { value: Stage; label: string }[] = [
  { value: 'users', label: 'Users → members' },
  { value: 'teams', label: 'Teams' },
  { value: 'schedules', label: 'Schedules' },
  { value: 'escalations', label: 'Escalation policies → channels and rules' },
  { value: 'integrations', label: 'Integrations' },
];

export const SOURCES: { value: SourceName; label: string; urls: string[] }[] = [
  {
    value: 'pagerduty',
    label: 'PagerDuty',
    urls: ['https://api.pagerduty.com', 'https://api.eu.pagerduty.com'],
  },
  { value: 'opsgenie', label: 'Opsgenie', urls: ['https://api.opsgenie.com', 'https://api.eu.opsgenie.com'] },
  { value: 'grafana-oncall', label: 'Grafana OnCall', urls: [] },
];

export type ImportItem = {
  stage: Stage;
  kind: string;
  source_id: string;
  name: string;
  action: 'create' | 'update' | 'match' | 'unchanged' | 'skip' | 'failed';
  reason: string;
  notes: string[];
  vigil_id?: number | string;
  push_url?: string;
};

export type ImportCheck = {
  name: string;
  checked: 'stored' | 'planned';
  window: { start: number; end: number };
  handoffs: number;
  differences: { at: number; until: number; source: string[]; vigil: string[] }[];
};

export type ImportReport = {
  mode: 'plan' | 'apply';
  stages: Stage[];
  items: ImportItem[];
  skipped: { kind: string; source_id: string; name: string; reason: string }[];
  checks: ImportCheck[];
  error?: { stage: Stage; message: string; kind: string };
};

/** The stages chosen, in the order they run. */
export function orderedStages(chosen: readonly Stage[]): Stage[] {
  return STAGES.map((s) => s.value).filter((s) => chosen.includes(s));
}

/** What an action means, as the table says it. */
export const ACTION_WORDS: Record<ImportItem['action'], string> = {
  create: 'Create',
  update: 'Update',
  match: 'Reuse',
  unchanged: 'Unchanged',
  skip: 'Not imported',
  failed: 'Failed',
};

/** Reports of several calls (one per stage when applying) as one. */
export function mergeReports(reports: readonly ImportReport[]): ImportReport | undefined {
  if (reports.length === 0) return undefined;
  return {
    mode: reports[0]!.mode,
    stages: reports.flatMap((r) => r.stages),
    items: reports.flatMap((r) => r.items),
    skipped: reports.flatMap((r) => r.skipped),
    checks: reports.flatMap((r) => r.checks),
    ...(reports.find((r) => r.error) ? { error: reports.find((r) => r.error)!.error! } : {}),
  };
}

/** "3 to create, 1 reused, 2 not imported" for a report. */
export function summarize(report: ImportReport): string {
  const counts = new Map<string, number>();
  for (const item of report.items) counts.set(item.action, (counts.get(item.action) ?? 0) + 1);
  const order: ImportItem['action'][] = ['create', 'update', 'match', 'unchanged', 'skip', 'failed'];
  const verb =
    report.mode === 'plan'
      ? { create: 'to create', update: 'to update' }
      : { create: 'created', update: 'updated' };
  const words: Record<string, string> = {
    ...verb,
    match: 'reused',
    unchanged: 'unchanged',
    skip: 'not imported',
    failed: 'failed',
  };
  const parts = order.filter((a) => counts.get(a)).map((a) => `${counts.get(a)} ${words[a]}`);
  if (report.skipped.length) parts.push(`${report.skipped.length} more not read into Vigil`);
  return parts.join(', ') || 'Nothing to import';
}

/** One schedule's on-call check in words. */
export function describeCheck(check: ImportCheck): string {
  const days = Math.round((check.window.end - check.window.start) / 86_400);
  const n = check.differences.length;
  return `${check.name}: ${check.handoffs} hand-offs over ${days} days compared${check.checked === 'planned' ? ' (as planned)' : ''} — ${n === 0 ? 'no difference' : `${n} difference${n === 1 ? '' : 's'}`}`;
}

import type { AlertAttributes, AlertPredicate } from '../alerts/conditions.ts';
import { renderTitleRule } from '../alerts/title-rule.ts';
import { truncateCodePoints } from '../alerts/truncate.ts';
import type { AlertEventInput } from '../ingest/event.ts';
import { compileAnyOf, type StoredCondition } from './filters.ts';
import type { ProcessingNote } from './notes.ts';

/*
 * Alert pipelines (/alert/pipeline/*): an integration's ordered processing rules, run on each
 * event after label enrichment and before routing (docs/processing.md). Pure apart from the
 * inhibition sources, which the caller loads only when an inhibit rule could apply.
 */

export type PipelineKind =
  | 'title_reset'
  | 'description_reset'
  | 'severity_reset'
  | 'alert_drop'
  | 'alert_inhibit';

export type PipelineRule = {
  kind: PipelineKind;
  if: StoredCondition[][];
  settings: Record<string, unknown>;
};

/** An active alert of the integration that may inhibit an event (alert_inhibit). */
export type InhibitSource = { alert_id: string } & AlertAttributes;

type CompiledRule = { rule: PipelineRule; matches: AlertPredicate; source?: AlertPredicate };

export type CompiledPipeline = { rules: CompiledRule[]; inhibits: boolean };

const MAX_DESCRIPTION_LENGTH = 2048;
const MAX_TITLE_LENGTH = 512;

export function compilePipeline(rules: readonly PipelineRule[]): CompiledPipeline {
  const compiled = rules.map((rule): CompiledRule => {
    const base = { rule, matches: compileAnyOf(rule.if) };
    if (rule.kind !== 'alert_inhibit') return base;
    return { ...base, source: compileAnyOf(rule.settings.source_filters as StoredCondition[][]) };
  });
  return { rules: compiled, inhibits: rules.some((r) => r.kind === 'alert_inhibit') };
}

export type PipelineResult =
  | { dropped: false; event: AlertEventInput; notes: ProcessingNote[] }
  | { dropped: true; reason: 'pipeline_drop' | 'pipeline_inhibit'; notes: ProcessingNote[] };

type Context = {
  integrationId: number;
  integrationType: string;
  integrationName: string;
  /** Active alerts of the integration (last 10 minutes), loaded at most once per event. */
  inhibitSources: () => Promise<readonly InhibitSource[]>;
};

const attributesOf = (event: AlertEventInput, integrationId: number): AlertAttributes => ({
  severity: event.severity,
  title: event.title,
  description: event.description,
  labels: event.labels,
  alert_key: event.alertKey,
  integration_id: integrationId,
});

/** Renders a title or description template (`[TPL]{{.Labels.x}} {{.Title}}`); plain text stays as it is. */
function render(template: string, event: AlertEventInput, ctx: Context, limit: number): string {
  const text = renderTitleRule(template, {
    labels: event.labels,
    description: event.description,
    severity: event.severity,
    status: event.status,
    alertKey: event.alertKey,
    integrationType: ctx.integrationType,
    integrationName: ctx.integrationName,
    title: event.title,
  });
  return truncateCodePoints(text, limit);
}

/** Whether an equal-valued, source-matching active alert inhibits the event. */
function inhibitor(
  equals: readonly string[],
  source: AlertPredicate,
  event: AlertEventInput,
  sources: readonly InhibitSource[],
): InhibitSource | undefined {
  return sources.find(
    (s) =>
      s.alert_key !== event.alertKey &&
      source(s) &&
      equals.every((key) => {
        const mine = event.labels[key];
        return mine !== undefined && mine !== '' && s.labels[key] === mine;
      }),
  );
}

/**
 * Runs the rules top to bottom, each on the result of the ones before. Recoveries (Ok) skip the
 * pipeline entirely, as Flashduty's do, so an alert can always recover. A drop or an inhibition
 * ends the run.
 */
export async function runPipeline(
  pipeline: CompiledPipeline,
  input: AlertEventInput,
  ctx: Context,
): Promise<PipelineResult> {
  const notes: ProcessingNote[] = [];
  if (input.status === 'Ok') return { dropped: false, event: input, notes };
  let event = input;
  for (const [index, { rule, matches, source }] of pipeline.rules.entries()) {
    if (!matches(attributesOf(event, ctx.integrationId))) continue;
    const note = { stage: 'pipeline' as const, rule: index, kind: rule.kind };
    switch (rule.kind) {
      case 'title_reset': {
        const title = render(String(rule.settings.title), event, ctx, MAX_TITLE_LENGTH);
        if (title !== event.title)
          notes.push({ ...note, field: 'title', action: 'changed', from: event.title, to: title });
        event = { ...event, title };
        break;
      }
      case 'description_reset': {
        const description = render(String(rule.settings.description), event, ctx, MAX_DESCRIPTION_LENGTH);
        if (description !== event.description)
          notes.push({
            ...note,
            field: 'description',
            action: 'changed',
            from: event.description,
            to: description,
          });
        event = { ...event, description };
        break;
      }
      case 'severity_reset': {
        const severity = rule.settings.severity as AlertEventInput['severity'];
        if (severity !== event.severity)
          notes.push({ ...note, field: 'severity', action: 'changed', from: event.severity, to: severity });
        // A firing event's status is its severity (docs/ingest.md): both change together.
        event = { ...event, severity, status: severity };
        break;
      }
      case 'alert_drop':
        notes.push({ ...note, action: 'dropped' });
        return { dropped: true, reason: 'pipeline_drop', notes };
      case 'alert_inhibit': {
        const by = inhibitor(rule.settings.equals as string[], source!, event, await ctx.inhibitSources());
        if (by) {
          notes.push({ ...note, action: 'inhibited', by_alert_id: by.alert_id });
          return { dropped: true, reason: 'pipeline_inhibit', notes };
        }
        break;
      }
    }
  }
  return { dropped: false, event, notes };
}

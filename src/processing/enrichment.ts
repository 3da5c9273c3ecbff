import { type AlertPredicate, compileConditions } from '../alerts/conditions.ts';
import { compileExtractor } from '../alerts/patterns.ts';
import { renderTitleRule } from '../alerts/title-rule.ts';
import { truncateCodePoints } from '../alerts/truncate.ts';
import { type AlertEventInput, INGEST_LIMITS } from '../ingest/event.ts';
import type { StoredCondition } from './filters.ts';
import type { ProcessingNote } from './notes.ts';

/*
 * Label enrichment (/enrichment/*): an integration's ordered rules that add, change or remove
 * labels of each event before its pipeline and routing (docs/processing.md). Pure, apart from the
 * mapping look-ups the caller provides (a mapping table in memory, a mapping API over HTTP).
 */

export type EnrichKind = 'extraction' | 'composition' | 'mapping' | 'drop';

export type EnrichRule = { kind: EnrichKind; if: StoredCondition[]; settings: Record<string, unknown> };

/** A look-up's answer: the result labels found (none: no row), or why it failed. */
export type Lookup = { labels: Record<string, string> } | { error: string };

export type EnrichContext = {
  integrationId: number;
  integrationType: string;
  integrationName: string;
  lookupTable: (schemaId: string, labels: Readonly<Record<string, string>>) => Promise<Lookup>;
  callApi: (apiId: string, event: AlertEventInput, resultLabels: readonly string[]) => Promise<Lookup>;
};

type Compiled = {
  rule: EnrichRule;
  matches: AlertPredicate;
  /** extraction: the value taken from the source text, if any. */
  extract?: (text: string) => string | undefined;
  /** composition: the template in title-rule syntax. */
  template?: string;
};

export type CompiledEnrichment = { rules: Compiled[] };

/** Composition templates name fields in lower case (`{{.labels.env}}`); the title renderer's are capitalised. */
function compositionTemplate(template: string): string {
  const body = template.replace(/\{\{[^}]*\}\}/g, (action) =>
    action
      .replace(/\.labels\b/g, '.Labels')
      .replace(/\.title\b/g, '.Title')
      .replace(/\.description\b/g, '.Description'),
  );
  return `[TPL]${body}`;
}

/** A GJson-style path (`a.b.0.c`; `\.` for a dot in a key) into a JSON text; objects come back as JSON. */
function jsonPath(path: string): (text: string) => string | undefined {
  const keys = path.split(/(?<!\\)\./).map((key) => key.replace(/\\\./g, '.'));
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    for (const key of keys) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    if (value === null || value === undefined) return undefined;
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
}

/** Compiles validated rules; a stored pattern that no longer compiles throws, naming it. */
export function compileEnrichment(rules: readonly EnrichRule[]): CompiledEnrichment {
  return {
    rules: rules.map((rule): Compiled => {
      const base = { rule, matches: compileConditions(rule.if) };
      if (rule.kind === 'extraction') {
        const pattern = rule.settings.pattern;
        if (typeof pattern === 'string' && pattern !== '') {
          const extract = compileExtractor(pattern);
          if (typeof extract === 'string') throw new Error(`enrichment pattern ${pattern}: ${extract}`);
          return { ...base, extract };
        }
        return { ...base, extract: jsonPath(String(rule.settings.g_json)) };
      }
      if (rule.kind === 'composition')
        return { ...base, template: compositionTemplate(String(rule.settings.template)) };
      return base;
    }),
  };
}

function sourceText(event: AlertEventInput, field: string): string | undefined {
  if (field === 'title') return event.title;
  if (field === 'description') return event.description;
  const name = field.slice('labels.'.length);
  return Object.hasOwn(event.labels, name) ? event.labels[name] : undefined;
}

/** Sets labels, noting each addition or change; an existing label is kept unless `override`. */
function setLabels(
  labels: Record<string, string>,
  found: Readonly<Record<string, string>>,
  override: boolean,
  note: Omit<ProcessingNote, 'label'>,
  notes: ProcessingNote[],
): void {
  for (const [label, raw] of Object.entries(found)) {
    const value = truncateCodePoints(raw, INGEST_LIMITS.labelValue);
    const had = Object.hasOwn(labels, label);
    if (value === '' || (had && (!override || labels[label] === value))) continue;
    if (!had && Object.keys(labels).length >= INGEST_LIMITS.labels) {
      notes.push({
        ...note,
        label,
        action: 'failed',
        error: `the event already has ${INGEST_LIMITS.labels} labels`,
      });
      continue;
    }
    notes.push(
      had
        ? { ...note, label, action: 'changed', from: labels[label]!, to: value }
        : { ...note, label, action: 'added', to: value },
    );
    labels[label] = value;
  }
}

/**
 * Runs the rules top to bottom, each seeing the labels the ones before produced. A rule whose `if`
 * does not match, or that finds nothing, does nothing. A mapping look-up that fails leaves the
 * labels as they were and says why in the notes; the event always goes on.
 */
export async function runEnrichment(
  enrichment: CompiledEnrichment,
  input: AlertEventInput,
  ctx: EnrichContext,
): Promise<{ event: AlertEventInput; notes: ProcessingNote[] }> {
  const notes: ProcessingNote[] = [];
  if (enrichment.rules.length === 0) return { event: input, notes };
  const labels = { ...input.labels };
  const current = (): AlertEventInput => ({ ...input, labels });
  for (const [index, compiled] of enrichment.rules.entries()) {
    const { rule } = compiled;
    const event = current();
    const attributes = {
      severity: event.severity,
      title: event.title,
      description: event.description,
      labels,
      alert_key: event.alertKey,
      integration_id: ctx.integrationId,
    };
    if (!compiled.matches(attributes)) continue;
    const note = { stage: 'enrichment' as const, rule: index, kind: rule.kind };
    const override = rule.settings.override === true;
    switch (rule.kind) {
      case 'extraction': {
        const text = sourceText(event, String(rule.settings.source_field));
        const value = text === undefined ? undefined : compiled.extract!(text);
        if (value !== undefined)
          setLabels(labels, { [String(rule.settings.result_label)]: value }, override, note, notes);
        break;
      }
      case 'composition': {
        const value = renderTitleRule(compiled.template!, {
          labels,
          description: event.description,
          severity: event.severity,
          status: event.status,
          alertKey: event.alertKey,
          integrationType: ctx.integrationType,
          integrationName: ctx.integrationName,
          title: event.title,
        });
        setLabels(labels, { [String(rule.settings.result_label)]: value }, override, note, notes);
        break;
      }
      case 'mapping': {
        const wanted = rule.settings.result_labels as string[];
        const found =
          rule.settings.mapping_type === 'api'
            ? await ctx.callApi(String(rule.settings.api_id), event, wanted)
            : await ctx.lookupTable(String(rule.settings.schema_id), labels);
        if ('error' in found) {
          notes.push({ ...note, action: 'failed', error: found.error });
          break;
        }
        const picked = Object.fromEntries(
          wanted
            .filter((key) => typeof found.labels[key] === 'string')
            .map((key) => [key, found.labels[key]!]),
        );
        setLabels(labels, picked, override, note, notes);
        break;
      }
      case 'drop':
        for (const label of rule.settings.drop_labels as string[]) {
          if (!Object.hasOwn(labels, label)) continue;
          notes.push({ ...note, label, action: 'removed', from: labels[label]! });
          delete labels[label];
        }
        break;
    }
  }
  return { event: current(), notes };
}

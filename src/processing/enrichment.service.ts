import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import { conditionKeyProblem } from '../alerts/conditions.ts';
import { compileExtractor } from '../alerts/patterns.ts';
import type { Db } from '../db/db.ts';
import { invalidParameter } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { ENRICH_LIMITS, type EnrichmentItem, type EnrichmentUpsertRequest } from './enrichment.schemas.ts';
import type { EnrichKind, EnrichRule } from './enrichment.ts';
import { checkConditions } from './filters.ts';
import { requireAlertIntegration } from './pipeline.service.ts';
import { processingChanged } from './processing-cache.ts';
import { listRuleSets, type RuleSetRow, upsertRuleSet } from './rule-sets.store.ts';

/* Label enrichment rule sets of integrations: validation, tenancy and the API shape (docs/processing.md). */

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];
type Item = Static<typeof EnrichmentItem>;
type RuleInput = Static<typeof EnrichmentUpsertRequest>['rules'][number];
type Settings = Record<string, unknown>;

/** Result label names, as the document requires. */
const RESULT_LABEL = /^[a-z][a-z0-9_]{0,62}$/;
const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

function optionalString(settings: Settings, field: string, name: string): string | undefined {
  const value = settings[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${field}.${name}`, 'must be a string');
  return value;
}

function resultLabel(settings: Settings, field: string): string {
  const value = settings.result_label;
  if (typeof value !== 'string' || !RESULT_LABEL.test(value)) {
    throw invalidParameter(`${field}.result_label`, 'is required and must match ^[a-z][a-z0-9_]{0,62}$');
  }
  return value;
}

function override(settings: Settings, field: string): boolean {
  const value = settings.override ?? false;
  if (typeof value !== 'boolean') throw invalidParameter(`${field}.override`, 'must be true or false');
  return value;
}

function labelList(settings: Settings, field: string, name: string, max: number, pattern?: RegExp): string[] {
  const value = settings[name];
  if (!Array.isArray(value) || value.length === 0 || value.length > max) {
    throw invalidParameter(`${field}.${name}`, `is required: 1 to ${max} label keys`);
  }
  value.forEach((key, i) => {
    const bad =
      typeof key !== 'string' ||
      key === '' ||
      (pattern ? !pattern.test(key) : conditionKeyProblem(`labels.${key}`));
    if (bad) {
      throw invalidParameter(
        `${field}.${name}[${i}]`,
        pattern ? `must match ${pattern.source}` : 'must be a label key',
      );
    }
  });
  return [...new Set(value as string[])];
}

function extraction(settings: Settings, field: string): Settings {
  const source = settings.source_field;
  const sourceOk =
    source === 'title' ||
    source === 'description' ||
    (typeof source === 'string' && source.startsWith('labels.') && !conditionKeyProblem(source));
  if (!sourceOk) {
    throw invalidParameter(`${field}.source_field`, 'must be title, description or labels.<name>');
  }
  const pattern = optionalString(settings, field, 'pattern');
  const gJson = optionalString(settings, field, 'g_json');
  if ((pattern === undefined) === (gJson === undefined)) {
    throw invalidParameter(
      `${field}.pattern`,
      'send exactly one of pattern (an RE2 regex) and g_json (a JSON path)',
    );
  }
  if (pattern !== undefined) {
    if (pattern.length > ENRICH_LIMITS.pattern) {
      throw invalidParameter(`${field}.pattern`, `must be at most ${ENRICH_LIMITS.pattern} characters`);
    }
    const compiled = compileExtractor(pattern);
    if (typeof compiled === 'string') throw invalidParameter(`${field}.pattern`, compiled);
  }
  if (
    gJson !== undefined &&
    (gJson.length > ENRICH_LIMITS.pattern || gJson.startsWith('.') || gJson.endsWith('.'))
  ) {
    throw invalidParameter(`${field}.g_json`, 'must be a path such as a.b.0.c');
  }
  return {
    source_field: source,
    result_label: resultLabel(settings, field),
    ...(pattern !== undefined ? { pattern } : { g_json: gJson }),
    override: override(settings, field),
  };
}

function composition(settings: Settings, field: string): Settings {
  const template = settings.template;
  if (typeof template !== 'string' || template.trim() === '' || template.length > ENRICH_LIMITS.template) {
    throw invalidParameter(`${field}.template`, `is required: 1 to ${ENRICH_LIMITS.template} characters`);
  }
  return { result_label: resultLabel(settings, field), template, override: override(settings, field) };
}

async function mapping(q: Executor, accountId: number, settings: Settings, field: string): Promise<Settings> {
  const type = settings.mapping_type ?? 'schema';
  if (type !== 'schema' && type !== 'api')
    throw invalidParameter(`${field}.mapping_type`, 'must be schema or api');
  const resultLabels = labelList(settings, field, 'result_labels', ENRICH_LIMITS.resultLabels, RESULT_LABEL);
  const idName = type === 'schema' ? 'schema_id' : 'api_id';
  const id = settings[idName];
  if (typeof id !== 'string' || !OBJECT_ID.test(id)) {
    throw invalidParameter(`${field}.${idName}`, `is required when mapping_type is ${type}: a 24-hex id`);
  }
  if (type === 'schema') {
    const schema = await q
      .selectFrom('mapping_schemas')
      .select('result_labels')
      .where('account_id', '=', accountId)
      .where('schema_id', '=', id.toLowerCase())
      .executeTakeFirst();
    if (!schema) throw invalidParameter(`${field}.schema_id`, `mapping schema ${id} does not exist`);
    const missing = resultLabels.find((label) => !schema.result_labels.includes(label));
    if (missing) {
      throw invalidParameter(
        `${field}.result_labels`,
        `${missing} is not a result label of mapping schema ${id}`,
      );
    }
  } else {
    const api = await q
      .selectFrom('mapping_apis')
      .select('api_id')
      .where('account_id', '=', accountId)
      .where('api_id', '=', id.toLowerCase())
      .executeTakeFirst();
    if (!api) throw invalidParameter(`${field}.api_id`, `mapping API ${id} does not exist`);
  }
  return {
    mapping_type: type,
    [idName]: id.toLowerCase(),
    result_labels: resultLabels,
    override: override(settings, field),
  };
}

async function checkSettings(
  q: Executor,
  accountId: number,
  kind: EnrichKind,
  settings: Settings,
  field: string,
) {
  switch (kind) {
    case 'extraction':
      return extraction(settings, field);
    case 'composition':
      return composition(settings, field);
    case 'mapping':
      return mapping(q, accountId, settings, field);
    case 'drop':
      return { drop_labels: labelList(settings, field, 'drop_labels', ENRICH_LIMITS.dropLabels) };
  }
}

/** Checks the whole list (the first bad field is named) before anything is stored. */
async function checkRules(
  q: Executor,
  accountId: number,
  rules: readonly RuleInput[],
): Promise<EnrichRule[]> {
  const checked: EnrichRule[] = [];
  for (const [i, rule] of rules.entries()) {
    checked.push({
      kind: rule.kind,
      if: checkConditions(`rules[${i}].if`, rule.if ?? []),
      settings: await checkSettings(q, accountId, rule.kind, rule.settings, `rules[${i}].settings`),
    });
  }
  return checked;
}

export async function upsertEnrichment(
  deps: Deps,
  actor: Actor,
  request: Static<typeof EnrichmentUpsertRequest>,
): Promise<void> {
  await requireAlertIntegration(deps.db.q, actor.accountId, request.integration_id);
  const rules = await checkRules(deps.db.q, actor.accountId, request.rules);
  await upsertRuleSet(deps.db.q, 'enrichment_rule_sets', {
    accountId: actor.accountId,
    integrationId: request.integration_id,
    memberId: actor.memberId,
    now: nowSeconds(deps.clock),
    rules,
  });
  processingChanged();
}

function toItem(row: RuleSetRow): Item {
  return {
    integration_id: row.integration_id,
    rules: row.rules as Item['rules'],
    status: row.status,
    creator_id: row.creator_id,
    updated_by: row.updated_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function enrichmentInfo(deps: Deps, actor: Actor, integrationId: number): Promise<Item | null> {
  await requireAlertIntegration(deps.db.q, actor.accountId, integrationId);
  const [row] = await listRuleSets(deps.db.q, 'enrichment_rule_sets', actor.accountId, [integrationId]);
  return row ? toItem(row) : null;
}

export async function listEnrichments(
  deps: Deps,
  actor: Actor,
  integrationIds: readonly number[],
): Promise<Item[]> {
  return (await listRuleSets(deps.db.q, 'enrichment_rule_sets', actor.accountId, integrationIds)).map(toItem);
}

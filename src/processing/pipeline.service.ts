import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import { conditionKeyProblem } from '../alerts/conditions.ts';
import type { Db } from '../db/db.ts';
import { isAlertIntegration } from '../integrations/integrations.service.ts';
import { getIntegration } from '../integrations/integrations.store.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { checkConditions } from './filters.ts';
import { PIPELINE_LIMITS, type PipelineItem, type PipelineUpsertRequest } from './pipeline.schemas.ts';
import type { PipelineKind, PipelineRule } from './pipeline.ts';
import { processingChanged } from './processing-cache.ts';
import { listRuleSets, type RuleSetRow, upsertRuleSet } from './rule-sets.store.ts';

/* Alert pipelines of integrations: validation, tenancy and the API shape (docs/processing.md). */

type Deps = { db: Db; clock: Clock };
type Item = Static<typeof PipelineItem>;
type RuleInput = Static<typeof PipelineUpsertRequest>['rules'][number];
type Filters = NonNullable<RuleInput['if']>;

const SEVERITIES = ['Critical', 'Warning', 'Info'];

function checkFilters(field: string, groups: Filters | undefined) {
  return (groups ?? []).map((group, i) => checkConditions(`${field}[${i}]`, group));
}

function text(settings: Record<string, unknown>, field: string, name: string): string {
  const value = settings[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidParameter(`${field}.${name}`, 'is required: a non-empty string (a [TPL] template or text)');
  }
  if (value.length > PIPELINE_LIMITS.template) {
    throw invalidParameter(`${field}.${name}`, `must be at most ${PIPELINE_LIMITS.template} characters`);
  }
  return value;
}

/** The settings a kind takes, checked and copied; anything else sent is ignored. */
function checkSettings(
  kind: PipelineKind,
  settings: Record<string, unknown>,
  field: string,
): Record<string, unknown> {
  switch (kind) {
    case 'title_reset':
      return { title: text(settings, field, 'title') };
    case 'description_reset':
      return { description: text(settings, field, 'description') };
    case 'severity_reset': {
      const severity = settings.severity;
      if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) {
        throw invalidParameter(`${field}.severity`, `is required: one of ${SEVERITIES.join(', ')}`);
      }
      return { severity };
    }
    case 'alert_drop':
      return {};
    case 'alert_inhibit': {
      const equals = settings.equals;
      if (!Array.isArray(equals) || equals.length === 0 || equals.length > PIPELINE_LIMITS.equals) {
        throw invalidParameter(`${field}.equals`, `is required: 1 to ${PIPELINE_LIMITS.equals} label keys`);
      }
      equals.forEach((key, i) => {
        if (typeof key !== 'string' || key === '' || conditionKeyProblem(`labels.${key}`)) {
          throw invalidParameter(`${field}.equals[${i}]`, 'must be a label key (without "labels.")');
        }
      });
      const sources = settings.source_filters;
      if (!Array.isArray(sources) || sources.length === 0) {
        throw invalidParameter(`${field}.source_filters`, 'is required: at least one group of conditions');
      }
      const groups = sources.map((group, i) => {
        if (!Array.isArray(group) || group.length === 0) {
          throw invalidParameter(`${field}.source_filters[${i}]`, 'must be a non-empty list of conditions');
        }
        return checkConditions(
          `${field}.source_filters[${i}]`,
          group.map((c, j) => conditionShape(c, `${field}.source_filters[${i}][${j}]`)),
        );
      });
      return { equals: [...new Set(equals as string[])], source_filters: groups };
    }
  }
}

/** A condition inside free-form settings, which the request schema could not type. */
function conditionShape(value: unknown, field: string) {
  const c = value as { key?: unknown; oper?: unknown; vals?: unknown };
  if (typeof c !== 'object' || c === null) throw invalidParameter(field, 'must be {key, oper, vals}');
  if (typeof c.key !== 'string' || c.key === '') throw invalidParameter(`${field}.key`, 'is required');
  if (c.oper !== 'IN' && c.oper !== 'NOTIN') throw invalidParameter(`${field}.oper`, 'must be IN or NOTIN');
  if (!Array.isArray(c.vals) || c.vals.length === 0 || !c.vals.every((v) => typeof v === 'string')) {
    throw invalidParameter(`${field}.vals`, 'must be a non-empty list of strings');
  }
  return { key: c.key, oper: c.oper as 'IN' | 'NOTIN', vals: c.vals as string[] };
}

/** Checks the whole list before anything is stored; the first bad field is named. */
function checkPipelineRules(rules: readonly RuleInput[]): PipelineRule[] {
  return rules.map((rule, i) => ({
    kind: rule.kind,
    if: checkFilters(`rules[${i}].if`, rule.if),
    settings: checkSettings(rule.kind, rule.settings ?? {}, `rules[${i}].settings`),
  }));
}

/** The integration must be a live alert integration of the caller's account. */
export async function requireAlertIntegration(q: Db['q'], accountId: number, integrationId: number) {
  const integration = await getIntegration(q, accountId, integrationId);
  if (!integration) throw notFound(`integration ${integrationId}`);
  if (!isAlertIntegration(integration.plugin_type)) {
    throw invalidParameter('integration_id', 'a change integration has no alert processing');
  }
  return integration;
}

export async function upsertPipeline(
  deps: Deps,
  actor: Actor,
  request: Static<typeof PipelineUpsertRequest>,
): Promise<void> {
  const rules = checkPipelineRules(request.rules);
  await requireAlertIntegration(deps.db.q, actor.accountId, request.integration_id);
  await upsertRuleSet(deps.db.q, 'alert_pipelines', {
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

/** Null when the integration has no pipeline yet (as the document says). */
export async function pipelineInfo(deps: Deps, actor: Actor, integrationId: number): Promise<Item | null> {
  await requireAlertIntegration(deps.db.q, actor.accountId, integrationId);
  const [row] = await listRuleSets(deps.db.q, 'alert_pipelines', actor.accountId, [integrationId]);
  return row ? toItem(row) : null;
}

/** The pipelines of those integrations that have one; ids of other accounts are simply absent. */
export async function listPipelines(
  deps: Deps,
  actor: Actor,
  integrationIds: readonly number[],
): Promise<Item[]> {
  const rows = await listRuleSets(deps.db.q, 'alert_pipelines', actor.accountId, integrationIds);
  return rows.map(toItem);
}

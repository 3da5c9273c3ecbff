import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { isAlertIntegration, requireIntegrationsManage } from './integrations.service.ts';
import { getIntegration, liveChannelIds } from './integrations.store.ts';
import { conditionKeyProblem, conditionValueProblem, type RouteCase } from './route-match.ts';
import type { RouteItem, RouteUpsertRequest } from './routes.schemas.ts';
import {
  getRoutes,
  insertFirstRoute,
  type RouteContent,
  type RouteRow,
  updateRouteAtVersion,
  upsertRoute as upsertRouteRow,
} from './routes.store.ts';

type Deps = { db: Db; clock: Clock };
type UpsertRequest = Static<typeof RouteUpsertRequest>;

/** A case as stored and returned: routing_mode and name_mapping_label always present. */
type StoredCase = RouteCase & {
  if: { key: string; oper: 'IN' | 'NOTIN'; vals: string[] }[];
  channel_ids: number[];
  routing_mode: 'standard' | 'name_mapping';
  name_mapping_label: string;
};
type StoredSection = { name: string; position: number };

/** Checks everything that needs no database, and returns the route as it will be stored. */
function checkRoute(request: UpsertRequest): RouteContent & { cases: StoredCase[] } {
  if (request.cases === undefined && request.default === undefined) {
    throw invalidParameter('cases', 'send cases, default or both');
  }
  const cases = (request.cases ?? []).map((c, i): StoredCase => {
    const mode = c.routing_mode ?? 'standard';
    const label = (c.name_mapping_label ?? '').trim();
    if (mode === 'standard' && c.channel_ids.length === 0) {
      throw invalidParameter(`cases[${i}].channel_ids`, 'at least one channel is required');
    }
    if (mode === 'name_mapping') {
      if (label === '') {
        throw invalidParameter(
          `cases[${i}].name_mapping_label`,
          'is required when routing_mode is name_mapping',
        );
      }
      if (c.channel_ids.length > 0) {
        throw invalidParameter(
          `cases[${i}].channel_ids`,
          'must be empty when routing_mode is name_mapping (the label value names the channel)',
        );
      }
    }
    c.if.forEach((condition, j) => {
      const keyProblem = conditionKeyProblem(condition.key);
      if (keyProblem) throw invalidParameter(`cases[${i}].if[${j}].key`, keyProblem);
      condition.vals.forEach((val, k) => {
        const valueProblem = conditionValueProblem(condition.key, val);
        if (valueProblem) throw invalidParameter(`cases[${i}].if[${j}].vals[${k}]`, valueProblem);
      });
    });
    return {
      if: c.if.map((condition) => ({ key: condition.key, oper: condition.oper, vals: condition.vals })),
      channel_ids: c.channel_ids,
      fallthrough: c.fallthrough,
      routing_mode: mode,
      name_mapping_label: label,
    };
  });
  const names = new Set<string>();
  const sections = (request.sections ?? []).map((s, i): StoredSection => {
    if (names.has(s.name)) throw invalidParameter(`sections[${i}].name`, 'another section has this name');
    names.add(s.name);
    if (s.position > cases.length) {
      throw invalidParameter(
        `sections[${i}].position`,
        `must be from 0 to ${cases.length} (the number of cases)`,
      );
    }
    return { name: s.name, position: s.position };
  });
  return { cases, sections, defaultChannelIds: request.default?.channel_ids ?? [] };
}

/** Every channel a route names must be a live channel of the caller's account. */
async function checkChannels(
  q: Db['q'],
  accountId: number,
  content: { cases: StoredCase[]; defaultChannelIds: number[] },
): Promise<void> {
  const named: [field: string, ids: number[]][] = [
    ...content.cases.map((c, i): [string, number[]] => [`cases[${i}].channel_ids`, c.channel_ids]),
    ['default.channel_ids', content.defaultChannelIds],
  ];
  const live = await liveChannelIds(
    q,
    accountId,
    named.flatMap(([, ids]) => ids),
  );
  for (const [field, ids] of named) {
    const missing = ids.find((id) => !live.has(id));
    if (missing !== undefined) throw invalidParameter(field, `channel ${missing} does not exist`);
  }
}

function staleVersion(integrationId: number, version: number): AppError {
  return new AppError(
    'BadRequest',
    `The route of integration ${integrationId} has changed since version ${version} was read; ` +
      'reload it with /route/info and apply your change again.',
  );
}

/**
 * Creates or replaces the route of a live shared alert integration. `version`, when sent, is the
 * version the client read (0: no route yet); the write happens only if the route is still at that
 * version — one conditional statement, so of two concurrent writers with the same version exactly
 * one wins. Without `version` the route is replaced whatever its version. Each write adds 1.
 */
export async function upsertRoute(deps: Deps, actor: Actor, request: UpsertRequest): Promise<void> {
  requireIntegrationsManage(actor);
  const content = checkRoute(request);
  const integrationId = request.integration_id;
  await deps.db.q.transaction().execute(async (trx) => {
    const integration = await getIntegration(trx, actor.accountId, integrationId, 'share');
    if (!integration) throw notFound(`integration ${integrationId}`);
    if (!isAlertIntegration(integration.plugin_type)) {
      throw invalidParameter('integration_id', 'a change integration has no route');
    }
    if (integration.channel_id !== 0) {
      throw invalidParameter(
        'integration_id',
        `the integration is private (it feeds channel ${integration.channel_id}); only shared integrations have routes`,
      );
    }
    await checkChannels(trx, actor.accountId, content);
    const write = {
      accountId: actor.accountId,
      integrationId,
      memberId: actor.memberId,
      now: nowSeconds(deps.clock),
      content,
    };
    if (request.version === undefined) {
      await upsertRouteRow(trx, write);
      return;
    }
    const written =
      request.version === 0
        ? await insertFirstRoute(trx, write)
        : await updateRouteAtVersion(trx, write, request.version);
    if (written === undefined) throw staleVersion(integrationId, request.version);
  });
}

function toRouteItem(row: RouteRow): Static<typeof RouteItem> {
  return {
    integration_id: row.integration_id,
    cases: row.cases as StoredCase[],
    sections: row.sections as StoredSection[],
    default: { channel_ids: row.default_channel_ids },
    status: 'enabled',
    version: row.version,
    updated_by: row.updated_by,
    creator_id: row.creator_id,
    deleted_at: 0,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The route of a live integration of the account; an integration without one has the empty route (version 0). */
export async function getRouteItem(
  deps: Deps,
  actor: Actor,
  integrationId: number,
): Promise<Static<typeof RouteItem>> {
  const [integration, routes] = await Promise.all([
    getIntegration(deps.db.q, actor.accountId, integrationId),
    getRoutes(deps.db.q, actor.accountId, [integrationId]),
  ]);
  if (!integration) throw notFound(`integration ${integrationId}`);
  const row = routes[0];
  if (row) return toRouteItem(row);
  return {
    integration_id: integrationId,
    cases: [],
    sections: [],
    default: { channel_ids: [] },
    status: 'enabled',
    version: 0,
    updated_by: 0,
    creator_id: 0,
    deleted_at: 0,
    created_at: 0,
    updated_at: 0,
  };
}

/** Stored routes of those named integrations that are live in the account, in the order asked. */
export async function listRouteItems(
  deps: Deps,
  actor: Actor,
  integrationIds: readonly number[],
): Promise<Static<typeof RouteItem>[]> {
  const rows = await getRoutes(deps.db.q, actor.accountId, integrationIds);
  const byId = new Map(rows.map((row) => [row.integration_id, row]));
  return [...new Set(integrationIds)].flatMap((id) => {
    const row = byId.get(id);
    return row ? [toRouteItem(row)] : [];
  });
}

import { expect } from 'vitest';
import { documentedOperation, schemaErrors } from '../conformance/schemas.ts';
import type { ApiResponse, TestAccount, TestApp } from '../harness/app.ts';
import { newIntegration, pushStandard } from '../ingest/helpers.ts';

/*
 * Helpers of the incident and alert read tests (test/incidents/read.test.ts,
 * test/alerts/read.test.ts): sources of events, pushes, and checks against Flashduty's documents.
 */

let counter = 0;
const unique = (prefix: string) => {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
};

/** A team of the account with these members; returns its id. */
export async function newTeam(t: TestApp, account: TestAccount, personIds: number[] = []): Promise<number> {
  const res = await t.post(
    '/team/upsert',
    { team_name: unique('team'), ...(personIds.length > 0 ? { person_ids: personIds } : {}) },
    account.appKey,
  );
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return res.body.data.team_id;
}

/** A channel with a private standard integration: where test alerts and incidents come from. */
export type Source = { channelId: number; integrationId: number; key: string; teamId: number };

export async function newSource(
  t: TestApp,
  account: TestAccount,
  options: { teamId?: number; channel?: Record<string, unknown> } = {},
): Promise<Source> {
  const teamId = options.teamId ?? (await newTeam(t, account));
  const channel = await t.post(
    '/channel/create',
    { team_id: teamId, channel_name: unique('channel'), ...options.channel },
    account.appKey,
  );
  if (channel.status !== 200) throw new Error(JSON.stringify(channel.body));
  const channelId = channel.body.data.channel_id as number;
  const { integrationId, key } = await newIntegration(t, account, 'alert.standard', channelId);
  return { channelId, integrationId, key, teamId };
}

/** Pushes one event (Warning unless told) and returns the alert it made or changed, and its incident. */
export async function push(
  t: TestApp,
  source: Source,
  event: Record<string, unknown> = {},
): Promise<{ alertId: string; incidentId: string; alertKey: string }> {
  const alertKey = (event.alert_key as string | undefined) ?? unique('key');
  const res = await pushStandard(t, source.key, {
    event_status: 'Warning',
    title_rule: `Alert ${alertKey}`,
    ...event,
    alert_key: alertKey,
  });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  const row = await t.db.q
    .selectFrom('alerts')
    .select(['alert_id', 'incident_id'])
    .where('integration_id', '=', source.integrationId)
    .where('alert_key', '=', alertKey)
    .orderBy('created_at', 'desc')
    .orderBy('alert_id', 'desc')
    .executeTakeFirstOrThrow();
  return { alertId: row.alert_id, incidentId: row.incident_id!, alertKey };
}

/** Unix seconds of the test clock. */
export const nowOf = (t: TestApp) => Math.floor(t.clock.nowMs() / 1000);

/** Expects an InvalidParameter answer whose message names `field`. */
export function expectInvalid(res: ApiResponse, field: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error?.code).toBe('InvalidParameter');
  expect(res.body.error?.message).toContain(`parameter ${field} `);
}

export function expectNotFound(res: ApiResponse): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error?.code).toBe('ResourceNotFound');
}

/** Errors of a whole response body against the documented 200 schema of the operation. */
export function documentedErrors(path: string, body: unknown): string[] {
  return schemaErrors(documentedOperation(path, 'post')!.response, body);
}

/**
 * Errors of a feed response against its documented 200 schema. The fixture already holds each
 * entry's `detail` to the schema its `type` maps to (scripts/trim-openapi.ts lifts the OpenAPI
 * discriminator into if/then rules); `extraTypes` are entry types Vigil writes that the
 * document's enum lacks (their `detail` is unconstrained).
 */
export function feedErrors(path: '/incident/feed' | '/alert/feed', body: unknown, extraTypes: string[] = []) {
  const schema = structuredClone(documentedOperation(path, 'post')!.response) as any;
  const item = schema.allOf[1].properties.data.properties.items.items;
  expect(item.allOf.length).toBeGreaterThan(2);
  item.properties.type = { type: 'string', enum: [...item.properties.type.enum, ...extraTypes] };
  return schemaErrors(schema, body);
}

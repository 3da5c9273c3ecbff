import { expect } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';

/** A channel with a private standard integration: where test incidents come from. */
export type Source = { channelId: number; integrationId: number; key: string };

export async function newSource(
  t: TestApp,
  account: TestAccount,
  channelBody: Record<string, unknown> = {},
): Promise<Source> {
  const channelId = await newChannel(t, account, channelBody);
  const { integrationId, key } = await newIntegration(t, account, 'alert.standard', channelId);
  return { channelId, integrationId, key };
}

let keyCounter = 0;

/** Pushes one firing event and returns the alert and incident it opened or updated. */
export async function fire(
  t: TestApp,
  source: Source,
  event: Record<string, unknown> = {},
): Promise<{ alertId: string; incidentId: string; alertKey: string }> {
  keyCounter += 1;
  const alertKey = (event.alert_key as string | undefined) ?? `key-${keyCounter}`;
  const res = await pushStandard(t, source.key, {
    event_status: 'Warning',
    title_rule: `Alert ${alertKey}`,
    labels: { host: 'db1' },
    ...event,
    alert_key: alertKey,
  });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  const alert = await t.db.q
    .selectFrom('alerts')
    .select(['alert_id', 'incident_id'])
    .where('integration_id', '=', source.integrationId)
    .where('alert_key', '=', alertKey)
    .orderBy('created_at', 'desc')
    .orderBy('alert_id', 'desc')
    .executeTakeFirstOrThrow();
  return { alertId: alert.alert_id, incidentId: alert.incident_id!, alertKey };
}

/** Recovers an alert by its key. */
export async function recover(t: TestApp, source: Source, alertKey: string) {
  const res = await pushStandard(t, source.key, {
    event_status: 'Ok',
    title_rule: `Alert ${alertKey}`,
    alert_key: alertKey,
  });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
}

export const incident = (t: TestApp, incidentId: string) =>
  t.db.q.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();

export const alert = (t: TestApp, alertId: string) =>
  t.db.q.selectFrom('alerts').selectAll().where('alert_id', '=', alertId).executeTakeFirstOrThrow();

export const alertsOf = (t: TestApp, incidentId: string) =>
  t.db.q.selectFrom('alerts').selectAll().where('incident_id', '=', incidentId).orderBy('alert_id').execute();

/** The incident's timeline, oldest first. */
export const feedOf = (t: TestApp, incidentId: string) =>
  t.db.q
    .selectFrom('feed_entries')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('created_at')
    .orderBy('ref_id')
    .execute();

export const alertFeedOf = (t: TestApp, alertId: string) =>
  t.db.q
    .selectFrom('feed_entries')
    .selectAll()
    .where('alert_id', '=', alertId)
    .orderBy('created_at')
    .orderBy('ref_id')
    .execute();

/** The newest entry of a type on an incident's timeline. */
export async function lastFeed(t: TestApp, incidentId: string, type: string) {
  const entries = (await feedOf(t, incidentId)).filter((e) => e.type === type);
  return entries.at(-1);
}

/** Everything the actions can change, to prove a refused request changed nothing. */
export async function snapshot(t: TestApp) {
  const [incidents, alerts, feed] = await Promise.all([
    t.db.q.selectFrom('incidents').selectAll().orderBy('incident_id').execute(),
    t.db.q.selectFrom('alerts').selectAll().orderBy('alert_id').execute(),
    t.db.q.selectFrom('feed_entries').select(['ref_id', 'type', 'detail']).orderBy('ref_id').execute(),
  ]);
  return { incidents, alerts, feed };
}

/** Posts as `account` and expects success with `{}` (or the data given). */
export async function ok(t: TestApp, account: TestAccount, path: string, body: unknown) {
  const res = await t.post(path, body, account.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** Posts as `account` and expects the error code (and a message naming `names`, when given). */
export async function refused(
  t: TestApp,
  account: TestAccount,
  path: string,
  body: unknown,
  code: string,
  names?: string,
) {
  const res = await t.post(path, body, account.appKey);
  expect(res.body.error?.code, JSON.stringify(res.body)).toBe(code);
  if (names !== undefined) expect(res.body.error?.message).toContain(names);
  return res;
}

import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

/** A channel in its own team, with an optional grouping config; returns its id. */
export async function newChannel(
  t: TestApp,
  account: TestAccount,
  body: Record<string, unknown> = {},
): Promise<number> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const team = await t.post('/team/upsert', { team_name: `team-${suffix}` }, account.appKey);
  const channel = await t.post(
    '/channel/create',
    { team_id: team.body.data.team_id, channel_name: `channel-${suffix}`, ...body },
    account.appKey,
  );
  if (channel.status !== 200) throw new Error(JSON.stringify(channel.body));
  return channel.body.data.channel_id;
}

/** An integration's push key; bound to `channelId` when given, shared otherwise. */
export async function newIntegration(
  t: TestApp,
  account: TestAccount,
  pluginType: string,
  channelId?: number,
): Promise<{ integrationId: number; key: string }> {
  const res = await t.post(
    '/datasource/upsert',
    { name: `int-${pluginType}`, plugin_type: pluginType, ...(channelId ? { channel_id: channelId } : {}) },
    account.appKey,
  );
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return { integrationId: res.body.data.integration_id, key: res.body.data.integration_key };
}

/**
 * POSTs a push body with an integration key, as a monitoring system does, then — once accepted —
 * waits for the event to be applied, so the test can read what it did (docs/ingest.md).
 */
export async function push(
  t: TestApp,
  path: string,
  key: string | undefined,
  body: unknown,
  contentType = 'application/json',
) {
  const raw = await t.app.inject({
    method: 'POST',
    url: key === undefined ? path : `${path}?integration_key=${encodeURIComponent(key)}`,
    payload: typeof body === 'string' ? body : (body as object),
    headers: { 'content-type': contentType },
  });
  if (raw.statusCode === 200 || raw.statusCode === 202) await t.waitForApplied();
  return { status: raw.statusCode, body: raw.json() as any, headers: raw.headers };
}

export const pushStandard = (t: TestApp, key: string, body: Record<string, unknown>) =>
  push(t, '/event/push/alert/standard', key, body);

export const pushPrometheus = (t: TestApp, key: string, body: Record<string, unknown>) =>
  push(t, '/event/push/alert/prometheus', key, body);

/**
 * Sends the same push three times at once through a second app on `t`'s database whose
 * per-integration limit is one push a second, and returns the statuses, sorted (expected:
 * [200, 429, 429]) and the code of a refusal.
 */
export async function pushesOverTheIntegrationLimit(
  t: TestApp,
  path: string,
  key: string,
  payload: Record<string, unknown>,
): Promise<{ statuses: number[]; refusedCode: string | undefined }> {
  const limited = await startTestApp({
    database: t.database,
    env: { RATE_LIMIT_INTEGRATION_PER_SECOND: '1' },
  });
  try {
    const send = () => limited.app.inject({ method: 'POST', url: `${path}?integration_key=${key}`, payload });
    const answers = await Promise.all([send(), send(), send()]);
    await t.waitForApplied();
    const refused = answers.find((a) => a.statusCode === 429);
    return { statuses: answers.map((a) => a.statusCode).sort(), refusedCode: refused?.json().error?.code };
  } finally {
    await limited.close();
  }
}

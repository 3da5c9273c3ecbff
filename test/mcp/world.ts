import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'vitest';
import { pushChange } from '../changes/helpers.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { fire, newSource, type Source } from '../incidents/actions-helpers.ts';
import { pageWithComponents } from '../status-pages/helpers.ts';

/*
 * One account's real data for the MCP tests, made through the API: a channel with an escalation
 * rule (a schedule and a person), a closed and an open incident alike, a related change, a status
 * page with an event; a member holding the Read-only role; another account with its own incident.
 */

export type World = {
  t: TestApp;
  url: string;
  now: number;
  owner: TestAccount;
  alice: TestAccount;
  reader: TestAccount;
  other: TestAccount;
  source: Source;
  teamId: number;
  scheduleId: number;
  pastIncidentId: string;
  incidentId: string;
  alertId: string;
  changeId: string;
  pageId: number;
  componentIds: string[];
  statusChangeId: number;
  otherIncidentId: string;
  /** An alert that joined an open incident by its grouping key (a channel grouping by service). */
  joined: { alertId: string; incidentId: string };
};

function ok(res: { status: number; body: { data?: any; error?: unknown } }) {
  expect(res.body.error, JSON.stringify(res.body)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data;
}

export async function buildWorld(): Promise<World> {
  // E-mail goes nowhere (nothing listens on port 9): the delivery log has attempts, and failures.
  const t = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const now = Math.floor(t.clock.nowMs() / 1000);
  const owner = await t.newAccount('MCP');
  const alice = await t.newMember(owner, [3], 'alice');
  const reader = await t.newMember(owner, [4], 'reader');

  const source = await newSource(t, owner);
  const channel = ok(await t.post('/channel/info', { channel_id: source.channelId }, owner.appKey));
  const teamId = channel.team_id as number;
  ok(
    await t.post(
      '/team/upsert',
      { team_id: teamId, team_name: 'db-team', person_ids: [alice.memberId] },
      owner.appKey,
    ),
  );
  const scheduleId = ok(
    await t.post(
      '/schedule/create',
      {
        schedule_name: 'DB primary',
        time_zone: 'UTC',
        team_id: teamId,
        layers: [
          {
            layer_name: 'primary',
            mode: 0,
            groups: [{ group_name: 'A', members: [{ role_id: 1, person_ids: [alice.memberId] }] }],
            rotation_unit: 'day',
            rotation_value: 1,
            layer_start: now - 86_400,
            restrict_mode: 0,
            fair_rotation: false,
            mask_continuous_enabled: false,
          },
        ],
      },
      owner.appKey,
    ),
  ).schedule_id as number;
  ok(
    await t.post(
      '/channel/escalate/rule/create',
      {
        channel_id: source.channelId,
        rule_name: 'Primary',
        template_id: '6321aad26c12104586a88916',
        layers: [
          {
            target: {
              person_ids: [owner.memberId],
              schedule_to_role_ids: { [String(scheduleId)]: [] },
              by: { follow_preference: false, critical: ['email'], warning: ['email'], info: ['email'] },
            },
          },
        ],
      },
      owner.appKey,
    ),
  );

  const labels = { service: 'db', host: 'db1' };
  const past = await fire(t, source, { title_rule: 'Disk full on db1', labels, event_status: 'Critical' });
  ok(await t.post('/incident/resolve', { incident_ids: [past.incidentId] }, owner.appKey));
  t.clock.advance(3600_000);
  const changes = ok(
    await t.post('/datasource/upsert', { name: 'deploys', plugin_type: 'change.standard' }, owner.appKey),
  );
  const change = ok(
    await pushChange(t, changes.integration_key, {
      change_key: 'deploy-42',
      title: 'Deploy db config 42',
      change_status: 'Done',
      event_time: Math.floor(t.clock.nowMs() / 1000) - 120,
      labels: { ...labels, type: 'deploy' },
    }),
  );
  const open = await fire(t, source, {
    title_rule: 'Disk full on db1 again',
    labels,
    event_status: 'Critical',
  });
  await t.engine.runOnce(t.clock.nowMs());

  const page = await pageWithComponents(t, owner);
  const statusChangeId = ok(
    await t.post(
      '/status-page/change/create',
      {
        page_id: page.pageId,
        type: 'incident',
        title: 'Database slow',
        description: 'Looking into it.',
        status: 'investigating',
        updates: [
          {
            description: 'Looking.',
            component_changes: [{ component_id: page.componentIds[0], status: 'degraded' }],
          },
        ],
      },
      owner.appKey,
    ),
  ).change_id as number;

  const grouped = await newSource(t, owner, { group: { method: 'p', equals: [['labels.service']] } });
  const first = await fire(t, grouped, { title_rule: 'Queue backlog on mq1', labels: { service: 'mq' } });
  const joined = await fire(t, grouped, { title_rule: 'Queue backlog on mq2', labels: { service: 'mq' } });
  expect(joined.incidentId).toBe(first.incidentId);

  const other = await t.newAccount('Other');
  const otherSource = await newSource(t, other);
  const foreign = await fire(t, otherSource, { title_rule: 'Foreign disk full on db1', labels });

  return {
    t,
    url,
    now: Math.floor(t.clock.nowMs() / 1000),
    owner,
    alice,
    reader,
    other,
    source,
    teamId,
    scheduleId,
    pastIncidentId: past.incidentId,
    incidentId: open.incidentId,
    alertId: open.alertId,
    changeId: change.change_id,
    pageId: page.pageId,
    componentIds: page.componentIds,
    statusChangeId,
    otherIncidentId: foreign.incidentId,
    joined: { alertId: joined.alertId, incidentId: joined.incidentId },
  };
}

const CLI = path.resolve(import.meta.dirname, '../../src/cli.ts');

export type Transport = 'http' | 'stdio';
export type Mode = { readOnly?: boolean; toolsets?: string };

/** An MCP client of the SDK connected to Vigil as the member with `appKey`, over `transport`. */
export async function connect(
  world: World,
  transport: Transport,
  appKey: string,
  mode: Mode = {},
): Promise<Client> {
  const client = new Client({ name: 'vigil-test', version: '1.0.0' });
  if (transport === 'http') {
    const url = new URL(`${world.url}/mcp`);
    url.searchParams.set('app_key', appKey);
    if (mode.readOnly) url.searchParams.set('read_only', 'true');
    if (mode.toolsets) url.searchParams.set('toolsets', mode.toolsets);
    await client.connect(new StreamableHTTPClientTransport(url));
  } else {
    const args = [
      CLI,
      'mcp',
      ...(mode.readOnly ? ['--read-only'] : []),
      ...(mode.toolsets ? ['--toolsets', mode.toolsets] : []),
    ];
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args,
        env: { VIGIL_URL: world.url, VIGIL_APP_KEY: appKey },
        stderr: 'pipe',
      }),
    );
  }
  return client;
}

/** A tool's answer: its parsed JSON, or the error text when the tool refused. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text: string }[];
    isError?: boolean;
  };
  const text = result.content[0]!.text;
  if (result.isError) return { error: text } as { error: string; data?: undefined };
  return { data: JSON.parse(text) as any, error: undefined };
}

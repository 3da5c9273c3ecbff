import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailOf, setPassword, signIn } from '../web/helpers.ts';
import { buildWorld, callTool, connect, type Transport, type World } from './world.ts';

/*
 * Vigil's MCP server through the SDK's own client, over both transports: Streamable HTTP at /mcp
 * and stdio (`vigil mcp` spawned against the listening test server). Every tool runs against real
 * data; permissions, tenancy and read-only mode are checked as the API decides them.
 */

const TOOLS = [
  'query_incidents',
  'query_incident_timeline',
  'query_incident_alerts',
  'list_similar_incidents',
  'create_incident',
  'update_incident',
  'ack_incident',
  'close_incident',
  'query_alert_events',
  'query_changes',
  'query_status_pages',
  'list_status_changes',
  'create_status_incident',
  'create_change_timeline',
  'query_members',
  'query_teams',
  'query_channels',
  'query_escalation_rules',
  'query_fields',
  'get_preset_template',
  'validate_template',
  'list_template_variables',
  'list_template_functions',
  'who_is_on_call',
  'explain_alert_grouping',
  'related_changes',
  'delivery_log',
];
const WRITES = [
  'create_incident',
  'update_incident',
  'ack_incident',
  'close_incident',
  'create_status_incident',
  'create_change_timeline',
];

let w: World;
beforeAll(async () => {
  w = await buildWorld();
}, 180_000);
afterAll(() => w.t.close());

describe.each<Transport>(['http', 'stdio'])('MCP over %s', (transport) => {
  let owner: Client;
  const clients: Client[] = [];
  const open = async (
    ...args: Parameters<typeof connect> extends [World, Transport, ...infer R] ? R : never
  ) => {
    const client = await connect(w, transport, ...args);
    clients.push(client);
    return client;
  };
  // Explicit windows: the stdio process reads the machine's clock, the test server a manual one.
  const window = () => ({ since: String(w.now - 3 * 86_400), until: String(w.now + 3600) });

  beforeAll(async () => {
    owner = await open(w.owner.appKey);
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) await client.close();
  });

  it('lists every tool with its input schema, the prompt and the resource template', async () => {
    const { tools } = await owner.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort());
    const ack = tools.find((tool) => tool.name === 'ack_incident')!;
    expect(ack.inputSchema).toMatchObject({ type: 'object', required: ['incident_ids'] });
    expect(ack.annotations?.readOnlyHint).toBe(false);
    const { prompts } = await owner.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['triage_incident']);
    const { resourceTemplates } = await owner.listResourceTemplates();
    expect(resourceTemplates[0]!.uriTemplate).toBe('vigil://incident/{incident_id}');
  });

  it('queries incidents by window, filter and id, paged', async () => {
    // Only the fixture's two (the write tests add others).
    const all = await callTool(owner, 'query_incidents', { ...window(), query: 'Disk full', limit: 1 });
    expect(all.error).toBeUndefined();
    expect(all.data.total).toBe(2);
    expect(all.data.items).toHaveLength(1);
    expect(all.data.has_next_page).toBe(true);
    const second = await callTool(owner, 'query_incidents', {
      ...window(),
      query: 'Disk full',
      limit: 1,
      page: 2,
    });
    expect(second.data.items[0].incident_id).not.toBe(all.data.items[0].incident_id);
    const closed = await callTool(owner, 'query_incidents', {
      ...window(),
      query: 'Disk full',
      progress: 'Closed',
    });
    expect(closed.data.items.map((i: any) => i.incident_id)).toEqual([w.pastIncidentId]);
    const byId = await callTool(owner, 'query_incidents', { incident_ids: w.incidentId });
    expect(byId.data.items[0]).toMatchObject({ incident_id: w.incidentId, title: 'Disk full on db1 again' });
    const bad = await callTool(owner, 'query_incidents', { since: 'yesterday-ish' });
    expect(bad.error).toMatch(/^InvalidParameter: since: /);
  });

  it('reads the timeline, the alerts, the alert events and similar incidents', async () => {
    const timeline = await callTool(owner, 'query_incident_timeline', { incident_ids: w.incidentId });
    expect(timeline.data.incidents[0].items.map((i: any) => i.type)).toContain('i_new');
    const alerts = await callTool(owner, 'query_incident_alerts', { incident_ids: w.incidentId });
    expect(alerts.data.incidents[0]).toMatchObject({ total: 1, has_next_page: false });
    expect(alerts.data.incidents[0].items[0].alert_id).toBe(w.alertId);
    const events = await callTool(owner, 'query_alert_events', { alert_id: w.alertId });
    expect(events.data.total).toBe(1);
    const similar = await callTool(owner, 'list_similar_incidents', { incident_id: w.incidentId });
    expect(similar.data.items[0].incident_id).toBe(w.pastIncidentId);
    expect(similar.data.items[0].score).toBeGreaterThan(0.5);
    expect(similar.data.items[0].similarity).toMatchObject({ labels: 1, channel: 1 });
  });

  it("explains an alert's grouping, ranks related changes and shows the delivery log", async () => {
    const why = await callTool(owner, 'explain_alert_grouping', { alert_id: w.alertId });
    expect(why.data).toMatchObject({ alert_id: w.alertId, incident_id: w.incidentId });
    expect(why.data.verdict).toMatch(/opened incident/);
    expect(why.data.channel.channel_id).toBe(w.source.channelId);
    const joined = await callTool(owner, 'explain_alert_grouping', { alert_id: w.joined.alertId });
    expect(joined.data.incident_id).toBe(w.joined.incidentId);
    expect(joined.data.verdict).toMatch(/^The alert joined incident \w+: .+/);
    expect(joined.data.timeline.map((e: any) => e.type)).toEqual(['a_merge']);
    expect(joined.data.channel.group).toMatchObject({ method: 'p' });
    const related = await callTool(owner, 'related_changes', { incident_id: w.incidentId });
    expect(related.data.items[0].change_id).toBe(w.changeId);
    const log = await callTool(owner, 'delivery_log', { incident_id: w.incidentId });
    expect(log.error).toBeUndefined();
    expect(log.data.total).toBeGreaterThan(0);
    expect(log.data.items[0]).toMatchObject({ incident_id: w.incidentId, channel: 'email' });
  });

  it('queries changes, members, teams, channels, escalation rules and status pages', async () => {
    const changes = await callTool(owner, 'query_changes', { ...window(), type: 'deploy' });
    expect(changes.data.items.map((c: any) => c.change_id)).toEqual([w.changeId]);
    const none = await callTool(owner, 'query_changes', { ...window(), type: 'config' });
    expect(none.data.items).toEqual([]);
    const members = await callTool(owner, 'query_members', { name: 'alice' });
    expect(members.data.items.map((m: any) => m.member_id ?? m.person_id)).toEqual([w.alice.memberId]);
    const byId = await callTool(owner, 'query_members', { person_ids: String(w.alice.memberId) });
    expect(byId.data.items[0].person_name).toBe('alice');
    const teams = await callTool(owner, 'query_teams', { team_ids: String(w.teamId) });
    expect(teams.data.items[0].person_ids).toEqual([w.alice.memberId]);
    const channels = await callTool(owner, 'query_channels', { channel_ids: String(w.source.channelId) });
    expect(channels.data.items[0].channel_id).toBe(w.source.channelId);
    const rules = await callTool(owner, 'query_escalation_rules', { channel_id: w.source.channelId });
    expect(rules.data.items[0].rule_name).toBe('Primary');
    const pages = await callTool(owner, 'query_status_pages', {});
    expect(pages.data.items.map((p: any) => p.page_id)).toEqual([w.pageId]);
    const active = await callTool(owner, 'list_status_changes', { page_id: w.pageId, type: 'incident' });
    expect(active.data.items.map((c: any) => c.change_id)).toContain(w.statusChangeId);
  });

  it('answers who is on call for a schedule, a team and a channel', async () => {
    const at = String(w.now);
    const bySchedule = await callTool(owner, 'who_is_on_call', { schedule_id: w.scheduleId, at });
    expect(bySchedule.data.people).toEqual([{ person_id: w.alice.memberId, person_name: 'alice' }]);
    const byTeam = await callTool(owner, 'who_is_on_call', { team_id: w.teamId, at });
    expect(byTeam.data.schedules[0].schedule_id).toBe(w.scheduleId);
    const byChannel = await callTool(owner, 'who_is_on_call', { channel_id: w.source.channelId, at });
    expect(byChannel.data.people.map((p: any) => p.person_id).sort()).toEqual(
      [w.owner.memberId, w.alice.memberId].sort(),
    );
    const neither = await callTool(owner, 'who_is_on_call', {});
    expect(neither.error).toMatch(/exactly one/);
  });

  it('reads templates: preset, validation, variables and functions', async () => {
    const preset = await callTool(owner, 'get_preset_template', { channel: 'email' });
    expect(preset.data.template_code).toContain('{{');
    const valid = await callTool(owner, 'validate_template', {
      channel: 'sms',
      template_code: '{{.Title}}!',
    });
    expect(valid.data).toMatchObject({ valid: true, errors: [] });
    const real = await callTool(owner, 'validate_template', {
      channel: 'sms',
      template_code: '{{.Title}}',
      incident_id: w.incidentId,
    });
    expect(real.data.rendered_preview).toBe('Disk full on db1 again');
    const broken = await callTool(owner, 'validate_template', { channel: 'sms', template_code: '{{.Title' });
    expect(broken.data.valid).toBe(false);
    const variables = await callTool(owner, 'list_template_variables');
    expect(variables.data.items.map((v: any) => v.name)).toContain('Title');
    const functions = await callTool(owner, 'list_template_functions');
    expect(functions.data.items.map((f: any) => f.name)).toContain('toJson');
  });

  it('lists custom field definitions by id and by name (query_fields)', async () => {
    const created = await w.t.post(
      '/field/create',
      {
        field_name: `impact_${transport}`,
        display_name: 'Customer impact',
        field_type: 'text',
        value_type: 'string',
      },
      w.owner.appKey,
    );
    expect(created.body.error).toBeUndefined();
    const byName = await callTool(owner, 'query_fields', { field_name: 'customer IMPACT' });
    expect(byName.data.items.map((f: any) => f.field_name)).toContain(`impact_${transport}`);
    const id = byName.data.items.find((f: any) => f.field_name === `impact_${transport}`).field_id;
    const byId = await callTool(owner, 'query_fields', { field_ids: id });
    expect(byId.data.items).toHaveLength(1);
    const none = await callTool(owner, 'query_fields', { field_name: 'no such field' });
    expect(none.data.items).toEqual([]);
  });

  it('writes as the member, recorded on the timeline as done via the assistant', async () => {
    const created = await callTool(owner, 'create_incident', {
      title: `Made by the assistant over ${transport}`,
      severity: 'Warning',
      channel_id: w.source.channelId,
    });
    const id = created.data.incident_id as string;
    const updated = await callTool(owner, 'update_incident', {
      incident_id: id,
      severity: 'Critical',
      root_cause: 'A full disk',
      custom_fields: '{"ticket": "OPS-1"}',
    });
    expect(updated.data.updated).toEqual(['incident_severity', 'root_cause', 'ticket']);
    const badName = await callTool(owner, 'update_incident', {
      incident_id: id,
      title: 'Not applied',
      custom_fields: '{"Bad Name": 1}',
    });
    expect(badName.error).toMatch(/^InvalidParameter: custom_fields: "Bad Name"/);
    const badSeverity = await callTool(owner, 'create_incident', { title: 'Nope', severity: 'Huge' });
    expect(badSeverity.error).toMatch(/^InvalidParameter: severity: /);
    expect((await callTool(owner, 'ack_incident', { incident_ids: id })).error).toBeUndefined();
    expect((await callTool(owner, 'close_incident', { incident_ids: id })).error).toBeUndefined();

    const info = await w.t.post('/incident/info', { incident_id: id }, w.owner.appKey);
    expect(info.body.data).toMatchObject({
      title: `Made by the assistant over ${transport}`,
      progress: 'Closed',
      incident_severity: 'Critical',
      root_cause: 'A full disk',
    });
    expect(info.body.data.fields).toMatchObject({ ticket: 'OPS-1' });
    const feed = await w.t.post('/incident/feed', { incident_id: id, asc: true, limit: 100 }, w.owner.appKey);
    const byMember = feed.body.data.items.filter((e: any) => e.creator_id === w.owner.memberId);
    expect(byMember.map((e: any) => e.type)).toEqual(expect.arrayContaining(['i_new', 'i_ack', 'i_rslv']));
    for (const entry of byMember) expect(entry.via).toBe('assistant');
  });

  it('publishes on a status page and adds an update', async () => {
    const created = await callTool(owner, 'create_status_incident', {
      page_id: w.pageId,
      title: `Slow API (${transport})`,
      affected_components: `${w.componentIds[1]}:partial_outage`,
      notify_subscribers: false,
    });
    expect(created.error).toBeUndefined();
    const changeId = created.data.change_id as number;
    const update = await callTool(owner, 'create_change_timeline', {
      page_id: w.pageId,
      change_id: changeId,
      message: 'Fixed.',
      status: 'resolved',
      component_changes: JSON.stringify([{ component_id: w.componentIds[1], status: 'operational' }]),
    });
    expect(update.error).toBeUndefined();
    const info = await w.t.get(
      '/status-page/change/info',
      { page_id: w.pageId, change_id: changeId },
      w.owner.appKey,
    );
    expect(info.body.data.status).toBe('resolved');
    const bad = await callTool(owner, 'create_status_incident', {
      page_id: w.pageId,
      title: 'x',
      affected_components: 'nonsense',
    });
    expect(bad.error).toMatch(/^InvalidParameter: affected_components/);
  });

  it('offers incidents as resources and a triage prompt', async () => {
    const resource = await owner.readResource({ uri: `vigil://incident/${w.incidentId}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text).incident_id).toBe(w.incidentId);
    if (transport === 'http') {
      const { resources } = await owner.listResources();
      expect(resources.map((r) => r.uri)).toContain(`vigil://incident/${w.incidentId}`);
    }
    const prompt = await owner.getPrompt({
      name: 'triage_incident',
      arguments: { incident_id: w.incidentId },
    });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    for (const section of [
      '## Timeline',
      '## Alerts',
      '## Related changes',
      '## Similar past incidents',
      '## Who is on call',
    ])
      expect(text).toContain(section);
    expect(text).toContain(w.changeId);
    expect(text).toContain(w.pastIncidentId);
    expect(text).not.toContain('Not available');
  });

  it('in read-only mode offers no write tool and refuses a write', async () => {
    const client = await open(w.owner.appKey, { readOnly: true });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS.filter((n) => !WRITES.includes(n)).sort());
    await expect(
      client.callTool({ name: 'ack_incident', arguments: { incident_ids: w.incidentId } }),
    ).rejects.toThrow(/not offered: this server is read-only/);
    const incident = await w.t.post('/incident/info', { incident_id: w.incidentId }, w.owner.appKey);
    expect(incident.body.data.progress).toBe('Triggered');
  });

  it('offers only the toolsets chosen', async () => {
    const client = await open(w.owner.appKey, { toolsets: 'oncall,changes' });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'query_changes',
      'related_changes',
      'who_is_on_call',
    ]);
  });

  it("refuses a write the key's member may not do, with the API's error", async () => {
    const reader = await open(w.reader.appKey);
    const ack = await callTool(reader, 'ack_incident', { incident_ids: w.incidentId });
    expect(ack.error).toBe(
      'AccessDenied: Access Denied: this operation needs the Incidents Manage permission.',
    );
    const read = await callTool(reader, 'query_incidents', { incident_ids: w.incidentId });
    expect(read.data.items[0].incident_id).toBe(w.incidentId);
    const incident = await w.t.post('/incident/info', { incident_id: w.incidentId }, w.owner.appKey);
    expect(incident.body.data.progress).toBe('Triggered');
  });

  it("does not find another account's incident", async () => {
    const timeline = await callTool(owner, 'query_incident_timeline', { incident_ids: w.otherIncidentId });
    expect(timeline.error).toMatch(/^ResourceNotFound: /);
    const ack = await callTool(owner, 'ack_incident', { incident_ids: w.otherIncidentId });
    expect(ack.error).toMatch(/^ResourceNotFound: /);
    const foreign = await w.t.post('/incident/info', { incident_id: w.otherIncidentId }, w.other.appKey);
    expect(foreign.body.data.progress).toBe('Triggered');
    const byId = await callTool(owner, 'query_incidents', { incident_ids: w.otherIncidentId });
    expect(byId.data.items).toEqual([]);
    await expect(owner.readResource({ uri: `vigil://incident/${w.otherIncidentId}` })).rejects.toThrow(
      /ResourceNotFound/,
    );
  });
});

describe('MCP over HTTP with the console session', () => {
  it('acts as the signed-in member, and needs the session CSRF token', async () => {
    await setPassword(w.t, await emailOf(w.t, w.owner));
    const { session } = await signIn(w.t, await emailOf(w.t, w.owner));
    const url = new URL(`${w.url}/mcp`);
    const client = new Client({ name: 'vigil-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { cookie: session!.cookie, 'x-csrf-token': session!.csrf } },
      }),
    );
    const created = await callTool(client, 'create_incident', {
      title: 'Opened from the console assistant',
      severity: 'Info',
    });
    const feed = await w.t.post('/incident/feed', { incident_id: created.data.incident_id }, w.owner.appKey);
    expect(feed.body.data.items[0]).toMatchObject({
      type: 'i_new',
      creator_id: w.owner.memberId,
      via: 'assistant',
    });
    await client.close();

    const forged = new Client({ name: 'vigil-test', version: '1.0.0' });
    await expect(
      forged.connect(
        new StreamableHTTPClientTransport(url, { requestInit: { headers: { cookie: session!.cookie } } }),
      ),
    ).rejects.toThrow(/X-CSRF-Token/);
  });

  it('refuses a call without credentials, or with a bad toolset, in the API envelope', async () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const anonymous = await w.t.app.inject({ method: 'POST', url: '/mcp', payload: body, headers });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('Unauthorized');
    const badSet = await w.t.app.inject({
      method: 'POST',
      url: `/mcp?app_key=${w.owner.appKey}&toolsets=incidents,nope`,
      payload: body,
      headers,
    });
    expect(badSet.statusCode).toBe(400);
    expect(badSet.json().error).toMatchObject({ code: 'InvalidParameter' });
    expect(badSet.json().error.message).toMatch(/toolsets.*nope/);
    // The modes as headers, for clients that cannot change the URL.
    const listed = await w.t.app.inject({
      method: 'POST',
      url: `/mcp?app_key=${w.owner.appKey}`,
      payload: body,
      headers: { ...headers, 'x-mcp-readonly': 'true', 'x-mcp-toolsets': 'incidents' },
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().result.tools.map((tool: { name: string }) => tool.name)).toEqual([
      'query_incidents',
      'query_incident_timeline',
      'query_incident_alerts',
      'list_similar_incidents',
      'delivery_log',
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES, type SampleContext, sampleContext } from '../conformance/samples.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { expectInvalid, newSource, nowOf, push, type Source } from '../incidents/read-helpers.ts';
import { arrayOf, mapOf, struct } from './go-json.ts';
import { type Sdk, sdkClient } from './sdk-client.ts';
import * as T from './sdk-types.ts';

/*
 * Flashduty's official Go SDK (flashcatcloud/flashduty-sdk) against Vigil: for each SDK method, the
 * request it sends (restated from its source) and the fields it reads, decoded as Go decodes them
 * and asserted against what was stored. Methods whose operation Vigil does not serve are listed at
 * the end with the reason (docs/conformance.md, "Flashduty's Go SDK").
 */

const HOUR = 3600;
const PRESET_TEMPLATE_ID = '6321aad26c12104586a88916';

let t: TestApp;
let owner: TestAccount;
let sdk: Sdk;
let ctx: SampleContext;
let source: Source;
let cpu: { alertId: string; incidentId: string; alertKey: string };
let disk: { alertId: string; incidentId: string; alertKey: string };
let start: number;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('SDK');
  sdk = sdkClient(t, owner);
  ctx = sampleContext(t, owner);
  start = nowOf(t) - HOUR;
  source = await newSource(t, owner);
  cpu = await push(t, source, {
    event_status: 'Critical',
    title_rule: 'CPU high on web-1',
    labels: { host: 'web-1', service: 'api', resource: 'web-1', check: 'cpu' },
  });
  disk = await push(t, source, {
    event_status: 'Warning',
    title_rule: 'Disk full on db-1',
    labels: { host: 'db-1', service: 'db' },
  });
});
afterAll(() => t?.close());

const end = () => nowOf(t) + HOUR;

describe('account and members (account.go, member_info.go, members.go)', () => {
  it('GetAccountInfo and GetMemberInfo', async () => {
    const account = await sdk.post('/account/info', {}, T.AccountInfo);
    expect(account.account_id).toBe(owner.accountId);
    expect(account.account_name).toBe('SDK');
    expect(account.created_at).toBeGreaterThan(0);
    const member = await sdk.post('/member/info', {}, T.MemberInfo);
    expect(member).toMatchObject({ account_id: owner.accountId, member_id: owner.memberId });
    expect(member.email).not.toBe('');
  });

  it('ListMembers, by query', async () => {
    const me = await sdk.post('/member/info', {}, T.MemberInfo);
    const list = await sdk.post(
      '/member/list',
      { p: 1, limit: 20, query: me.email },
      struct({ p: 'int', limit: 'int', total: 'int', items: arrayOf(T.MemberItem) }),
    );
    expect(list.items.map((m: any) => m.member_id)).toEqual([owner.memberId]);
    expect(list.items[0].status).not.toBe('');
    expect(list.items[0].account_role_ids.length).toBeGreaterThan(0);
  });
});

describe('teams (teams.go)', () => {
  it('UpsertTeam, GetTeamInfo, ListTeams by ids and by name, DeleteTeam', async () => {
    const upserted = await sdk.post(
      '/team/upsert',
      { team_name: 'sdk-team', description: 'made by the SDK', person_ids: [owner.memberId] },
      struct({ team_id: 'int', team_name: 'string' }),
    );
    expect(upserted.team_id).toBeGreaterThan(0);
    expect(upserted.team_name).toBe('sdk-team');
    const info = await sdk.post('/team/info', { team_id: upserted.team_id }, T.TeamItem);
    expect(info).toMatchObject({
      account_id: owner.accountId,
      team_id: upserted.team_id,
      description: 'made by the SDK',
      person_ids: [owner.memberId],
      creator_id: owner.memberId,
    });
    const byIds = await sdk.post(
      '/team/infos',
      { team_ids: [upserted.team_id] },
      struct({ items: arrayOf(T.TeamInfo) }),
    );
    expect(byIds.items).toEqual([
      { team_id: upserted.team_id, team_name: 'sdk-team', person_ids: [owner.memberId] },
    ]);
    const listed = await sdk.post(
      '/team/list',
      { p: 1, limit: 20, query: 'sdk-team', orderby: 'team_name', asc: true, person_id: owner.memberId },
      struct({ items: arrayOf(T.TeamInfo), total: 'int' }),
    );
    expect(listed.items.map((i: any) => i.team_id)).toEqual([upserted.team_id]);
    // reset_if_name_exist: the SDK's upsert by name.
    const again = await sdk.post(
      '/team/upsert',
      { team_name: 'sdk-team', reset_if_name_exist: true, description: 'renewed' },
      struct({ team_id: 'int', team_name: 'string' }),
    );
    expect(again.team_id).toBe(upserted.team_id);
    await sdk.post('/team/delete', { team_id: upserted.team_id });
    const gone = await t.post('/team/info', { team_id: upserted.team_id }, owner.appKey);
    expect(gone.body.error?.code).toBe('ResourceNotFound');
  });
});

describe('channels (channels.go, enrichment.go)', () => {
  it('ListChannels by ids reads team_id and creator_id from /channel/infos', async () => {
    const infos = await sdk.post(
      '/channel/infos',
      { channel_ids: [source.channelId] },
      struct({ items: arrayOf(T.ChannelItem) }),
    );
    expect(infos.items).toEqual([
      {
        channel_id: source.channelId,
        channel_name: expect.any(String),
        team_id: source.teamId,
        creator_id: owner.memberId,
      },
    ]);
  });

  it('ListChannels without ids reads /channel/list', async () => {
    const list = await sdk.post('/channel/list', {}, struct({ items: arrayOf(T.ChannelItem) }));
    const mine = list.items.find((c: any) => c.channel_id === source.channelId);
    expect(mine).toMatchObject({ team_id: source.teamId, creator_id: owner.memberId });
  });

  it('ListEscalationRules', async () => {
    const body = await SAMPLES['/channel/escalate/rule/create']!(ctx);
    const { rule_id } = await ctx.call('/channel/escalate/rule/create', body);
    const rules = await sdk.post(
      '/channel/escalate/rule/list',
      { channel_id: body.channel_id },
      struct({ items: arrayOf(T.EscalationRule) }),
    );
    const rule = rules.items.find((r: any) => r.rule_id === rule_id);
    expect(rule.channel_id).toBe(body.channel_id);
    expect(rule.layers.length).toBeGreaterThan(0);
  });
});

describe('incidents (incidents.go, enrichment.go)', () => {
  it('ListIncidents by ids, with the alerts preview and the people enriched', async () => {
    const byIds = await sdk.post(
      '/incident/list-by-ids',
      { incident_ids: [cpu.incidentId] },
      struct({ items: arrayOf(T.RawIncident) }),
    );
    expect(byIds.items).toHaveLength(1);
    expect(byIds.items[0]).toMatchObject({
      incident_id: cpu.incidentId,
      title: 'CPU high on web-1',
      incident_severity: 'Critical',
      progress: 'Triggered',
      channel_id: source.channelId,
      labels: { host: 'web-1', service: 'api', resource: 'web-1', check: 'cpu' },
    });
    const alerts = await sdk.post(
      '/incident/alert/list',
      { incident_id: cpu.incidentId, p: 1, limit: 20 },
      struct({ total: 'int', items: arrayOf(T.IncidentAlertItem) }),
    );
    expect(alerts.total).toBe(1);
    expect(alerts.items).toEqual([
      {
        alert_id: cpu.alertId,
        title: 'CPU high on web-1',
        severity: 'Critical',
        status: 'Critical',
        trigger_time: expect.any(Number),
        labels: { host: 'web-1', service: 'api', resource: 'web-1', check: 'cpu' },
      },
    ]);
    expect(alerts.items[0].trigger_time).toBeGreaterThan(start);
    const people = await sdk.post(
      '/person/infos',
      { person_ids: [owner.memberId] },
      struct({ items: arrayOf(T.PersonItem) }),
    );
    expect(people.items[0].person_id).toBe(owner.memberId);
    expect(people.items[0].person_name).not.toBe('');
  });

  it('ListIncidents by filters: progress, severity, channels, query and title', async () => {
    const list = (extra: Record<string, unknown>) =>
      sdk.post(
        '/incident/list',
        { p: 1, limit: 20, start_time: start, end_time: end(), channel_ids: [source.channelId], ...extra },
        struct({ items: arrayOf(T.RawIncident) }),
      );
    const ids = async (extra: Record<string, unknown>) =>
      (await list(extra)).items.map((i: any) => i.incident_id).sort();
    expect(await ids({})).toEqual([cpu.incidentId, disk.incidentId].sort());
    expect(await ids({ progress: 'Triggered', incident_severity: 'Critical' })).toEqual([cpu.incidentId]);
    expect(await ids({ title: 'Disk full' })).toEqual([disk.incidentId]);
    expect(await ids({ title: 'disk FULL on' })).toEqual([disk.incidentId]);
    expect(await ids({ title: 'nothing like this' })).toEqual([]);
    expect(await ids({ query: 'CPU' })).toEqual([cpu.incidentId]);
  });

  it('GetIncidentDetail and the timeline (GetIncidentTimelines, GetIncidentFeed)', async () => {
    const detail = await sdk.post('/incident/info', { incident_id: cpu.incidentId }, T.IncidentDetail);
    expect(detail).toMatchObject({
      incident_id: cpu.incidentId,
      incident_severity: 'Critical',
      channel_id: source.channelId,
      alert_cnt: 1,
      alert_event_cnt: 1,
    });
    const timeline = await sdk.post(
      '/incident/feed',
      { incident_id: cpu.incidentId, limit: 100, asc: true },
      struct({ items: arrayOf(T.RawTimelineItem) }),
    );
    expect(timeline.items[0].type).toBe('i_new');
    expect(timeline.items[0].created_at).toBeGreaterThan(start * 1000);
    const feed = await sdk.post(
      '/incident/feed',
      { incident_id: cpu.incidentId, limit: 20, p: 1, asc: false },
      struct({ items: arrayOf(T.RawTimelineItem), has_next_page: 'bool' }),
    );
    expect(feed.has_next_page).toBe(false);
    expect(feed.items.length).toBe(timeline.items.length);
  });

  it('CreateIncident, UpdateIncident, the lifecycle calls and ReassignIncidents', async () => {
    const created = await sdk.post(
      '/incident/create',
      {
        title: 'Made by the SDK',
        incident_severity: 'Warning',
        channel_id: source.channelId,
        description: 'by hand',
        assigned_to: { type: 'assign', person_ids: [owner.memberId] },
      },
      struct({ incident_id: 'string', title: 'string' }),
    );
    expect(created.incident_id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.title).toBe('Made by the SDK');
    const id = created.incident_id;
    await sdk.post('/incident/reset', {
      incident_id: id,
      title: 'Renamed by the SDK',
      incident_severity: 'Critical',
      impact: 'checkout',
      root_cause: 'a bad deploy',
      resolution: 'rolled back',
    });
    await sdk.post('/incident/field/reset', { incident_id: id, field_name: 'ticket', field_value: 'OPS-1' });
    const ids = { incident_ids: [id] };
    await sdk.post('/incident/ack', ids);
    await sdk.post('/incident/unack', ids);
    await sdk.post('/incident/snooze', { ...ids, minutes: 30 });
    await sdk.post('/incident/wake', ids);
    await sdk.post('/incident/comment', {
      ...ids,
      comment: 'looking',
      mute_reply: true,
      notify: { follow_preference: true },
    });
    await sdk.post('/incident/responder/add', {
      incident_id: id,
      person_ids: [owner.memberId],
      notify: { follow_preference: true },
    });
    await sdk.post('/incident/assign', {
      ...ids,
      assigned_to: { type: 'assign', person_ids: [owner.memberId] },
    });
    await sdk.post('/incident/resolve', ids);
    await sdk.post('/incident/reopen', ids);
    await sdk.post('/incident/disable-merge', ids);
    const detail = await sdk.post('/incident/info', { incident_id: id }, T.IncidentDetail);
    expect(detail).toMatchObject({
      title: 'Renamed by the SDK',
      incident_severity: 'Critical',
      impact: 'checkout',
      root_cause: 'a bad deploy',
      resolution: 'rolled back',
      progress: 'Triggered',
      fields: { ticket: 'OPS-1' },
      creator_id: owner.memberId,
    });
    expect(detail.responders.map((r: any) => r.person_id)).toEqual([owner.memberId]);

    const other = await sdk.post(
      '/incident/create',
      { title: 'Merged away', incident_severity: 'Info', channel_id: source.channelId },
      struct({ incident_id: 'string', title: 'string' }),
    );
    await sdk.post('/incident/merge', { source_incident_ids: [other.incident_id], target_incident_id: id });
    await sdk.post('/incident/remove', ids);
    const gone = await sdk.post('/incident/list-by-ids', ids, struct({ items: arrayOf(T.RawIncident) }));
    expect(gone.items).toEqual([]);
  });
});

describe('alerts (alerts.go)', () => {
  it('ListAlerts with the title and labels filters', async () => {
    const list = (extra: Record<string, unknown>) =>
      sdk.post(
        '/alert/list',
        { start_time: start, end_time: end(), limit: 20, p: 1, channel_ids: [source.channelId], ...extra },
        struct({
          items: arrayOf(T.Alert),
          total: 'int',
          has_next_page: 'bool',
          search_after_ctx: 'string',
        }),
      );
    const ids = async (extra: Record<string, unknown>) =>
      (await list(extra)).items.map((a: any) => a.alert_id).sort();
    const all = await list({ is_active: true, orderby: 'created_at', asc: true });
    expect(all.total).toBe(2);
    expect(all.items[0]).toMatchObject({
      alert_id: cpu.alertId,
      alert_severity: 'Critical',
      alert_status: 'Critical',
      channel_id: source.channelId,
      incident: { incident_id: cpu.incidentId },
    });
    expect(await ids({ title: 'CPU high' })).toEqual([cpu.alertId]);
    expect(await ids({ title: 'cpu HIGH' })).toEqual([cpu.alertId]);
    expect(await ids({ labels: { service: 'db' } })).toEqual([disk.alertId]);
    expect(await ids({ labels: { service: 'db', host: 'web-1' } })).toEqual([]);
    expect(await ids({ labels: { host: 'web-1' }, title: 'CPU' })).toEqual([cpu.alertId]);
    expect(await ids({ alert_severity: 'Warning', ever_muted: false, alert_keys: [disk.alertKey] })).toEqual([
      disk.alertId,
    ]);
  });

  it('GetAlertDetail, ListAlertsByIDs, ListAlertEvents, GetAlertFeed and ListAlertEventsGlobal', async () => {
    const detail = await sdk.post('/alert/info', { alert_id: cpu.alertId }, T.Alert);
    expect(detail).toMatchObject({ alert_id: cpu.alertId, integration_id: source.integrationId });
    const byIds = await sdk.post(
      '/alert/list-by-ids',
      { alert_ids: [cpu.alertId] },
      struct({ items: arrayOf(T.Alert) }),
    );
    expect(byIds.items.map((a: any) => a.alert_id)).toEqual([cpu.alertId]);
    const events = await sdk.post(
      '/alert/event/list',
      { alert_id: cpu.alertId },
      struct({ items: arrayOf(T.AlertEvent) }),
    );
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({ event_severity: 'Critical', event_status: 'Critical' });
    const feed = await sdk.post(
      '/alert/feed',
      { alert_id: cpu.alertId, limit: 20, p: 1, asc: false },
      struct({ items: arrayOf(T.RawTimelineItem), has_next_page: 'bool' }),
    );
    expect(feed.items.length).toBeGreaterThan(0);
    const global = await sdk.post(
      '/alert-event/list',
      {
        start_time: start,
        end_time: end(),
        limit: 20,
        p: 1,
        channel_ids: [source.channelId],
        integration_ids: [source.integrationId],
        // The SDK joins severities with commas.
        severities: 'Critical,Warning',
      },
      struct({
        items: arrayOf(T.AlertEvent),
        total: 'int',
        has_next_page: 'bool',
        search_after_ctx: 'string',
      }),
    );
    expect(global.total).toBe(2);
  });

  it('MergeAlertsToIncident', async () => {
    const a = await push(t, source, { title_rule: 'To merge' });
    const b = await push(t, source, { title_rule: 'Target' });
    await sdk.post('/alert/merge', {
      alert_ids: [a.alertId],
      incident_id: b.incidentId,
      comment: 'same thing',
    });
    const alerts = await sdk.post(
      '/incident/alert/list',
      { incident_id: b.incidentId, p: 1, limit: 20 },
      struct({ total: 'int', items: arrayOf(T.IncidentAlertItem) }),
    );
    expect(alerts.total).toBe(2);
  });
});

describe('changes (changes.go)', () => {
  it('ListChanges reads status beside change_status', async () => {
    const { change_id } = await ctx.change();
    const list = await sdk.post(
      '/change/list',
      { p: 1, limit: 20, start_time: start, end_time: end() },
      struct({ items: arrayOf(T.ChangeItem), total: 'int' }),
    );
    const change = list.items.find((c: any) => c.change_id === change_id);
    expect(change).toMatchObject({
      title: 'Conformance change',
      status: 'Processing',
      labels: { service: 'web' },
    });
    expect(change.start_time).toBeGreaterThan(0);
  });
});

describe('insights and reports (insight.go, reports.go)', () => {
  const window = () => ({ start_time: start, end_time: end() });

  it('QueryInsightByTeam, ByChannel, ByResponder, AlertTopK and IncidentList', async () => {
    const team = await sdk.post(
      '/insight/team',
      window(),
      struct({ items: arrayOf(T.DimensionInsightItem) }),
    );
    expect(team.items.find((i: any) => i.team_id === source.teamId)?.total_incident_cnt).toBeGreaterThan(0);
    const channel = await sdk.post(
      '/insight/channel',
      { ...window(), channel_ids: [source.channelId] },
      struct({ items: arrayOf(T.DimensionInsightItem) }),
    );
    expect(channel.items[0].channel_id).toBe(source.channelId);
    await sdk.post('/insight/responder', window(), struct({ items: arrayOf(T.ResponderInsightItem) }));
    const topk = await sdk.post(
      '/insight/alert/topk-by-label',
      { ...window(), label: 'resource', k: 10, orderby: 'total_alert_cnt' },
      struct({ items: arrayOf(T.InsightAlertByLabelItem) }),
    );
    expect(topk.items.map((i: any) => i.label)).toContain('web-1');
    const incidents = await sdk.post(
      '/insight/incident/list',
      { ...window(), channel_ids: [source.channelId], limit: 20, p: 1 },
      struct({
        items: arrayOf(T.InsightIncidentItem),
        total: 'int',
        has_next_page: 'bool',
        search_after_ctx: 'string',
      }),
    );
    expect(incidents.items.map((i: any) => i.incident_id)).toContain(cpu.incidentId);
  });

  it('QueryNotificationTrend and QueryChangeTrend (/report/oncall/*)', async () => {
    const notifications = await sdk.post(
      '/report/oncall/notifications',
      { step: 'day', ...window(), channel_ids: [source.channelId] },
      struct({
        items: arrayOf(struct({ ts: 'timestamp', sms_cnt: 'int', voice_cnt: 'int', email_cnt: 'int' })),
      }),
    );
    expect(notifications.items.length).toBeGreaterThan(0);
    await ctx.change();
    const changes = await sdk.post(
      '/report/oncall/changes',
      { step: 'day', ...window() },
      struct({ items: arrayOf(struct({ ts: 'timestamp', change_cnt: 'int', change_event_cnt: 'int' })) }),
    );
    const total = changes.items.reduce((sum: number, i: any) => sum + i.change_cnt, 0);
    expect(total).toBeGreaterThan(0);
  });
});

describe('custom fields (fields.go)', () => {
  it('ListFields', async () => {
    await ctx.call('/field/create', {
      field_name: 'ticket_sdk',
      display_name: 'Ticket',
      field_type: 'single_select',
      value_type: 'string',
      options: ['OPS-1', 'OPS-2'],
      default_value: 'OPS-1',
    });
    const list = await sdk.post('/field/list', {}, struct({ items: arrayOf(T.FieldInfo) }));
    const field = list.items.find((f: any) => f.field_name === 'ticket_sdk');
    expect(field).toMatchObject({
      display_name: 'Ticket',
      field_type: 'single_select',
      value_type: 'string',
      options: ['OPS-1', 'OPS-2'],
      default_value: 'OPS-1',
    });
    expect(field.field_id).not.toBe('');
  });
});

describe('schedules (schedules.go, enrichment.go)', () => {
  it('ListSchedulesWithSlots, GetScheduleDetail and the schedule names', async () => {
    const info = await SAMPLES['/schedule/info']!(ctx);
    const detail = await sdk.post('/schedule/info', info, T.ScheduleDetail);
    expect(detail.schedule_id).toBe(info.schedule_id);
    expect(detail.layers.length).toBeGreaterThan(0);
    const list = await sdk.post(
      '/schedule/list',
      { start: info.start, end: info.end, limit: 20, p: 1, is_my_team: false },
      struct({ items: arrayOf(T.ScheduleDetail), total: 'int' }),
    );
    expect(list.items.map((s: any) => s.schedule_id)).toContain(info.schedule_id);
    const names = await sdk.post(
      '/schedule/infos',
      { schedule_ids: [info.schedule_id] },
      struct({ items: arrayOf(struct({ schedule_id: 'int', schedule_name: 'string' })) }),
    );
    expect(names.items[0].schedule_id).toBe(info.schedule_id);
  });
});

describe('status pages (statuspage.go)', () => {
  it('ListStatusPages, CreateStatusIncident, CreateChangeTimeline and ListStatusChanges', async () => {
    const { page_id } = await ctx.call('/status-page/create', {
      name: 'SDK page',
      url_name: ctx.unique('sdk'),
      type: 'public',
      date_view: 'list',
      display_uptime_mode: 'chart_and_percentage',
    });
    const { component_ids } = await ctx.call('/status-page/component/upsert', {
      page_id,
      components: [{ name: 'API' }],
    });
    const pages = await sdk.get('/status-page/list', {}, struct({ items: arrayOf(T.StatusPageItem) }));
    const page = pages.items.find((p: any) => p.page_id === page_id);
    expect(page.name).toBe('SDK page');
    expect(page.components.map((c: any) => c.component_id)).toEqual(component_ids);

    const at = nowOf(t);
    const created = await sdk.post(
      '/status-page/change/create',
      {
        page_id,
        title: 'API errors',
        type: 'incident',
        status: 'investigating',
        description: 'Looking',
        updates: [
          {
            at_seconds: at,
            status: 'investigating',
            description: 'Looking',
            component_changes: [{ component_id: component_ids[0], status: 'partial_outage' }],
          },
        ],
        notify_subscribers: false,
      },
      struct({ change_id: 'int', change_name: 'string' }),
    );
    expect(created.change_id).toBeGreaterThan(0);
    expect(created.change_name).toBe('API errors');
    await sdk.post('/status-page/change/timeline/create', {
      page_id,
      change_id: created.change_id,
      description: 'Found it',
      at_seconds: at + 60,
      status: 'identified',
    });
    const active = await sdk.get(
      '/status-page/change/active/list',
      { page_id, type: 'incident' },
      struct({ items: arrayOf(T.StatusChange), total: 'int' }),
    );
    expect(active.total).toBe(1);
    expect(active.items[0]).toMatchObject({ change_id: created.change_id, page_id, title: 'API errors' });
    expect(active.items[0].status).toBe('identified');
    expect(active.items[0].timelines.map((l: any) => l.at)).toEqual([at, at + 60]);
    const timelineIds = active.items[0].timelines.map((l: any) => l.timeline_id);
    expect(new Set(timelineIds).size).toBe(2);
    expect(timelineIds.every((id: number) => id > 0)).toBe(true);
  });
});

describe('templates (templates.go)', () => {
  it("GetPresetTemplate reads every channel's body from /template/info with Flashduty's preset id", async () => {
    const preset = await sdk.post('/template/info', { id: PRESET_TEMPLATE_ID }, mapOf('any'));
    for (const field of [
      'dingtalk',
      'dingtalk_app',
      'feishu',
      'feishu_app',
      'wecom',
      'wecom_app',
      'slack',
      'slack_app',
      'telegram',
      'teams_app',
      'email',
      'sms',
      'zoom',
    ]) {
      expect(typeof preset[field], field).toBe('string');
      expect(preset[field], field).not.toBe('');
    }
  });

  it('ValidateTemplate against mock data and a real incident', async () => {
    const shape = struct({ success: 'bool', content: 'string', message: 'string' });
    const mock = await sdk.post('/template/preview', { content: 'T: {{.Title}}', type: 'slack' }, shape);
    expect(mock.success).toBe(true);
    const real = await sdk.post(
      '/template/preview',
      { content: 'T: {{.Title}}', type: 'slack', incident_id: cpu.incidentId },
      shape,
    );
    expect(real.content).toBe('T: CPU high on web-1');
  });
});

// Last: it adds an alert to the shared channel, which the alert counts above do not expect.
describe('similar incidents (incidents.go)', () => {
  it('ListSimilarIncidents reads items and total from /incident/past/list', async () => {
    const closed = await push(t, source, {
      event_status: 'Critical',
      title_rule: 'CPU high on web-2',
      labels: { host: 'web-2', service: 'api' },
    });
    await sdk.post('/incident/resolve', { incident_ids: [closed.incidentId] });
    const similar = await sdk.post(
      '/incident/past/list',
      { incident_id: cpu.incidentId, p: 1, limit: 20 },
      struct({ items: arrayOf(T.RawIncident), total: 'int' }),
    );
    expect(similar.total).toBe(1);
    expect(similar.items[0]).toMatchObject({
      incident_id: closed.incidentId,
      progress: 'Closed',
      channel_id: source.channelId,
    });
  });
});

describe('post-mortems (incidents.go)', () => {
  it("ListPostMortems: the documented filters, items with the SDK's names", async () => {
    const { meta } = await ctx.call('/incident/post-mortem/init', { incident_ids: [disk.incidentId] });
    await ctx.call('/incident/post-mortem/status/reset', {
      post_mortem_id: meta.post_mortem_id,
      status: 'published',
    });
    const out = await sdk.post(
      '/incident/post-mortem/list',
      {
        limit: 20,
        p: 1,
        status: 'published',
        team_ids: [source.teamId],
        channel_ids: [source.channelId],
        created_at_start_seconds: start,
        created_at_end_seconds: end(),
        order_by: 'created_at_seconds',
        asc: true,
      },
      struct({
        items: arrayOf(T.PostMortem),
        total: 'int',
        has_next_page: 'bool',
        search_after_ctx: 'string',
      }),
    );
    expect(out).toMatchObject({ total: 1, has_next_page: false });
    expect(out.items[0]).toMatchObject({
      account_id: owner.accountId,
      post_mortem_id: meta.post_mortem_id,
      incident_ids: [disk.incidentId],
      author_ids: [owner.memberId],
      channel_id: source.channelId,
      team_id: source.teamId,
      status: 'published',
    });
    expect(out.items[0]!.created_at_seconds).toBeGreaterThan(0);
    const detail = await sdk.post('/incident/info', { incident_id: disk.incidentId }, T.IncidentDetail);
    expect(detail.post_mortem_id).toBe(meta.post_mortem_id);
  });
});

describe('Statuspage migration (status_page.go)', () => {
  it('StartStatusPageMigration, GetStatusPageMigrationStatus, StartStatusPageEmailSubscriberMigration, CancelStatusPageMigration', async () => {
    const urlName = ctx.unique('from-sp');
    const started = await sdk.post(
      '/status-page/migrate-structure',
      { api_key: 'atlassian-secret', source_page_id: 'page_123', url_name: urlName },
      struct({ job_id: 'string' }),
    );
    expect(started.job_id).not.toBe('');
    const job = await sdk.get(
      '/status-page/migration/status',
      { job_id: started.job_id },
      T.StatusPageMigrationJob,
    );
    expect(job).toMatchObject({
      job_id: started.job_id,
      source_page_id: 'page_123',
      phase: 'structure',
      status: 'pending',
    });
    expect(job.progress.total_steps).toBe(5);
    const stored = await t.db.q
      .selectFrom('status_page_migrations')
      .select(['url_name', 'api_key'])
      .where('job_id', '=', started.job_id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ url_name: urlName, api_key: 'atlassian-secret' });
    await sdk.post('/status-page/migration/cancel', { job_id: started.job_id });
    const cancelled = await sdk.get(
      '/status-page/migration/status',
      { job_id: started.job_id },
      T.StatusPageMigrationJob,
    );
    expect(cancelled.status).toBe('cancelled');

    const { page_id } = await ctx.call('/status-page/create', {
      name: 'SDK migration target',
      url_name: ctx.unique('sdk-target'),
      type: 'public',
      date_view: 'list',
      display_uptime_mode: 'none',
    });
    const subscribers = await sdk.post(
      '/status-page/migrate-email-subscribers',
      { api_key: 'atlassian-secret', source_page_id: 'page_123', target_page_id: page_id },
      struct({ job_id: 'string' }),
    );
    const subscriberJob = await sdk.get(
      '/status-page/migration/status',
      { job_id: subscribers.job_id },
      T.StatusPageMigrationJob,
    );
    expect(subscriberJob).toMatchObject({ target_page_id: page_id, phase: 'subscribers', status: 'pending' });
    await sdk.post('/status-page/migration/cancel', { job_id: subscribers.job_id });
  });
});

/** SDK methods Vigil does not serve, each with its reason; every one answers RouteNotFound. */
describe('war rooms (datasource.go)', () => {
  it('ListWarRoomEnabledDataSources sends {} and reads data_source_id, plugin_type and settings', async () => {
    const { integration_id } = await ctx.call('/datasource/upsert', {
      name: 'Feishu',
      plugin_type: 'im.feishu',
      settings: { app_id: 'cli_sdk0000000000001', app_secret: 'SdkSecret0123456789' },
    });
    const DataSourceIntegration = struct({
      data_source_id: 'int',
      name: 'string',
      plugin_type: 'string',
      category: 'string',
      settings: mapOf('any'),
    });
    const out = await sdk.post(
      '/datasource/im/war-room-enabled/list',
      {},
      struct({ items: arrayOf(DataSourceIntegration) }),
    );
    expect(out.items).toEqual([
      {
        data_source_id: integration_id,
        name: 'Feishu',
        plugin_type: 'im.feishu',
        category: 'im',
        settings: { war_room_enabled: true },
      },
    ]);
  });
});

const NOT_SERVED: Record<string, string> = {
  // Flashcat's monitors and its MCP marketplace, not part of Flashduty's on-call API.
  '/monit/query/diagnose': 'MonitQueryDiagnose',
  '/monit/query/rows': 'MonitQueryRows',
  '/monit/rule/counter/status': 'QueryMonitorRuleStatus',
  '/monit/tools/catalog': 'MonitAgentCatalog',
  '/monit/tools/invoke': 'MonitAgentInvoke',
  '/safari/mcp/server/create': 'CreateMCPServer',
};

describe('SDK methods Vigil does not serve', () => {
  it.each(Object.entries(NOT_SERVED))('%s (%s) answers RouteNotFound', async (path) => {
    const res = await t.post(path, {}, owner.appKey);
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('RouteNotFound');
  });
});

describe('bad input and other accounts on what the SDK added', () => {
  it('refuses bad filters and template ids, naming the field', async () => {
    const window = { start_time: start, end_time: end() };
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expectInvalid(await t.post('/alert/list', { ...window, labels: tooMany }, owner.appKey), 'labels');
    expectInvalid(
      await t.post('/alert/list', { ...window, labels: { host: 1 } }, owner.appKey),
      'labels.host',
    );
    expectInvalid(await t.post('/alert/list', { ...window, title: 'x'.repeat(513) }, owner.appKey), 'title');
    expectInvalid(await t.post('/incident/list', { ...window, title: 5 }, owner.appKey), 'title');
    expectInvalid(await t.post('/template/info', {}, owner.appKey), 'template_id');
    expectInvalid(await t.post('/template/info', { id: 'preset' }, owner.appKey), 'id');
  });

  it("another account's key sees none of it", async () => {
    const stranger = await t.newAccount('Stranger');
    const theirs = sdkClient(t, stranger);
    const window = { start_time: start, end_time: end(), limit: 20, p: 1 };
    const channels = await theirs.post(
      '/channel/infos',
      { channel_ids: [source.channelId] },
      struct({ items: arrayOf(T.ChannelItem) }),
    );
    expect(channels.items).toEqual([]);
    const alerts = await theirs.post(
      '/alert/list',
      { ...window, labels: { host: 'web-1' } },
      struct({ total: 'int' }),
    );
    expect(alerts.total).toBe(0);
    const incidents = await theirs.post(
      '/incident/list',
      { ...window, title: 'CPU' },
      struct({ items: arrayOf(T.RawIncident) }),
    );
    expect(incidents.items).toEqual([]);
    const refused = await t.post('/incident/alert/list', { incident_id: cpu.incidentId }, stranger.appKey);
    expect(refused.body.error?.code).toBe('ResourceNotFound');
  });
});

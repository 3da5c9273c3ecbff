import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  documentedErrors,
  expectInvalid,
  expectNotFound,
  newSource,
  newTeam,
  push,
} from '../incidents/read-helpers.ts';
import { ok } from '../webhooks/helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Templates');
});
afterAll(() => t?.close());

describe('/template/*', () => {
  it('creates, reads, lists, updates and deletes a template with per-channel bodies', async () => {
    const created = ok(
      await t.post(
        '/template/create',
        {
          template_name: 'SRE pages',
          description: 'for the SRE team',
          email: '<b>{{.Title}}</b>',
          slack: '*{{.Title}}* on {{.Labels.host}}',
          sms: '{{.IncidentSeverity}}: {{.Title}}',
        },
        owner.appKey,
      ),
    );
    expect(created.template_id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.template_name).toBe('SRE pages');

    const info = ok(await t.post('/template/info', { template_id: created.template_id }, owner.appKey));
    expect(info).toMatchObject({
      account_id: owner.accountId,
      team_id: 0,
      template_name: 'SRE pages',
      description: 'for the SRE team',
      email: '<b>{{.Title}}</b>',
      slack: '*{{.Title}}* on {{.Labels.host}}',
      feishu: '',
      status: 'enabled',
      creator_id: owner.memberId,
      created_at: Math.floor(t.clock.nowMs() / 1000),
    });
    expect(
      documentedErrors(
        '/template/info',
        (await t.post('/template/info', { template_id: created.template_id }, owner.appKey)).body,
      ),
    ).toEqual([]);

    t.clock.advance(60_000);
    ok(
      await t.post(
        '/template/update',
        { template_id: created.template_id, template_name: 'SRE pages v2', telegram: '{{.Title}}' },
        owner.appKey,
      ),
    );
    const updated = ok(await t.post('/template/info', { template_id: created.template_id }, owner.appKey));
    expect(updated.template_name).toBe('SRE pages v2');
    expect(updated.telegram).toBe('{{.Title}}');
    expect(updated.slack).toBe(''); // update replaces the bodies, as the documented full-object update does
    expect(updated.updated_at).toBe(updated.created_at + 60);

    const list = ok(await t.post('/template/list', {}, owner.appKey));
    expect(list.items.map((i: any) => i.template_name)).toEqual(['Default', 'SRE pages v2']);
    expect(list.total).toBe(2);
    expect(
      documentedErrors('/template/list', (await t.post('/template/list', {}, owner.appKey)).body),
    ).toEqual([]);
    const found = ok(await t.post('/template/list', { query: 'v2' }, owner.appKey));
    expect(found.items.map((i: any) => i.template_id)).toEqual([created.template_id]);

    ok(await t.post('/template/delete', { template_id: created.template_id }, owner.appKey));
    expectNotFound(await t.post('/template/info', { template_id: created.template_id }, owner.appKey));
    expectNotFound(await t.post('/template/delete', { template_id: created.template_id }, owner.appKey));
    expect(ok(await t.post('/template/list', {}, owner.appKey)).total).toBe(1);
    // The name is free again once deleted.
    ok(await t.post('/template/create', { template_name: 'SRE pages v2' }, owner.appKey));
  });

  it('ships a default template with a fixed id that cannot be changed', async () => {
    const info = ok(await t.post('/template/info', { template_id: DEFAULT_TEMPLATE_ID }, owner.appKey));
    expect(info.template_name).toBe('Default');
    for (const channel of [
      'email',
      'sms',
      'voice',
      'slack',
      'feishu',
      'dingtalk',
      'wecom',
      'teams_app',
      'telegram',
    ]) {
      expect(info[channel], channel).toContain('{{');
    }
    const update = await t.post(
      '/template/update',
      { template_id: DEFAULT_TEMPLATE_ID, template_name: 'x' },
      owner.appKey,
    );
    expect(update.body.error?.code).toBe('BadRequest');
    const del = await t.post('/template/delete', { template_id: DEFAULT_TEMPLATE_ID }, owner.appKey);
    expect(del.body.error?.code).toBe('BadRequest');
  });

  it('refuses a template that does not parse, naming the channel and the position', async () => {
    const res = await t.post(
      '/template/create',
      { template_name: 'broken', slack: 'fine', feishu: 'line one\n{{if .Title}}no end' },
      owner.appKey,
    );
    expectInvalid(res, 'feishu');
    expect(res.body.error?.message).toContain('line 2, column 3: {{if}} without {{end}}');
    const typo = await t.post('/template/create', { template_name: 'typo', sms: '{{.Titel}}' }, owner.appKey);
    expectInvalid(typo, 'sms');
    expect(typo.body.error?.message).toContain("can't evaluate field Titel");
    const list = ok(await t.post('/template/list', { query: 'broken' }, owner.appKey));
    expect(list.total).toBe(0);
  });

  it('validates names, teams and ids', async () => {
    expectInvalid(await t.post('/template/create', { template_name: '' }, owner.appKey), 'template_name');
    expectInvalid(
      await t.post('/template/create', { template_name: 'x'.repeat(40) }, owner.appKey),
      'template_name',
    );
    expectInvalid(
      await t.post('/template/create', { template_name: 'Default' }, owner.appKey),
      'template_name',
    );
    expectInvalid(
      await t.post('/template/create', { template_name: 'team', team_id: 999 }, owner.appKey),
      'team_id',
    );
    expectInvalid(await t.post('/template/info', { template_id: 'nope' }, owner.appKey), 'template_id');
    ok(await t.post('/template/create', { template_name: 'Twice' }, owner.appKey));
    expectInvalid(
      await t.post('/template/create', { template_name: 'twice' }, owner.appKey),
      'template_name',
    );
  });

  it('filters by team, by my teams and by creator', async () => {
    const account = await t.newAccount('Teams');
    const member = await t.newMember(account, [2]);
    const mine = await newTeam(t, account, [account.memberId]);
    const theirs = await newTeam(t, account, [member.memberId]);
    const a = ok(await t.post('/template/create', { template_name: 'A', team_id: mine }, account.appKey));
    const b = ok(await t.post('/template/create', { template_name: 'B', team_id: theirs }, member.appKey));
    const names = async (body: object) =>
      ok(await t.post('/template/list', body, account.appKey)).items.map((i: any) => i.template_name);
    expect(await names({ team_ids: [theirs] })).toEqual(['B']);
    expect(await names({ is_my_team: true })).toEqual(['A']);
    expect(await names({ creator_id: member.memberId })).toEqual(['B']);
    expect(await names({ asc: true })).toEqual(['Default', 'A', 'B']);
    expect(await names({ p: 2, limit: 2 })).toEqual(['A']);
    expect(ok(await t.post('/template/list', { p: 1, limit: 2 }, account.appKey))).toMatchObject({
      total: 3,
      has_next_page: true,
    });
    expect([a.template_id, b.template_id].every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
  });

  it('keeps accounts apart and checks permissions', async () => {
    const other = await t.newAccount('Other');
    const mine = ok(await t.post('/template/create', { template_name: 'Mine' }, owner.appKey));
    expectNotFound(await t.post('/template/info', { template_id: mine.template_id }, other.appKey));
    expectNotFound(
      await t.post(
        '/template/update',
        { template_id: mine.template_id, template_name: 'Stolen' },
        other.appKey,
      ),
    );
    expectNotFound(await t.post('/template/delete', { template_id: mine.template_id }, other.appKey));
    expect(ok(await t.post('/template/list', {}, other.appKey)).total).toBe(1);
    const reader = await t.newMember(owner, [4]);
    expect(ok(await t.post('/template/list', {}, reader.appKey)).total).toBeGreaterThan(1);
    const denied = await t.post('/template/create', { template_name: 'Nope' }, reader.appKey);
    expect(denied.body.error?.code).toBe('AccessDenied');
  });
});

describe('/template/preview', () => {
  it('renders against a real incident, or the sample one', async () => {
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source, {
      event_status: 'Critical',
      title_rule: 'Disk full on db-1',
      labels: { host: 'db-1' },
    });
    const real = ok(
      await t.post(
        '/template/preview',
        {
          type: 'slack',
          content: '{{.IncidentSeverity}} {{.Title}} {{.Labels.host}} {{.DetailUrl}}',
          incident_id: incidentId,
        },
        owner.appKey,
      ),
    );
    expect(real).toEqual({
      content: `Critical Disk full on db-1 db-1 ${t.config.publicUrl}/incident/detail/${incidentId}`,
      success: true,
      message: '',
    });
    const sample = ok(
      await t.post('/template/preview', { type: 'sms', content: '{{.Labels.host}}' }, owner.appKey),
    );
    expect(sample.content).toBe('web-1');
    const bad = ok(
      await t.post('/template/preview', { type: 'sms', content: '{{range .Labels}}' }, owner.appKey),
    );
    expect(bad.success).toBe(false);
    expect(bad.message).toContain('{{range}} without {{end}}');
    const other = await t.newAccount('Elsewhere');
    expectNotFound(
      await t.post('/template/preview', { type: 'sms', content: 'x', incident_id: incidentId }, other.appKey),
    );
  });

  // Issue 17 item 9: these answered 500 "Maximum call stack size exceeded".
  const deepParens = `{{${'('.repeat(5_000)}len .Title${')'.repeat(5_000)}}}`;
  const deepIfs = `${'{{if .Title}}'.repeat(3_000)}x${'{{end}}'.repeat(3_000)}`;

  it('answers a template nested too deep as its own failure, never a 5xx', async () => {
    for (const [content, message] of [
      [deepParens, 'line 1, column 103: parentheses nest more than 100 deep'],
      [deepIfs, 'line 1, column 1303: blocks nest more than 100 deep'],
    ] as const) {
      const res = await t.post('/template/preview', { type: 'sms', content }, owner.appKey);
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
      expect(res.body.data).toEqual({
        content: '',
        success: false,
        message: expect.stringContaining(message),
      });
    }
  });

  it('refuses to save a template nested too deep, naming the channel', async () => {
    for (const [field, body] of [
      ['sms', deepParens],
      ['email', deepIfs],
    ] as const) {
      const res = await t.post(
        '/template/create',
        { template_name: `deep ${field}`, [field]: body },
        owner.appKey,
      );
      expectInvalid(res, field);
      expect(res.body.error?.message).toMatch(/nest more than 100 deep/);
    }
  });
});

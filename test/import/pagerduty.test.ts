import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kind } from '../../src/import/model.ts';
import { type ImportReport, runImport } from '../../src/import/run.ts';
import { openSource } from '../../src/import/sources/index.ts';
import { injectedVigilApi } from '../../src/import/vigil-api.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { PD_TOKEN, startFakePagerduty } from './fake-pagerduty.ts';

/*
 * The PagerDuty importer against a local server answering as PagerDuty's REST API v2 documents,
 * writing into Vigil through Vigil's own API (the same injected client the console's endpoints use).
 * "Now" is 2026-02-20, so the eight weeks checked hold New York's spring-forward (2026-03-08).
 */

const NOW = Date.parse('2026-02-20T12:00:00Z') / 1000;
const ALL: Kind[] = ['users', 'teams', 'schedules', 'escalations', 'integrations'];

let t: TestApp;
let pd: Awaited<ReturnType<typeof startFakePagerduty>>;

beforeAll(async () => {
  t = await startTestApp();
  pd = await startFakePagerduty();
});
afterAll(async () => {
  await pd?.close();
  await t?.close();
});

async function importInto(
  account: TestAccount,
  mode: 'plan' | 'apply',
  options: { token?: string; url?: string; only?: Kind[]; waits?: number[] } = {},
): Promise<ImportReport> {
  const { source, http } = openSource({
    source: 'pagerduty',
    apiUrl: options.url ?? pd.url,
    token: options.token ?? PD_TOKEN,
    now: NOW,
    sleep: async (ms) => {
      options.waits?.push(ms);
    },
  });
  return runImport({
    api: injectedVigilApi(t.app, { appKey: account.appKey, headers: {} }),
    source,
    only: options.only ?? ALL,
    mode,
    now: NOW,
    stats: () => ({ calls: http.calls, throttled: http.throttled }),
  });
}

const summary = (report: ImportReport) =>
  report.items.map((i) => `${i.stage} ${i.action} ${i.kind} ${i.name}`).sort();

async function counts(account: TestAccount) {
  const post = async (path: string, body: object = {}) =>
    (await t.post(path, { limit: 100, ...body }, account.appKey)).body.data;
  return {
    members: (await post('/member/list')).total,
    teams: (await post('/team/list')).total,
    schedules: (await post('/schedule/list')).total,
    channels: (await post('/channel/list')).total,
    integrations: (await post('/datasource/list')).total,
  };
}

async function newAccountWithBob(): Promise<TestAccount> {
  const account = await t.newAccount();
  const bob = await t.post(
    '/member/invite',
    { members: [{ member_name: 'Robert', email: 'bob@acme.test' }] },
    account.appKey,
  );
  expect(bob.status).toBe(200);
  return account;
}

describe('import from PagerDuty', { timeout: 120_000 }, () => {
  let account: TestAccount;
  let applied: ImportReport;

  it('plans first: what would be created, matched or skipped and why, changing nothing', async () => {
    account = await newAccountWithBob();
    const before = await counts(account);
    const plan = await importInto(account, 'plan');
    expect(plan.error).toBeUndefined();
    expect(summary(plan)).toEqual(
      [
        'users create member Alice Ames <alice@acme.test>',
        'users match member Bob Brown <Bob@Acme.test>',
        'users create member Carol Cruz <carol@acme.test>',
        'users create member Dan Diaz <dan@acme.test>',
        'users create member Eve Evans <eve@acme.test>',
        'teams create team SRE',
        'teams create team Payments',
        'schedules create schedule Primary',
        'schedules create schedule Night',
        'schedules skip schedule Odd turns',
        'escalations create channel Checkout API',
        'escalations create team pagerduty import',
        'escalations create channel Batch jobs',
        'escalations create escalation rule Checkout escalation',
        'escalations skip escalation rule Batch round robin',
        'integrations create integration Events API v2',
        'integrations create integration Prometheus',
      ].sort(),
    );
    const odd = plan.items.find((i) => i.name === 'Odd turns')!;
    expect(odd.reason).toMatch(/not mapped: .*129600 s are not 1–30 whole hours, days or weeks/);
    expect(plan.items.find((i) => i.name === 'Batch round robin')!.reason).toMatch(/round-robin/);
    expect(plan.skipped.map((s) => `${s.kind} ${s.name}: ${s.reason}`)).toEqual([
      'escalation policy Unused: no service uses it (Vigil escalation rules belong to channels, made from services)',
      'integration Email: e-mail integrations have no Vigil equivalent (Vigil takes events over HTTP)',
    ]);
    const alice = plan.items.find((i) => i.source_id === 'PALICE1')!;
    expect(alice.notes.join('\n')).toMatch(/sms 5 min after a high-urgency incident/);
    expect(alice.notes.join('\n')).toMatch(/email alice@home\.test/);
    // The plan's on-call check runs Vigil's calculator on the planned layers.
    expect(plan.checks.map((c) => [c.name, c.checked, c.differences.length])).toEqual([
      ['Primary', 'planned', 0],
      ['Night', 'planned', 0],
    ]);
    expect(await counts(account)).toEqual(before);
  });

  it('applies: members, teams, schedules, channels, rules and integrations through the API, with push URLs', async () => {
    applied = await importInto(account, 'apply');
    expect(applied.error).toBeUndefined();
    expect(applied.items.filter((i) => i.action === 'failed')).toEqual([]);
    expect(await counts(account)).toMatchObject({
      members: 6,
      teams: 3,
      schedules: 2,
      channels: 2,
      integrations: 2,
    });

    const members = (await t.post('/member/list', { limit: 100 }, account.appKey)).body.data.items;
    const alice = members.find((m: any) => m.email === 'alice@acme.test');
    expect(alice).toMatchObject({
      member_name: 'Alice Ames',
      phone: '5550100',
      country_code: '1',
      ref_id: 'pagerduty:user:PALICE1',
    });
    const bob = members.find((m: any) => m.email === 'bob@acme.test');
    expect(bob).toMatchObject({ member_name: 'Robert', ref_id: '' });
    const prefs = await t.post('/preference/info', { person_id: alice.member_id }, account.appKey);
    expect(prefs.body.data.trigger_notify).toEqual({
      critical: ['email', 'voice'],
      warning: ['email', 'voice'],
      info: ['email'],
    });

    const teams = (await t.post('/team/list', { limit: 100 }, account.appKey)).body.data.items;
    const sre = teams.find((x: any) => x.team_name === 'SRE');
    expect(sre.person_ids.sort()).toEqual(
      members
        .filter((m: any) => /alice|bob|carol/i.test(m.email))
        .map((m: any) => m.member_id)
        .sort(),
    );

    const schedules = (await t.post('/schedule/list', { limit: 100 }, account.appKey)).body.data.items;
    const primary = schedules.find((s: any) => s.schedule_name === 'Primary');
    expect(primary).toMatchObject({ time_zone: 'America/New_York', team_id: sre.team_id });
    expect(primary.description).toMatch(
      /^Primary on-call for the checkout\n\[vigil-import pagerduty\/schedule\/PSPRIM1 [0-9a-f]{8}\]$/,
    );
    // Base (weekly), then Business hours: a first layer for the turn in progress at its start, then the rotation.
    expect(
      primary.layers.map((l: any) => [l.layer_name, l.rotation_unit, l.restrict_mode, l.cumulative]),
    ).toEqual([
      ['Base', 'week', 0, false],
      ['Business hours', 'day', 2, false],
      ['Business hours', 'day', 2, true],
    ]);
    const night = schedules.find((s: any) => s.schedule_name === 'Night');
    expect(night.layers.map((l: any) => [l.mode, l.layer_start])).toEqual([
      [0, Date.parse('2026-02-01T13:00:00Z') / 1000],
      [1, Date.parse('2026-03-08T01:00:00Z') / 1000],
    ]);

    // The proof: the source's own final schedule against Vigil's, at every hand-off over 8 weeks.
    expect(applied.checks.map((c) => [c.name, c.checked, c.differences])).toEqual([
      ['Primary', 'stored', []],
      ['Night', 'stored', []],
    ]);
    const nightCheck = applied.checks.find((c) => c.name === 'Night')!;
    expect(nightCheck.handoffs).toBeGreaterThan(50);
    expect(nightCheck.window.end - nightCheck.window.start).toBe(56 * 86_400);

    const channels = (await t.post('/channel/list', { limit: 100 }, account.appKey)).body.data.items;
    const checkout = channels.find((c: any) => c.channel_name === 'Checkout API');
    expect(checkout).toMatchObject({ team_id: sre.team_id, auto_resolve_timeout: 14_400 });
    const rules = (
      await t.post('/channel/escalate/rule/list', { channel_id: checkout.channel_id }, account.appKey)
    ).body.data.items;
    expect(rules).toHaveLength(1);
    expect(rules[0].layers.map((l: any) => [l.escalate_window, l.max_times, l.force_escalate])).toEqual([
      [5, 0, false],
      [15, 0, false],
      [5, 0, false],
      [15, 0, false],
    ]);
    expect(rules[0].layers[1].target.schedule_to_role_ids).toEqual({ [String(primary.schedule_id)]: [] });
    expect(rules[0].layers[0].target.person_ids).toEqual([alice.member_id]);

    const integrations = applied.items.filter((i) => i.kind === 'integration');
    expect(integrations.map((i) => [i.name, i.push_url?.replace(/=\w+$/, '=KEY')])).toEqual([
      ['Events API v2', 'http://localhost:8080/event/push/alert/standard?integration_key=KEY'],
      ['Prometheus', 'http://localhost:8080/event/push/alert/prometheus?integration_key=KEY'],
    ]);
  });

  it('a second run creates nothing twice', async () => {
    const again = await importInto(account, 'apply');
    expect(again.items.filter((i) => i.action === 'create' || i.action === 'update')).toEqual([]);
    expect(await counts(account)).toMatchObject({
      members: 6,
      teams: 3,
      schedules: 2,
      channels: 2,
      integrations: 2,
    });
    expect(again.checks.every((c) => c.differences.length === 0)).toBe(true);
  });

  it('a run after changes in the source updates what it made', async () => {
    const fixture = pd.fixture;
    const saved = structuredClone(fixture);
    try {
      fixture.teams[1]!.members.push('PEVE001');
      fixture.schedules[1]!.schedule_layers[0]!.users.push({
        user: { id: 'PEVE001', type: 'user_reference', summary: 'x' },
      });
      fixture.users[2]!.name = 'Carol Cruz-Lee';
      const changed = await importInto(account, 'apply');
      expect(
        changed.items
          .filter((i) => i.action === 'update')
          .map((i) => `${i.kind} ${i.name}`)
          .sort(),
      ).toEqual(['member Carol Cruz-Lee <carol@acme.test>', 'schedule Night', 'team Payments']);
      expect(changed.items.filter((i) => i.action === 'create')).toEqual([]);
      expect(changed.checks.find((c) => c.name === 'Night')!.differences).toEqual([]);
      expect(await counts(account)).toMatchObject({ members: 6, teams: 3, schedules: 2 });
    } finally {
      Object.assign(fixture, saved);
    }
  });

  it('the on-call check reports differences when Vigil disagrees with the source', async () => {
    // In step with the source again (the test before changed it back).
    expect(
      (await importInto(account, 'apply', { only: ['schedules'] })).checks.every(
        (c) => c.differences.length === 0,
      ),
    ).toBe(true);
    const list = (await t.post('/schedule/list', { limit: 100 }, account.appKey)).body.data.items;
    const night = list.find((s: any) => s.schedule_name === 'Night');
    // Someone edits the imported schedule by hand: the next run's check shows where they differ.
    const layers = night.layers.filter((l: any) => l.mode === 0);
    const edited = await t.post(
      '/schedule/update',
      { schedule_id: night.schedule_id, layers },
      account.appKey,
    );
    expect(edited.status).toBe(200);
    const report = await importInto(account, 'apply', { only: ['schedules'] });
    const check = report.checks.find((c) => c.name === 'Night')!;
    expect(report.items.find((i) => i.name === 'Night')!.action).toBe('unchanged');
    expect(check.differences.length).toBeGreaterThan(0);
    expect(check.differences[0]).toMatchObject({
      at: Date.parse('2026-03-08T01:00:00Z') / 1000,
      source: ['PBOB001'],
    });
  });
});

describe('PagerDuty import failures', { timeout: 120_000 }, () => {
  it('a wrong token stops at the first stage and writes nothing', async () => {
    const account = await t.newAccount();
    const before = await counts(account);
    const report = await importInto(account, 'apply', { token: 'wrong' });
    expect(report.error).toMatchObject({ stage: 'users', kind: 'token' });
    expect(report.error!.message).toMatch(/refused the token \(401 on \/users\)/);
    expect(await counts(account)).toEqual(before);
  });

  it('an unreachable URL is said plainly', async () => {
    const account = await t.newAccount();
    const report = await importInto(account, 'plan', { url: 'http://127.0.0.1:9' });
    expect(report.error).toMatchObject({ stage: 'users', kind: 'unreachable' });
    expect(report.error!.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('a 500 mid-way stops the stage; the next run goes on from there and duplicates nothing', async () => {
    const account = await newAccountWithBob();
    pd.faults.push({ path: /^\/schedules\?/, status: 500, times: 100 });
    const waits: number[] = [];
    const first = await importInto(account, 'apply', { waits });
    pd.faults.length = 0;
    expect(first.error).toMatchObject({ stage: 'schedules', kind: 'status' });
    expect(first.error!.message).toMatch(/\/schedules answered 500 after 6 attempts/);
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(first.stages).toEqual(['users', 'teams']);
    expect(await counts(account)).toMatchObject({ members: 6, teams: 2, schedules: 0, channels: 0 });

    const second = await importInto(account, 'apply');
    expect(second.error).toBeUndefined();
    expect(
      second.items
        .filter((i) => i.stage === 'users' || i.stage === 'teams')
        .map((i) => i.action)
        .sort(),
    ).toEqual(['match', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(await counts(account)).toMatchObject({
      members: 6,
      teams: 3,
      schedules: 2,
      channels: 2,
      integrations: 2,
    });
  });

  it('backs off on 429 as the source asks (Retry-After) and finishes', async () => {
    const account = await t.newAccount();
    pd.faults.push({ path: /^\/teams\?/, status: 429, times: 2, retryAfter: 3 });
    const waits: number[] = [];
    const report = await importInto(account, 'plan', { only: ['teams'], waits });
    expect(report.error).toBeUndefined();
    expect(report.throttled).toBe(2);
    expect(waits).toEqual([3000, 3000]);
    expect(report.items.map((i) => i.name)).toEqual(['SRE', 'Payments']);
  });
});

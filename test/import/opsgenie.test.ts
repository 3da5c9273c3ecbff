import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kind } from '../../src/import/model.ts';
import { type ImportReport, runImport } from '../../src/import/run.ts';
import { openSource } from '../../src/import/sources/index.ts';
import { injectedVigilApi } from '../../src/import/vigil-api.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { OG_KEY, startFakeOpsgenie } from './fake-opsgenie.ts';

/*
 * The Opsgenie importer against a local server answering as Opsgenie's API v2 documents. "Now" is
 * 2026-03-06: the eight weeks checked hold Berlin's spring-forward (2026-03-29), a rotation that ends,
 * an override of the whole schedule and one of a single rotation.
 */

const NOW = Date.parse('2026-03-06T12:00:00Z') / 1000;
const ALL: Kind[] = ['users', 'teams', 'schedules', 'escalations', 'integrations'];

let t: TestApp;
let og: Awaited<ReturnType<typeof startFakeOpsgenie>>;

beforeAll(async () => {
  t = await startTestApp();
  og = await startFakeOpsgenie();
});
afterAll(async () => {
  await og?.close();
  await t?.close();
});

async function importInto(
  account: TestAccount,
  mode: 'plan' | 'apply',
  token = OG_KEY,
): Promise<ImportReport> {
  const { source, http } = openSource({ source: 'opsgenie', apiUrl: og.url, token, now: NOW });
  return runImport({
    api: injectedVigilApi(t.app, { appKey: account.appKey, headers: {} }),
    source,
    only: ALL,
    mode,
    now: NOW,
    stats: () => ({ calls: http.calls, throttled: http.throttled }),
  });
}

describe('import from Opsgenie', { timeout: 120_000 }, () => {
  let account: TestAccount;

  it('plans and imports rotations that are on call together, overrides, escalations by routing rule', async () => {
    account = await t.newAccount();
    await t.db.q
      .updateTable('accounts')
      .set({ time_zone: 'Europe/Berlin' })
      .where('account_id', '=', account.accountId)
      .execute();
    await t.post(
      '/member/invite',
      { members: [{ member_name: 'Bob', email: 'bob@ops.test' }] },
      account.appKey,
    );

    const plan = await importInto(account, 'plan');
    expect(plan.error).toBeUndefined();
    expect(plan.checks.map((c) => [c.name, c.differences.length])).toEqual([['Platform_schedule', 0]]);
    expect((await t.post('/schedule/list', {}, account.appKey)).body.data.total).toBe(0);

    const report = await importInto(account, 'apply');
    expect(report.error).toBeUndefined();
    expect(report.items.filter((i) => i.action === 'failed')).toEqual([]);
    const by = (name: string) => report.items.find((i) => i.name === name || i.name.startsWith(`${name} <`))!;
    expect(by('Bob Brown').action).toBe('match');
    expect(by('Team_rotation')).toMatchObject({
      action: 'skip',
      reason: 'not mapped: Teams take turns: a team takes turns (Vigil rotates people)',
    });
    expect(by('Alice Ames').notes.join('\n')).toMatch(/voice 5 min after an alert/);
    expect(by('Alice Ames').notes.join('\n')).toMatch(/"Acks" \(acknowledged-alert\)/);

    // The proof over eight weeks, Berlin's DST change included.
    const check = report.checks.find((c) => c.name === 'Platform_schedule')!;
    expect(check).toMatchObject({ checked: 'stored', differences: [] });
    expect(check.handoffs).toBeGreaterThan(100);

    const schedules = (await t.post('/schedule/list', { limit: 100 }, account.appKey)).body.data.items;
    const platform = schedules[0];
    expect(
      platform.layers.filter((l: any) => l.mode === 0).every((l: any, i: number) => l.cumulative === i > 0),
    ).toBe(true);
    // 17:00–18:00 on a weekday in the half-days weeks: all three rotations' people are on call together.
    const info = (
      await t.post(
        '/schedule/info',
        {
          schedule_id: platform.schedule_id,
          start: Date.parse('2026-03-16T16:00:00Z') / 1000,
          end: Date.parse('2026-03-16T17:00:00Z') / 1000,
        },
        account.appKey,
      )
    ).body.data;
    expect(info.final_schedule.schedules[0].group.members.flatMap((m: any) => m.person_ids)).toHaveLength(3);

    const members = (await t.post('/member/list', { limit: 100 }, account.appKey)).body.data.items;
    const alice = members.find((m: any) => m.email === 'alice@ops.test');
    expect(alice).toMatchObject({ phone: '1701234', country_code: '49', ref_id: 'opsgenie:user:og-alice' });
    const prefs = (await t.post('/preference/info', { person_id: alice.member_id }, account.appKey)).body
      .data;
    expect(prefs.trigger_notify).toEqual({
      critical: ['email', 'sms'],
      warning: ['email', 'sms'],
      info: ['email', 'sms'],
    });

    // Routing rules of the Platform team → its channel's rules, in order, with the business-hours window.
    const channel = (await t.post('/channel/list', { limit: 100 }, account.appKey)).body.data.items.find(
      (c: any) => c.channel_name === 'Platform',
    );
    const rules = (
      await t.post('/channel/escalate/rule/list', { channel_id: channel.channel_id }, account.appKey)
    ).body.data.items;
    expect(rules.map((r: any) => [r.rule_name, r.priority])).toEqual([
      ['Business hours', 0],
      ['Default', 1],
    ]);
    expect(rules[0].time_filters.map((f: any) => [f.start, f.end, f.repeat])).toEqual([
      ['09:00', '24:00', [1]],
      ['00:00', '24:00', [2]],
      ['00:00', '24:00', [3]],
      ['00:00', '24:00', [4]],
      ['00:00', '18:00', [5]],
    ]);
    expect(rules[0].layers.map((l: any) => l.escalate_window)).toEqual([10, 5, 10, 5]);
    expect(rules[0].layers[1].target.team_ids).toHaveLength(1);
    expect(rules[0].layers[1].target.person_ids).toEqual([alice.member_id]);
    expect(by('Data').action).toBe('create');
    expect(report.items.find((i) => i.source_id === 'og-rr3')!.reason).toMatch(
      /notifying next of a schedule/,
    );
    expect(report.skipped.map((s) => s.name).sort()).toEqual(['Global email', 'Unused_escalation']);
    expect(report.items.filter((i) => i.push_url).map((i) => [i.name, i.push_url!.split('?')[0]])).toEqual([
      ['Platform Prometheus', 'http://localhost:8080/event/push/alert/prometheus'],
      ['Platform API', 'http://localhost:8080/event/push/alert/standard'],
    ]);

    const again = await importInto(account, 'apply');
    expect(again.items.filter((i) => i.action === 'create' || i.action === 'update')).toEqual([]);
  });

  it('a routing rule whose windows are in another zone than the account is not mapped, and says why', async () => {
    const other = await t.newAccount();
    const report = await importInto(other, 'plan');
    expect(report.items.find((i) => i.source_id === 'og-rr1')).toMatchObject({
      action: 'skip',
      reason:
        "not mapped: its time windows are in Europe/Berlin, and Vigil reads rule windows in the account's zone (UTC)",
    });
  });

  it('a wrong GenieKey stops before anything is written', async () => {
    const other = await t.newAccount();
    const report = await importInto(other, 'apply', 'wrong');
    expect(report.error).toMatchObject({ stage: 'users', kind: 'token' });
    expect((await t.post('/member/list', {}, other.appKey)).body.data.total).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kind } from '../../src/import/model.ts';
import { type ImportReport, runImport } from '../../src/import/run.ts';
import { openSource } from '../../src/import/sources/index.ts';
import { injectedVigilApi } from '../../src/import/vigil-api.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { GRAFANA_TOKEN, startFakeGrafanaOncall } from './fake-grafana-oncall.ts';

/*
 * The Grafana OnCall importer against a local server answering as OnCall's API v1 documents. "Now"
 * is 2026-02-25: the eight weeks checked hold Los Angeles' spring-forward (2026-03-08), with a
 * rolling rotation, a recurrent event of two people, an evening rotation on the same level that
 * ends, and an override across the change.
 */

const NOW = Date.parse('2026-02-25T20:00:00Z') / 1000;
const ALL: Kind[] = ['users', 'teams', 'schedules', 'escalations', 'integrations'];

let t: TestApp;
let g: Awaited<ReturnType<typeof startFakeGrafanaOncall>>;

beforeAll(async () => {
  t = await startTestApp();
  g = await startFakeGrafanaOncall();
});
afterAll(async () => {
  await g?.close();
  await t?.close();
});

async function importInto(account: TestAccount, mode: 'plan' | 'apply'): Promise<ImportReport> {
  const { source, http } = openSource({
    source: 'grafana-oncall',
    apiUrl: g.url,
    token: GRAFANA_TOKEN,
    now: NOW,
  });
  return runImport({
    api: injectedVigilApi(t.app, { appKey: account.appKey, headers: {} }),
    source,
    only: ALL,
    mode,
    now: NOW,
    stats: () => ({ calls: http.calls, throttled: http.throttled }),
  });
}

describe('import from Grafana OnCall', { timeout: 120_000 }, () => {
  it('imports web shifts exactly (levels as bands, overrides), escalation chains of default routes, integrations', async () => {
    const account = await t.newAccount();
    const plan = await importInto(account, 'plan');
    expect(plan.error).toBeUndefined();
    expect(
      plan.checks.map((c) => [c.name, c.differences]),
      JSON.stringify(plan.checks.map((c) => c.differences)),
    ).toEqual([
      ['Infra on call', []],
      ['Weekday turns', []],
      ['From a calendar', []],
    ]);

    const report = await importInto(account, 'apply');
    expect(report.error).toBeUndefined();
    expect(report.items.filter((i) => i.action === 'failed')).toEqual([]);
    const check = report.checks.find((c) => c.name === 'Infra on call')!;
    expect(check).toMatchObject({ checked: 'stored', differences: [] });
    expect(check.handoffs).toBeGreaterThan(80);
    const by = (id: string) => report.items.find((i) => i.source_id === id)!;
    // Daily turns on weekdays only: one weekly layer per weekday, the groups in the order they reach it.
    expect(by('SCAL')).toMatchObject({ action: 'create' });
    expect(report.checks.find((c) => c.name === 'Weekday turns')).toMatchObject({ differences: [] });
    // The iCal schedule: its events read from the calendar, the zone from their TZID.
    expect(by('SICAL')).toMatchObject({ action: 'create' });
    expect(report.checks.find((c) => c.name === 'From a calendar')).toMatchObject({ differences: [] });
    expect(by('R1')).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(/routing by the alert's payload/),
    });
    expect(by('R3')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/trigger_webhook/) });
    expect(by('UALICE').notes.join('\n')).toMatch(/"important" notification rules/);
    expect(report.skipped.map((s) => s.name).sort()).toEqual(['Idle chain', 'Mail']);

    const members = (await t.post('/member/list', { limit: 100 }, account.appKey)).body.data.items;
    const alice = members.find((m: any) => m.email === 'alice@graf.test');
    const prefs = (await t.post('/preference/info', { person_id: alice.member_id }, account.appKey)).body
      .data;
    expect(prefs.trigger_notify.critical).toEqual(['email']);
    const teams = (await t.post('/team/list', { limit: 100 }, account.appKey)).body.data.items;
    expect(teams.find((x: any) => x.team_name === 'Infra').person_ids).toHaveLength(2);

    const channels = (await t.post('/channel/list', { limit: 100 }, account.appKey)).body.data.items;
    const am = channels.find((c: any) => c.channel_name === 'Alertmanager');
    const rules = (await t.post('/channel/escalate/rule/list', { channel_id: am.channel_id }, account.appKey))
      .body.data.items;
    expect(
      rules.map((r: any) => [r.rule_name, r.aggr_window, r.layers.map((l: any) => l.escalate_window)]),
    ).toEqual([['Infra chain', 60, [5, 0]]]);
    expect(rules[0].layers[1].target.team_ids).toHaveLength(1);
    expect(report.items.filter((i) => i.push_url).map((i) => i.push_url!.split('?')[0])).toEqual([
      'http://localhost:8080/event/push/alert/prometheus',
      'http://localhost:8080/event/push/alert/standard',
    ]);

    const again = await importInto(account, 'apply');
    expect(again.items.filter((i) => i.action === 'create' || i.action === 'update')).toEqual([]);
  });
});

import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVigil } from '../cli/processes.ts';
import { startTestApp, type TestApp } from '../harness/app.ts';
import { PD_TOKEN, startFakePagerduty } from './fake-pagerduty.ts';

/*
 * `vigil import` as a real process: an HTTP client of a running Vigil (here a test app listening on
 * 127.0.0.1) and of the source, printing the plan, then importing, with the exit status saying
 * whether everything went through.
 */

let t: TestApp;
let vigilUrl: string;
let pd: Awaited<ReturnType<typeof startFakePagerduty>>;

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  vigilUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  pd = await startFakePagerduty();
});
afterAll(async () => {
  await pd?.close();
  await t?.close();
});

describe('vigil import', { timeout: 120_000 }, () => {
  it('plans, imports, and says what it did; bad arguments are refused before anything runs', async () => {
    const account = await t.newAccount();
    const args = [
      'import',
      'pagerduty',
      '--api-url',
      pd.url,
      '--token',
      PD_TOKEN,
      '--app-key',
      account.appKey,
      '--vigil-url',
      vigilUrl,
      '--now',
      '2026-02-20T12:00:00Z',
    ];
    const plan = await runVigil([...args, '--plan', '--only', 'users,teams,schedules'], {});
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^Plan from pagerduty \(users, teams, schedules\)/);
    expect(plan.stdout).toMatch(/create +schedule Primary — new schedule/);
    expect(plan.stdout).toMatch(/skip +schedule Odd turns — not mapped: Thirty-six hours: turns of 129600 s/);
    expect(plan.stdout).toMatch(
      /Primary: \d+ hand-offs from 2026-02-20T12:00Z to 2026-04-17T12:00Z, 0 difference\(s\) \(as planned\)/,
    );
    expect(plan.stderr).toMatch(/\[users\] reading/);
    expect((await t.post('/schedule/list', {}, account.appKey)).body.data.total).toBe(0);

    const run = await runVigil([...args, '--json'], {});
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.mode).toBe('apply');
    expect(report.checks.map((c: any) => c.differences.length)).toEqual([0, 0]);
    expect(report.items.filter((i: any) => i.push_url).length).toBe(2);
    expect((await t.post('/schedule/list', {}, account.appKey)).body.data.total).toBe(2);

    const wrong = await runVigil(
      ['import', 'pagerduty', '--api-url', 'ftp://x', '--token', 'a', '--app-key', 'b'],
      {},
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--api-url must be an http:\/\/ or https:\/\/ URL/);
    const badKey = await runVigil([...args.slice(0, 6), '--app-key', 'nope', '--vigil-url', vigilUrl], {});
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/app_key is invalid/);
  });
});

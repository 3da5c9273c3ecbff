import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { feedOf, fire, newSource, ok, type Source } from './actions-helpers.ts';
import { feedErrors } from './read-helpers.ts';

/*
 * The engine's snooze-expiry module, driven as an operator sees it: snooze through the API, move
 * the clock, run a cycle, read the incident and its timeline back through the API.
 */

let t: TestApp;
let owner: TestAccount;
let source: Source;
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Snooze expiry');
  source = await newSource(t, owner);
});
afterAll(() => t.close());

const now = () => Math.floor(t.clock.nowMs() / 1000);
const woken = async () => (await t.engine.runOnce(t.clock.nowMs())).changed['snooze-expiry'];

async function info(incidentId: string) {
  const res = await t.post('/incident/info', { incident_id: incidentId }, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function wakes(incidentId: string) {
  const res = await t.post('/incident/feed', { incident_id: incidentId, types: ['i_wake'] }, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(feedErrors('/incident/feed', res.body)).toEqual([]);
  return res.body.data.items as { type: string; creator_id: number; detail: Record<string, unknown> }[];
}

describe('snooze expiry in the engine cycle', () => {
  it('a snooze that ran out returns the incident to Triggered, once, with i_wake from timeout', async () => {
    const fired = await fire(t, source);
    await ok(t, owner, '/incident/ack', { incident_ids: [fired.incidentId] });
    await ok(t, owner, '/incident/snooze', { incident_ids: [fired.incidentId], minutes: 10 });
    const until = now() + 600;
    expect(await info(fired.incidentId)).toMatchObject({ progress: 'Processing', snoozed_before: until });

    t.clock.advance(599_000);
    expect(await woken()).toBe(0);
    expect(await info(fired.incidentId)).toMatchObject({ progress: 'Processing', snoozed_before: until });

    t.clock.advance(1_000);
    const runs = await Promise.all([t.engine.runOnce(t.clock.nowMs()), t.engine.runOnce(t.clock.nowMs())]);
    expect(runs.map((r) => r.changed['snooze-expiry']).sort()).toEqual([0, 1]);
    expect(await info(fired.incidentId)).toMatchObject({
      progress: 'Triggered',
      snoozed_before: 0,
      ack_time: 0,
    });
    expect(await wakes(fired.incidentId)).toEqual([
      expect.objectContaining({
        type: 'i_wake',
        creator_id: 0,
        detail: { from: 'timeout', snoozedBefore: until },
      }),
    ]);
    const stored = (await feedOf(t, fired.incidentId)).filter((e) => e.type === 'i_wake');
    expect(stored).toMatchObject([{ detail: { from: 'timeout', snoozedBefore: until } }]);

    expect(await woken()).toBe(0);
    expect(await wakes(fired.incidentId)).toHaveLength(1);
  });

  it('a woken or closed incident is not woken by the engine', async () => {
    const wokenByHand = await fire(t, source);
    const closed = await fire(t, source);
    const both = [wokenByHand.incidentId, closed.incidentId];
    await ok(t, owner, '/incident/ack', { incident_ids: both });
    await ok(t, owner, '/incident/snooze', { incident_ids: both, minutes: 5 });
    await ok(t, owner, '/incident/wake', { incident_ids: [wokenByHand.incidentId] });
    await ok(t, owner, '/incident/resolve', { incident_ids: [closed.incidentId] });
    t.clock.advance(3_600_000);
    expect(await woken()).toBe(0);
    expect(await info(wokenByHand.incidentId)).toMatchObject({ progress: 'Processing' });
    expect(await info(closed.incidentId)).toMatchObject({ progress: 'Closed' });
  });

  it('when the snooze and the channel auto-resolve run out together, the incident closes without waking', async () => {
    const autoResolving = await newSource(t, owner, {
      auto_resolve_timeout: 600,
      auto_resolve_mode: 'trigger',
    });
    const fired = await fire(t, autoResolving);
    await ok(t, owner, '/incident/ack', { incident_ids: [fired.incidentId] });
    await ok(t, owner, '/incident/snooze', { incident_ids: [fired.incidentId], minutes: 10 });
    t.clock.advance(600_000);
    const report = await t.engine.runOnce(t.clock.nowMs());
    expect(report.changed).toMatchObject({
      'auto-resolve': 1,
      'snooze-expiry': 0,
      'status-page-schedule': 0,
    });
    expect(await info(fired.incidentId)).toMatchObject({
      progress: 'Closed',
      snoozed_before: 0,
      close_time: now(),
    });
    expect(await wakes(fired.incidentId)).toEqual([]);
  });
});

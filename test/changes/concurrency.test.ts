import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequencedEvents, stateOf } from '../../src/changes/changes.store.ts';
import { foldChange } from '../../src/changes/merge.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChangeIntegration, nowOf, pushChange } from './helpers.ts';

/*
 * Two Vigil instances on one database (each with its own connection pool, as two processes would
 * have) receive events for the same change_key at once, in no particular order of event_time.
 */

let first: TestApp;
let second: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  first = await startTestApp();
  second = await startTestApp({ database: first.database });
  owner = await first.newAccount();
});
afterAll(async () => {
  await second.close();
  await first.close();
});

const STATUSES = ['Planned', 'Ready', 'Processing', 'Done'];

async function changesOf(t: TestApp, integrationId: number) {
  return t.db.q.selectFrom('changes').selectAll().where('integration_id', '=', integrationId).execute();
}

describe('concurrent change events', () => {
  it('make one change per key on one instance', async () => {
    const { integrationId, key } = await newChangeIntegration(first, owner);
    const now = nowOf(first);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pushChange(first, key, {
          change_key: 'ONE',
          title: `event ${i}`,
          change_status: STATUSES[i % 4],
          event_time: now - 100 + ((i * 7) % 20),
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    expect(new Set(results.map((r) => r.body.data.change_id)).size).toBe(1);
    const changes = await changesOf(first, integrationId);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.event_cnt).toBe(20);
  });

  it('make one change per key across two instances, merged as if the events came one by one', async () => {
    const { integrationId, key } = await newChangeIntegration(first, owner);
    const now = nowOf(first);
    const sends = Array.from({ length: 40 }, (_, i) =>
      pushChange(i % 2 ? first : second, key, {
        change_key: 'SHARED',
        title: `event ${i}`,
        change_status: STATUSES[i % 4],
        // Event times out of arrival order, with ties.
        event_time: now - 1000 + ((i * 13) % 40) * 10,
        labels: { [`step${i % 5}`]: String(i) },
      }),
    );
    const results = await Promise.all(sends);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    expect(new Set(results.map((r) => r.body.data.change_id)).size).toBe(1);

    const changes = await changesOf(first, integrationId);
    expect(changes).toHaveLength(1);
    const change = changes[0]!;
    expect(change.event_cnt).toBe(40);
    const events = await sequencedEvents(first.db.q, change.change_id);
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    // Whatever the interleaving, the stored state is the fold of the stored events.
    expect(stateOf(change)).toEqual(foldChange(events));
    expect(change.start_time).toBe(now - 1000);
    expect(change.last_time).toBe(now - 1000 + 390);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { documentedErrors, expectInvalid, newSource, push, type Source } from './read-helpers.ts';

/*
 * /incident/past/list (docs/incidents.md, "Similar past incidents"): closed incidents ranked by
 * 0.6 title-word Jaccard + 0.3 label Jaccard + 0.1 same channel, with their comments; kept exact
 * through reopen, rename and delete by the trigger of migration 0052; scoped to the account.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let a: Source;
let b: Source;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Past');
  other = await t.newAccount('Other');
  a = await newSource(t, owner);
  b = await newSource(t, owner);
});
afterAll(() => t?.close());

const resolve = (ids: string[]) => t.post('/incident/resolve', { incident_ids: ids }, owner.appKey);
const past = (incidentId: string, extra: Record<string, unknown> = {}, key = owner.appKey) =>
  t.post('/incident/past/list', { incident_id: incidentId, ...extra }, key);

describe('/incident/past/list', () => {
  it('ranks closed incidents by the documented score and explains it', async () => {
    const twin = await push(t, a, { title_rule: 'Disk full on db-1', labels: { host: 'db-1', svc: 'pg' } });
    const wordsOnly = await push(t, b, { title_rule: 'Disk full on cache-7', labels: { host: 'cache-7' } });
    const labelsOnly = await push(t, b, {
      title_rule: 'Replication lag',
      labels: { host: 'db-1', svc: 'pg' },
    });
    const unrelated = await push(t, a, { title_rule: 'Certificate expires', labels: { team: 'edge' } });
    const stillOpen = await push(t, a, {
      title_rule: 'Disk full on db-1 again',
      labels: { host: 'db-1', svc: 'pg' },
    });
    await t.post(
      '/incident/comment',
      { incident_ids: [twin.incidentId], comment: 'vacuumed the table' },
      owner.appKey,
    );
    await resolve([twin.incidentId, wordsOnly.incidentId, labelsOnly.incidentId, unrelated.incidentId]);

    const current = await push(t, a, {
      title_rule: 'Disk full on db-1',
      labels: { host: 'db-1', svc: 'pg' },
      alert_key: 'now',
    });
    const res = await past(current.incidentId, { limit: 10 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(documentedErrors('/incident/past/list', res.body)).toEqual([]);
    const items = res.body.data.items;
    expect(items.map((i: any) => i.incident_id)).toEqual([
      twin.incidentId,
      wordsOnly.incidentId,
      labelsOnly.incidentId,
    ]);
    // Same words, labels and channel: 0.6 + 0.3 + 0.1.
    expect(items[0]).toMatchObject({
      score: 1,
      similarity: { title: 1, labels: 1, channel: 1 },
      progress: 'Closed',
    });
    expect(items[0].comments).toEqual([
      { person_id: owner.memberId, comment: 'vacuumed the table', created_at: expect.any(Number) },
    ]);
    // {disk, full, on, cache} against {disk, full, on, db}: 3 of 5 words, no label pair: 0.6 × 0.6.
    expect(items[1]).toMatchObject({ score: 0.36, similarity: { title: 0.6, labels: 0, channel: 0 } });
    // Labels alike, no word shared, another channel: 0.3.
    expect(items[2]).toMatchObject({ score: 0.3, similarity: { title: 0, labels: 1, channel: 0 } });
    expect(res.body.data.total).toBe(3);
    expect(items.map((i: any) => i.incident_id)).not.toContain(stillOpen.incidentId);
    expect((await past(current.incidentId, { limit: 1 })).body.data.items).toHaveLength(1);
  });

  it('follows reopen, rename and delete of past incidents', async () => {
    const c = await newSource(t, owner);
    const gone = await push(t, c, { title_rule: 'Queue backlog on q-1' });
    await resolve([gone.incidentId]);
    const current = await push(t, c, { title_rule: 'Queue backlog on q-1', alert_key: 'current-queue' });
    const ids = async () => (await past(current.incidentId)).body.data.items.map((i: any) => i.incident_id);
    expect(await ids()).toEqual([gone.incidentId]);
    await t.post('/incident/reopen', { incident_ids: [gone.incidentId] }, owner.appKey);
    expect(await ids()).toEqual([]);
    await resolve([gone.incidentId]);
    await t.post(
      '/incident/reset',
      { incident_id: gone.incidentId, title: 'Something else entirely' },
      owner.appKey,
    );
    // Still a candidate through its channel, but no word or label is shared any more.
    expect(await ids()).toEqual([]);
    await t.post(
      '/incident/reset',
      { incident_id: gone.incidentId, title: 'Queue backlog on q-1' },
      owner.appKey,
    );
    expect(await ids()).toEqual([gone.incidentId]);
    await t.post('/incident/remove', { incident_ids: [gone.incidentId] }, owner.appKey);
    expect(await ids()).toEqual([]);
  });

  it("never shows another account's incidents, nor answers for them", async () => {
    const source = await newSource(t, other);
    const theirs = await push(t, source, {
      title_rule: 'Disk full on db-1',
      labels: { host: 'db-1', svc: 'pg' },
    });
    await t.post('/incident/resolve', { incident_ids: [theirs.incidentId] }, other.appKey);
    const mine = await push(t, a, {
      title_rule: 'Disk full on db-1',
      labels: { host: 'db-1', svc: 'pg' },
      alert_key: 'x',
    });
    const res = await past(mine.incidentId, { limit: 100 });
    expect(res.body.data.items.map((i: any) => i.incident_id)).not.toContain(theirs.incidentId);
    const refused = await past(mine.incidentId, {}, other.appKey);
    expect(refused.body.error?.code).toBe('ResourceNotFound');
  });

  it('refuses bad input naming the field', async () => {
    expectInvalid(await past('not-an-id'), 'incident_id');
    const { incidentId } = await push(t, a, { title_rule: 'Anything' });
    expectInvalid(await past(incidentId, { limit: 101 }), 'limit');
    expectInvalid(await past(incidentId, { limit: '5' }), 'limit');
    const missing = await t.post('/incident/past/list', {}, owner.appKey);
    expectInvalid(missing, 'incident_id');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { documentedErrors, newSource, nowOf, push, type Source } from './read-helpers.ts';

/*
 * IncidentInfo `frequency` and the /incident/list `is_rare` filter (docs/incidents.md "Frequency
 * and rare incidents"), through HTTP, with incidents made by pushing alerts and by /incident/create.
 */

const DAY = 86_400;
const WINDOW = 30 * DAY;

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Frequency');
});
afterAll(() => t?.close());

async function ok(path: string, body: Record<string, unknown>, account = owner) {
  const res = await t.post(path, body, account.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** One occurrence of an alert: it fires and recovers, so its incident closes. Returns the incident. */
async function occurrence(source: Source, alertKey: string, event: Record<string, unknown> = {}) {
  const { incidentId } = await push(t, source, { event_status: 'Critical', ...event, alert_key: alertKey });
  await push(t, source, { event_status: 'Ok', ...event, alert_key: alertKey });
  t.clock.advance(60_000);
  return incidentId;
}

/** A manual incident (no alert key: its title is its kind). */
async function manual(title: string, channelId = 0, account = owner): Promise<string> {
  const data = await ok(
    '/incident/create',
    { incident_severity: 'Info', title, channel_id: channelId },
    account,
  );
  t.clock.advance(1000);
  return data.incident_id;
}

/** `frequency` of each incident (null when absent), read through /incident/list-by-ids. */
async function frequencies(ids: string[], account = owner): Promise<(string | null)[]> {
  const data = await ok('/incident/list-by-ids', { incident_ids: ids }, account);
  expect(data.items.map((i: { incident_id: string }) => i.incident_id)).toEqual(ids);
  return data.items.map((i: { frequency?: string }) => i.frequency ?? null);
}

const frequencyOf = async (id: string, account = owner) => (await frequencies([id], account))[0];

describe('frequency', () => {
  it('is rare on the first occurrence, in every response that returns IncidentInfo', async () => {
    const source = await newSource(t, owner);
    const at = nowOf(t);
    const { incidentId } = await push(t, source, { event_status: 'Warning' });

    const info = await t.post('/incident/info', { incident_id: incidentId }, owner.appKey);
    expect(info.body.data.frequency).toBe('rare');
    expect(documentedErrors('/incident/info', info.body)).toEqual([]);

    const list = await t.post(
      '/incident/list',
      { start_time: at - 10, end_time: at + 10, channel_ids: [source.channelId] },
      owner.appKey,
    );
    expect(list.body.data.items.map((i: { frequency?: string }) => i.frequency)).toEqual(['rare']);
    expect(documentedErrors('/incident/list', list.body)).toEqual([]);

    const byIds = await t.post('/incident/list-by-ids', { incident_ids: [incidentId] }, owner.appKey);
    expect(byIds.body.data.items[0].frequency).toBe('rare');
    expect(documentedErrors('/incident/list-by-ids', byIds.body)).toEqual([]);
  });

  it('is absent from the 2nd to the 19th occurrence in 30 days and frequent from the 20th', async () => {
    const source = await newSource(t, owner);
    const ids: string[] = [];
    for (let i = 0; i < 21; i += 1) ids.push(await occurrence(source, 'disk-full'));
    expect(new Set(ids).size).toBe(21);
    // One query answers the whole page; each incident describes the moment it started, so the
    // first stays rare even though its kind has become frequent since.
    expect(await frequencies(ids)).toEqual([
      'rare',
      ...Array.from({ length: 18 }, () => null),
      'frequent',
      'frequent',
    ]);
    // Another alert key in the channel (group method n: the key is the kind) is a kind of its own.
    expect(await frequencyOf(await occurrence(source, 'disk-full-2'))).toBe('rare');
  });

  it('counts only occurrences in the 30 days up to the incident’s start', async () => {
    const source = await newSource(t, owner);
    const first = await occurrence(source, 'nightly');
    t.clock.advance((WINDOW - 1) * 1000 - 60_000); // 30 days minus 1 s after the first start
    const second = await occurrence(source, 'nightly');
    t.clock.advance(WINDOW * 1000 - 60_000); // exactly 30 days after the second start
    const third = await occurrence(source, 'nightly');
    const starts = await t.db.q
      .selectFrom('incidents')
      .select(['incident_id', 'start_time'])
      .where('incident_id', 'in', [first, second, third])
      .orderBy('start_time')
      .execute();
    expect(starts.map((r) => r.start_time - starts[0]!.start_time)).toEqual([0, WINDOW - 1, 2 * WINDOW - 1]);
    expect(await frequencies([first, second, third])).toEqual(['rare', null, 'rare']);
  });

  it('counts the same fingerprint (equals_md5) in the same channel only', async () => {
    const grouped = await newSource(t, owner, {
      channel: { group: { method: 'p', equals: [['labels.service']] } },
    });
    const a1 = await occurrence(grouped, 'k1', { labels: { service: 'api' } });
    // Another alert key, the same grouping fingerprint: the same kind.
    const a2 = await occurrence(grouped, 'k2', { labels: { service: 'api' } });
    const b1 = await occurrence(grouped, 'k1', { labels: { service: 'billing' } });
    const md5 = await t.db.q
      .selectFrom('incidents')
      .select(['incident_id', 'equals_md5'])
      .where('incident_id', 'in', [a1, a2, b1])
      .execute();
    const byId = new Map(md5.map((r) => [r.incident_id, r.equals_md5]));
    expect(byId.get(a1)).toMatch(/^[0-9a-f]{32}$/);
    expect(byId.get(a2)).toBe(byId.get(a1));
    expect(byId.get(b1)).not.toBe(byId.get(a1));
    expect(await frequencies([a1, a2, b1])).toEqual(['rare', null, 'rare']);

    // The same alert key and labels in another channel are another kind.
    const elsewhere = await newSource(t, owner, {
      channel: { group: { method: 'p', equals: [['labels.service']] } },
    });
    expect(await frequencyOf(await occurrence(elsewhere, 'k1', { labels: { service: 'api' } }))).toBe('rare');
  });

  it('takes the title as the kind of manual incidents, per channel (0 = standalone)', async () => {
    const source = await newSource(t, owner);
    const first = await manual('Payment provider down', source.channelId);
    const again = await manual('Payment provider down', source.channelId);
    const other = await manual('Payment provider slow', source.channelId);
    const standalone = await manual('Payment provider down');
    expect(await frequencies([first, again, other, standalone])).toEqual(['rare', null, 'rare', 'rare']);
    // The kind follows the title: renamed, the second is the first of a new kind.
    await ok('/incident/reset', { incident_id: again, title: 'Payment gateway timeout' });
    expect(await frequencyOf(again)).toBe('rare');
  });

  it('leaves deleted incidents out of the count', async () => {
    const first = await manual('Removed later');
    const second = await manual('Removed later');
    expect(await frequencyOf(second)).toBeNull();
    await ok('/incident/remove', { incident_ids: [first] });
    expect(await frequencyOf(second)).toBe('rare');
  });

  it('never says rare in a channel with disable_outlier_detection, but still says frequent', async () => {
    const source = await newSource(t, owner, { channel: { disable_outlier_detection: true } });
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) ids.push(await manual('Noisy', source.channelId));
    const lone = await manual('Lonely', source.channelId);
    expect(await frequencies([ids[0]!, ids[19]!, lone])).toEqual([null, 'frequent', null]);

    const at = nowOf(t);
    const rareIds = async () =>
      (
        await ok('/incident/list', {
          start_time: at - DAY,
          end_time: at + 10,
          channel_ids: [source.channelId],
          is_rare: true,
        })
      ).items.map((i: { incident_id: string }) => i.incident_id);
    expect(await rareIds()).toEqual([]);

    // Read-time: turning detection back on makes them rare at once.
    await ok('/channel/update', { channel_id: source.channelId, disable_outlier_detection: false });
    expect(await frequencies([ids[0]!, lone])).toEqual(['rare', 'rare']);
    expect(await rareIds()).toEqual([lone, ids[0]]);
  });

  it('never counts another account’s incidents', async () => {
    const other = await t.newAccount('Other');
    // Standalone incidents share channel_id 0 across accounts: only the account keeps them apart.
    const mine = await manual('Shared title');
    const theirs = await manual('Shared title', 0, other);
    expect(await frequencyOf(mine)).toBe('rare');
    expect(await frequencyOf(theirs, other)).toBe('rare');
    // Nor do another account's 20 make mine frequent.
    for (let i = 0; i < 19; i += 1) await manual('Shared title', 0, other);
    const mineAgain = await manual('Shared title');
    expect(await frequencyOf(mineAgain)).toBeNull();
    expect(await frequencyOf(await manual('Shared title', 0, other), other)).toBe('frequent');
    // Nor are another account's incidents listed.
    const at = nowOf(t);
    const rare = await ok(
      '/incident/list',
      { start_time: at - DAY, end_time: at + 10, is_rare: true, limit: 100 },
      other,
    );
    expect(rare.items.map((i: { incident_id: string }) => i.incident_id)).toEqual([theirs]);
  });
});

describe('/incident/list is_rare', () => {
  let account: TestAccount;
  let win: { start_time: number; end_time: number };
  let all: string[];
  let rare: string[];

  beforeAll(async () => {
    account = await t.newAccount('Rare');
    const source = await newSource(t, account);
    const muted = await newSource(t, account, { channel: { disable_outlier_detection: true } });
    const from = nowOf(t);
    const made: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      made.push((await push(t, source, { event_status: 'Info', alert_key: `lone-${i}` })).incidentId);
      t.clock.advance(1000);
      // A recurring kind between them: its first occurrence is rare, the others are not.
      made.push(await occurrence(source, 'recurring'));
    }
    made.push((await push(t, muted, { event_status: 'Info', alert_key: 'lone-muted' })).incidentId);
    win = { start_time: from, end_time: nowOf(t) };
    const rows = await t.db.q
      .selectFrom('incidents')
      .select(['incident_id', 'start_time'])
      .where('account_id', '=', account.accountId)
      .orderBy('start_time', 'desc')
      .orderBy('incident_id', 'desc')
      .execute();
    all = rows.map((r) => r.incident_id);
    expect(all).toHaveLength(15);
    const freq = await frequencies(all, account);
    rare = all.filter((_, i) => freq[i] === 'rare');
    expect(rare).toHaveLength(8); // 7 lone ones and the first recurring one
  });

  const page = async (body: Record<string, unknown>) => ok('/incident/list', { ...win, ...body }, account);
  const idsOf = (data: { items: { incident_id: string; frequency?: string }[] }) =>
    data.items.map((i) => i.incident_id);

  it('lists exactly the incidents whose frequency is rare; false does not filter', async () => {
    const data = await page({ is_rare: true, limit: 100 });
    expect(idsOf(data)).toEqual(rare);
    expect(data.items.every((i: { frequency?: string }) => i.frequency === 'rare')).toBe(true);
    expect(data.total).toBe(8);
    expect(idsOf(await page({ is_rare: false, limit: 100 }))).toEqual(all);
    expect(idsOf(await page({ is_rare: true, limit: 100, asc: true }))).toEqual([...rare].reverse());
    const combined = await page({ is_rare: true, query: 'lone-3' });
    expect(combined.items.map((i: { title: string }) => i.title)).toEqual(['Alert lone-3']);
  });

  it('pages through them with p and with search_after_ctx', async () => {
    const byP: string[] = [];
    for (let p = 1; p <= 3; p += 1) {
      const data = await page({ is_rare: true, limit: 3, p });
      expect(data.total).toBe(8);
      expect(data.has_next_page).toBe(p < 3);
      byP.push(...idsOf(data));
    }
    expect(byP).toEqual(rare);

    const byCursor: string[] = [];
    let cursor: string | undefined;
    do {
      const data = await page({ is_rare: true, limit: 3, ...(cursor ? { search_after_ctx: cursor } : {}) });
      byCursor.push(...idsOf(data));
      cursor = data.search_after_ctx;
    } while (cursor);
    expect(byCursor).toEqual(rare);
  });
});

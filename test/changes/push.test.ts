import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';
import { changeRows, newChangeIntegration, nowOf, ok, pushChange, refused } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

const info = async (changeId: string) =>
  ok(await t.post('/change/info', { change_id: changeId }, owner.appKey));

const SEED = {
  change_status: 'Done',
  change_key: 'CHANGE-002',
  description: '进度100%',
  title: '双12活动',
  labels: { service: 'flashcat', cluster: 'nj' },
  link: 'http://jira.flashcat.cloud/CHANGE-001',
};

describe('POST /event/push/change/standard', () => {
  it('accepts the seed example and answers its request_id once the change is stored', async () => {
    const { integrationId, key } = await newChangeIntegration(t, owner);
    const res = await pushChange(t, key, SEED);
    const data = ok(res);
    expect(res.body.request_id).toBe(res.headers['flashcat-request-id']);
    expect(data).toEqual({ change_id: expect.stringMatching(/^[0-9a-f]{24}$/), change_key: 'CHANGE-002' });

    // A 200 means committed: the rows are there for any reader, without going through the app.
    const stored = await t.db.q
      .selectFrom('changes')
      .selectAll()
      .where('integration_id', '=', integrationId)
      .execute();
    const now = nowOf(t);
    expect(stored).toEqual([
      expect.objectContaining({
        change_id: data.change_id,
        account_id: owner.accountId,
        channel_id: 0,
        change_key: 'CHANGE-002',
        change_status: 'Done',
        title: '双12活动',
        description: '进度100%',
        link: 'http://jira.flashcat.cloud/CHANGE-001',
        labels: { cluster: 'nj', service: 'flashcat' },
        start_time: now,
        last_time: now,
        end_time: now,
        event_cnt: 1,
      }),
    ]);
    const change = await info(data.change_id);
    expect(change).toMatchObject({
      integration_id: integrationId,
      integration_name: 'deploys',
      data_source_id: integrationId,
      data_source_name: 'deploys',
      channel_name: '',
    });
    expect(change.events).toEqual([
      {
        event_id: expect.stringMatching(/^[0-9a-f]{24}$/),
        change_id: data.change_id,
        integration_id: integrationId,
        change_key: 'CHANGE-002',
        change_status: 'Done',
        title: '双12活动',
        description: '进度100%',
        link: 'http://jira.flashcat.cloud/CHANGE-001',
        labels: { cluster: 'nj', service: 'flashcat' },
        event_time: now,
        created_at: now,
      },
    ]);
  });

  it('walks Planned → Ready → Processing → Done, merging each event into one change', async () => {
    const { key } = await newChangeIntegration(t, owner);
    const t0 = nowOf(t);
    const steps = [
      {
        change_status: 'Planned',
        title: 'Deploy web 1.2',
        description: 'ticket filed',
        link: 'https://jira/CHG-7',
      },
      { change_status: 'Ready', title: 'Deploy web 1.2', labels: { service: 'web' } },
      { change_status: 'Processing', title: 'Deploy web 1.2 (50%)', labels: { host: 'web-1' } },
      { change_status: 'Done', title: 'Deploy web 1.2 done', description: 'all hosts' },
    ];
    let changeId = '';
    const expected = [
      { change_status: 'Planned', end_time: 0, description: 'ticket filed', labels: {} },
      { change_status: 'Ready', end_time: 0, description: 'ticket filed', labels: { service: 'web' } },
      { change_status: 'Processing', end_time: 0, labels: { host: 'web-1', service: 'web' } },
      { change_status: 'Done', end_time: t0 + 180, description: 'all hosts' },
    ];
    for (const [i, step] of steps.entries()) {
      const data = ok(await pushChange(t, key, { change_key: 'CHG-7', ...step }));
      if (i === 0) changeId = data.change_id;
      expect(data.change_id).toBe(changeId);
      const change = await info(changeId);
      expect(change).toMatchObject({
        ...expected[i],
        title: step.title,
        start_time: t0,
        last_time: t0 + i * 60,
        event_cnt: i + 1,
        link: 'https://jira/CHG-7',
      });
      t.clock.advance(60_000);
    }
    const change = await info(changeId);
    expect(change.events.map((e: any) => [e.change_status, e.event_time])).toEqual([
      ['Planned', t0],
      ['Ready', t0 + 60],
      ['Processing', t0 + 120],
      ['Done', t0 + 180],
    ]);
    expect(change.labels).toEqual({ host: 'web-1', service: 'web' });
  });

  it('ends a change with Canceled, and runs it again when a later event is not terminal', async () => {
    const { key } = await newChangeIntegration(t, owner);
    const now = nowOf(t);
    const push = (change_status: string, event_time: number) =>
      pushChange(t, key, { change_key: 'ROLLBACK-1', title: 'roll back', change_status, event_time });
    const { change_id } = ok(await push('Processing', now - 300));
    ok(await push('Canceled', now - 200));
    expect(await info(change_id)).toMatchObject({ change_status: 'Canceled', end_time: now - 200 });
    ok(await push('Processing', now - 100));
    expect(await info(change_id)).toMatchObject({
      change_status: 'Processing',
      end_time: 0,
      start_time: now - 300,
      last_time: now - 100,
    });
  });

  it('takes a future event_time for Ready and refuses it for the other statuses', async () => {
    const { key } = await newChangeIntegration(t, owner);
    const now = nowOf(t);
    const ready = ok(
      await pushChange(t, key, {
        change_key: 'NEXT-1',
        title: 'tonight',
        change_status: 'Ready',
        event_time: now + 8 * 3600,
      }),
    );
    expect(await info(ready.change_id)).toMatchObject({
      change_status: 'Ready',
      start_time: now + 8 * 3600,
      last_time: now + 8 * 3600,
      end_time: 0,
    });
    // It is listed over a window in the future.
    const listed = ok(
      await t.post('/change/list', { start_time: now + 7 * 3600, end_time: now + 9 * 3600 }, owner.appKey),
    );
    expect(listed.items.map((c: any) => c.change_id)).toContain(ready.change_id);

    const before = await changeRows(t);
    for (const change_status of ['Planned', 'Processing', 'Canceled', 'Done']) {
      refused(
        await pushChange(t, key, { change_key: 'NEXT-2', title: 'x', change_status, event_time: now + 3600 }),
        400,
        'InvalidParameter',
        'event_time',
      );
    }
    refused(
      await pushChange(t, key, {
        change_key: 'NEXT-2',
        title: 'x',
        change_status: 'Ready',
        event_time: now + 367 * 86_400,
      }),
      400,
      'InvalidParameter',
      'event_time',
    );
    expect(await changeRows(t)).toEqual(before);
    // A sender's clock a little ahead of Vigil's is tolerated; milliseconds are understood.
    ok(
      await pushChange(t, key, {
        change_key: 'NEXT-3',
        title: 'x',
        change_status: 'Done',
        event_time: now + 120,
      }),
    );
    const ms = ok(
      await pushChange(t, key, {
        change_key: 'NEXT-4',
        title: 'x',
        change_status: 'Done',
        event_time: now * 1000,
      }),
    );
    expect(await info(ms.change_id)).toMatchObject({ start_time: now });
  });

  it('orders events by event_time when they arrive out of order, ties by arrival', async () => {
    const { key } = await newChangeIntegration(t, owner);
    const now = nowOf(t);
    const push = (change_status: string, event_time: number, title = change_status) =>
      pushChange(t, key, {
        change_key: 'OOO-1',
        title,
        change_status,
        event_time,
        labels: { step: change_status },
      });
    const { change_id } = ok(await push('Done', now - 100));
    ok(await push('Processing', now - 200));
    ok(await push('Planned', now - 400));
    ok(await push('Ready', now - 300));
    const change = await info(change_id);
    expect(change).toMatchObject({
      change_status: 'Done',
      title: 'Done',
      start_time: now - 400,
      last_time: now - 100,
      end_time: now - 100,
      event_cnt: 4,
      // Labels fold in event order too: the Done event's value wins.
      labels: { step: 'Done' },
    });
    expect(change.events.map((e: any) => e.change_status)).toEqual([
      'Planned',
      'Ready',
      'Processing',
      'Done',
    ]);

    // Same event_time: the later arrival is the later event.
    ok(await push('Processing', now - 100, 'again'));
    expect(await info(change_id)).toMatchObject({ change_status: 'Processing', title: 'again', end_time: 0 });
  });

  it('keeps one change per key within an integration, another per integration', async () => {
    const first = await newChangeIntegration(t, owner, 'first');
    const second = await newChangeIntegration(t, owner, 'second');
    const body = { change_key: 'SAME', title: 'same key', change_status: 'Processing' };
    const a = ok(await pushChange(t, first.key, body));
    const b = ok(await pushChange(t, second.key, body));
    const c = ok(await pushChange(t, first.key, { ...body, change_key: 'same' }));
    expect(new Set([a.change_id, b.change_id, c.change_id]).size).toBe(3);
  });
});

describe('refused pushes store nothing', () => {
  let key = '';
  beforeAll(async () => {
    key = (await newChangeIntegration(t, owner)).key;
  });

  const valid = { change_status: 'Processing', change_key: 'BAD-1', title: 'a change' };
  const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
  const cases: [string, unknown, string][] = [
    ['no change_status', { change_key: 'k', title: 't' }, 'change_status'],
    ['an unknown change_status', { ...valid, change_status: 'Finished' }, 'change_status'],
    ['a lower-case change_status', { ...valid, change_status: 'done' }, 'change_status'],
    ['no change_key', { change_status: 'Done', title: 't' }, 'change_key'],
    ['an empty change_key', { ...valid, change_key: '' }, 'change_key'],
    ['a change_key over 255', { ...valid, change_key: 'k'.repeat(256) }, 'change_key'],
    ['a numeric change_key', { ...valid, change_key: 7 }, 'change_key'],
    ['no title', { change_status: 'Done', change_key: 'k' }, 'title'],
    ['a blank title', { ...valid, title: '  ' }, 'title'],
    ['a title over 512', { ...valid, title: 't'.repeat(513) }, 'title'],
    ['a description over 2048', { ...valid, description: 'd'.repeat(2049) }, 'description'],
    ['a link that is not http(s)', { ...valid, link: 'javascript:alert(1)' }, 'link'],
    ['a link over 2048', { ...valid, link: `https://example.com/${'x'.repeat(2048)}` }, 'link'],
    ['51 labels', { ...valid, labels: fiftyOne }, 'labels'],
    ['a label key over 128', { ...valid, labels: { ['k'.repeat(129)]: 'v' } }, 'labels'],
    ['an empty label key', { ...valid, labels: { '': 'v' } }, 'labels'],
    ['a label value over 512', { ...valid, labels: { host: 'h'.repeat(513) } }, 'labels.host'],
    ['a numeric label value', { ...valid, labels: { port: 80 } }, 'labels.port'],
    ['labels that are not a map', { ...valid, labels: ['a'] }, 'labels'],
    ['a negative event_time', { ...valid, event_time: -1 }, 'event_time'],
    ['a string event_time', { ...valid, event_time: '1767603600' }, 'event_time'],
    ['a fractional event_time', { ...valid, event_time: 1.5 }, 'event_time'],
  ];

  for (const [name, body, field] of cases) {
    it(`refuses ${name}, naming ${field}`, async () => {
      const before = await changeRows(t);
      refused(await pushChange(t, key, body), 400, 'InvalidParameter', field);
      expect(await changeRows(t)).toEqual(before);
    });
  }

  it('accepts the limits themselves', async () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(512)]));
    ok(
      await pushChange(t, key, {
        ...valid,
        change_key: 'k'.repeat(255),
        title: 't'.repeat(512),
        description: 'd'.repeat(2048),
        link: `https://example.com/${'x'.repeat(2028)}`,
        labels: { ...fifty },
      }),
    );
    ok(await pushChange(t, key, { ...valid, change_key: 'LIMIT-2', labels: { ['k'.repeat(128)]: '' } }));
  });

  it('refuses other content types and bodies that are not JSON', async () => {
    const before = await changeRows(t);
    refused(
      await pushChange(t, key, JSON.stringify(valid), { contentType: 'text/plain' }),
      400,
      'InvalidContentType',
    );
    refused(await pushChange(t, key, '{"change_status": ', {}), 400, 'InvalidContentType');
    refused(await pushChange(t, key, undefined), 400, 'InvalidParameter', 'change_status');
    expect(await changeRows(t)).toEqual(before);
  });

  it('refuses other methods with MethodNotAllowed', async () => {
    refused(await pushChange(t, key, undefined, { method: 'GET' }), 405, 'MethodNotAllowed');
    refused(await pushChange(t, key, valid, { method: 'PUT' }), 405, 'MethodNotAllowed');
  });

  it('refuses a missing, unknown, disabled or deleted key', async () => {
    const before = await changeRows(t);
    refused(await pushChange(t, '', valid), 400, 'InvalidParameter', 'integration_key');
    refused(await pushChange(t, 'f'.repeat(32), valid), 400, 'InvalidParameter', 'integration_key');
    const raw = await t.app.inject({
      method: 'POST',
      url: '/event/push/change/standard',
      payload: valid,
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.statusCode).toBe(400);
    expect(raw.json().error.code).toBe('InvalidParameter');

    const disabled = await newChangeIntegration(t, owner);
    ok(await t.post('/datasource/disable', { integration_id: disabled.integrationId }, owner.appKey));
    refused(await pushChange(t, disabled.key, valid), 400, 'InvalidParameter', 'integration_key');
    const deleted = await newChangeIntegration(t, owner);
    ok(await t.post('/datasource/delete', { integration_id: deleted.integrationId }, owner.appKey));
    refused(await pushChange(t, deleted.key, valid), 400, 'InvalidParameter', 'integration_key');
    expect(await changeRows(t)).toEqual(before);
  });

  it('refuses an alert key on the change path and a change key on the alert path, saying where to push', async () => {
    const channelId = await newChannel(t, owner);
    const alert = await newIntegration(t, owner, 'alert.standard', channelId);
    const before = await changeRows(t);
    const wrong = await pushChange(t, alert.key, valid);
    refused(wrong, 400, 'InvalidParameter', 'integration_key');
    expect(wrong.body.error!.message).toContain('alert.standard');
    expect(wrong.body.error!.message).toContain('/event/push/alert/standard');
    expect(await changeRows(t)).toEqual(before);

    const reverse = await pushStandard(t, key, { event_status: 'Critical', title_rule: 'x' });
    expect(reverse.status).toBe(400);
    expect(reverse.body.error.code).toBe('InvalidParameter');
    expect(reverse.body.error.message).toContain('change.standard');
    expect(reverse.body.error.message).toContain('/event/push/change/standard');
  });
});

describe('rate limit', () => {
  it('limits pushes per integration with RequestTooFrequently and Retry-After', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_INTEGRATION_PER_SECOND: '2' } });
    try {
      const account = await limited.newAccount();
      const { key } = await newChangeIntegration(limited, account);
      const other = await newChangeIntegration(limited, account, 'other');
      const body = { change_status: 'Processing', change_key: 'RL', title: 'rate limited' };
      ok(await pushChange(limited, key, body));
      ok(await pushChange(limited, key, body));
      const third = await pushChange(limited, key, body);
      refused(third, 429, 'RequestTooFrequently');
      expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(third.headers['x-ratelimit-limit']).toBe('2');
      // Another integration has its own budget; the refused push stored nothing.
      ok(await pushChange(limited, other.key, body));
      const stored = await limited.db.q.selectFrom('change_events').selectAll().execute();
      expect(stored).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });
});

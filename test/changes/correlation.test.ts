import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';
import { newChangeIntegration, nowOf, ok, pushChange, refused } from './helpers.ts';

/*
 * An incident that started at T in a channel grouping by service: its first alert carries
 * service=web cluster=nj host=web-1 env=prod, a second alert adds host=web-2. Changes around it:
 *
 *   R1  service=web cluster=nj host=web-2   Done T-600             3 shared (host via the 2nd alert)
 *   R2  service=web cluster=nj              Processing T-300        2 shared, 300 s before
 *   R4  service=web cluster=nj              Done T-3000             2 shared, 3000 s before
 *   R5  cluster=nj                          Planned T-3h, Ready T+1h (active across T)  1 shared, 0 s
 *   R3  service=web                         Done T-60               1 shared, 60 s before
 *   U1  service=db                          Done T-60               no shared value
 *   U2  service=web cluster=nj              Done T-3h               before the 2-hour window
 *   U3  service=web                         Ready T+10min           after the incident started
 *   U4  Service=web                         Done T-60               keys are case-sensitive
 *   U5  env=prod                            Done T-60               env is not a correlation key
 *   and a change of another account with the same labels.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let T = 0;
let incidentId = '';
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  other = await t.newAccount();
  T = nowOf(t);
  const channelId = await newChannel(t, owner, { group: { method: 'p', equals: [['labels.service']] } });
  const alerts = await newIntegration(t, owner, 'alert.standard', channelId);
  for (const [host, extra] of [
    ['web-1', { cluster: 'nj', env: 'prod' }],
    ['web-2', {}],
  ] as const) {
    const res = await pushStandard(t, alerts.key, {
      event_status: 'Critical',
      alert_key: `cpu-${host}`,
      title_rule: `CPU high on ${host}`,
      labels: { service: 'web', host, ...extra },
    });
    expect(res.status).toBe(200);
  }
  const incidents = await t.db.q
    .selectFrom('incidents')
    .selectAll()
    .where('channel_id', '=', channelId)
    .execute();
  expect(incidents).toHaveLength(1);
  incidentId = incidents[0]!.incident_id;
  expect(incidents[0]!.start_time).toBe(T);

  const { key } = await newChangeIntegration(t, owner);
  const push = async (name: string, labels: Record<string, string>, events: [string, number][]) => {
    for (const [change_status, event_time] of events) {
      ids[name] = ok(
        await pushChange(t, key, {
          change_key: name,
          title: `change ${name}`,
          change_status,
          event_time,
          labels,
        }),
      ).change_id;
    }
  };
  await push('R1', { service: 'web', cluster: 'nj', host: 'web-2' }, [['Done', T - 600]]);
  await push('R2', { service: 'web', cluster: 'nj' }, [['Processing', T - 300]]);
  await push('R3', { service: 'web' }, [['Done', T - 60]]);
  await push('R4', { service: 'web', cluster: 'nj' }, [['Done', T - 3000]]);
  await push('R5', { cluster: 'nj' }, [
    ['Planned', T - 3 * 3600],
    ['Ready', T + 3600],
  ]);
  await push('U1', { service: 'db' }, [['Done', T - 60]]);
  await push('U2', { service: 'web', cluster: 'nj' }, [['Done', T - 3 * 3600]]);
  await push('U3', { service: 'web' }, [['Ready', T + 600]]);
  await push('U4', { Service: 'web' }, [['Done', T - 60]]);
  await push('U5', { env: 'prod' }, [['Done', T - 60]]);
  const foreign = await newChangeIntegration(t, other);
  ok(
    await pushChange(t, foreign.key, {
      change_key: 'F',
      title: 'foreign',
      change_status: 'Done',
      event_time: T - 60,
      labels: { service: 'web', cluster: 'nj', host: 'web-2' },
    }),
  );
});
afterAll(() => t.close());

const related = async (body: Record<string, unknown> = {}, account = owner) =>
  ok(await t.post('/incident/change/list', { incident_id: incidentId, ...body }, account.appKey));
const keysOf = (data: any) => data.items.map((c: any) => c.change_key);

describe('/incident/change/list', () => {
  it('ranks the related changes by shared labels, then by how close they came to the start', async () => {
    const data = await related();
    expect(keysOf(data)).toEqual(['R1', 'R2', 'R4', 'R5', 'R3']);
    expect(data).toMatchObject({
      total: 5,
      label_keys: ['service', 'cluster', 'resource', 'host', 'app'],
      window_seconds: 7200,
      start_time: T - 7200,
      end_time: T,
    });
    expect(data.items[0]).toMatchObject({
      change_id: ids.R1,
      change_status: 'Done',
      title: 'change R1',
      integration_name: 'deploys',
      correlation: {
        matched_labels: { service: 'web', cluster: 'nj', host: 'web-2' },
        overlap: 3,
        seconds_before: 600,
      },
    });
    expect(data.items.map((c: any) => c.correlation.seconds_before)).toEqual([600, 300, 3000, 0, 60]);
    const scores = data.items.map((c: any) => c.correlation.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(data.items[0]).not.toHaveProperty('events');
  });

  it('takes per-call keys, window, limit and include_events', async () => {
    expect(keysOf(await related({ label_keys: ['host'] }))).toEqual(['R1']);
    expect(keysOf(await related({ window_seconds: 600 }))).toEqual(['R1', 'R2', 'R5', 'R3']);
    const top = await related({ limit: 2, include_events: true });
    expect(keysOf(top)).toEqual(['R1', 'R2']);
    expect(top.total).toBe(5);
    expect(top.items[0].events).toHaveLength(1);
    refused(
      await t.post('/incident/change/list', { incident_id: incidentId, window_seconds: 59 }, owner.appKey),
      400,
      'InvalidParameter',
      'window_seconds',
    );
    refused(
      await t.post('/incident/change/list', { incident_id: incidentId, label_keys: [] }, owner.appKey),
      400,
      'InvalidParameter',
      'label_keys',
    );
  });

  it('finds nothing for an incident without labels', async () => {
    const created = ok(
      await t.post('/incident/create', { incident_severity: 'Warning', title: 'manual' }, owner.appKey),
    );
    const data = await related({ incident_id: created.incident_id });
    expect(data).toMatchObject({ items: [], total: 0 });
  });

  it('keeps to the caller’s account', async () => {
    refused(
      await t.post('/incident/change/list', { incident_id: incidentId }, other.appKey),
      400,
      'ResourceNotFound',
    );
    refused(
      await t.post('/incident/change/list', { incident_id: '0'.repeat(24) }, owner.appKey),
      400,
      'ResourceNotFound',
    );
    refused(
      await t.post('/incident/change/list', { incident_id: 'x' }, owner.appKey),
      400,
      'InvalidParameter',
      'incident_id',
    );
  });
});

describe('correlation settings', () => {
  it('start at the defaults, are saved per account and used by /incident/change/list', async () => {
    expect(ok(await t.post('/change/correlation/info', {}, owner.appKey))).toEqual({
      label_keys: ['service', 'cluster', 'resource', 'host', 'app'],
      window_seconds: 7200,
      is_default: true,
    });
    const readOnly = await t.newMember(owner, [4]);
    refused(
      await t.post('/change/correlation/upsert', { label_keys: ['cluster'] }, readOnly.appKey),
      403,
      'AccessDenied',
    );
    refused(
      await t.post('/change/correlation/upsert', { window_seconds: 8 * 86_400 }, owner.appKey),
      400,
      'InvalidParameter',
      'window_seconds',
    );
    refused(
      await t.post('/change/correlation/upsert', { label_keys: ['k'.repeat(129)] }, owner.appKey),
      400,
      'InvalidParameter',
      'label_keys[0]',
    );

    expect(
      ok(
        await t.post(
          '/change/correlation/upsert',
          { label_keys: ['cluster', 'cluster'], window_seconds: 3600 },
          owner.appKey,
        ),
      ),
    ).toEqual({ label_keys: ['cluster'], window_seconds: 3600, is_default: false });
    // A partial update keeps what it does not send.
    expect(ok(await t.post('/change/correlation/upsert', { window_seconds: 3000 }, owner.appKey))).toEqual({
      label_keys: ['cluster'],
      window_seconds: 3000,
      is_default: false,
    });
    expect(ok(await t.post('/change/correlation/info', {}, readOnly.appKey))).toMatchObject({
      window_seconds: 3000,
    });
    const data = await related();
    expect(data).toMatchObject({ label_keys: ['cluster'], window_seconds: 3000 });
    expect(keysOf(data)).toEqual(['R5', 'R2', 'R1', 'R4']);
    // Another account keeps the defaults.
    expect(ok(await t.post('/change/correlation/info', {}, other.appKey))).toMatchObject({
      is_default: true,
    });
  });
});

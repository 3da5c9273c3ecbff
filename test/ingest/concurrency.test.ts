import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from './helpers.ts';

/*
 * Two Vigil instances on one database (each with its own connection pool and group-commit queue,
 * as two processes would have) receive events for the same alert and the same grouping key at once.
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

describe('concurrent ingestion on two instances', () => {
  it('makes exactly one alert for one alert_key', async () => {
    const channelId = await newChannel(first, owner);
    const { integrationId, key } = await newIntegration(first, owner, 'alert.standard', channelId);
    const sends = Array.from({ length: 40 }, (_, i) =>
      pushStandard(i % 2 ? first : second, key, {
        alert_key: 'shared',
        event_status: 'Critical',
        title_rule: 'one alert',
        description: `d${i}`,
      }),
    );
    const results = await Promise.all(sends);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const alerts = await first.db.q
      .selectFrom('alerts')
      .selectAll()
      .where('integration_id', '=', integrationId)
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.event_cnt).toBe(40);
  });

  it('makes exactly one incident for one grouping key', async () => {
    const channelId = await newChannel(first, owner, {
      group: { method: 'p', equals: [['labels.service']] },
    });
    const { key } = await newIntegration(first, owner, 'alert.standard', channelId);
    const sends = Array.from({ length: 40 }, (_, i) =>
      pushStandard(i % 2 ? first : second, key, {
        alert_key: `host-${i}`,
        event_status: 'Warning',
        title_rule: 'disk full on $host',
        labels: { service: 'billing', host: `h${i}` },
      }),
    );
    const results = await Promise.all(sends);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const incidents = await first.db.q
      .selectFrom('incidents')
      .selectAll()
      .where('channel_id', '=', channelId)
      .execute();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ alert_cnt: 40, active_alert_cnt: 40, group_method: 'p' });
    expect(incidents[0]!.equals_md5).not.toBe('');
  });
});

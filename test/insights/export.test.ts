import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.ts';
import { buildFixture, type Fixture, WEEK } from './fixture.ts';

/* CSV exports of /insight/{incident,team,channel,responder}/export and their own rate limit. */

let t: TestApp;
let fx: Fixture;

beforeAll(async () => {
  // Account limits on (and high), so the exports' own 1/s and 10/min limit is the one that bites.
  t = await startTestApp({
    env: { RATE_LIMIT_ACCOUNT_PER_SECOND: '1000', RATE_LIMIT_ACCOUNT_PER_MINUTE: '100000' },
  });
  fx = await buildFixture(t, 'Exports');
});
afterAll(() => t?.close());

async function exportCsv(path: string, body: Record<string, unknown>, appKey = fx.account.appKey) {
  const raw = await t.app.inject({
    method: 'POST',
    url: `${path}?app_key=${appKey}`,
    headers: { 'content-type': 'application/json' },
    payload: body,
  });
  return raw;
}

/** Exports are limited to one a second per account: wait between them. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

const parse = (csv: string) =>
  csv
    .trimEnd()
    .split('\r\n')
    .map((line) => line.split(','));

describe('CSV exports', () => {
  it('exports incidents with the chosen columns, descriptions as text', async () => {
    const res = await exportCsv('/insight/incident/export', {
      ...WEEK,
      export_fields: ['incident_id', 'closed_by', 'seconds_to_ack', 'description'],
      description_html_to_text: true,
      asc: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('insight-incident.csv');
    expect(res.headers['flashcat-request-id']).toBeTruthy();
    const lines = parse(res.body);
    expect(lines[0]).toEqual(['incident_id', 'closed_by', 'seconds_to_ack', 'description']);
    expect(lines.slice(1)).toEqual([
      [fx.incidents.i1, 'auto', '300', 'About CPU high on web-1 & more'],
      [fx.incidents.i2, 'timeout', '3000', 'About Disk almost full on db-1 & more'],
      [fx.incidents.i5, 'manually', '600', 'About Checkout errors & more'],
      [fx.incidents.i3, '', '1500', 'About Memory leak in api & more'],
    ]);
    await nextSecond();
    const html = await exportCsv('/insight/incident/export', {
      ...WEEK,
      export_fields: ['description'],
      incident_ids: [fx.incidents.i1],
    });
    expect(parse(html.body)[1]).toEqual(['<p>About <b>CPU high on web-1</b> &amp; more</p>']);
  });

  it('exports team, channel and responder metrics', async () => {
    await nextSecond();
    const team = parse(
      (
        await exportCsv('/insight/team/export', {
          ...WEEK,
          export_fields: ['team_name', 'total_incident_cnt'],
        })
      ).body,
    );
    expect(team).toEqual([
      ['team_name', 'total_incident_cnt'],
      ['T1', '3'],
      ['T2', '1'],
    ]);
    await nextSecond();
    const channel = await exportCsv('/insight/channel/export', WEEK);
    const rows = parse(channel.body);
    expect(rows[0]).toContain('channel_name');
    expect(rows[0]).toContain('mean_seconds_to_close');
    expect(rows).toHaveLength(3);
    await nextSecond();
    const responder = parse(
      (
        await exportCsv('/insight/responder/export', {
          ...WEEK,
          aggregate_unit: 'week',
          export_fields: ['ts', 'responder_id', 'total_incident_cnt', 'acknowledgement_pct'],
        })
      ).body,
    );
    expect(responder.slice(1)).toEqual([
      [String(WEEK.start_time), String(fx.people.alice), '3', '33.33'],
      [String(WEEK.start_time), String(fx.people.bob), '2', '50'],
      [String(WEEK.start_time), String(fx.people.carol), '2', '100'],
    ]);
  });

  it('refuses unknown columns and bad filters with the JSON error envelope', async () => {
    await nextSecond();
    const res = await exportCsv('/insight/team/export', { ...WEEK, export_fields: ['password'] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('export_fields');
    await nextSecond();
    const range = await exportCsv('/insight/incident/export', {
      start_time: WEEK.end_time,
      end_time: WEEK.start_time,
    });
    expect(range.statusCode).toBe(400);
    expect(range.json().error.message).toContain('end_time');
  });

  it('allows one export a second per account (429 with Retry-After), other accounts unaffected', async () => {
    await nextSecond();
    const other = await t.newAccount('Other exporter');
    expect((await exportCsv('/insight/channel/export', WEEK)).statusCode).toBe(200);
    const second = await exportCsv('/insight/channel/export', WEEK);
    expect(second.statusCode).toBe(429);
    expect(second.json().error.code).toBe('RequestTooFrequently');
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await exportCsv('/insight/channel/export', WEEK, other.appKey)).statusCode).toBe(200);
    // Ordinary insight reads are not export-limited.
    expect((await t.post('/insight/account', WEEK, fx.account.appKey)).status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import {
  allowedUnits,
  bucketStarts,
  csvRowCount,
  DEFAULT_INSIGHT_FILTERS,
  durationUnit,
  effectiveUnit,
  exportFileName,
  formatBucket,
  formatPct,
  formatSeconds,
  hourLoad,
  insightFilter,
  insightWindow,
  type MetricRow,
  pickUnit,
  timeSeries,
  topLabels,
} from '../../web/src/insights.ts';

/* The insights page's pure logic: the request, the bucket unit, chart series, durations. */

const DAY = 86_400;
// Wednesday 2026-01-07 15:00 in Tokyo.
const NOW = Date.UTC(2026, 0, 7, 6, 0, 0);
const tokyoMidnight = (date: string) => Date.parse(`${date}T00:00:00+09:00`) / 1000;

const row = (ts: number | undefined, fields: Partial<MetricRow> = {}): MetricRow => ({
  ...(ts === undefined ? {} : { ts }),
  total_incident_cnt: 0,
  total_incidents_acknowledged: 0,
  total_incidents_closed: 0,
  total_seconds_to_ack: 0,
  total_seconds_to_close: 0,
  ...fields,
});

describe('the time window and the request', () => {
  it('"last 7 days" is whole local days ending at tomorrow\'s midnight in the member\'s zone', () => {
    expect(insightWindow({ kind: 'last', days: 7 }, NOW, 'Asia/Tokyo')).toEqual([
      tokyoMidnight('2026-01-01'),
      tokyoMidnight('2026-01-08'),
    ]);
  });

  it('picked days run midnight to midnight, in either order, at most 366 days', () => {
    expect(insightWindow({ kind: 'days', from: '2026-01-03', to: '2026-01-02' }, NOW, 'Asia/Tokyo')).toEqual([
      tokyoMidnight('2026-01-02'),
      tokyoMidnight('2026-01-04'),
    ]);
    const [start, end] = insightWindow({ kind: 'days', from: '2024-01-01', to: '2026-01-01' }, NOW, 'UTC');
    expect((end - start) / DAY).toBe(366);
  });

  it('a day across a daylight-saving change is 23 hours long', () => {
    const [start, end] = insightWindow(
      { kind: 'days', from: '2026-03-08', to: '2026-03-08' },
      NOW,
      'America/New_York',
    );
    expect(start).toBe(Date.UTC(2026, 2, 8, 5) / 1000);
    expect(end - start).toBe(23 * 3600);
  });

  it('builds the InsightFilter with the zone and only the filters set', () => {
    expect(insightFilter(DEFAULT_INSIGHT_FILTERS, { nowMs: NOW, timeZone: 'Asia/Tokyo' })).toEqual({
      start_time: tokyoMidnight('2026-01-01'),
      end_time: tokyoMidnight('2026-01-08'),
      time_zone: 'Asia/Tokyo',
    });
    expect(
      insightFilter(
        {
          ...DEFAULT_INSIGHT_FILTERS,
          teamIds: [3],
          channelIds: [5, 6],
          responderIds: [9],
          severities: ['Critical'],
        },
        { nowMs: NOW, timeZone: 'UTC' },
      ),
    ).toMatchObject({ team_ids: [3], channel_ids: [5, 6], responder_ids: [9], severities: ['Critical'] });
  });
});

describe('the bucket unit', () => {
  it('picks days up to a month, weeks up to half a year, then months', () => {
    expect(pickUnit(0, 7 * DAY)).toBe('day');
    expect(pickUnit(0, 31 * DAY)).toBe('day');
    expect(pickUnit(0, 90 * DAY)).toBe('week');
    expect(pickUnit(0, 365 * DAY)).toBe('month');
  });

  it('offers day buckets only up to 31 days, as the API allows, and falls back when too long', () => {
    expect(allowedUnits(0, 31 * DAY)).toEqual(['day', 'week', 'month']);
    expect(allowedUnits(0, 32 * DAY)).toEqual(['week', 'month']);
    expect(effectiveUnit('day', 0, 90 * DAY)).toBe('week');
    expect(effectiveUnit('month', 0, 7 * DAY)).toBe('month');
    expect(effectiveUnit('auto', 0, 7 * DAY)).toBe('day');
  });

  it('lists local day, Monday week and month starts covering the range', () => {
    const [start, end] = [tokyoMidnight('2026-01-01'), tokyoMidnight('2026-01-08')];
    const days = bucketStarts(start, end, 'day', 'Asia/Tokyo');
    expect(days).toHaveLength(7);
    expect(days[0]).toBe(start);
    expect(days[6]).toBe(tokyoMidnight('2026-01-07'));
    // 2026-01-01 is a Thursday: its week started on Monday 2025-12-29.
    expect(bucketStarts(start, end, 'week', 'Asia/Tokyo')).toEqual([
      tokyoMidnight('2025-12-29'),
      tokyoMidnight('2026-01-05'),
    ]);
    expect(bucketStarts(tokyoMidnight('2025-11-15'), end, 'month', 'Asia/Tokyo')).toEqual([
      tokyoMidnight('2025-11-01'),
      tokyoMidnight('2025-12-01'),
      tokyoMidnight('2026-01-01'),
    ]);
  });

  it('keeps day starts on local midnight across daylight-saving changes', () => {
    const start = Date.UTC(2026, 2, 7, 5) / 1000; // 2026-03-07 00:00 in New York
    // Three local days: 24 + 23 + 24 hours.
    const days = bucketStarts(start, start + 71 * 3600, 'day', 'America/New_York');
    expect(days).toEqual([start, start + DAY, start + 2 * DAY - 3600]);
  });
});

describe('chart series', () => {
  const [d1, d2, d3] = [
    tokyoMidnight('2026-01-05'),
    tokyoMidnight('2026-01-06'),
    tokyoMidnight('2026-01-07'),
  ];
  const label = (ts: number) => formatBucket(ts, 'day', 'Asia/Tokyo');

  it('fills empty buckets with zero and no MTTA/MTTR', () => {
    const points = timeSeries(
      [
        row(d1, {
          total_incident_cnt: 2,
          total_incidents_acknowledged: 2,
          total_seconds_to_ack: 300,
          total_incidents_closed: 1,
          total_seconds_to_close: 900,
        }),
      ],
      [d1, d2],
      label,
    );
    expect(points).toEqual([
      { ts: d1, label: 'Jan 5', incidents: 2, work: 0, off: 0, sleep: 0, mtta: 150, mttr: 900 },
      { ts: d2, label: 'Jan 6', incidents: 0, work: 0, off: 0, sleep: 0, mtta: null, mttr: null },
    ]);
  });

  it('sums rows split by hour class per bucket and recomputes the means from the totals', () => {
    const points = timeSeries(
      [
        row(d3, {
          hours: 'work',
          total_incident_cnt: 3,
          total_incidents_acknowledged: 1,
          total_seconds_to_ack: 60,
        }),
        row(d3, {
          hours: 'sleep',
          total_incident_cnt: 1,
          total_incidents_acknowledged: 1,
          total_seconds_to_ack: 240,
        }),
      ],
      [d2, d3],
      label,
    );
    expect(points[1]).toMatchObject({ incidents: 4, work: 3, off: 0, sleep: 1, mtta: 150, mttr: null });
  });

  it('keeps a bucket the API answered even if the list of starts missed it', () => {
    const points = timeSeries([row(d3, { total_incident_cnt: 1 })], [d1], label);
    expect(points.map((p) => p.ts)).toEqual([d1, d3]);
  });

  it('always shows work, off and sleep hours, in that order', () => {
    expect(
      hourLoad([
        row(undefined, {
          hours: 'sleep',
          total_incident_cnt: 2,
          total_incidents_acknowledged: 1,
          total_seconds_to_ack: 90,
        }),
      ]),
    ).toEqual([
      { hours: 'work', label: 'Work hours', incidents: 0, mtta: null },
      { hours: 'off', label: 'Off hours', incidents: 0, mtta: null },
      { hours: 'sleep', label: 'Sleep hours', incidents: 2, mtta: 90 },
    ]);
  });

  it('ranks the noisiest label values and names alerts without the label', () => {
    expect(
      topLabels([
        { label: 'disk', total_alert_cnt: 2, total_alert_event_cnt: 5 },
        { label: '', total_alert_cnt: 1, total_alert_event_cnt: 1 },
        { label: 'cpu', total_alert_cnt: 4, total_alert_event_cnt: 4 },
      ]).map((l) => [l.label, l.alerts, l.events]),
    ).toEqual([
      ['cpu', 4, 4],
      ['disk', 2, 5],
      ['(without this label)', 1, 1],
    ]);
  });
});

describe('words and numbers', () => {
  it('formats durations from seconds to days', () => {
    expect(formatSeconds(null)).toBe('—');
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(45.4)).toBe('45 s');
    expect(formatSeconds(270)).toBe('4 min 30 s');
    expect(formatSeconds(600)).toBe('10 min');
    expect(formatSeconds(7500)).toBe('2 h 5 min');
    expect(formatSeconds(7200)).toBe('2 h');
    expect(formatSeconds(3 * DAY + 4 * 3600)).toBe('3 d 4 h');
    expect(formatSeconds(2 * DAY)).toBe('2 d');
  });

  it('counts a duration axis in a unit that gives round ticks', () => {
    expect(durationUnit(90)).toEqual({ unit: 's', seconds: 1 });
    expect(durationUnit(1320)).toEqual({ unit: 'min', seconds: 60 });
    expect(durationUnit(5 * 3600)).toEqual({ unit: 'h', seconds: 3600 });
    expect(durationUnit(3 * DAY)).toEqual({ unit: 'd', seconds: DAY });
  });

  it('names buckets by day, week and month in the zone', () => {
    const ts = tokyoMidnight('2026-01-05');
    expect(formatBucket(ts, 'day', 'Asia/Tokyo')).toBe('Jan 5');
    expect(formatBucket(ts, 'week', 'Asia/Tokyo')).toBe('Week of Jan 5');
    expect(formatBucket(ts, 'month', 'Asia/Tokyo')).toBe('Jan 2026');
    // In UTC the same instant is still January 4th.
    expect(formatBucket(ts, 'day', 'UTC')).toBe('Jan 4');
  });

  it('shows percentages with two decimals, a dash without incidents', () => {
    expect(formatPct(66.666, 3)).toBe('66.67 %');
    expect(formatPct(0, 0)).toBe('—');
  });

  it('names the export by view and local dates, and counts its rows', () => {
    expect(
      exportFileName('team', tokyoMidnight('2026-01-01'), tokyoMidnight('2026-01-08'), 'Asia/Tokyo'),
    ).toBe('vigil-insight-team-2026-01-01_2026-01-07.csv');
    expect(csvRowCount('a,b\r\n1,2\r\n3,"x\r\ny"\r\n')).toBe(2);
    expect(csvRowCount('a,b\r\n')).toBe(0);
    expect(csvRowCount('')).toBe(0);
  });
});

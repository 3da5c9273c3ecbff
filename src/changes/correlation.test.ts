import { describe, expect, it } from 'vitest';
import { type CandidateChange, correlate, incidentLabelValues, rankRelatedChanges } from './correlation.ts';

const START = 10_000;
const WINDOW = 7200;
const KEYS = ['service', 'cluster', 'resource', 'host', 'app'];

const values = incidentLabelValues(KEYS, [
  { service: 'web', cluster: 'nj', env: 'prod' },
  { service: 'web', host: 'h1' },
  { service: 'web', host: 'h2', app: '' },
]);
const incident = { startTime: START, values };

const change = (
  id: string,
  labels: Record<string, string>,
  start: number,
  last = start,
): CandidateChange => ({
  change_id: id,
  labels,
  start_time: start,
  last_time: last,
});

describe('change correlation', () => {
  it('collects the values of the correlation keys only, ignoring empty ones', () => {
    expect(values).toEqual(
      new Map([
        ['service', new Set(['web'])],
        ['cluster', new Set(['nj'])],
        ['host', new Set(['h1', 'h2'])],
      ]),
    );
  });

  it('relates a change that shares a value and was active within the look-back window', () => {
    expect(correlate(change('a', { service: 'web', host: 'h2' }, START - 600), incident, WINDOW)).toEqual({
      matched_labels: { service: 'web', host: 'h2' },
      overlap: 2,
      seconds_before: 600,
      score: 2.916678,
    });
    // Active across the incident's start: 0 seconds before.
    expect(
      correlate(change('b', { cluster: 'nj' }, START - 9000, START + 60), incident, WINDOW),
    ).toMatchObject({
      overlap: 1,
      seconds_before: 0,
      score: 2,
    });
  });

  it('does not relate changes without a shared value, outside the window, or on other keys', () => {
    expect(correlate(change('c', { service: 'db' }, START - 60), incident, WINDOW)).toBeUndefined();
    expect(correlate(change('d', { env: 'prod' }, START - 60), incident, WINDOW)).toBeUndefined();
    expect(correlate(change('e', { service: 'web' }, START - WINDOW - 1), incident, WINDOW)).toBeUndefined();
    expect(correlate(change('f', { service: 'web' }, START + 1), incident, WINDOW)).toBeUndefined();
    expect(correlate(change('g', { Service: 'web' }, START - 60), incident, WINDOW)).toBeUndefined();
    // The window's edges count.
    expect(correlate(change('h', { service: 'web' }, START - WINDOW), incident, WINDOW)).toBeDefined();
    expect(correlate(change('i', { service: 'web' }, START), incident, WINDOW)).toBeDefined();
  });

  it('ranks by overlap, then recency, then last_time and id', () => {
    const ranked = rankRelatedChanges(
      [
        change('01', { service: 'web' }, START - 60),
        change('02', { service: 'web', cluster: 'nj', host: 'h1' }, START - 7000),
        change('03', { service: 'web', cluster: 'nj' }, START - 100),
        change('04', { service: 'web', cluster: 'nj' }, START - 50),
        change('05', { service: 'db' }, START - 10),
        change('06', { service: 'web' }, START - 60),
      ],
      incident,
      WINDOW,
    );
    expect(ranked.map((r) => r.change.change_id)).toEqual(['02', '04', '03', '06', '01']);
    const scores = ranked.map((r) => r.correlation.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
});

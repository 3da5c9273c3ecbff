import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/app-error.ts';
import { type ChangePush, normalizeChangeEvent } from './change-event.ts';

const NOW = 1_767_603_600; // 2026-01-05T09:00:00Z

const base: ChangePush = { change_status: 'Done', change_key: 'CHANGE-002', title: '双12活动' };

/** The InvalidParameter message a body is refused with. */
function refusal(body: Partial<ChangePush>): string {
  try {
    normalizeChangeEvent({ ...base, ...body } as ChangePush, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('InvalidParameter');
    return (error as AppError).message;
  }
  throw new Error('the body was accepted');
}

describe('normalizeChangeEvent', () => {
  it('keeps the seed example as sent, with labels in key order and the time now', () => {
    expect(
      normalizeChangeEvent(
        {
          change_status: 'Done',
          change_key: 'CHANGE-002',
          description: '进度100%',
          title: '双12活动',
          labels: { service: 'flashcat', cluster: 'nj' },
          link: 'http://jira.flashcat.cloud/CHANGE-001',
        },
        NOW,
      ),
    ).toEqual({
      changeKey: 'CHANGE-002',
      status: 'Done',
      title: '双12活动',
      description: '进度100%',
      link: 'http://jira.flashcat.cloud/CHANGE-001',
      labels: { cluster: 'nj', service: 'flashcat' },
      eventTime: NOW,
    });
  });

  it('defaults description, link and labels to empty', () => {
    expect(normalizeChangeEvent(base, NOW)).toMatchObject({ description: '', link: '', labels: {} });
  });

  it('takes event_time in seconds, 0 as now, and milliseconds scaled down', () => {
    expect(normalizeChangeEvent({ ...base, event_time: NOW - 60 }, NOW).eventTime).toBe(NOW - 60);
    expect(normalizeChangeEvent({ ...base, event_time: 0 }, NOW).eventTime).toBe(NOW);
    expect(normalizeChangeEvent({ ...base, event_time: (NOW - 60) * 1000 + 999 }, NOW).eventTime).toBe(
      NOW - 60,
    );
  });

  it('lets only a Ready event lie in the future (up to 366 days), others a few minutes at most', () => {
    const ready = { ...base, change_status: 'Ready' as const };
    expect(normalizeChangeEvent({ ...ready, event_time: NOW + 86_400 }, NOW).eventTime).toBe(NOW + 86_400);
    expect(normalizeChangeEvent({ ...ready, event_time: NOW + 366 * 86_400 }, NOW).eventTime).toBe(
      NOW + 366 * 86_400,
    );
    expect(refusal({ ...ready, event_time: NOW + 366 * 86_400 + 1 })).toContain('event_time');
    expect(normalizeChangeEvent({ ...base, event_time: NOW + 300 }, NOW).eventTime).toBe(NOW + 300);
    for (const status of ['Planned', 'Processing', 'Canceled', 'Done'] as const) {
      expect(refusal({ change_status: status, event_time: NOW + 301 })).toMatch(
        /event_time.*301 seconds in the future; only a Ready event/,
      );
    }
  });

  it('refuses every limit, naming the field', () => {
    expect(refusal({ change_status: 'done' as never })).toContain('change_status');
    expect(refusal({ change_key: '' })).toContain('change_key');
    expect(refusal({ change_key: 'k'.repeat(256) })).toMatch(/change_key .*255/);
    expect(normalizeChangeEvent({ ...base, change_key: 'k'.repeat(255) }, NOW).changeKey).toHaveLength(255);
    expect(refusal({ title: '' })).toContain('title');
    expect(refusal({ title: '   ' })).toMatch(/title .*blank/);
    expect(refusal({ title: 't'.repeat(513) })).toMatch(/title .*512/);
    expect(refusal({ description: 'd'.repeat(2049) })).toMatch(/description .*2048/);
    expect(normalizeChangeEvent({ ...base, description: '😀'.repeat(2048) }, NOW).description).toHaveLength(
      4096,
    );
    expect(refusal({ link: `https://x.example/${'l'.repeat(2048)}` })).toMatch(/link .*2048/);
    expect(refusal({ link: 'javascript:alert(1)' })).toMatch(/link .*http/);
    expect(refusal({ link: 'jira/CHANGE-1' })).toContain('link');
  });

  it('refuses labels beyond 50, keys that are empty or over 128, values over 512; keys are case-sensitive', () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    expect(Object.keys(normalizeChangeEvent({ ...base, labels: fifty }, NOW).labels)).toHaveLength(50);
    expect(refusal({ labels: { ...fifty, one: 'more' } })).toMatch(/labels .*50/);
    expect(refusal({ labels: { '': 'v' } })).toMatch(/labels .*empty/);
    expect(refusal({ labels: { ['k'.repeat(129)]: 'v' } })).toMatch(/labels .*longer than 128/);
    expect(normalizeChangeEvent({ ...base, labels: { ['k'.repeat(128)]: 'v' } }, NOW).labels).toHaveProperty(
      'k'.repeat(128),
    );
    expect(refusal({ labels: { host: 'h'.repeat(513) } })).toMatch(/labels\.host .*512/);
    expect(normalizeChangeEvent({ ...base, labels: { Env: 'a', env: 'b' } }, NOW).labels).toEqual({
      Env: 'a',
      env: 'b',
    });
  });
});

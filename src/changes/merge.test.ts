import { describe, expect, it } from 'vitest';
import type { ChangeStatus } from '../db/schema.ts';
import { applyEvent, arrivesInOrder, type ChangeState, foldChange, type SequencedEvent } from './merge.ts';

let seq = 0;
function event(status: ChangeStatus, eventTime: number, extra: Partial<SequencedEvent> = {}): SequencedEvent {
  seq += 1;
  return {
    changeKey: 'CHG-1',
    status,
    title: `${status} at ${eventTime}`,
    description: '',
    link: '',
    labels: {},
    eventTime,
    seq,
    ...extra,
  };
}

/** Applies events in arrival order as the service does: incrementally when in order, else a refold. */
function arrive(events: readonly SequencedEvent[]): ChangeState {
  let state: ChangeState | undefined;
  const stored: SequencedEvent[] = [];
  for (const e of events) {
    stored.push(e);
    state = state && !arrivesInOrder(state, e) ? foldChange(stored) : applyEvent(state, e);
  }
  return state!;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('merging the events of a change', () => {
  it('walks Planned → Ready → Processing → Done: status of the latest, start/last/end times', () => {
    const planned = event('Planned', 100, { description: 'filed', link: 'https://jira/1' });
    expect(foldChange([planned])).toEqual({
      status: 'Planned',
      title: 'Planned at 100',
      description: 'filed',
      link: 'https://jira/1',
      labels: {},
      startTime: 100,
      lastTime: 100,
      endTime: 0,
    });
    const ready = event('Ready', 200);
    const processing = event('Processing', 300, { description: 'rolling out' });
    const done = event('Done', 400);
    expect(foldChange([planned, ready, processing, done])).toEqual({
      status: 'Done',
      title: 'Done at 400',
      description: 'rolling out',
      link: 'https://jira/1',
      labels: {},
      startTime: 100,
      lastTime: 400,
      endTime: 400,
    });
  });

  it('ends with Canceled too, and runs again when a later event is not terminal', () => {
    expect(foldChange([event('Processing', 10), event('Canceled', 20)])).toMatchObject({
      status: 'Canceled',
      endTime: 20,
    });
    expect(foldChange([event('Done', 10), event('Processing', 20)])).toMatchObject({
      status: 'Processing',
      endTime: 0,
      lastTime: 20,
    });
  });

  it('orders by event_time, then by arrival, whatever the arrival order', () => {
    const events = [event('Planned', 100), event('Processing', 200), event('Done', 300), event('Ready', 150)];
    const expected = foldChange(events);
    expect(expected).toMatchObject({ status: 'Done', startTime: 100, lastTime: 300, endTime: 300 });
    for (const order of permutations(events)) expect(arrive(order)).toEqual(expected);
  });

  it('breaks event_time ties by arrival', () => {
    const first = event('Processing', 100);
    const second = event('Done', 100);
    expect(foldChange([second, first])).toMatchObject({ status: 'Done', endTime: 100 });
    expect(arrive([first, second])).toMatchObject({ status: 'Done' });
  });

  it('merges labels, later values winning, never more than 50', () => {
    const a = event('Processing', 1, { labels: { service: 'web', host: 'h1' } });
    const b = event('Done', 2, { labels: { host: 'h2', app: 'shop' } });
    expect(foldChange([a, b]).labels).toEqual({ app: 'shop', host: 'h2', service: 'web' });
    const many = (prefix: string) =>
      Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${prefix}${i}`, 'v']));
    const labels = foldChange([
      event('Planned', 1, { labels: many('a') }),
      event('Done', 2, { labels: many('b') }),
    ]).labels;
    expect(Object.keys(labels)).toHaveLength(50);
    expect(Object.keys(labels).every((k) => k.startsWith('b'))).toBe(true);
    const some = foldChange([
      event('Planned', 1, { labels: many('a') }),
      event('Done', 2, { labels: { z: '1' } }),
    ]).labels;
    expect(Object.keys(some)).toEqual([...Object.keys(many('a')).sort().slice(0, 49), 'z']);
  });

  it('keeps the last non-empty description and link', () => {
    const state = foldChange([
      event('Planned', 1, { description: 'd1', link: 'https://a' }),
      event('Processing', 2, { description: 'd2' }),
      event('Done', 3),
    ]);
    expect(state).toMatchObject({ description: 'd2', link: 'https://a', title: 'Done at 3' });
  });
});

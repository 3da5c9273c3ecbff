import { describe, expect, it } from 'vitest';
import {
  type ComponentStatus,
  checkOrder,
  currentComponentStatuses,
  duplicateComponent,
  inTimeOrder,
  replay,
  type TimelineUpdate,
  worst,
} from './timeline.ts';

const u = (atSeconds: number, status: string | null, changes: [string, string][] = []): TimelineUpdate => ({
  atSeconds,
  status,
  componentChanges: changes.map(([component_id, s]) => ({ component_id, status: s })),
});

describe('replay', () => {
  it('follows statuses and component statuses through the updates', () => {
    const r = replay('incident', 100, [
      u(100, 'investigating', [['a', 'degraded']]),
      u(200, null, [['b', 'full_outage']]),
      u(300, 'identified', [['a', 'partial_outage']]),
    ]);
    expect(r.violation).toBeUndefined();
    expect(r.status).toBe('identified');
    expect([...r.components]).toEqual([
      ['a', 'partial_outage'],
      ['b', 'full_outage'],
    ]);
    expect(r.closedAt).toBe(0);
  });

  it('closes at the update that made the event terminal, and reopens', () => {
    const closed = replay('incident', 0, [
      u(10, 'investigating', [['a', 'degraded']]),
      u(20, 'resolved', [['a', 'operational']]),
      u(30, null),
    ]);
    expect(closed).toMatchObject({ status: 'resolved', closedAt: 20 });
    const reopened = replay('incident', 0, [
      u(10, 'investigating', [['a', 'degraded']]),
      u(20, 'resolved', [['a', 'operational']]),
      u(30, 'monitoring'),
    ]);
    expect(reopened).toMatchObject({ status: 'monitoring', closedAt: 0 });
  });

  it.each<[string, Parameters<typeof replay>, { index: number; field: string }]>([
    [
      'first update without components',
      ['incident', 0, [u(0, 'investigating')]],
      { index: 0, field: 'component_changes' },
    ],
    [
      'first update without status',
      ['incident', 0, [u(0, null, [['a', 'degraded']])]],
      { index: 0, field: 'status' },
    ],
    [
      'status of the other type',
      ['maintenance', 0, [u(0, 'investigating', [['a', 'under_maintenance']])]],
      { index: 0, field: 'status' },
    ],
    [
      'component status of the other type',
      ['maintenance', 0, [u(0, 'ongoing', [['a', 'degraded']])]],
      { index: 0, field: 'component_changes' },
    ],
    [
      'terminal with an impaired component',
      ['incident', 0, [u(0, 'investigating', [['a', 'degraded']]), u(5, 'resolved')]],
      { index: 1, field: 'status' },
    ],
    [
      'a note that impairs a resolved event',
      ['incident', 0, [u(0, 'resolved', [['a', 'operational']]), u(5, null, [['a', 'degraded']])]],
      { index: 1, field: 'status' },
    ],
    [
      'an incident update before the start',
      ['incident', 100, [u(99, 'investigating', [['a', 'degraded']])]],
      { index: 0, field: 'at_seconds' },
    ],
    [
      'a maintenance going on before its start',
      ['maintenance', 100, [u(50, 'ongoing', [['a', 'under_maintenance']])]],
      { index: 0, field: 'at_seconds' },
    ],
  ])('reports %s', (_name, args, expected) => {
    expect(replay(...args).violation).toMatchObject(expected);
  });

  it('lets a scheduled maintenance be announced before its window', () => {
    const r = replay('maintenance', 1000, [
      u(10, 'scheduled', [['a', 'under_maintenance']]),
      u(1000, 'ongoing'),
      u(2000, 'completed', [['a', 'operational']]),
    ]);
    expect(r).toMatchObject({ status: 'completed', closedAt: 2000 });
    expect(r.violation).toBeUndefined();
  });
});

describe('helpers', () => {
  it('finds updates out of order and duplicate components', () => {
    expect(checkOrder([{ atSeconds: 1 }, { atSeconds: 1 }, { atSeconds: 2 }])).toBeUndefined();
    expect(checkOrder([{ atSeconds: 2 }, { atSeconds: 1 }])).toBe(1);
    expect(
      duplicateComponent([
        { component_id: 'a', status: 'x' },
        { component_id: 'b', status: 'x' },
        { component_id: 'a', status: 'y' },
      ]),
    ).toBe(2);
  });

  it('sorts stored updates by time, then by id', () => {
    const sorted = inTimeOrder([
      { at_seconds: 5, update_id: 'B' },
      { at_seconds: 5, update_id: 'A' },
      { at_seconds: 1, update_id: 'C' },
    ]);
    expect(sorted.map((x) => x.update_id)).toEqual(['C', 'A', 'B']);
  });

  it('ranks full outage worst and maintenance just above operational', () => {
    expect(worst(['degraded', 'under_maintenance'])).toBe('degraded');
    expect(worst(['operational', 'under_maintenance'])).toBe('under_maintenance');
    expect(worst(['partial_outage', 'full_outage', 'degraded'])).toBe('full_outage');
    expect(worst([])).toBe('operational');
  });

  it('rolls up the events in effect only', () => {
    const map = (entries: [string, ComponentStatus][]) => new Map(entries);
    const current = currentComponentStatuses(
      [
        { status: 'investigating', startAt: 0, components: map([['a', 'degraded']]) },
        { status: 'monitoring', startAt: 0, components: map([['a', 'full_outage']]) },
        { status: 'resolved', startAt: 0, components: map([['b', 'operational']]) },
        { status: 'scheduled', startAt: 0, components: map([['c', 'under_maintenance']]) },
        { status: 'investigating', startAt: 500, components: map([['d', 'degraded']]) },
      ],
      100,
    );
    expect([...current]).toEqual([['a', 'full_outage']]);
  });
});

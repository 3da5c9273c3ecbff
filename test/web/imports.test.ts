import { describe, expect, it } from 'vitest';
import {
  describeCheck,
  type ImportReport,
  mergeReports,
  orderedStages,
  summarize,
} from '../../web/src/imports.ts';

/* The Import page's pure logic (web/src/imports.ts). */

const report = (over: Partial<ImportReport>): ImportReport => ({
  mode: 'apply',
  stages: [],
  items: [],
  skipped: [],
  checks: [],
  ...over,
});
const item = (stage: 'users' | 'schedules', action: ImportReport['items'][number]['action']) => ({
  stage,
  kind: 'x',
  source_id: 'id',
  name: 'n',
  action,
  reason: '',
  notes: [],
});

describe('import page logic', () => {
  it('runs the chosen stages in import order', () => {
    expect(orderedStages(['integrations', 'users', 'schedules'])).toEqual([
      'users',
      'schedules',
      'integrations',
    ]);
  });

  it('merges the reports of a stage-by-stage import, keeping the first error', () => {
    const merged = mergeReports([
      report({ stages: ['users'], items: [item('users', 'create')] }),
      report({ stages: [], error: { stage: 'schedules', message: 'refused', kind: 'token' } }),
    ])!;
    expect(merged.stages).toEqual(['users']);
    expect(merged.items).toHaveLength(1);
    expect(merged.error).toEqual({ stage: 'schedules', message: 'refused', kind: 'token' });
    expect(mergeReports([])).toBeUndefined();
  });

  it('says what a plan or an import did in words', () => {
    const items = [
      item('users', 'create'),
      item('users', 'create'),
      item('users', 'match'),
      item('schedules', 'skip'),
    ];
    expect(summarize(report({ mode: 'plan', items }))).toBe('2 to create, 1 reused, 1 not imported');
    expect(
      summarize(report({ items, skipped: [{ kind: 'k', source_id: 's', name: 'n', reason: 'r' }] })),
    ).toBe('2 created, 1 reused, 1 not imported, 1 more not read into Vigil');
    expect(summarize(report({}))).toBe('Nothing to import');
    const check = {
      name: 'Primary',
      checked: 'planned' as const,
      window: { start: 0, end: 56 * 86_400 },
      handoffs: 80,
    };
    expect(describeCheck({ ...check, differences: [] })).toBe(
      'Primary: 80 hand-offs over 56 days compared (as planned) — no difference',
    );
    expect(
      describeCheck({
        ...check,
        checked: 'stored',
        differences: [{ at: 1, until: 2, source: ['a'], vigil: [] }],
      }),
    ).toBe('Primary: 80 hand-offs over 56 days compared — 1 difference');
  });
});

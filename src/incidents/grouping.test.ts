import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../alerts/conditions.ts';
import {
  acceptsMerge,
  type GroupConfig,
  type GroupingAlert,
  groupingKey,
  pickSimilar,
  similarity,
  tokenSet,
} from './grouping.ts';

const alert = (over: Partial<GroupingAlert> = {}): GroupingAlert => ({
  title: 'CPU high on db-1',
  description: 'cpu at 97%',
  severity: 'Critical',
  labels: { service: 'api', cluster: 'nj', resource: 'db-1' },
  alertKey: 'k1',
  integrationId: 42,
  ...over,
});

const pattern = (over: Partial<GroupConfig> = {}): GroupConfig => ({
  method: 'p',
  equals: [],
  cases: [],
  all_equals_required: false,
  time_window: 0,
  window_type: 'tumbling',
  i_keys: [],
  i_score_threshold: 0.9,
  ...over,
});

const when = (key: string, vals: string[], oper: 'IN' | 'NOTIN' = 'IN'): Condition => ({ key, oper, vals });

const md5 = (pairs: [string, string][]) => createHash('md5').update(JSON.stringify(pairs)).digest('hex');

describe('groupingKey: methods', () => {
  it('is null for n (every alert its own incident) and i (similarity instead)', () => {
    expect(groupingKey(pattern({ method: 'n', equals: [['labels.service']] }), alert())).toBeNull();
    expect(groupingKey(pattern({ method: 'i', equals: [['labels.service']] }), alert())).toBeNull();
  });

  it('is null for p with neither cases nor equals', () => {
    expect(groupingKey(pattern(), alert())).toBeNull();
    expect(groupingKey({ method: 'p' }, alert())).toBeNull();
  });
});

describe('groupingKey: unified dimensions (equals)', () => {
  const group = pattern({ equals: [['labels.service', 'labels.cluster']] });

  it('hashes the sorted dimension pairs (equals_md5) and explains itself', () => {
    expect(groupingKey(group, alert())).toEqual({
      key: md5([
        ['labels.cluster', 'nj'],
        ['labels.service', 'api'],
      ]),
      dimensions: { 'labels.cluster': 'nj', 'labels.service': 'api' },
      reason: 'grouped by labels.service=api, labels.cluster=nj (default dimensions)',
    });
  });

  it('gives alerts with the same values the same key, and different values another', () => {
    const a = groupingKey(group, alert())!.key;
    expect(
      groupingKey(group, alert({ title: 'other', labels: { service: 'api', cluster: 'nj' } }))!.key,
    ).toBe(a);
    expect(groupingKey(group, alert({ labels: { service: 'api', cluster: 'sh' } }))!.key).not.toBe(a);
  });

  it('does not depend on the order of keys, and reads bare shorthands and aliases canonically', () => {
    const a = groupingKey(group, alert())!.key;
    expect(groupingKey(pattern({ equals: [['labels.cluster', 'labels.service']] }), alert())!.key).toBe(a);
    expect(groupingKey(pattern({ equals: [['service', 'cluster', 'labels.service']] }), alert())!.key).toBe(
      a,
    );
  });

  it('reads every attribute dimension', () => {
    const g = groupingKey(
      pattern({
        equals: [['title', 'description', 'alert_severity', 'alert_key', 'data_source_id', 'check']],
      }),
      alert({ labels: { check: 'cpu' } }),
    );
    expect(g?.dimensions).toEqual({
      alert_key: 'k1',
      description: 'cpu at 97%',
      integration_id: '42',
      'labels.check': 'cpu',
      severity: 'Critical',
      title: 'CPU high on db-1',
    });
    expect(g?.reason).toBe(
      'grouped by title="CPU high on db-1", description="cpu at 97%", severity=Critical, alert_key=k1, ' +
        'integration_id=42, labels.check=cpu (default dimensions)',
    );
  });

  it('separates names from values in the key', () => {
    const a = groupingKey(pattern({ equals: [['labels.a']] }), alert({ labels: { a: 'b' } }))!.key;
    const b = groupingKey(pattern({ equals: [['labels.b']] }), alert({ labels: { b: 'b' } }))!.key;
    expect(a).not.toBe(b);
  });

  it('shortens and quotes values in the reason', () => {
    const g = groupingKey(
      pattern({ equals: [['labels.x', 'labels.y']] }),
      alert({ labels: { x: 'a'.repeat(70) } }),
    );
    expect(g?.reason).toBe(`grouped by labels.x=${'a'.repeat(60)}…, labels.y="" (default dimensions)`);
    const spaced = groupingKey(pattern({ equals: [['labels.x']] }), alert({ labels: { x: 'a, b="c"' } }));
    expect(spaced?.reason).toBe('grouped by labels.x="a, b=\\"c\\"" (default dimensions)');
  });
});

describe('groupingKey: all_equals_required', () => {
  const noCluster = alert({ labels: { service: 'api' } });
  const emptyCluster = alert({ labels: { service: 'api', cluster: '' } });

  it('false: a missing or empty value compares equal as ""', () => {
    const group = pattern({ equals: [['labels.service', 'labels.cluster']] });
    const a = groupingKey(group, noCluster);
    expect(a?.dimensions).toEqual({ 'labels.cluster': '', 'labels.service': 'api' });
    expect(groupingKey(group, emptyCluster)?.key).toBe(a?.key);
    expect(groupingKey(group, alert())?.key).not.toBe(a?.key);
  });

  it('true: an alert missing a value does not group', () => {
    const group = pattern({ equals: [['labels.service', 'labels.cluster']], all_equals_required: true });
    expect(groupingKey(group, noCluster)).toBeNull();
    expect(groupingKey(group, emptyCluster)).toBeNull();
    expect(groupingKey(group, alert())).not.toBeNull();
  });

  it('true: the first complete dimension set is used', () => {
    const group = pattern({
      equals: [['labels.trace_id'], ['labels.service', 'labels.cluster'], ['labels.service']],
      all_equals_required: true,
    });
    expect(groupingKey(group, alert({ labels: { trace_id: 't1', service: 'api' } }))?.reason).toBe(
      'grouped by labels.trace_id=t1 (default dimension set 1)',
    );
    expect(groupingKey(group, alert())?.reason).toBe(
      'grouped by labels.service=api, labels.cluster=nj (default dimension set 2)',
    );
    expect(groupingKey(group, noCluster)?.reason).toBe(
      'grouped by labels.service=api (default dimension set 3)',
    );
    expect(groupingKey(group, alert({ labels: {} }))).toBeNull();
  });

  it('false: the first set with any value is used, else the first set', () => {
    const group = pattern({ equals: [['labels.trace_id'], ['labels.service']] });
    expect(groupingKey(group, alert())?.reason).toBe(
      'grouped by labels.service=api (default dimension set 2)',
    );
    const none = groupingKey(group, alert({ labels: {} }));
    expect(none?.reason).toBe('grouped by labels.trace_id="" (default dimension set 1)');
    expect(none?.key).toBe(md5([['labels.trace_id', '']]));
  });

  it('treats an unknown dimension key as missing', () => {
    expect(groupingKey(pattern({ equals: [['priority']] }), alert())?.dimensions).toEqual({ priority: '' });
    expect(groupingKey(pattern({ equals: [['priority']], all_equals_required: true }), alert())).toBeNull();
  });
});

describe('groupingKey: cases', () => {
  const group = pattern({
    cases: [
      { if: [when('severity', ['Info'])], equals: ['title'] },
      {
        if: [when('labels.service', ['api', 'web']), when('labels.cluster', ['n*'])],
        equals: ['service', 'cluster'],
      },
      { if: [when('labels.service', ['*'])], equals: ['labels.service'] },
    ],
    equals: [['alert_key']],
  });

  it('uses the first case whose conditions all match', () => {
    expect(groupingKey(group, alert())?.reason).toBe(
      'grouped by labels.service=api, labels.cluster=nj (case 2)',
    );
    expect(groupingKey(group, alert({ severity: 'Info' }))?.reason).toBe(
      'grouped by title="CPU high on db-1" (case 1)',
    );
    expect(groupingKey(group, alert({ labels: { service: 'api', cluster: 'sh' } }))?.reason).toBe(
      'grouped by labels.service=api (case 3)',
    );
  });

  it('falls back to the top-level equals when no case matches', () => {
    expect(groupingKey(group, alert({ labels: {} }))?.reason).toBe(
      'grouped by alert_key=k1 (default dimensions)',
    );
    expect(groupingKey(pattern({ cases: group.cases }), alert({ labels: {} }))).toBeNull();
  });

  it('gives the same key to the same dimensions whichever case chose them', () => {
    const viaCase = groupingKey(group, alert({ labels: { service: 'db' } }))!;
    const viaDefault = groupingKey(
      pattern({ equals: [['labels.service']] }),
      alert({ labels: { service: 'db' } }),
    )!;
    expect(viaCase.key).toBe(viaDefault.key);
  });

  it('with all_equals_required, a matching case with a missing value does not group (no fallback)', () => {
    const strict = pattern({
      cases: [{ if: [when('severity', ['Critical'])], equals: ['labels.team'] }],
      equals: [['labels.service']],
      all_equals_required: true,
    });
    expect(groupingKey(strict, alert())).toBeNull();
    expect(groupingKey({ ...strict, all_equals_required: false }, alert())?.dimensions).toEqual({
      'labels.team': '',
    });
  });

  it('never matches a case whose conditions do not compile, and does not throw', () => {
    const broken = pattern({
      cases: [
        { if: [when('nope', ['x'])], equals: ['title'] },
        { if: [when('title', ['/a(?=b)/'])], equals: ['title'] },
      ],
      equals: [['labels.service']],
    });
    expect(groupingKey(broken, alert())?.reason).toBe('grouped by labels.service=api (default dimensions)');
    expect(groupingKey(broken, alert())?.reason).toBe('grouped by labels.service=api (default dimensions)');
  });
});

describe('similarity', () => {
  it('tokenises case- and width-insensitively, CJK per character', () => {
    expect([...tokenSet('CPU high on db-1, CPU!')]).toEqual(['cpu', 'high', 'on', 'db', '1']);
    expect([...tokenSet('ＣＰＵ Ü')]).toEqual(['cpu', 'ü']);
    expect([...tokenSet('数据库db连接失败')]).toEqual(['数', '据', '库', 'db', '连', '接', '失', '败']);
    expect(tokenSet(' -- ').size).toBe(0);
  });

  it('is 1 for identical alerts and 0 for unrelated ones', () => {
    expect(similarity(alert(), alert())).toBe(1);
    expect(
      similarity(alert(), {
        title: 'disk full',
        description: 'no space',
        labels: { service: 'web', resource: 'fs-2' },
      }),
    ).toBe(0);
  });

  it('is the mean of per-field Jaccard similarities', () => {
    const a = { title: 'CPU high on db-1', description: 'cpu at 97%', labels: { service: 'api' } };
    const b = { title: 'CPU high on db-2', description: 'cpu at 97%', labels: { service: 'api' } };
    // title: {cpu,high,on,db} shared of 6 → 4/6; description 1; service 1; resource empty on both: skipped.
    expect(similarity(a, b)).toBeCloseTo((4 / 6 + 1 + 1) / 3, 12);
  });

  it('scores a field present on one side only as 0; all fields empty on both sides as 0', () => {
    const a = { title: 'x', description: '', labels: { service: 'api' } };
    const b = { title: 'x', description: '', labels: {} };
    expect(similarity(a, b)).toBe(0.5);
    expect(
      similarity({ title: '', description: '', labels: {} }, { title: '', description: '', labels: {} }),
    ).toBe(0);
  });

  it('uses the i_keys given, canonically and without repeats, ignoring unknown keys', () => {
    const a = alert({ description: 'one' });
    const b = alert({ description: 'two' });
    expect(similarity(a, b, ['title'])).toBe(1);
    expect(similarity(a, b, ['title', 'description'])).toBe(0.5);
    expect(similarity(a, b, ['title', 'nope', 'labels.service', 'service'])).toBe(1);
    expect(similarity(a, b, ['nope'])).toBe(0);
  });
});

describe('pickSimilar', () => {
  const group = pattern({ method: 'i', i_keys: ['title'], i_score_threshold: 0.8 });
  const incident = (id: string, title: string) => ({ id, title, description: '', labels: {} });

  it('picks the most similar open incident at or above the threshold', () => {
    const candidates = [
      incident('a', 'disk full on fs-1'),
      incident('b', 'cpu high on db 1 now'),
      incident('c', 'cpu high on db 1'),
    ];
    expect(pickSimilar(candidates, alert({ title: 'CPU high on db-1' }), group)).toEqual({
      id: 'c',
      score: 1,
    });
  });

  it('accepts a score exactly at the threshold and refuses one just below', () => {
    // 4 shared tokens of 5 = 0.8.
    expect(pickSimilar([incident('a', 'a b c d e')], alert({ title: 'a b c d' }), group)).toEqual({
      id: 'a',
      score: 0.8,
    });
    // 3 of 4 = 0.75.
    expect(pickSimilar([incident('a', 'a b c d')], alert({ title: 'a b c' }), group)).toBeNull();
  });

  it('takes the first of equally similar incidents', () => {
    const candidates = [
      incident('x', 'other'),
      incident('first', 'cpu high'),
      incident('second', 'high cpu'),
    ];
    expect(pickSimilar(candidates, alert({ title: 'CPU high' }), group)?.id).toBe('first');
  });

  it('returns null without candidates, and uses the defaults (0.9, title/description/service/resource)', () => {
    expect(pickSimilar([], alert(), group)).toBeNull();
    const defaults: GroupConfig = { method: 'i' };
    const same = { id: 's', title: alert().title, description: alert().description, labels: alert().labels };
    expect(pickSimilar([same], alert(), defaults)).toEqual({ id: 's', score: 1 });
    const near = { ...same, labels: { ...alert().labels, resource: 'db-2' } };
    // resource {db,1} vs {db,2} = 1/3 → mean (1 + 1 + 1 + 1/3) / 4 ≈ 0.83 < 0.9.
    expect(pickSimilar([near], alert(), defaults)).toBeNull();
    expect(pickSimilar([near], alert(), { method: 'i', i_keys: [], i_score_threshold: 0.8 })?.id).toBe('s');
  });
});

describe('acceptsMerge', () => {
  const incident = { createdAtSeconds: 1_000_000, lastMergeSeconds: 1_000_000 + 1_500 };

  it('always accepts without a window', () => {
    expect(acceptsMerge(incident, pattern({ time_window: 0 }), 9_999_999_999)).toBe(true);
    expect(acceptsMerge(incident, { method: 'p' }, 9_999_999_999)).toBe(true);
  });

  it('tumbling: until time_window minutes after creation, end exclusive', () => {
    const group = pattern({ time_window: 30, window_type: 'tumbling' });
    expect(acceptsMerge(incident, group, 1_000_000 + 1_799)).toBe(true);
    expect(acceptsMerge(incident, group, 1_000_000 + 1_800)).toBe(false);
    // A recent merge does not extend a tumbling window.
    expect(acceptsMerge(incident, group, 1_000_000 + 1_801)).toBe(false);
  });

  it('tumbling is the default window type', () => {
    expect(acceptsMerge(incident, { method: 'p', time_window: 30 }, 1_000_000 + 1_800)).toBe(false);
  });

  it('sliding: until time_window minutes after the last merge, end exclusive', () => {
    const group = pattern({ time_window: 30, window_type: 'sliding' });
    expect(acceptsMerge(incident, group, 1_000_000 + 1_500 + 1_799)).toBe(true);
    expect(acceptsMerge(incident, group, 1_000_000 + 1_500 + 1_800)).toBe(false);
    expect(acceptsMerge(incident, group, 1_000_000 + 1_801)).toBe(true);
  });

  it('sliding: counts from creation when nothing merged yet', () => {
    const group = pattern({ time_window: 1, window_type: 'sliding' });
    const fresh = { createdAtSeconds: 500, lastMergeSeconds: 0 };
    expect(acceptsMerge(fresh, group, 559)).toBe(true);
    expect(acceptsMerge(fresh, group, 560)).toBe(false);
  });
});

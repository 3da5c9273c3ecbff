import { describe, expect, it } from 'vitest';
import { type AlertAttributes, type Condition, compileCondition } from '../../src/alerts/conditions.ts';
import { decideNoise, type NoiseRule } from '../../src/alerts/noise.ts';
import { pickEscalationRule } from '../../src/escalation/match.ts';
import { groupingKey } from '../../src/incidents/grouping.ts';
import { normalizeStandardEvent } from '../../src/ingest/event.ts';
import { compileRoute } from '../../src/integrations/route-match.ts';

/*
 * Every family of user-written patterns runs in linear time (issue 17 item 3): the pathological
 * inputs that froze the server with the backtracking engine — `/(a|a)*b/` against 27 characters
 * took 11.6 s, the wildcard `*a*a*a*a*a*a*a*a*a*a*a*a*b` against 33 characters 11.8 s — scaled up to
 * 10,000 characters, finish far under a second. The elapsed time is asserted (a synchronous
 * freeze cannot be interrupted by a test timeout); the timeout only ends a runaway test earlier.
 * Title rules match no pattern; their test guards that the rule is cut before it is rendered.
 */

const LONG = 'a'.repeat(10_000);
const REGEX = '/(a|a)*b/';
const NESTED = '/(a+)+b/';
const WILDCARD = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
const BUDGET_MS = 500;

const alert = (labels: Record<string, string>): AlertAttributes => ({
  severity: 'Critical',
  title: LONG,
  description: LONG,
  labels,
});

/** Runs `work` and asserts it took less than the budget; returns its result. */
function quickly<T>(work: () => T): T {
  const started = performance.now();
  const result = work();
  expect(performance.now() - started).toBeLessThan(BUDGET_MS);
  return result;
}

const when = (vals: string[], key = 'labels.host'): Condition => ({ key, oper: 'IN', vals });

describe('pathological patterns run in linear time', { timeout: 5_000 }, () => {
  it('regex conditions', () => {
    const matcher = compileCondition(when([REGEX, NESTED]));
    expect(quickly(() => matcher(alert({ host: LONG })))).toBe(false);
    expect(quickly(() => matcher(alert({ host: `${LONG}b` })))).toBe(true);
  });

  it('wildcard conditions', () => {
    const matcher = compileCondition(when([WILDCARD]));
    expect(quickly(() => matcher(alert({ host: LONG })))).toBe(false);
    expect(quickly(() => matcher(alert({ host: `${LONG}b` })))).toBe(true);
    const questions = compileCondition(when([`*${'?a'.repeat(20)}*b`]));
    expect(quickly(() => questions(alert({ host: LONG })))).toBe(false);
  });

  it('route conditions', () => {
    const route = compileRoute({
      cases: [
        { if: [when([REGEX], 'title')], channel_ids: [1], fallthrough: true },
        { if: [when([WILDCARD], 'description')], channel_ids: [2], fallthrough: false },
      ],
      default: { channel_ids: [9] },
    });
    expect(quickly(() => route.route(alert({})))).toEqual([9]);
  });

  it('grouping cases', () => {
    const group = {
      method: 'p' as const,
      cases: [{ if: [when([REGEX, WILDCARD])], equals: ['labels.host'] }],
      equals: [['title']],
    };
    const grouping = quickly(() =>
      groupingKey(group, {
        title: 't',
        description: '',
        severity: 'Critical',
        labels: { host: LONG },
        alertKey: 'k',
        integrationId: 1,
      }),
    );
    expect(grouping?.dimensions).toEqual({ title: 't' });
  });

  it('silence, inhibit and drop rules', () => {
    const base = { rule_name: 'r', priority: 0, is_directly_discard: false };
    const rules: NoiseRule[] = [
      { ...base, kind: 'drop', rule_id: 'd', filters: [[when([REGEX])]] },
      {
        ...base,
        kind: 'silence',
        rule_id: 's',
        filters: [[when([WILDCARD])]],
        time_filter: { start_time: 0, end_time: 2_000_000_000 },
        time_filters: [],
      },
      {
        ...base,
        kind: 'inhibit',
        rule_id: 'i',
        source_filters: [[when([NESTED])]],
        target_filters: [[when([REGEX])]],
        equals: [],
      },
    ];
    const decision = quickly(() =>
      decideNoise({
        rules,
        timeZone: 'UTC',
        event: alert({ host: LONG }),
        isNew: true,
        nowSeconds: 1_700_000_000,
        sources: [{ ...alert({ host: LONG }), alert_id: 'src' }],
      }),
    );
    expect(decision).toEqual({ action: 'pass' });
  });

  it('escalation rule filters', () => {
    const picked = quickly(() =>
      pickEscalationRule(
        [
          {
            rule_id: 'r1',
            priority: 0,
            status: 'enabled',
            created_at: 1,
            filters: [[{ key: 'title', oper: 'IN', vals: [REGEX, WILDCARD] }]],
            time_filters: [],
          },
        ],
        { incident_severity: 'Critical', title: LONG },
        1_700_000_000,
        'UTC',
      ),
    );
    expect(picked).toBeUndefined();
  });

  it('title rules (no pattern: rendered after the rule is cut to 512 characters)', () => {
    // Each of these renders in quadratic time over its whole length; the cut keeps that tiny.
    for (const rule of [
      `[TPL]${'{{'.repeat(5_000)}`,
      `[TPL]${' '.repeat(10_000)}x{{- .Title}}`,
      `[TPL]${'{{"'.repeat(3_000)}`,
      '$a'.repeat(5_000),
    ]) {
      const { event } = quickly(() =>
        normalizeStandardEvent(
          { event_status: 'Critical', title_rule: rule, labels: { a: 'x' } },
          {
            integrationId: 1,
            integrationType: 'alert.standard',
            integrationName: 'i',
            nowSeconds: 1_700_000_000,
          },
        ),
      );
      expect(event.title.length).toBeLessThanOrEqual(512);
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  autoResolveSeconds,
  checkOnceWindow,
  checkWeeklyWindows,
  describeWeeklyWindow,
  flappingToForm,
  formToFlapping,
  formToGroup,
  groupToForm,
  unixToZonedInput,
  zonedInputToUnix,
} from '../../web/src/channel-form.ts';
import { describeGrouping } from '../../web/src/channel-types.ts';
import { formToRoute, moveCase, routeToForm } from '../../web/src/route-form.ts';
import { formToRule, newRuleForm, ruleToForm } from '../../web/src/rule-form.ts';

/* The channel, rule and route forms ⇄ the Open API's bodies (web/src/channel-form.ts, rule-form.ts, route-form.ts). */

describe('grouping', () => {
  it('round-trips grouping by dimensions with cases', () => {
    const group = {
      method: 'p' as const,
      equals: [['labels.service'], ['title', 'labels.host']],
      cases: [
        { if: [{ key: 'severity', oper: 'IN' as const, vals: ['Critical'] }], equals: ['labels.cluster'] },
      ],
      all_equals_required: true,
      time_window: 30,
      window_type: 'sliding' as const,
      storm_threshold: 0,
      storm_thresholds: [50, 200],
      i_keys: ['title'],
      i_score_threshold: 0.9,
    };
    const form = groupToForm(group);
    expect(form.equals).toBe('labels.service\ntitle, labels.host');
    expect(form.stormThresholds).toBe('50, 200');
    const { i_keys: _, i_score_threshold: __, ...sent } = group;
    expect(formToGroup(form)).toEqual({ value: sent, errors: [] });
  });

  it('says what is missing or wrong, naming the field', () => {
    const form = { ...groupToForm({ method: 'n' }), method: 'p' as const, stormThresholds: '1, x' };
    expect(formToGroup(form).errors).toEqual([
      'Storm thresholds: whole numbers from 2 to 10000, separated by commas.',
      'Group by: name at least one key (e.g. labels.service), or add a case.',
    ]);
    const withCase = {
      ...form,
      stormThresholds: '',
      equals: 'host',
      cases: [{ conditions: [{ key: '', oper: 'IN' as const, values: '' }], equals: '' }],
    };
    expect(formToGroup(withCase).errors).toEqual([
      'Group by, line 1: "host" is not a key; use title, severity, labels.<name>, ...',
      'Case 1: add at least one condition.',
      'Case 1: name the keys its alerts are grouped by.',
    ]);
  });

  it('sends only what the method uses; intelligent grouping keeps its fields', () => {
    expect(formToGroup({ ...groupToForm(undefined), method: 'i' }).value).toEqual({
      method: 'i',
      time_window: 0,
      window_type: 'tumbling',
      storm_threshold: 0,
      storm_thresholds: [],
      i_keys: ['title', 'description', 'labels.service', 'labels.resource'],
      i_score_threshold: 0.9,
    });
    expect(describeGrouping({ method: 'p', equals: [['labels.service']], cases: [] })).toBe(
      'By labels.service',
    );
    expect(describeGrouping({ method: 'n' })).toBe('Not grouped');
  });
});

describe('flapping and auto-resolve', () => {
  it('maps mute_mins 0 to "mark only" and back', () => {
    expect(flappingToForm({ is_disabled: false, max_changes: 4, in_mins: 60, mute_mins: 0 })).toEqual({
      enabled: true,
      maxChanges: 4,
      inMins: 60,
      action: 'mark',
      muteMins: 120,
    });
    const form = flappingToForm({ is_disabled: true, max_changes: 6, in_mins: 30, mute_mins: 45 });
    expect(formToFlapping(form)).toEqual({ is_disabled: true, max_changes: 6, in_mins: 30, mute_mins: 45 });
    expect(formToFlapping({ ...form, action: 'mark' }).mute_mins).toBe(0);
  });

  it('keeps stored seconds when the minutes were not changed', () => {
    expect(autoResolveSeconds(2, 90)).toBe(90);
    expect(autoResolveSeconds(5, 90)).toBe(300);
    expect(autoResolveSeconds(0, 0)).toBe(0);
  });
});

describe('silence windows', () => {
  it('reads datetime-local values in the member zone, across DST', () => {
    expect(zonedInputToUnix('2026-11-23T09:00', 'Asia/Tokyo')).toBe(Date.UTC(2026, 10, 23, 0, 0) / 1000);
    expect(unixToZonedInput(Date.UTC(2026, 10, 23, 0, 0) / 1000, 'Asia/Tokyo')).toBe('2026-11-23T09:00');
    // New York: EDT (−4) before 1 Nov 2026, EST (−5) after.
    expect(zonedInputToUnix('2026-10-31T12:00', 'America/New_York')).toBe(Date.UTC(2026, 9, 31, 16) / 1000);
    expect(zonedInputToUnix('2026-11-02T12:00', 'America/New_York')).toBe(Date.UTC(2026, 10, 2, 17) / 1000);
    expect(zonedInputToUnix('tomorrow', 'UTC')).toBeUndefined();
    expect(checkOnceWindow('2026-11-23T10:00', '2026-11-23T09:00', 'UTC').errors).toEqual([
      'Silence until: must be after the start.',
    ]);
  });

  it('checks weekly windows and describes them', () => {
    expect(checkWeeklyWindows([{ start: '22:00', end: '06:00', repeat: [5, 1, 5] }])).toEqual({
      value: [{ start: '22:00', end: '06:00', repeat: [1, 5] }],
      errors: [],
    });
    expect(checkWeeklyWindows([{ start: '25:00', end: '', repeat: [] }]).errors).toHaveLength(2);
    expect(checkWeeklyWindows([]).errors).toEqual(['Add at least one weekly window.']);
    expect(describeWeeklyWindow({ start: '22:00', end: '06:00', repeat: [1, 5] })).toBe(
      'Mon, Fri 22:00–06:00',
    );
    expect(describeWeeklyWindow({ start: '00:00', end: '00:00', repeat: [] })).toBe('Every day 00:00–00:00');
  });
});

describe('rule bodies', () => {
  const now = Date.UTC(2026, 10, 23, 0, 0) / 1000;
  const condition = [[{ key: 'labels.env', oper: 'IN' as const, values: 'staging' }]];

  it('builds a one-off silence rule in the member zone, and a weekly one', () => {
    const form = { ...newRuleForm(now, 'Asia/Tokyo'), name: ' Maintenance ', filters: condition };
    expect(form.onceStart).toBe('2026-11-23T09:00');
    expect(formToRule('silence', form, 7, 'Asia/Tokyo')).toEqual({
      body: {
        channel_id: 7,
        rule_name: 'Maintenance',
        description: '',
        priority: 0,
        filters: [[{ key: 'labels.env', oper: 'IN', vals: ['staging'] }]],
        is_directly_discard: false,
        time_filter: { start_time: now, end_time: now + 3600 },
      },
      errors: [],
    });
    const weekly = formToRule('silence', { ...form, windowKind: 'weekly', discard: true }, 7, 'UTC').body;
    expect(weekly).toMatchObject({
      time_filters: [{ start: '22:00', end: '06:00', repeat: [] }],
      is_directly_discard: true,
    });
    expect(weekly).not.toHaveProperty('time_filter');
  });

  it('refuses a rule without a name or conditions, and builds inhibit and drop bodies', () => {
    expect(formToRule('drop', newRuleForm(now, 'UTC'), 7, 'UTC').errors).toEqual([
      'Name: give the rule a name.',
      'Matching alerts: add at least one condition.',
    ]);
    const inhibit = formToRule(
      'inhibit',
      {
        ...newRuleForm(now, 'UTC'),
        ruleId: 'abc',
        name: 'Switch down',
        filters: condition,
        sourceFilters: [[{ key: 'title', oper: 'IN', values: '/switch down/' }]],
        equals: 'labels.rack',
      },
      7,
      'UTC',
    );
    expect(inhibit).toEqual({
      body: {
        channel_id: 7,
        rule_id: 'abc',
        rule_name: 'Switch down',
        description: '',
        priority: 0,
        source_filters: [[{ key: 'title', oper: 'IN', vals: ['/switch down/'] }]],
        target_filters: [[{ key: 'labels.env', oper: 'IN', vals: ['staging'] }]],
        equals: ['labels.rack'],
        is_directly_discard: false,
      },
      errors: [],
    });
  });

  it('opens a stored rule in the form', () => {
    const rule = {
      rule_id: 'r1',
      rule_name: 'Nightly',
      description: 'backups',
      priority: 3,
      status: 'enabled' as const,
      updated_at: now,
      filters: [[{ key: 'title', oper: 'IN' as const, vals: ['backup*'] }]],
      time_filter: { start_time: now, end_time: 253402300799 },
      time_filters: [{ start: '01:00', end: '02:00', repeat: [0] }],
      is_directly_discard: true,
    };
    expect(ruleToForm('silence', rule, now, 'UTC')).toMatchObject({
      ruleId: 'r1',
      priority: 3,
      windowKind: 'weekly',
      weekly: [{ start: '01:00', end: '02:00', repeat: [0] }],
      discard: true,
      filters: [[{ key: 'title', oper: 'IN', values: 'backup*' }]],
    });
  });
});

describe('route bodies', () => {
  const route = {
    integration_id: 9,
    cases: [
      {
        if: [{ key: 'labels.team', oper: 'IN' as const, vals: ['db'] }],
        channel_ids: [1],
        fallthrough: false,
        routing_mode: 'standard' as const,
        name_mapping_label: '',
      },
      {
        if: [],
        channel_ids: [],
        fallthrough: true,
        routing_mode: 'name_mapping' as const,
        name_mapping_label: 'team',
      },
    ],
    sections: [{ name: 'Teams', position: 2 }],
    default: { channel_ids: [3] },
    version: 4,
    updated_at: 0,
  };

  it('round-trips a route with its version, and moves cases', () => {
    const form = routeToForm(route);
    const { body, errors } = formToRoute(form, 9);
    expect(errors).toEqual([]);
    expect(body).toEqual({
      integration_id: 9,
      cases: route.cases,
      sections: route.sections,
      default: { channel_ids: [3] },
      version: 4,
    });
    const moved = formToRoute({ ...form, cases: moveCase(form.cases, 1, -1) }, 9).body.cases as any[];
    expect(moved.map((c) => c.routing_mode)).toEqual(['name_mapping', 'standard']);
    expect(moveCase([1, 2], 0, -1)).toEqual([1, 2]);
  });

  it('says what a case lacks, and keeps sections within the cases', () => {
    const form = routeToForm(route);
    form.cases = [{ ...form.cases[0]!, channelIds: [] }];
    const { body, errors } = formToRoute(form, 9);
    expect(errors).toEqual(['Case 1: choose at least one channel.']);
    expect(body.sections).toEqual([{ name: 'Teams', position: 1 }]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type ApiRule,
  describeWarning,
  describeWindow,
  emptyLayer,
  emptyRule,
  formToBody,
  type Names,
  reorderPriorities,
  ruleHints,
  ruleToForm,
  splitList,
} from '../../web/src/escalation.ts';
import {
  previewSource,
  type TemplateInfo,
  templateToForm,
  templateUpdateBody,
} from '../../web/src/templates.ts';

/* The escalation-rule editor's pure logic: form state ⇄ the API's rule JSON, hints, reordering, words. */

const stored: ApiRule = {
  rule_id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
  channel_id: 7,
  rule_name: 'Working hours',
  description: 'Ops first',
  priority: 3,
  aggr_window: 60,
  template_id: '000000000000000000000001',
  status: 'disabled',
  layers: [
    {
      max_times: 2,
      notify_step: 5,
      escalate_window: 15,
      force_escalate: true,
      target: {
        person_ids: [11],
        team_ids: [],
        schedule_to_role_ids: { '4': [0, 1] },
        emails: ['a@example.com', 'b@example.com'],
        by: { follow_preference: false, critical: ['voice', 'sms'], warning: ['email'], info: [] },
        webhooks: [{ type: 'slack', settings: { url: 'https://hooks.example/x', headers: { a: 'b' } } }],
      },
    },
    {
      max_times: 0,
      notify_step: 10,
      escalate_window: 30,
      force_escalate: false,
      target: {
        person_ids: [],
        team_ids: [9],
        schedule_to_role_ids: {},
        emails: [],
        by: { follow_preference: true, critical: [], warning: [], info: [] },
      },
    },
  ],
  time_filters: [{ start: '09:00', end: '18:00', repeat: [1, 2, 3, 4, 5], cal_id: 'cal1', is_off: true }],
  filters: [[{ key: 'severity', oper: 'IN', vals: ['Critical', 'Warning'] }]],
  updated_at: 0,
};

describe('rule form state', () => {
  it('round-trips a stored rule to the same request fields', () => {
    const body = formToBody(ruleToForm(stored));
    expect(body).toEqual({
      rule_name: stored.rule_name,
      description: stored.description,
      priority: 3,
      aggr_window: 60,
      template_id: stored.template_id,
      layers: stored.layers,
      time_filters: stored.time_filters,
      filters: stored.filters,
    });
    expect(ruleToForm(stored).enabled).toBe(false);
  });

  it('builds a new rule: preferences by default, windows sorted, empty groups dropped', () => {
    const form = emptyRule();
    form.name = '  Night  ';
    form.layers[0]!.personIds = ['5'];
    form.windows = [{ start: '22:00', end: '06:00', days: [5, 1], calId: '', isOff: true }];
    form.filters = [[], [{ key: ' labels.host ', oper: 'NOTIN', vals: 'db-1, ,db-2' }]];
    const body = formToBody(form);
    expect(body.rule_name).toBe('Night');
    expect(body.layers[0]!.target).toEqual({
      person_ids: [5],
      team_ids: [],
      schedule_to_role_ids: {},
      emails: [],
      by: { follow_preference: true, critical: [], warning: [], info: [] },
    });
    expect(body.time_filters).toEqual([
      { start: '22:00', end: '06:00', repeat: [1, 5], cal_id: '', is_off: false },
    ]);
    expect(body.filters).toEqual([[{ key: 'labels.host', oper: 'NOTIN', vals: ['db-1', 'db-2'] }]]);
  });

  it('sends no by when people are not notified personally, and telegram settings by name', () => {
    const form = emptyRule();
    const layer = form.layers[0]!;
    layer.teamIds = ['3'];
    layer.notifyPeople = false;
    layer.webhooks = [{ type: 'telegram', url: '', secret: '', token: ' t ', chatId: '42', other: {} }];
    const target = formToBody(form).layers[0]!.target;
    expect(target.by).toBeUndefined();
    expect(target.webhooks).toEqual([{ type: 'telegram', settings: { token: 't', chat_id: '42' } }]);
  });

  it('splits lists on commas and lines', () => {
    expect(splitList('a, b\n c,,')).toEqual(['a', 'b', 'c']);
  });
});

describe('hints', () => {
  it('names the fields the API would refuse', () => {
    const form = emptyRule();
    form.layers.push({
      ...emptyLayer(),
      personIds: ['1'],
      notifyPeople: false,
      maxTimes: 7,
      notifyStep: 0.7,
    });
    form.windows = [{ start: '9:00', end: '24:00', days: [], calId: '', isOff: true }];
    form.filters = [[{ key: '', oper: 'IN', vals: ' ' }]];
    expect(ruleHints(form).map((h) => h.field)).toEqual([
      'rule_name',
      'layers[0].target',
      'layers[1].target.by',
      'layers[1].max_times',
      'layers[1].notify_step',
      'time_filters[0].start',
      'time_filters[0].cal_id',
      'filters[0][0].key',
      'filters[0][0].vals',
    ]);
  });

  it('asks for channels when people are told through given channels and none is picked', () => {
    const form = emptyRule();
    form.name = 'x';
    form.layers[0]!.personIds = ['1'];
    form.layers[0]!.followPreference = false;
    expect(ruleHints(form)).toEqual([
      { field: 'layers[0].target.by', message: 'Pick channels for at least one severity.' },
    ]);
    form.layers[0]!.by.info = ['email'];
    expect(ruleHints(form)).toEqual([]);
  });
});

describe('reordering', () => {
  const rules = [
    { rule_id: 'a', priority: 0 },
    { rule_id: 'b', priority: 0 },
    { rule_id: 'c', priority: 5 },
  ];
  it('gives every rule its position and returns only the changes', () => {
    expect(reorderPriorities(rules, 2, 1)).toEqual([
      { rule_id: 'c', priority: 1 },
      { rule_id: 'b', priority: 2 },
    ]);
    expect(reorderPriorities(rules, 0, 1)).toEqual([
      { rule_id: 'a', priority: 1 },
      { rule_id: 'c', priority: 2 },
    ]);
  });
  it('ignores moves out of range', () => {
    expect(reorderPriorities(rules, 0, -1)).toEqual([]);
    expect(reorderPriorities(rules, 2, 3)).toEqual([]);
  });
});

describe('in words', () => {
  it('describes windows', () => {
    expect(describeWindow(stored.time_filters[0]!, (id) => `“${id}”`)).toBe(
      'Mon–Fri 09:00–18:00, on days off in “cal1”',
    );
    expect(describeWindow({ start: '22:00', end: '06:00', repeat: [5, 0], cal_id: '', is_off: false })).toBe(
      'Sun, Fri 22:00–06:00 (into the next day)',
    );
    expect(describeWindow({ start: '00:00', end: '00:00', repeat: [], cal_id: 'x', is_off: false })).toBe(
      'every day all day, on workdays in x',
    );
  });

  it('describes heads-up warnings with names and times', () => {
    const names: Names = {
      person: (id) => `P${id}`,
      team: (id) => `T${id}`,
      schedule: (id) => `S${id}`,
      time: (s) => `@${s}`,
    };
    expect(
      describeWarning(
        {
          kind: 'person_unreachable',
          person_id: 2,
          reasons: [
            'email: e-mail is not configured (SMTP_URL)',
            'sms: the member has no phone number',
            'voice: the member has no phone number',
          ],
        },
        names,
      ),
    ).toBe('P2 cannot be reached: e-mail is not configured (SMTP_URL); P2 has no phone number.');
    expect(describeWarning({ kind: 'team_empty', team_id: 3 }, names)).toBe('Team T3 has no members.');
    expect(
      describeWarning(
        {
          kind: 'schedule_gap',
          schedule_id: 4,
          role_ids: [],
          gaps: [
            { start: 1, end: 2 },
            { start: 3, end: 4 },
            { start: 5, end: 6 },
            { start: 7, end: 8 },
          ],
        },
        names,
      ),
    ).toBe('Nobody is on call in schedule S4 from @1 to @2, @3 to @4, @5 to @6 and 1 more.');
    expect(describeWarning({ kind: 'schedule_missing', schedule_id: 4 }, names)).toBe(
      'Schedule S4 does not exist any more.',
    );
    expect(describeWarning({ kind: 'chat_undeliverable', type: 'zoom', reason: 'no url' }, names)).toBe(
      'The zoom chat will not be told: no url.',
    );
  });
});

describe('templates', () => {
  const info = {
    template_id: 'bbbbbbbbbbbbbbbbbbbbbbbb',
    template_name: 'Ops',
    description: '',
    team_id: 0,
    updated_at: 0,
    email: 'E {{.Title}}',
    sms: '',
  } as unknown as TemplateInfo;
  it('sends every channel, empty ones empty', () => {
    const body = templateUpdateBody(info.template_id, templateToForm(info), 0);
    expect(body).toMatchObject({
      template_id: info.template_id,
      template_name: 'Ops',
      email: 'E {{.Title}}',
      sms: '',
    });
    expect(Object.keys(body)).toContain('wecom_app');
    expect(body).not.toHaveProperty('team_id');
  });
  it('previews the default body for an empty channel', () => {
    const form = templateToForm(info);
    expect(previewSource(form, 'email', { email: 'D' })).toEqual({
      content: 'E {{.Title}}',
      fromDefault: false,
    });
    expect(previewSource(form, 'sms', { sms: 'D' })).toEqual({ content: 'D', fromDefault: true });
  });
});

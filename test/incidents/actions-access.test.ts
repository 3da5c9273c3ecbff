import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { fire, incident, newSource, ok, refused, type Source, snapshot } from './actions-helpers.ts';

let t: TestApp;
let a: TestAccount;
let b: TestAccount;
let sourceA: Source;
let sourceB: Source;
/** Incidents and an alert of account A, and of account B. */
let incA: string;
let incA2: string;
let alertA: string;
let incB: string;
let alertB: string;

beforeAll(async () => {
  t = await startTestApp();
  a = await t.newAccount('Tenant A');
  b = await t.newAccount('Tenant B');
  sourceA = await newSource(t, a);
  sourceB = await newSource(t, b);
  const first = await fire(t, sourceA);
  incA = first.incidentId;
  alertA = first.alertId;
  incA2 = (await fire(t, sourceA)).incidentId;
  const other = await fire(t, sourceB);
  incB = other.incidentId;
  alertB = other.alertId;
});
afterAll(() => t.close());

/** A valid request of every action, acting on the incidents given. */
function requests(ids: { inc: string; inc2: string; alert: string; channelId: number }): [string, unknown][] {
  return [
    ['/incident/ack', { incident_ids: [ids.inc] }],
    ['/incident/unack', { incident_ids: [ids.inc] }],
    ['/incident/resolve', { incident_ids: [ids.inc], root_cause: 'x' }],
    ['/incident/reopen', { incident_ids: [ids.inc], reason: 'x' }],
    ['/incident/snooze', { incident_ids: [ids.inc], minutes: 5 }],
    ['/incident/wake', { incident_ids: [ids.inc] }],
    ['/incident/comment', { incident_ids: [ids.inc], comment: 'hello' }],
    ['/incident/reset', { incident_id: ids.inc, title: 'Renamed' }],
    ['/incident/field/reset', { incident_id: ids.inc, field_name: 'customer', field_value: 'x' }],
    ['/incident/merge', { source_incident_ids: [ids.inc2], target_incident_id: ids.inc }],
    ['/incident/disable-merge', { incident_ids: [ids.inc] }],
    ['/incident/remove', { incident_ids: [ids.inc] }],
    ['/alert/merge', { alert_ids: [ids.alert], incident_id: ids.inc2 }],
    ['/incident/create', { incident_severity: 'Info', title: 'New', channel_id: ids.channelId }],
  ];
}

describe('tenancy', () => {
  it("another account cannot act on A's incidents, and nothing changes", async () => {
    const before = await snapshot(t);
    for (const [path, body] of requests({
      inc: incA,
      inc2: incA2,
      alert: alertA,
      channelId: sourceA.channelId,
    })) {
      const res = await t.post(path, body, b.appKey);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      if (path === '/incident/create') {
        expect(res.body.error).toMatchObject({
          code: 'InvalidParameter',
          message: expect.stringContaining('channel_id'),
        });
      } else {
        expect(res.body.error?.code, path).toBe('ResourceNotFound');
        expect(res.body.error?.message, path).toMatch(
          path === '/alert/merge' ? alertA : /incident [0-9a-f]{24}/,
        );
      }
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('a batch with one foreign id is refused as a whole, naming that id', async () => {
    const before = await snapshot(t);
    await refused(t, b, '/incident/ack', { incident_ids: [incB, incA] }, 'ResourceNotFound', incA);
    await refused(t, b, '/incident/resolve', { incident_ids: [incA, incB] }, 'ResourceNotFound', incA);
    await refused(t, b, '/incident/remove', { incident_ids: [incB, incA] }, 'ResourceNotFound', incA);
    await refused(
      t,
      b,
      '/incident/merge',
      { source_incident_ids: [incA], target_incident_id: incB },
      'ResourceNotFound',
      incA,
    );
    await refused(
      t,
      b,
      '/alert/merge',
      { alert_ids: [alertB, alertA], incident_id: incB },
      'ResourceNotFound',
      alertA,
    );
    await refused(t, b, '/alert/merge', { alert_ids: [alertB], incident_id: incA }, 'ResourceNotFound', incA);
    expect(await snapshot(t)).toEqual(before);
  });

  it('an unknown id is ResourceNotFound, nothing changed', async () => {
    const before = await snapshot(t);
    const unknown = '0123456789abcdef01234567';
    await refused(t, a, '/incident/ack', { incident_ids: [incA, unknown] }, 'ResourceNotFound', unknown);
    await refused(
      t,
      a,
      '/incident/reset',
      { incident_id: unknown, title: 'abc' },
      'ResourceNotFound',
      unknown,
    );
    expect(await snapshot(t)).toEqual(before);
  });

  it('the owner of B still acts on B', async () => {
    await ok(t, b, '/incident/ack', { incident_ids: [incB] });
    expect((await incident(t, incB)).progress).toBe('Processing');
  });
});

describe('permissions', () => {
  it('a Read-only member gets AccessDenied on every action, and nothing changes', async () => {
    const reader = await t.newMember(a, [4]);
    const before = await snapshot(t);
    for (const [path, body] of requests({
      inc: incA,
      inc2: incA2,
      alert: alertA,
      channelId: sourceA.channelId,
    })) {
      const res = await t.post(path, body, reader.appKey);
      expect(res.status, path).toBe(403);
      expect(res.body.error?.code, path).toBe('AccessDenied');
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('a Responder may act on incidents', async () => {
    const responder = await t.newMember(a, [3]);
    await ok(t, responder, '/incident/ack', { incident_ids: [incA2] });
    await ok(t, responder, '/incident/comment', { incident_ids: [incA2], comment: 'on it' });
    expect((await incident(t, incA2)).progress).toBe('Processing');
  });
});

describe('bad input', () => {
  const ids101 = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(24, '0'));
  const idCases = (
    field: string,
    rest: Record<string, unknown>,
  ): [string, Record<string, unknown>, string][] => [
    [`missing ${field}`, { ...rest }, field],
    [`${field} not an array`, { ...rest, [field]: incA }, field],
    [`empty ${field}`, { ...rest, [field]: [] }, field],
    [`101 ${field}`, { ...rest, [field]: ids101 }, field],
    [`malformed id in ${field}`, { ...rest, [field]: ['abc'] }, `${field}[0]`],
    [`numeric id in ${field}`, { ...rest, [field]: [5] }, `${field}[0]`],
  ];
  const cases: Record<string, [string, Record<string, unknown>, string][]> = {
    '/incident/ack': idCases('incident_ids', {}),
    '/incident/unack': idCases('incident_ids', {}),
    '/incident/wake': idCases('incident_ids', {}),
    '/incident/disable-merge': idCases('incident_ids', {}),
    '/incident/remove': idCases('incident_ids', {}),
    '/incident/resolve': [
      ...idCases('incident_ids', {}),
      ['1025-character root_cause', { incident_ids: ['$A'], root_cause: 'r'.repeat(1025) }, 'root_cause'],
      ['resolution of the wrong type', { incident_ids: ['$A'], resolution: 5 }, 'resolution'],
    ],
    '/incident/reopen': [
      ...idCases('incident_ids', { reason: 'x' }),
      ['1025-character reason', { incident_ids: ['$A'], reason: 'r'.repeat(1025) }, 'reason'],
    ],
    '/incident/snooze': [
      ...idCases('incident_ids', { minutes: 5 }),
      ['missing minutes', { incident_ids: ['$A'] }, 'minutes'],
      ['0 minutes', { incident_ids: ['$A'], minutes: 0 }, 'minutes'],
      ['1441 minutes', { incident_ids: ['$A'], minutes: 1441 }, 'minutes'],
      ['fractional minutes', { incident_ids: ['$A'], minutes: 1.5 }, 'minutes'],
      ['minutes as a string', { incident_ids: ['$A'], minutes: '10' }, 'minutes'],
    ],
    '/incident/comment': [
      ...idCases('incident_ids', { comment: 'x' }),
      ['missing comment', { incident_ids: ['$A'] }, 'comment'],
      ['empty comment', { incident_ids: ['$A'], comment: '' }, 'comment'],
      ['1025-character comment', { incident_ids: ['$A'], comment: 'c'.repeat(1025) }, 'comment'],
      [
        'mute_reply of the wrong type',
        { incident_ids: ['$A'], comment: 'x', mute_reply: 'yes' },
        'mute_reply',
      ],
    ],
    '/incident/reset': [
      ['missing incident_id', { title: 'abc' }, 'incident_id'],
      ['malformed incident_id', { incident_id: 'xyz', title: 'abc' }, 'incident_id'],
      ['2-character title', { incident_id: '$A', title: 'ab' }, 'title'],
      ['201-character title', { incident_id: '$A', title: 't'.repeat(201) }, 'title'],
      ['2-character description', { incident_id: '$A', description: 'ab' }, 'description'],
      ['6145-character impact', { incident_id: '$A', impact: 'i'.repeat(6145) }, 'impact'],
      ['root_cause of the wrong type', { incident_id: '$A', root_cause: ['abc'] }, 'root_cause'],
      ['unknown severity', { incident_id: '$A', incident_severity: 'Urgent' }, 'incident_severity'],
      ['lower-case severity', { incident_id: '$A', incident_severity: 'critical' }, 'incident_severity'],
      ['Ok as severity', { incident_id: '$A', incident_severity: 'Ok' }, 'incident_severity'],
      ['no field', { incident_id: '$A' }, 'at least one'],
    ],
    '/incident/field/reset': [
      ['missing field_name', { incident_id: '$A', field_value: 1 }, 'field_name'],
      ['field_name of the wrong type', { incident_id: '$A', field_name: 5 }, 'field_name'],
      ['missing incident_id', { field_name: 'x', field_value: 1 }, 'incident_id'],
    ],
    '/incident/create': [
      ['missing severity', { title: 'x' }, 'incident_severity'],
      ['Ok as severity', { incident_severity: 'Ok', title: 'x' }, 'incident_severity'],
      ['missing title', { incident_severity: 'Info' }, 'title'],
      ['blank title', { incident_severity: 'Info', title: '   ' }, 'title'],
      ['513-character title', { incident_severity: 'Info', title: 't'.repeat(513) }, 'title'],
      [
        '1025-character description',
        { incident_severity: 'Info', title: 'x', description: 'd'.repeat(1025) },
        'description',
      ],
      ['channel_id as a string', { incident_severity: 'Info', title: 'x', channel_id: '1' }, 'channel_id'],
      ['negative channel_id', { incident_severity: 'Info', title: 'x', channel_id: -1 }, 'channel_id'],
      ['unknown channel', { incident_severity: 'Info', title: 'x', channel_id: 987_654 }, 'channel_id'],
      [
        'assigned_to an unknown person',
        { incident_severity: 'Info', title: 'x', assigned_to: { person_ids: [1] } },
        'assigned_to.person_ids[0]',
      ],
    ],
    '/incident/merge': [
      ...idCases('source_incident_ids', { target_incident_id: '$A' }),
      ['missing target', { source_incident_ids: ['$A2'] }, 'target_incident_id'],
      ['malformed target', { source_incident_ids: ['$A2'], target_incident_id: 'x' }, 'target_incident_id'],
      [
        '513-character title',
        { source_incident_ids: ['$A2'], target_incident_id: '$A', title: 't'.repeat(513) },
        'title',
      ],
      [
        '1025-character comment',
        { source_incident_ids: ['$A2'], target_incident_id: '$A', comment: 'c'.repeat(1025) },
        'comment',
      ],
      [
        'owner_id as a string',
        { source_incident_ids: ['$A2'], target_incident_id: '$A', owner_id: '1' },
        'owner_id',
      ],
      [
        'remove_source_incidents of the wrong type',
        { source_incident_ids: ['$A2'], target_incident_id: '$A', remove_source_incidents: 'yes' },
        'remove_source_incidents',
      ],
    ],
    '/alert/merge': [
      ...idCases('alert_ids', { incident_id: '$A2' }),
      ['missing incident_id', { alert_ids: ['$alert'] }, 'incident_id'],
      [
        '1025-character comment',
        { alert_ids: ['$alert'], incident_id: '$A2', comment: 'c'.repeat(1025) },
        'comment',
      ],
      [
        'owner of another account',
        { alert_ids: ['$alert'], incident_id: '$A2', owner_id: '$memberB' },
        'owner_id',
      ],
    ],
  };

  const fill = (value: unknown): unknown => {
    if (value === '$A') return incA;
    if (value === '$A2') return incA2;
    if (value === '$alert') return alertA;
    if (value === '$memberB') return b.memberId;
    if (Array.isArray(value)) return value.map(fill);
    return value;
  };

  for (const [path, list] of Object.entries(cases)) {
    it(`${path}: InvalidParameter naming the field, nothing changed`, async () => {
      const before = await snapshot(t);
      for (const [what, body, field] of list) {
        const filled = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fill(v)]));
        const res = await t.post(path, filled, a.appKey);
        expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.error?.code, what).toBe('InvalidParameter');
        expect(res.body.error?.message, what).toContain(field);
      }
      expect(await snapshot(t)).toEqual(before);
    });
  }

  it('a body that is not JSON is refused', async () => {
    const raw = await t.app.inject({
      method: 'POST',
      url: `/incident/ack?app_key=${a.appKey}`,
      payload: 'incident_ids=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(raw.json().error.code).toBe('InvalidContentType');
  });
});

import { fromWallClock, intervals, isoZ, startFake, wallClock } from './fake-source.ts';

/*
 * An Opsgenie REST API v2 as its documentation describes it (docs.opsgenie.com: User, Team,
 * Schedule, Schedule Rotation, Schedule Override, Escalation, Team Routing Rule, Integration APIs):
 * `Authorization: GenieKey …`, `{data, paging: {next}}` pages of two, rotations all on call at once,
 * overrides of one rotation or of the whole schedule, and a final timeline computed from them.
 */

export const OG_KEY = 'og-key-1';
const ZONE = 'Europe/Berlin';
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const user = (id: string, username: string, fullName: string) => ({ id, username, fullName, timeZone: ZONE });
const weekdays = (from: string, to: string) =>
  DAYS.slice(0, 5).map((day) => ({
    startDay: day,
    startHour: Number(from.slice(0, 2)),
    startMin: Number(from.slice(3)),
    endDay: day,
    endHour: Number(to.slice(0, 2)),
    endMin: Number(to.slice(3)),
  }));

export function opsgenieFixture() {
  return {
    users: [
      user('og-alice', 'alice@ops.test', 'Alice Ames'),
      user('og-bob', 'bob@ops.test', 'Bob Brown'),
      user('og-carol', 'carol@ops.test', 'Carol Cruz'),
      user('og-dan', 'dan@ops.test', 'Dan Diaz'),
    ],
    contacts: {
      'og-alice': [
        { id: 'c1', method: 'email', to: 'alice@ops.test', status: { enabled: true } },
        { id: 'c2', method: 'sms', to: '49-1701234', status: { enabled: true } },
        { id: 'c3', method: 'voice', to: '49-1701234', status: { enabled: true } },
      ],
    } as Record<string, { id: string; method: string; to: string; status: { enabled: boolean } }[]>,
    rules: {
      'og-alice': [
        {
          id: 'nr1',
          name: 'New alerts',
          actionType: 'create-alert',
          enabled: true,
          criteria: { type: 'match-all' },
          steps: [
            {
              contact: { method: 'email', to: 'alice@ops.test' },
              sendAfter: { timeAmount: 0 },
              enabled: true,
            },
            { contact: { method: 'sms', to: '49-1701234' }, sendAfter: { timeAmount: 0 }, enabled: true },
            { contact: { method: 'voice', to: '49-1701234' }, sendAfter: { timeAmount: 5 }, enabled: true },
          ],
        },
        {
          id: 'nr2',
          name: 'Acks',
          actionType: 'acknowledged-alert',
          enabled: true,
          criteria: { type: 'match-all' },
          steps: [],
        },
      ],
    } as Record<
      string,
      {
        id: string;
        name: string;
        actionType: string;
        enabled: boolean;
        criteria: { type: string };
        steps: unknown[];
      }[]
    >,
    teams: [
      {
        id: 'og-t1',
        name: 'Platform',
        description: 'Runs the platform',
        members: ['og-alice', 'og-bob', 'og-carol'],
      },
      { id: 'og-t2', name: 'Data', description: '', members: ['og-dan'] },
    ],
    schedules: [
      {
        id: 'og-s1',
        name: 'Platform_schedule',
        description: 'Platform on call',
        timezone: ZONE,
        enabled: true,
        ownerTeam: { id: 'og-t1', name: 'Platform' },
        rotations: [
          {
            id: 'og-r1',
            name: 'Weekdays',
            startDate: '2026-02-02T08:00:00Z',
            type: 'daily',
            length: 1,
            participants: [
              { type: 'user', id: 'og-alice', username: 'alice@ops.test' },
              { type: 'user', id: 'og-bob', username: 'bob@ops.test' },
              { type: 'user', id: 'og-carol', username: 'carol@ops.test' },
            ],
            timeRestriction: { type: 'weekday-and-time-of-day', restrictions: weekdays('09:00', '18:00') },
          },
          {
            id: 'og-r2',
            name: 'Off hours',
            startDate: '2026-02-02T16:00:00Z',
            type: 'weekly',
            length: 1,
            participants: [
              { type: 'user', id: 'og-carol', username: 'carol@ops.test' },
              { type: 'none' },
              { type: 'user', id: 'og-dan', username: 'dan@ops.test' },
            ],
            timeRestriction: {
              type: 'time-of-day',
              restriction: { startHour: 17, startMin: 0, endHour: 9, endMin: 0 },
            },
          },
          {
            id: 'og-r3',
            name: 'Half days',
            startDate: '2026-03-01T07:00:00Z',
            endDate: '2026-03-20T07:00:00Z',
            type: 'hourly',
            length: 12,
            participants: [
              { type: 'user', id: 'og-dan', username: 'dan@ops.test' },
              { type: 'user', id: 'og-bob', username: 'bob@ops.test' },
            ],
          },
        ],
      },
      {
        id: 'og-s2',
        name: 'Team_rotation',
        description: '',
        timezone: ZONE,
        enabled: true,
        ownerTeam: { id: 'og-t2', name: 'Data' },
        rotations: [
          {
            id: 'og-r4',
            name: 'Teams take turns',
            startDate: '2026-02-02T08:00:00Z',
            type: 'weekly',
            length: 1,
            participants: [{ type: 'team', id: 'og-t1', name: 'Platform' }],
          },
        ],
      },
    ],
    overrides: {
      'og-s1': [
        {
          alias: 'o1',
          user: { type: 'user', id: 'og-dan', username: 'dan@ops.test' },
          startDate: '2026-03-10T11:00:00Z',
          endDate: '2026-03-10T19:00:00Z',
          rotations: [],
        },
        // After Berlin's spring-forward (2026-03-29): Bob takes Weekdays for three days.
        {
          alias: 'o2',
          user: { type: 'user', id: 'og-bob', username: 'bob@ops.test' },
          startDate: '2026-03-30T07:00:00Z',
          endDate: '2026-04-02T07:00:00Z',
          rotations: [{ id: 'og-r1', name: 'Weekdays' }],
        },
      ],
    } as Record<
      string,
      {
        alias: string;
        user: { type: string; id: string; username: string };
        startDate: string;
        endDate: string;
        rotations: { id: string; name?: string }[];
      }[]
    >,
    escalations: [
      {
        id: 'og-e1',
        name: 'Platform_escalation',
        description: 'Schedule, then Alice and the team',
        ownerTeam: { id: 'og-t1', name: 'Platform' },
        rules: [
          {
            condition: 'if-not-acked',
            notifyType: 'default',
            delay: { timeAmount: 0, timeUnit: 'minutes' },
            recipient: { type: 'schedule', id: 'og-s1' },
          },
          {
            condition: 'if-not-acked',
            notifyType: 'default',
            delay: { timeAmount: 10, timeUnit: 'minutes' },
            recipient: { type: 'user', id: 'og-alice' },
          },
          {
            condition: 'if-not-acked',
            notifyType: 'users',
            delay: { timeAmount: 10, timeUnit: 'minutes' },
            recipient: { type: 'team', id: 'og-t1' },
          },
        ],
        repeat: { waitInterval: 5, count: 1, resetRecipientStates: false, closeAlertAfterAll: false },
      },
      {
        id: 'og-e2',
        name: 'Data_escalation',
        ownerTeam: { id: 'og-t2', name: 'Data' },
        rules: [
          {
            condition: 'if-not-acked',
            notifyType: 'next',
            delay: { timeAmount: 0 },
            recipient: { type: 'schedule', id: 'og-s2' },
          },
        ],
      },
      { id: 'og-e3', name: 'Unused_escalation', rules: [] },
    ],
    routing: {
      'og-t1': [
        {
          id: 'og-rr1',
          name: 'Business hours',
          order: 0,
          isDefault: false,
          timezone: ZONE,
          criteria: { type: 'match-all' },
          timeRestriction: {
            type: 'weekday-and-time-of-day',
            restrictions: [
              { startDay: 'monday', startHour: 9, startMin: 0, endDay: 'friday', endHour: 18, endMin: 0 },
            ],
          },
          notify: { type: 'escalation', id: 'og-e1', name: 'Platform_escalation' },
        },
        {
          id: 'og-rr2',
          name: 'Default',
          order: 1,
          isDefault: true,
          criteria: { type: 'match-all' },
          notify: { type: 'schedule', id: 'og-s1', name: 'Platform_schedule' },
        },
      ],
      'og-t2': [
        {
          id: 'og-rr3',
          name: '',
          order: 0,
          isDefault: true,
          criteria: { type: 'match-all' },
          notify: { type: 'escalation', id: 'og-e2' },
        },
      ],
    } as Record<string, unknown[]>,
    integrations: [
      { id: 'og-i1', name: 'Platform Prometheus', type: 'Prometheus', enabled: true, teamId: 'og-t1' },
      { id: 'og-i2', name: 'Platform API', type: 'API', enabled: true, teamId: 'og-t1' },
      { id: 'og-i3', name: 'Global email', type: 'Email', enabled: true },
    ],
  };
}

export type OpsgenieFixture = ReturnType<typeof opsgenieFixture>;
type Rotation = OpsgenieFixture['schedules'][number]['rotations'][number];

const seconds = (text: string) => Math.floor(Date.parse(text) / 1000);
const UNIT = { hourly: 3600, daily: 86_400, weekly: 604_800 } as const;

/** Whether a rotation's time restriction lets it cover t (local wall clock). */
function restricted(rotation: Rotation, t: number): boolean {
  const r = (rotation as { timeRestriction?: any }).timeRestriction;
  if (!r) return true;
  const w = wallClock(ZONE, t);
  if (r.type === 'time-of-day') {
    const [start, end] = [
      r.restriction.startHour * 3600 + r.restriction.startMin * 60,
      r.restriction.endHour * 3600 + r.restriction.endMin * 60,
    ];
    return start < end ? w.tod >= start && w.tod < end : w.tod >= start || w.tod < end;
  }
  const week = (w.isoDay - 1) * 86_400 + w.tod;
  return r.restrictions.some((x: any) => {
    const start = DAYS.indexOf(x.startDay) * 86_400 + x.startHour * 3600 + x.startMin * 60;
    const end = DAYS.indexOf(x.endDay) * 86_400 + x.endHour * 3600 + x.endMin * 60;
    return (((week - start) % 604_800) + 604_800) % 604_800 < (((end - start) % 604_800) + 604_800) % 604_800;
  });
}

function rotationAt(
  f: OpsgenieFixture,
  scheduleId: string,
  rotation: Rotation,
  t: number,
): string | undefined {
  if (
    t < seconds(rotation.startDate) ||
    ((rotation as { endDate?: string }).endDate && t >= seconds((rotation as { endDate: string }).endDate))
  )
    return undefined;
  if (!restricted(rotation, t)) return undefined;
  const own = (f.overrides[scheduleId] ?? []).find(
    (o) =>
      o.rotations.some((r) => r.id === rotation.id) && seconds(o.startDate) <= t && t < seconds(o.endDate),
  );
  if (own) return own.user.id;
  const anchor = wallClock(ZONE, seconds(rotation.startDate)).naive;
  const len = UNIT[rotation.type as keyof typeof UNIT] * (rotation.length ?? 1);
  let k = Math.floor((wallClock(ZONE, t).naive - anchor) / len);
  while (fromWallClock(ZONE, anchor + k * len) > t) k -= 1;
  while (fromWallClock(ZONE, anchor + (k + 1) * len) <= t) k += 1;
  const p =
    rotation.participants[
      ((k % rotation.participants.length) + rotation.participants.length) % rotation.participants.length
    ]!;
  return p.type === 'user' ? (p as { id: string }).id : undefined;
}

export async function startFakeOpsgenie(fixture: OpsgenieFixture = opsgenieFixture()) {
  const f = fixture;
  const page = (items: unknown[], query: URLSearchParams, path: string) => {
    const limit = Math.min(Number(query.get('limit') ?? 20), 2);
    const offset = Number(query.get('offset') ?? 0);
    const more = offset + limit < items.length;
    return {
      data: items.slice(offset, offset + limit),
      paging: more
        ? {
            next: `${server.url}${path}?limit=${limit}&offset=${offset + limit}${query.get('expand') ? `&expand=${query.get('expand')}` : ''}`,
          }
        : {},
      took: 0.01,
      requestId: 'fake',
    };
  };
  const server = await startFake({
    authorized: (request) => request.headers.authorization === `GenieKey ${OG_KEY}`,
    handle: (path, query) => {
      let m: RegExpExecArray | null = null;
      const at = (re: RegExp) => {
        m = re.exec(path);
        return m !== null;
      };
      const id = () => decodeURIComponent(m![1]!);
      if (path === '/v2/users') return { body: page(f.users, query, path) };
      if (at(/^\/v2\/users\/([^/]+)\/contacts$/)) return { body: page(f.contacts[id()] ?? [], query, path) };
      if (at(/^\/v2\/users\/([^/]+)\/notification-rules$/)) {
        return {
          body: page(
            (f.rules[id()] ?? []).map(({ steps: _s, criteria: _c, ...r }) => r),
            query,
            path,
          ),
        };
      }
      if (at(/^\/v2\/users\/([^/]+)\/notification-rules\/([^/]+)$/)) {
        const rule = (f.rules[id()] ?? []).find((r) => r.id === m![2]);
        return rule ? { body: { data: rule } } : undefined;
      }
      if (path === '/v2/teams')
        return {
          body: page(
            f.teams.map(({ members: _m, ...t }) => t),
            query,
            path,
          ),
        };
      if (at(/^\/v2\/teams\/([^/]+)\/routing-rules$/))
        return { body: page(f.routing[id()] ?? [], query, path) };
      if (at(/^\/v2\/teams\/([^/]+)$/)) {
        const team = f.teams.find((t) => t.id === id());
        return team
          ? {
              body: {
                data: { ...team, members: team.members.map((u) => ({ user: { id: u }, role: 'user' })) },
              },
            }
          : undefined;
      }
      if (path === '/v2/schedules') {
        const expand = query.get('expand') === 'rotation';
        return {
          body: page(
            f.schedules.map((s) => (expand ? s : { ...s, rotations: undefined })),
            query,
            path,
          ),
        };
      }
      if (at(/^\/v2\/schedules\/([^/]+)\/overrides$/)) return { body: { data: f.overrides[id()] ?? [] } };
      if (at(/^\/v2\/schedules\/([^/]+)\/timeline$/)) {
        const schedule = f.schedules.find((s) => s.id === id());
        if (!schedule) return undefined;
        const start = seconds(query.get('date')!);
        const window = { start, end: start + Number(query.get('interval')) * 7 * 86_400 };
        const global = (t: number) =>
          (f.overrides[schedule.id] ?? []).find(
            (o) => o.rotations.length === 0 && seconds(o.startDate) <= t && t < seconds(o.endDate),
          );
        const rotations = schedule.rotations.map((r) => ({
          id: r.id,
          name: r.name,
          periods: intervals(window, (t) => {
            if (global(t)) return [];
            const who = rotationAt(f, schedule.id, r, t);
            return who ? [who] : [];
          }).map((i) => ({
            startDate: isoZ(i.start),
            endDate: isoZ(i.end),
            type: 'default',
            recipient: { type: 'user', id: i.users[0] },
          })),
        }));
        const overrides = intervals(window, (t) => {
          const o = global(t);
          return o ? [o.user.id] : [];
        }).map((i) => ({
          startDate: isoZ(i.start),
          endDate: isoZ(i.end),
          type: 'override',
          recipient: { type: 'user', id: i.users[0] },
        }));
        return {
          body: {
            data: {
              _parent: { id: schedule.id },
              finalTimeline: {
                rotations: [...rotations, { id: 'overrides', name: 'Overrides', periods: overrides }],
              },
            },
          },
        };
      }
      if (path === '/v2/escalations') return { body: { data: f.escalations } };
      if (path === '/v2/integrations') return { body: page(f.integrations, query, path) };
      return undefined;
    },
  });
  return Object.assign(server, { fixture });
}

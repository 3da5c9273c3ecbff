import { fromWallClock, intervals, isoZ, startFake, wallClock } from './fake-source.ts';

/*
 * A Grafana OnCall HTTP API v1 as its documentation describes it (docs/sources/oncall-api-reference:
 * users, teams, schedules, on_call_shifts, final_shifts, escalation_chains, escalation_policies,
 * integrations, routes, personal_notification_rules): `Authorization: <token>`,
 * `{count, next, results}` pages of two. Its final shifts come from the shifts' own events (each
 * occurrence of each shift, the rolling groups taking occurrences in turn), highest level first,
 * events of one level together, overrides over all.
 */

export const GRAFANA_TOKEN = 'grafana-token-1';
const ZONE = 'America/Los_Angeles';
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** The calendar of the `ical` schedule, and the same events as OnCall's shifts for the final schedule. */
const CALENDAR = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Vigil tests//EN',
  'BEGIN:VEVENT',
  'UID:ev1',
  'SUMMARY:alice',
  'DTSTART;TZID=America/Los_Angeles:20260202T090000',
  'DTEND;TZID=America/Los_Angeles:20260202T170000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:ev2',
  'SUMMARY:[L1] bob carol@graf.test',
  'DTSTART;TZID=America/Los_Angeles:20260302T120000',
  'DTEND;TZID=America/Los_Angeles:20260302T140000',
  'RRULE:FREQ=DAILY;UNTIL=20260320T000000Z',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:ev3',
  'SUMMARY:dan',
  'DTSTART;TZID=America/Los_Angeles:20260307T230000',
  'DTEND;TZID=America/Los_Angeles:20260308T110000',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const calendarEvents = [
  {
    id: 'ev1',
    type: 'recurrent_event',
    level: 0,
    start: '2026-02-02T09:00:00',
    duration: 8 * 3600,
    frequency: 'weekly',
    interval: 1,
    by_day: ['MO', 'WE', 'FR'],
    until: null,
    users: ['UALICE'],
  },
  {
    id: 'ev2',
    type: 'recurrent_event',
    level: 1,
    start: '2026-03-02T12:00:00',
    duration: 2 * 3600,
    frequency: 'daily',
    interval: 1,
    by_day: null,
    until: '2026-03-19T17:00:00',
    users: ['UBOB', 'UCAROL'],
  },
  {
    id: 'ev3',
    type: 'single_event',
    level: 0,
    start: '2026-03-07T23:00:00',
    duration: 12 * 3600,
    frequency: null,
    users: ['UDAN'],
  },
];

export function grafanaFixture() {
  return {
    calendar: CALENDAR,
    calendarEvents,
    users: [
      {
        id: 'UALICE',
        email: 'alice@graf.test',
        username: 'alice',
        role: 'admin',
        timezone: ZONE,
        teams: ['TINFRA'],
      },
      {
        id: 'UBOB',
        email: 'bob@graf.test',
        username: 'bob',
        role: 'user',
        timezone: ZONE,
        teams: ['TINFRA'],
      },
      { id: 'UCAROL', email: 'carol@graf.test', username: 'carol', role: 'user', timezone: ZONE, teams: [] },
      { id: 'UDAN', email: 'dan@graf.test', username: 'dan', role: 'user', timezone: ZONE, teams: [] },
    ],
    rules: [
      { id: 'N1', user_id: 'UALICE', position: 0, important: false, type: 'notify_by_email' },
      { id: 'N2', user_id: 'UALICE', position: 1, important: false, type: 'wait', duration: 300 },
      { id: 'N3', user_id: 'UALICE', position: 2, important: false, type: 'notify_by_phone_call' },
      { id: 'N4', user_id: 'UALICE', position: 0, important: true, type: 'notify_by_sms' },
    ],
    teams: [{ id: 'TINFRA', name: 'Infra', email: '', avatar_url: '' }],
    schedules: [
      { id: 'SWEB', name: 'Infra on call', type: 'web', team_id: 'TINFRA', time_zone: ZONE, on_call_now: [] },
      {
        id: 'SCAL',
        name: 'Weekday turns',
        type: 'calendar',
        team_id: null,
        time_zone: ZONE,
        shifts: ['OTURNS'],
        on_call_now: [],
      },
      {
        id: 'SICAL',
        name: 'From a calendar',
        type: 'ical',
        team_id: null,
        ical_url_primary: '/ical/primary.ics',
        on_call_now: [],
      },
    ],
    shifts: [
      {
        id: 'OPRIMARY',
        name: 'Primary',
        type: 'rolling_users',
        schedule: 'SWEB',
        time_zone: null,
        level: 0,
        start: '2026-02-02T09:00:00',
        rotation_start: '2026-02-02T09:00:00',
        duration: 604_800,
        frequency: 'weekly',
        interval: 1,
        week_start: 'MO',
        by_day: null,
        until: null,
        rolling_users: [['UALICE'], ['UBOB'], ['UCAROL']],
        start_rotation_from_user_index: 1,
        source: 0,
      },
      {
        id: 'OBUSINESS',
        name: 'Business days',
        type: 'recurrent_event',
        schedule: 'SWEB',
        time_zone: ZONE,
        level: 1,
        start: '2026-02-02T10:00:00',
        duration: 8 * 3600,
        frequency: 'weekly',
        interval: 1,
        week_start: 'MO',
        by_day: ['MO', 'TU', 'WE', 'TH', 'FR'],
        until: null,
        users: ['UDAN', 'UALICE'],
        source: 0,
      },
      {
        id: 'OEVENING',
        name: 'Evenings',
        type: 'rolling_users',
        schedule: 'SWEB',
        time_zone: null,
        level: 1,
        start: '2026-02-02T17:00:00',
        rotation_start: '2026-02-10T00:00:00',
        duration: 4 * 3600,
        frequency: 'daily',
        interval: 1,
        week_start: 'MO',
        by_day: null,
        until: '2026-04-01T00:00:00',
        rolling_users: [['UBOB'], ['UCAROL']],
        start_rotation_from_user_index: 0,
        source: 0,
      },
      {
        id: 'OOVERRIDE',
        name: 'Cover',
        type: 'override',
        schedule: 'SWEB',
        time_zone: null,
        level: 99,
        start: '2026-03-07T20:00:00',
        duration: 86_400,
        frequency: null,
        rolling_users: [['UDAN']],
        source: 0,
      },
      {
        id: 'OTURNS',
        name: 'A turn a weekday',
        type: 'rolling_users',
        schedule: null,
        time_zone: null,
        level: 0,
        start: '2026-02-02T09:00:00',
        rotation_start: '2026-02-02T09:00:00',
        duration: 8 * 3600,
        frequency: 'daily',
        interval: 2,
        week_start: 'MO',
        by_day: ['MO', 'TU', 'WE', 'TH', 'FR'],
        until: null,
        rolling_users: [['UALICE'], ['UBOB'], ['UCAROL']],
        start_rotation_from_user_index: 0,
        source: 1,
      },
    ],
    chains: [
      { id: 'CINFRA', name: 'Infra chain', team_id: 'TINFRA' },
      { id: 'CHOOK', name: 'Webhook chain', team_id: null },
      { id: 'CIDLE', name: 'Idle chain', team_id: null },
    ],
    policies: [
      { id: 'E1', escalation_chain_id: 'CINFRA', position: 0, type: 'wait', duration: 60 },
      {
        id: 'E2',
        escalation_chain_id: 'CINFRA',
        position: 1,
        type: 'notify_on_call_from_schedule',
        notify_on_call_from_schedule: 'SWEB',
        important: false,
      },
      { id: 'E3', escalation_chain_id: 'CINFRA', position: 2, type: 'wait', duration: 300 },
      {
        id: 'E4',
        escalation_chain_id: 'CINFRA',
        position: 3,
        type: 'notify_persons',
        persons_to_notify: ['UALICE'],
        important: true,
      },
      {
        id: 'E5',
        escalation_chain_id: 'CINFRA',
        position: 4,
        type: 'notify_team_members',
        team_to_notify: 'TINFRA',
      },
      {
        id: 'E6',
        escalation_chain_id: 'CHOOK',
        position: 0,
        type: 'trigger_webhook',
        action_to_trigger: 'W1',
      },
    ],
    integrations: [
      {
        id: 'IAM',
        name: 'Alertmanager',
        type: 'alertmanager',
        team_id: 'TINFRA',
        link: 'https://oncall.example/integrations/v1/alertmanager/x/',
      },
      {
        id: 'IHOOK',
        name: 'Webhook',
        type: 'webhook',
        team_id: null,
        link: 'https://oncall.example/integrations/v1/webhook/y/',
      },
      { id: 'IMAIL', name: 'Mail', type: 'inbound_email', team_id: null, link: null },
    ],
    routes: [
      {
        id: 'R1',
        integration_id: 'IAM',
        escalation_chain_id: 'CINFRA',
        routing_regex: 'severity=critical',
        position: 0,
        is_the_last_route: false,
      },
      {
        id: 'R2',
        integration_id: 'IAM',
        escalation_chain_id: 'CINFRA',
        routing_regex: '.*',
        position: 1,
        is_the_last_route: true,
      },
      {
        id: 'R3',
        integration_id: 'IHOOK',
        escalation_chain_id: 'CHOOK',
        routing_regex: '.*',
        position: 0,
        is_the_last_route: true,
      },
    ],
  };
}

export type GrafanaFixture = ReturnType<typeof grafanaFixture>;
/** The fixture's shifts differ by type, as the API's do. */
type Shift = Record<string, any>;
type Event = { start: number; end: number; users: string[] };

const naiveOf = (text: string) => Date.parse(`${text}Z`) / 1000;
const STEP = { hourly: 3600, daily: 86_400, weekly: 604_800 } as Record<string, number>;

/** A shift's events as OnCall generates them (occurrence by occurrence) within a window. */
function eventsOf(shift: Shift, window: { start: number; end: number }): Event[] {
  const at = (naive: number) => fromWallClock(ZONE, naive);
  const start = naiveOf(shift.start);
  const until = shift.until ? at(naiveOf(shift.until)) : Number.POSITIVE_INFINITY;
  const events: Event[] = [];
  const cut = (e: Event) => {
    if (e.start < until) events.push({ ...e, end: Math.min(e.end, until) });
  };
  // An event lasts its duration on the wall clock (OnCall adds it to the stored local time).
  const event = (naive: number, users: string[]) =>
    cut({ start: at(naive), end: at(naive + shift.duration), users });
  if (!shift.frequency) {
    event(start, shift.users ?? shift.rolling_users[0]);
    return events;
  }
  // Occurrences (wall-clock): every step from the start, on the chosen days only when by_day is set.
  const occurrences: number[] = [];
  const step = shift.by_day ? 86_400 : STEP[shift.frequency]! * (shift.interval ?? 1);
  for (let naive = start; at(naive) < window.end; naive += step) {
    if (shift.by_day && !shift.by_day.includes(DAYS[wallClock(ZONE, at(naive)).isoDay - 1]!)) continue;
    occurrences.push(naive);
  }
  if (shift.type === 'recurrent_event') {
    for (const o of occurrences) event(o, shift.users);
    return events;
  }
  const groups: string[][] = shift.rolling_users;
  const first = shift.start_rotation_from_user_index ?? 0;
  const rotationStart = at(naiveOf(shift.rotation_start));
  const live = occurrences.filter((o) =>
    shift.source === 0 ? at(o + shift.duration) > rotationStart : at(o) >= rotationStart,
  );
  // Daily turns on chosen days: each group holds `interval` chosen days in a row.
  const per = shift.by_day && shift.frequency === 'daily' ? (shift.interval ?? 1) : 1;
  for (const [j, o] of live.entries()) event(o, groups[(Math.floor(j / per) + first) % groups.length]!);
  return events;
}

function finalAt(f: GrafanaFixture, scheduleId: string, events: Map<string, Event[]>, t: number): string[] {
  const schedule = f.schedules.find((s) => s.id === scheduleId)!;
  const own: Shift[] =
    schedule.type === 'ical'
      ? f.calendarEvents
      : f.shifts.filter((s) =>
          schedule.type === 'web' ? s.schedule === scheduleId : schedule.shifts?.includes(s.id),
        );
  const covering = (s: Shift) =>
    (events.get(s.id) ?? []).filter((e) => e.start <= t && t < e.end).flatMap((e) => e.users);
  const overrides = own.filter((s) => s.type === 'override').flatMap((s) => covering(s as Shift));
  if (overrides.length) return [...new Set(overrides)];
  const levels = [...new Set(own.filter((s) => s.type !== 'override').map((s) => s.level))].sort(
    (a, b) => b - a,
  );
  for (const level of levels) {
    const people = own
      .filter((s) => s.type !== 'override' && s.level === level)
      .flatMap((s) => covering(s as Shift));
    if (people.length) return [...new Set(people)];
  }
  return [];
}

export async function startFakeGrafanaOncall(fixture: GrafanaFixture = grafanaFixture()) {
  const f = fixture;
  const page = (items: unknown[], query: URLSearchParams, path: string, size = 2) => {
    const number = Number(query.get('page') ?? 1);
    const rest = new URLSearchParams(query);
    rest.set('page', String(number + 1));
    return {
      count: items.length,
      next: number * size < items.length ? `${server.url}${path}?${rest}` : null,
      previous: null,
      results: items.slice((number - 1) * size, number * size),
      current_page_number: number,
      page_size: size,
      total_pages: Math.ceil(items.length / size),
    };
  };
  const computed = new Map<string, unknown[]>();
  const server = await startFake({
    authorized: (request) => request.headers.authorization === GRAFANA_TOKEN,
    handle: (path, query) => {
      const m = /^\/api\/v1\/schedules\/(\w+)\/final_shifts$/.exec(path);
      if (m) {
        const key = `${m[1]} ${query.get('start_date')} ${query.get('end_date')}`;
        const known = computed.get(key);
        if (known) return { body: page(known, query, path, 50) };
        const window = {
          start: naiveOf(`${query.get('start_date')}T00:00:00`),
          end: naiveOf(`${query.get('end_date')}T00:00:00`) + 86_400,
        };
        const events = new Map(
          [...f.shifts, ...f.calendarEvents].map((s) => [
            s.id,
            eventsOf(s as Shift, { start: window.start - 30 * 86_400, end: window.end }),
          ]),
        );
        const shifts = intervals(window, (t) => finalAt(f, m[1]!, events, t)).flatMap((i) =>
          i.users.map((u) => ({
            user_pk: u,
            user_email: `${u}@x`,
            user_username: u,
            shift_start: isoZ(i.start),
            shift_end: isoZ(i.end),
          })),
        );
        computed.set(key, shifts);
        return { body: page(shifts, query, path, 50) };
      }
      if (path === '/ical/primary.ics') return { body: f.calendar, contentType: 'text/calendar' };
      const lists: Record<string, () => unknown[]> = {
        '/api/v1/users/': () => f.users,
        '/api/v1/teams/': () => f.teams,
        // The iCal URL is absolute, on this server.
        '/api/v1/schedules/': () =>
          f.schedules.map((x) =>
            x.ical_url_primary ? { ...x, ical_url_primary: `${server.url}${x.ical_url_primary}` } : x,
          ),
        '/api/v1/on_call_shifts/': () => f.shifts,
        '/api/v1/escalation_chains/': () => f.chains,
        '/api/v1/escalation_policies/': () =>
          f.policies.filter((p) => p.escalation_chain_id === query.get('escalation_chain_id')),
        '/api/v1/integrations/': () => f.integrations,
        '/api/v1/routes/': () => f.routes.filter((r) => r.integration_id === query.get('integration_id')),
        '/api/v1/personal_notification_rules/': () =>
          f.rules.filter((r) => r.user_id === query.get('user_id')),
      };
      const list = lists[path];
      return list ? { body: page(list(), query, path) } : undefined;
    },
  });
  return Object.assign(server, { fixture });
}

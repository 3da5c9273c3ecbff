import { type FakeServer, fromWallClock, intervals, isoZ, startFake, wallClock } from './fake-source.ts';

/*
 * A PagerDuty REST API v2 as its documentation describes it (developer.pagerduty.com: Pagination,
 * Errors, Rate Limits; the API reference's Schedule, ScheduleLayer, Restriction, Override,
 * EscalationPolicy, Service, User objects): `Authorization: Token token=…`, offset/limit/more
 * paging (here at most 2 items a page, so every list takes several), layers listed highest first,
 * and a final schedule computed from the layers and overrides minute by minute.
 */

export const PD_TOKEN = 'pd-token-1';
const ZONE = 'America/New_York';

const ref = (type: string, id: string) => ({ id, type, summary: id });
const user = (id: string, name: string, email: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'user',
  name,
  email,
  time_zone: ZONE,
  contact_methods: [{ id: `${id}-e`, type: 'email_contact_method', address: email, label: 'Work' }],
  notification_rules: [],
  ...extra,
});

export function pagerdutyFixture() {
  return {
    users: [
      user('PALICE1', 'Alice Ames', 'alice@acme.test', {
        contact_methods: [
          { id: 'CE1', type: 'email_contact_method', address: 'alice@acme.test', label: 'Work' },
          { id: 'CP1', type: 'phone_contact_method', address: '5550100', country_code: 1, label: 'Mobile' },
          { id: 'CS1', type: 'sms_contact_method', address: '5550100', country_code: 1, label: 'Mobile' },
          { id: 'CE2', type: 'email_contact_method', address: 'alice@home.test', label: 'Home' },
        ],
        notification_rules: [
          {
            id: 'R1',
            start_delay_in_minutes: 0,
            urgency: 'high',
            contact_method: ref('email_contact_method_reference', 'CE1'),
          },
          {
            id: 'R2',
            start_delay_in_minutes: 0,
            urgency: 'high',
            contact_method: ref('phone_contact_method_reference', 'CP1'),
          },
          {
            id: 'R3',
            start_delay_in_minutes: 5,
            urgency: 'high',
            contact_method: ref('sms_contact_method_reference', 'CS1'),
          },
          {
            id: 'R4',
            start_delay_in_minutes: 0,
            urgency: 'low',
            contact_method: ref('email_contact_method_reference', 'CE1'),
          },
        ],
      }),
      user('PBOB001', 'Bob Brown', 'Bob@Acme.test'),
      user('PCAROL1', 'Carol Cruz', 'carol@acme.test'),
      user('PDAN001', 'Dan Diaz', 'dan@acme.test'),
      user('PEVE001', 'Eve Evans', 'eve@acme.test'),
    ],
    teams: [
      {
        id: 'PTSRE01',
        type: 'team',
        name: 'SRE',
        description: 'Site reliability',
        members: ['PALICE1', 'PBOB001', 'PCAROL1'],
      },
      { id: 'PTPAY01', type: 'team', name: 'Payments', description: '', members: ['PDAN001'] },
    ],
    schedules: [
      {
        id: 'PSPRIM1',
        type: 'schedule',
        name: 'Primary',
        description: 'Primary on-call for the checkout',
        time_zone: ZONE,
        teams: [ref('team_reference', 'PTSRE01')],
        // Highest first, as the API lists them.
        schedule_layers: [
          {
            id: 'L2',
            name: 'Business hours',
            start: '2026-02-01T00:00:00-05:00',
            end: null,
            rotation_virtual_start: '2026-01-05T09:00:00-05:00',
            rotation_turn_length_seconds: 86_400,
            users: [{ user: ref('user_reference', 'PCAROL1') }, { user: ref('user_reference', 'PDAN001') }],
            restrictions: [1, 2, 3, 4, 5].map((day) => ({
              type: 'weekly_restriction',
              start_time_of_day: '09:00:00',
              duration_seconds: 8 * 3600,
              start_day_of_week: day,
            })),
          },
          {
            id: 'L1',
            name: 'Base',
            start: '2026-01-05T09:00:00-05:00',
            end: null,
            rotation_virtual_start: '2026-01-05T09:00:00-05:00',
            rotation_turn_length_seconds: 604_800,
            users: ['PALICE1', 'PBOB001', 'PCAROL1'].map((id) => ({ user: ref('user_reference', id) })),
            restrictions: [],
          },
        ],
      },
      {
        id: 'PSNITE1',
        type: 'schedule',
        name: 'Night',
        description: '',
        time_zone: ZONE,
        teams: [],
        schedule_layers: [
          {
            id: 'L3',
            name: 'Nights',
            start: '2026-02-01T08:00:00-05:00',
            end: null,
            rotation_virtual_start: '2026-02-01T08:00:00-05:00',
            rotation_turn_length_seconds: 43_200,
            users: ['PALICE1', 'PDAN001', 'PCAROL1'].map((id) => ({ user: ref('user_reference', id) })),
            restrictions: [
              { type: 'daily_restriction', start_time_of_day: '20:00:00', duration_seconds: 12 * 3600 },
            ],
          },
        ],
      },
      {
        id: 'PSODD01',
        type: 'schedule',
        name: 'Odd turns',
        description: '',
        time_zone: ZONE,
        teams: [],
        schedule_layers: [
          {
            id: 'L4',
            name: 'Thirty-six hours',
            start: '2026-02-01T08:00:00-05:00',
            end: null,
            rotation_virtual_start: '2026-02-01T08:00:00-05:00',
            rotation_turn_length_seconds: 36 * 3600,
            users: [{ user: ref('user_reference', 'PEVE001') }],
            restrictions: [],
          },
        ],
      },
    ],
    overrides: {
      PSNITE1: [
        // Across the spring-forward night (2026-03-08): Bob takes two nights.
        {
          id: 'OV1',
          start: '2026-03-07T20:00:00-05:00',
          end: '2026-03-09T08:00:00-04:00',
          user: ref('user_reference', 'PBOB001'),
        },
        {
          id: 'OV0',
          start: '2026-01-10T20:00:00-05:00',
          end: '2026-01-11T08:00:00-05:00',
          user: ref('user_reference', 'PEVE001'),
        },
      ],
    } as Record<string, { id: string; start: string; end: string; user: { id: string } }[]>,
    policies: [
      {
        id: 'PEP0001',
        type: 'escalation_policy',
        name: 'Checkout escalation',
        description: 'Page the owner, then the primary schedule',
        num_loops: 1,
        escalation_rules: [
          { id: 'ER1', escalation_delay_in_minutes: 5, targets: [ref('user_reference', 'PALICE1')] },
          { id: 'ER2', escalation_delay_in_minutes: 15, targets: [ref('schedule_reference', 'PSPRIM1')] },
        ],
      },
      {
        id: 'PEP0002',
        type: 'escalation_policy',
        name: 'Batch round robin',
        num_loops: 0,
        escalation_rules: [
          {
            id: 'ER3',
            escalation_delay_in_minutes: 30,
            targets: [ref('user_reference', 'PDAN001'), ref('user_reference', 'PEVE001')],
            escalation_rule_assignment_strategy: 'round_robin',
          },
        ],
      },
      { id: 'PEP0003', type: 'escalation_policy', name: 'Unused', num_loops: 0, escalation_rules: [] },
    ],
    services: [
      {
        id: 'PSVC001',
        type: 'service',
        name: 'Checkout API',
        description: 'Payments front door',
        escalation_policy: ref('escalation_policy_reference', 'PEP0001'),
        teams: [ref('team_reference', 'PTSRE01')],
        auto_resolve_timeout: 14_400,
        acknowledgement_timeout: 1800,
        alert_grouping_parameters: { type: 'intelligent' },
        integrations: [
          { id: 'PINT001', type: 'events_api_v2_inbound_integration', name: 'Events API v2', vendor: null },
          {
            id: 'PINT002',
            type: 'generic_events_api_inbound_integration',
            name: 'Prometheus',
            vendor: ref('vendor_reference', 'Prometheus'),
          },
        ],
      },
      {
        id: 'PSVC002',
        type: 'service',
        name: 'Batch jobs',
        description: '',
        escalation_policy: ref('escalation_policy_reference', 'PEP0002'),
        teams: [],
        auto_resolve_timeout: null,
        integrations: [
          { id: 'PINT003', type: 'generic_email_inbound_integration', name: 'Email', vendor: null },
        ],
      },
    ],
  };
}

export type PagerdutyFixture = ReturnType<typeof pagerdutyFixture>;

const seconds = (text: string) => Math.floor(Date.parse(text) / 1000);
const tod = (text: string) => {
  const [h, m, s] = text.split(':').map(Number);
  return h! * 3600 + m! * 60 + (s ?? 0);
};

type Layer = PagerdutyFixture['schedules'][number]['schedule_layers'][number];

/** Who a layer has on call at t: PagerDuty's turns counted on the schedule's wall clock. */
function layerAt(zone: string, layer: Layer, t: number): string | undefined {
  if (t < seconds(layer.start) || (layer.end && t >= seconds(layer.end))) return undefined;
  const w = wallClock(zone, t);
  if (layer.restrictions.length > 0) {
    const inside = layer.restrictions.some((r) => {
      if (r.type === 'daily_restriction')
        return (((w.tod - tod(r.start_time_of_day)) % 86_400) + 86_400) % 86_400 < r.duration_seconds;
      const week = (w.isoDay - 1) * 86_400 + w.tod;
      const day = (r as { start_day_of_week?: number }).start_day_of_week ?? 1;
      const start = (day - 1) * 86_400 + tod(r.start_time_of_day);
      return (((week - start) % 604_800) + 604_800) % 604_800 < r.duration_seconds;
    });
    if (!inside) return undefined;
  }
  const anchor = wallClock(zone, seconds(layer.rotation_virtual_start)).naive;
  const len = layer.rotation_turn_length_seconds;
  let k = Math.floor((w.naive - anchor) / len);
  while (fromWallClock(zone, anchor + k * len) > t) k -= 1;
  while (fromWallClock(zone, anchor + (k + 1) * len) <= t) k += 1;
  const n = layer.users.length;
  return layer.users[((k % n) + n) % n]!.user.id;
}

function finalAt(fixture: PagerdutyFixture, scheduleId: string, t: number): string[] {
  const schedule = fixture.schedules.find((s) => s.id === scheduleId)!;
  const override = [...(fixture.overrides[scheduleId] ?? [])]
    .reverse()
    .find((o) => seconds(o.start) <= t && t < seconds(o.end));
  if (override) return [override.user.id];
  for (const layer of schedule.schedule_layers) {
    const who = layerAt(schedule.time_zone, layer, t);
    if (who) return [who];
  }
  return [];
}

function page<T>(items: T[], query: URLSearchParams, key: string) {
  const limit = Math.min(Number(query.get('limit') ?? 25), 2);
  const offset = Number(query.get('offset') ?? 0);
  const slice = items.slice(offset, offset + limit);
  return { [key]: slice, limit, offset, more: offset + slice.length < items.length, total: null };
}

export async function startFakePagerduty(fixture: PagerdutyFixture = pagerdutyFixture()) {
  const server: FakeServer & { fixture: PagerdutyFixture } = Object.assign(
    await startFake({
      authorized: (request) =>
        request.headers.authorization === `Token token=${PD_TOKEN}` &&
        String(request.headers.accept).includes('application/vnd.pagerduty+json;version=2'),
      handle: (path, query) => {
        const f = server.fixture;
        const includes = query.getAll('include[]');
        if (path === '/users') {
          const users = f.users.map((u) => ({
            ...u,
            contact_methods: includes.includes('contact_methods')
              ? u.contact_methods
              : u.contact_methods.map((c) => ref(`${c.type}_reference`, c.id)),
            notification_rules: includes.includes('notification_rules') ? u.notification_rules : [],
          }));
          return { body: page(users, query, 'users') };
        }
        if (path === '/teams')
          return {
            body: page(
              f.teams.map(({ members: _, ...t }) => t),
              query,
              'teams',
            ),
          };
        if (/^\/teams\/(\w+)\/members$/.test(path)) {
          const match = /^\/teams\/(\w+)\/members$/.exec(path)!;
          const team = f.teams.find((t) => t.id === match[1]);
          if (!team) return undefined;
          return {
            body: page(
              team.members.map((id) => ({ user: ref('user_reference', id), role: 'responder' })),
              query,
              'members',
            ),
          };
        }
        if (path === '/schedules') {
          const layers = includes.includes('schedule_layers');
          return {
            body: page(
              f.schedules.map((s) => (layers ? s : { ...s, schedule_layers: [] })),
              query,
              'schedules',
            ),
          };
        }
        if (/^\/schedules\/(\w+)\/overrides$/.test(path)) {
          const match = /^\/schedules\/(\w+)\/overrides$/.exec(path)!;
          const [since, until] = [seconds(query.get('since')!), seconds(query.get('until')!)];
          const overrides = (f.overrides[match[1]!] ?? []).filter(
            (o) => seconds(o.end) > since && seconds(o.start) < until,
          );
          return { body: { overrides } };
        }
        if (/^\/schedules\/(\w+)$/.test(path)) {
          const match = /^\/schedules\/(\w+)$/.exec(path)!;
          const schedule = f.schedules.find((s) => s.id === match[1]);
          if (!schedule) return undefined;
          const window = { start: seconds(query.get('since')!), end: seconds(query.get('until')!) };
          const entries = intervals(window, (t) => finalAt(f, schedule.id, t)).map((i) => ({
            start: isoZ(i.start),
            end: isoZ(i.end),
            user: ref('user_reference', i.users[0]!),
          }));
          return {
            body: {
              schedule: {
                ...schedule,
                final_schedule: { name: 'Final Schedule', rendered_schedule_entries: entries },
              },
            },
          };
        }
        if (path === '/escalation_policies') return { body: page(f.policies, query, 'escalation_policies') };
        if (path === '/services') {
          const withIntegrations = includes.includes('integrations');
          return {
            body: page(
              f.services.map((s) =>
                withIntegrations
                  ? s
                  : {
                      ...s,
                      integrations: s.integrations.map((i) =>
                        ref('generic_events_api_inbound_integration_reference', i.id),
                      ),
                    },
              ),
              query,
              'services',
            ),
          };
        }
        return undefined;
      },
    }),
    { fixture },
  );
  return server;
}

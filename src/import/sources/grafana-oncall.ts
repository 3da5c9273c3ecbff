import { isValidTimeZone, naiveParts, startOfWeek, toInstant, toNaive } from '../../schedules/zoned.ts';
import type {
  DesiredIntegration,
  DesiredMember,
  DesiredRule,
  DesiredSchedule,
  LayerDraft,
  RuleLayerDraft,
  SeverityChannels,
  Skipped,
  Source,
} from '../model.ts';
import { rotationLayers, Unmappable } from '../rotation.ts';
import type { SourceHttp } from '../source-http.ts';
import { memo, parseInstant } from './common.ts';
import { icalShifts } from './grafana-ical.ts';

/*
 * Grafana OnCall HTTP API v1 (docs/import.md, "Grafana OnCall"): `Authorization: <token>`, lists as
 * `{count, next, results}` following `next`. Shifts of one priority level are on call together
 * (a band); a higher level replaces a lower one; overrides win over every level.
 */

type GUser = { id: string; email: string; username: string; timezone?: string; teams?: string[] };
type Shift = {
  id: string;
  name: string;
  type: 'single_event' | 'recurrent_event' | 'rolling_users' | 'override';
  schedule?: string | null;
  time_zone?: string | null;
  level?: number;
  start: string;
  duration: number;
  rotation_start?: string;
  frequency?: 'hourly' | 'daily' | 'weekly' | 'monthly' | null;
  interval?: number | null;
  until?: string | null;
  week_start?: string;
  by_day?: string[] | null;
  by_month?: number[] | null;
  by_monthday?: number[] | null;
  source?: number;
  users?: string[];
  rolling_users?: string[][] | null;
  start_rotation_from_user_index?: number | null;
};
type GSchedule = {
  id: string;
  name: string;
  type: 'ical' | 'calendar' | 'web';
  team_id?: string | null;
  time_zone?: string | null;
  shifts?: string[];
  ical_url_primary?: string | null;
  ical_url_overrides?: string | null;
};
type Policy = {
  id: string;
  escalation_chain_id: string;
  position: number;
  type: string;
  duration?: number;
  persons_to_notify?: string[];
  notify_on_call_from_schedule?: string;
  team_to_notify?: string;
  notify_if_time_from?: string;
  notify_if_time_to?: string;
  important?: boolean;
};

const ICAL_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const UNIT = { hourly: 'hour', daily: 'day', weekly: 'week', monthly: 'month' } as const;
const SECONDS = { hour: 3600, day: 86_400, week: 604_800 } as const;
const CHANNEL_OF_RULE: Record<string, string> = {
  notify_by_email: 'email',
  notify_by_sms: 'sms',
  notify_by_phone_call: 'voice',
  notify_by_mobile_app: 'push',
};

async function gList<T>(http: SourceHttp, path: string, query: Record<string, string> = {}): Promise<T[]> {
  const items: T[] = [];
  let next: string | null | undefined = http.url(path, query);
  while (next) {
    const page: { results?: T[]; next?: string | null } = await http.getJson(next);
    items.push(...(page.results ?? []));
    next = page.results?.length ? page.next : null;
  }
  return items;
}

/** A naive "yyyy-MM-ddTHH:mm:ss" read in a zone. */
function localInstant(zone: string, text: string): number {
  const naive = Date.parse(`${text.slice(0, 19)}Z`) / 1000;
  if (Number.isNaN(naive)) throw new Unmappable(`a date Vigil cannot read: ${text}`);
  return toInstant(zone, naive);
}

/** The first occurrence at or after `rotation_start` (web shifts: the first one still running then). */
function firstTurn(
  zone: string,
  shift: Shift,
  unit: 'hour' | 'day' | 'week' | 'month',
  length: number,
): number {
  const start = localInstant(zone, shift.start);
  if (!shift.rotation_start) return start;
  // Like `start`, a wall-clock time of the shift's zone (OnCall compares the two as they are stored).
  const rotationStart = localInstant(zone, shift.rotation_start);
  if (unit === 'month') {
    if (rotationStart > start) throw new Unmappable(`${shift.name}: a monthly rotation started later`);
    return start;
  }
  const startNaive = toNaive(zone, start);
  for (let k = 0; k < 100_000; k++) {
    const naive = startNaive + k * length * SECONDS[unit];
    const o = toInstant(zone, naive);
    // Durations count on the wall clock, as OnCall adds them to the stored local time.
    if (shift.source === 0 ? toInstant(zone, naive + shift.duration) > rotationStart : o >= rotationStart)
      return o;
  }
  throw new Unmappable(`${shift.name}: no turn after its rotation start`);
}

/** Weekly periods for events on `days` at the first turn's time of day, lasting `duration`. */
function weeklyPeriods(zone: string, first: number, days: string[], duration: number) {
  const naive = toNaive(zone, first);
  const tod = naiveParts(naive).secondOfDay;
  return days.map((d) => {
    const index = ICAL_DAYS.indexOf(d);
    if (index < 0) throw new Unmappable(`a day Vigil does not know: ${d}`);
    const start = index * 86_400 + tod;
    const end = start + duration;
    return { restrict_start: start, restrict_end: end > 604_800 ? end - 604_800 : end };
  });
}

/**
 * Daily turns on chosen days (OnCall's `rolling_users`, daily, `by_day`): every chosen day is a turn,
 * each group holding `interval` of them in a row, so the days skipped take no turn. Each chosen day
 * becomes a weekly layer of its own, covering that day's event, with the groups in the order they
 * reach that day week after week.
 */
function dailyTurnsOnDays(
  zone: string,
  shift: Shift,
  name: string,
  groups: string[][],
  byDay: string[],
  until: number | null,
): LayerDraft[] {
  const interval = shift.interval ?? 1;
  const rotationStart = shift.rotation_start
    ? localInstant(zone, shift.rotation_start)
    : Number.NEGATIVE_INFINITY;
  const startNaive = toNaive(zone, localInstant(zone, shift.start));
  const isChosen = (naive: number) => byDay.includes(ICAL_DAYS[(naiveParts(naive).weekday + 6) % 7]!);
  // The first chosen day whose event counts (web shifts: still running at the rotation start).
  let firstNaive = startNaive;
  for (let k = 0; ; k++) {
    if (k > 400) throw new Unmappable(`${name}: no turn after its rotation start`);
    const naive = startNaive + k * 86_400;
    if (!isChosen(naive)) continue;
    const ends = toInstant(zone, naive + shift.duration);
    if (shift.source === 0 ? ends > rotationStart : toInstant(zone, naive) >= rotationStart) {
      firstNaive = naive;
      break;
    }
  }
  const days: number[] = [];
  for (let d = 0; d < 7; d++) if (isChosen(firstNaive + d * 86_400)) days.push(d);
  const n = groups.length;
  const groupAt = (w: number, p: number) => groups[Math.floor((w * days.length + p) / interval) % n]!;
  let period = n * interval;
  for (let t = 1; t < n * interval; t++) {
    if (
      (n * interval) % t === 0 &&
      [...Array(n * interval).keys()].every((w) => days.every((_, p) => groupAt(w + t, p) === groupAt(w, p)))
    ) {
      period = t;
      break;
    }
  }
  if (period > 50)
    throw new Unmappable(`${name}: ${period} turns before the order repeats (Vigil keeps 50 a layer)`);
  if (shift.duration > 86_400) throw new Unmappable(`${name}: events longer than a day`);
  return days.flatMap((d, p) => {
    const at = toInstant(zone, firstNaive + d * 86_400);
    return rotationLayers({
      name,
      zone,
      anchor: at,
      unit: 'week',
      value: 1,
      groups: [...Array(period).keys()].map((w) => groupAt(w, p)),
      ...{
        restrict_mode: 2 as const,
        restrict_periods: weeklyPeriods(
          zone,
          at,
          [ICAL_DAYS[(naiveParts(firstNaive + d * 86_400).weekday + 6) % 7]!],
          shift.duration,
        ),
      },
      from: at,
      until,
      cumulative: false,
    });
  });
}

/** One shift as layers (cumulative flags set by the caller's band). */
function shiftLayers(zone: string, shift: Shift): LayerDraft[] {
  const name = (shift.name || shift.type).slice(0, 40);
  const until = shift.until ? localInstant(zone, shift.until) : null;
  if (shift.by_month?.length || shift.by_monthday?.length)
    throw new Unmappable(`${name}: months or days of the month`);
  if (shift.type === 'single_event' || shift.type === 'override' || !shift.frequency) {
    const start = localInstant(zone, shift.start);
    const people =
      shift.type === 'override' || shift.type === 'rolling_users'
        ? (shift.rolling_users?.[0] ?? [])
        : (shift.users ?? []);
    return rotationLayers({
      name,
      zone,
      anchor: start,
      unit: 'day',
      value: 1,
      groups: [people],
      restrict_mode: 0,
      restrict_periods: [],
      from: start,
      // Durations count on the wall clock, as OnCall adds them to the stored local time.
      until: toInstant(zone, toNaive(zone, start) + shift.duration),
      cumulative: false,
    }).map((l) => ({ ...l, mode: shift.type === 'override' ? 1 : 0 }));
  }
  const unit = UNIT[shift.frequency];
  const interval = shift.interval ?? 1;
  const rolling = shift.type === 'rolling_users';
  let groups = rolling ? (shift.rolling_users ?? []) : [shift.users ?? []];
  const offset = rolling ? (shift.start_rotation_from_user_index ?? 0) : 0;
  groups = [...groups.slice(offset), ...groups.slice(0, offset)];
  const byDay = shift.by_day?.length ? shift.by_day : undefined;
  if (rolling && unit === 'day' && byDay) return dailyTurnsOnDays(zone, shift, name, groups, byDay, until);
  const first = rolling ? firstTurn(zone, shift, unit, interval) : localInstant(zone, shift.start);
  const length = unit === 'month' ? Number.POSITIVE_INFINITY : interval * SECONDS[unit];
  let restrict: Pick<LayerDraft, 'restrict_mode' | 'restrict_periods'> = {
    restrict_mode: 0,
    restrict_periods: [],
  };
  const value = interval;
  if (byDay) {
    if (interval !== 1 || (unit !== 'week' && (rolling || unit !== 'day'))) {
      throw new Unmappable(
        `${name}: ${shift.frequency} turns on chosen days${rolling ? ' (a turn per day)' : ''}`,
      );
    }
    // Turns are weeks; the hand-off is the week's first event, so no event is cut by it.
    const firstDay = naiveParts(toNaive(zone, first)).weekday;
    const ordered = [...byDay].sort(
      (a, b) =>
        ((ICAL_DAYS.indexOf(a) + 1 - firstDay + 7) % 7) - ((ICAL_DAYS.indexOf(b) + 1 - firstDay + 7) % 7),
    );
    const lastOffset = ((ICAL_DAYS.indexOf(ordered.at(-1)!) + 1 - firstDay + 7) % 7) * 86_400;
    if (lastOffset + shift.duration > 604_800)
      throw new Unmappable(`${name}: an event runs into the next week's first`);
    restrict = { restrict_mode: 2, restrict_periods: weeklyPeriods(zone, first, ordered, shift.duration) };
    return rotationLayers({
      name,
      zone,
      anchor: first,
      unit: 'week',
      value: 1,
      groups,
      ...restrict,
      from: first,
      until,
      cumulative: false,
    });
  }
  if (shift.duration < length) {
    if (interval !== 1 || unit === 'hour' || unit === 'month') {
      throw new Unmappable(`${name}: events of ${shift.duration} s every ${interval} ${unit}(s)`);
    }
    if (unit === 'day') {
      const tod = naiveParts(toNaive(zone, first)).secondOfDay;
      restrict = {
        restrict_mode: 1,
        restrict_periods: [{ restrict_start: tod, restrict_end: (tod + shift.duration) % 86_400 || 86_400 }],
      };
    } else {
      const naive = toNaive(zone, first);
      const start = naive - startOfWeek(naive);
      const end = start + shift.duration;
      restrict = {
        restrict_mode: 2,
        restrict_periods: [{ restrict_start: start, restrict_end: end > 604_800 ? end - 604_800 : end }],
      };
    }
  } else if (shift.duration > length) {
    throw new Unmappable(`${name}: events longer than the turn overlap the next one`);
  }
  if (value > 30) throw new Unmappable(`${name}: turns of ${value} ${unit}s (Vigil allows 30)`);
  return rotationLayers({
    name,
    zone,
    anchor: first,
    unit,
    value,
    groups,
    ...restrict,
    from: first,
    until,
    cumulative: false,
  });
}

export function grafanaOncallSource(http: SourceHttp, options: { now: number }): Source {
  const users = memo(() => gList<GUser>(http, '/api/v1/users/'));
  const shifts = memo(() => gList<Shift>(http, '/api/v1/on_call_shifts/'));
  const integrations = memo(() =>
    gList<{ id: string; name: string; type: string; team_id?: string | null }>(http, '/api/v1/integrations/'),
  );

  /** The shifts an ical schedule's calendars hold (primary and overrides), and their zone. */
  async function calendarShifts(schedule: GSchedule): Promise<{ zone: string; shifts: Shift[] }> {
    const people = await users();
    const userOf = (word: string) =>
      people.find((u) => u.username === word || u.email.toLowerCase() === word.toLowerCase())?.id;
    const read: { zone: string | undefined; shifts: Shift[] }[] = [];
    for (const [url, kind] of [
      [schedule.ical_url_primary, 'primary'],
      [schedule.ical_url_overrides, 'overrides'],
    ] as const) {
      if (url)
        read.push(
          icalShifts(await http.getText(url), kind, userOf) as { zone: string | undefined; shifts: Shift[] },
        );
    }
    const zones = new Set(read.flatMap((r) => (r.zone ? [r.zone] : [])));
    if (zones.size > 1)
      throw new Unmappable(`its calendars are in different zones (${[...zones].join(', ')})`);
    return { zone: [...zones][0] ?? 'UTC', shifts: read.flatMap((r) => r.shifts) };
  }

  async function scheduleOf(schedule: GSchedule, all: Shift[]): Promise<DesiredSchedule> {
    let zone = schedule.time_zone || 'UTC';
    const base = {
      source_id: schedule.id,
      name: schedule.name,
      description: '',
      team: schedule.team_id ?? undefined,
      time_zone: zone,
      layers: [] as LayerDraft[],
      notes: [] as string[],
    };
    if (schedule.type === 'ical') {
      try {
        const read = await calendarShifts(schedule);
        zone = read.zone;
        base.time_zone = zone;
        all = read.shifts;
      } catch (error) {
        if (error instanceof Unmappable) return { ...base, unmapped: error.message };
        throw error;
      }
    } else if (schedule.ical_url_overrides) {
      try {
        const read = await calendarShifts({ ...schedule, ical_url_primary: null });
        if (read.shifts.length && read.zone !== zone)
          throw new Unmappable(`its overrides calendar is in ${read.zone}, the schedule in ${zone}`);
        all = [...all, ...read.shifts.map((s) => ({ ...s, schedule: schedule.id, id: `ical-${s.id}` }))];
      } catch (error) {
        if (error instanceof Unmappable) return { ...base, unmapped: error.message };
        throw error;
      }
    }
    if (!isValidTimeZone(zone)) return { ...base, unmapped: `time zone ${zone} is not an IANA zone` };
    const own =
      schedule.type === 'ical'
        ? all
        : all.filter((s) =>
            schedule.type === 'web' || s.id.startsWith('ical-')
              ? s.schedule === schedule.id
              : schedule.shifts?.includes(s.id),
          );
    try {
      const live = own.filter((s) => {
        const shiftZone = s.time_zone || zone;
        if (shiftZone !== zone)
          throw new Unmappable(`${s.name}: its time zone ${shiftZone} differs from the schedule's ${zone}`);
        const end = s.frequency
          ? s.until
            ? localInstant(zone, s.until)
            : Number.POSITIVE_INFINITY
          : toInstant(zone, toNaive(zone, localInstant(zone, s.start)) + s.duration);
        return end > options.now;
      });
      const rotations = live
        .filter((s) => s.type !== 'override')
        .sort((a, b) => (a.level ?? 0) - (b.level ?? 0));
      let level: number | undefined;
      for (const shift of rotations) {
        const layers = shiftLayers(zone, shift);
        const first = level !== (shift.level ?? 0);
        level = shift.level ?? 0;
        base.layers.push(...layers.map((l, i) => ({ ...l, cumulative: !(first && i === 0) })));
      }
      live
        .filter((s) => s.type === 'override')
        .flatMap((s) => shiftLayers(zone, s))
        .forEach((l, i) => {
          base.layers.push({ ...l, cumulative: i > 0 });
        });
      if (base.layers.length > 20)
        throw new Unmappable(`needs ${base.layers.length} Vigil layers (at most 20)`);
      return base;
    } catch (error) {
      if (error instanceof Unmappable) return { ...base, layers: [], unmapped: error.message };
      throw error;
    }
  }

  async function chainLayers(
    chainId: string,
  ): Promise<
    { layers: RuleLayerDraft[]; aggr: number; windows: DesiredRule['time_filters']; notes: string[] } | string
  > {
    const policies = (
      await gList<Policy>(http, '/api/v1/escalation_policies/', { escalation_chain_id: chainId })
    ).sort((a, b) => a.position - b.position);
    const layers: RuleLayerDraft[] = [];
    const notes: string[] = [];
    let windows: DesiredRule['time_filters'] = [];
    let waited = 0;
    let aggr = 0;
    for (const [i, p] of policies.entries()) {
      if (p.type === 'wait') {
        if ((p.duration ?? 0) % 60 !== 0) return `a wait of ${p.duration} s (Vigil counts whole minutes)`;
        waited += p.duration ?? 0;
        continue;
      }
      if (p.type === 'notify_if_time_from_to' && i === 0) {
        const hhmm = (t: string | undefined) => (t ?? '').slice(0, 5);
        windows = [{ start: hhmm(p.notify_if_time_from), end: hhmm(p.notify_if_time_to), repeat: [] }];
        continue;
      }
      const target = { users: [] as string[], teams: [] as string[], schedules: [] as string[] };
      if (p.type === 'notify_persons') target.users.push(...(p.persons_to_notify ?? []));
      else if (p.type === 'notify_on_call_from_schedule' && p.notify_on_call_from_schedule)
        target.schedules.push(p.notify_on_call_from_schedule);
      else if (p.type === 'notify_team_members' && p.team_to_notify) target.teams.push(p.team_to_notify);
      else return `an escalation step "${p.type}" has no Vigil equivalent`;
      if (p.important)
        notes.push('"important" steps: Vigil tells people by their own preferences either way');
      const last = layers[layers.length - 1];
      if (last && waited === 0) {
        last.target.users.push(...target.users);
        last.target.teams.push(...target.teams);
        last.target.schedules.push(...target.schedules);
        continue;
      }
      if (last) last.escalate_window = waited / 60;
      else aggr = waited;
      waited = 0;
      layers.push({ target, max_times: 0, notify_step: 1, escalate_window: 0, force_escalate: false });
    }
    if (layers.length === 0) return 'it notifies nobody';
    if (layers.length > 10) return `${layers.length} steps (Vigil keeps 10 layers)`;
    if (aggr > 3600) return `a first wait of ${aggr / 60} min (Vigil waits at most 60)`;
    if (layers.some((l) => l.escalate_window > 720)) return 'a wait longer than 720 min';
    return { layers, aggr, windows, notes };
  }

  return {
    name: 'grafana-oncall',
    async users() {
      const out: DesiredMember[] = [];
      const skipped: Skipped[] = [];
      for (const user of await users()) {
        if (!user.email) {
          skipped.push({ kind: 'user', source_id: user.id, name: user.username, reason: 'no e-mail' });
          continue;
        }
        const rules = await gList<{ type: string; position: number; important: boolean; duration?: number }>(
          http,
          '/api/v1/personal_notification_rules/',
          { user_id: user.id },
        );
        const notes: string[] = [];
        let notify: SeverityChannels | undefined;
        const ordinary = rules.filter((r) => !r.important).sort((a, b) => a.position - b.position);
        if (rules.some((r) => r.important))
          notes.push('not mapped: "important" notification rules (Vigil picks channels by severity)');
        let waited = false;
        for (const rule of ordinary) {
          if (rule.type === 'wait') {
            waited = true;
            continue;
          }
          const channel = CHANNEL_OF_RULE[rule.type];
          if (!channel) {
            notes.push(`not mapped: ${rule.type}`);
            continue;
          }
          if (waited) {
            notes.push(`not mapped: ${channel} after a wait (Vigil notifies a person's channels at once)`);
            continue;
          }
          notify ??= { critical: [], warning: [], info: [] };
          for (const severity of ['critical', 'warning', 'info'] as const)
            if (!notify[severity].includes(channel)) notify[severity].push(channel);
        }
        out.push({
          source_id: user.id,
          name: user.username,
          email: user.email,
          time_zone: user.timezone && isValidTimeZone(user.timezone) ? user.timezone : undefined,
          notify,
          notes,
        });
      }
      return { users: out, skipped };
    },
    async teams() {
      const [teams, all] = [await gList<{ id: string; name: string }>(http, '/api/v1/teams/'), await users()];
      return {
        teams: teams.map((t) => ({
          source_id: t.id,
          name: t.name,
          description: '',
          members: all.filter((u) => u.teams?.includes(t.id)).map((u) => u.id),
          notes: [],
        })),
        skipped: [],
      };
    },
    async schedules() {
      const [list, all] = [await gList<GSchedule>(http, '/api/v1/schedules/'), await shifts()];
      const out: DesiredSchedule[] = [];
      for (const schedule of list) out.push(await scheduleOf(schedule, all));
      return { schedules: out, skipped: [] };
    },
    async oncall(scheduleId, window) {
      const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
      const results = await gList<{ user_pk: string; shift_start: string; shift_end: string }>(
        http,
        `/api/v1/schedules/${encodeURIComponent(scheduleId)}/final_shifts`,
        {
          start_date: day(window.start),
          end_date: day(window.end + 86_400),
        },
      );
      return results.map((r) => ({
        start: parseInstant(r.shift_start),
        end: parseInstant(r.shift_end),
        users: [r.user_pk],
      }));
    },
    async escalations() {
      const list = await integrations();
      const rules: DesiredRule[] = [];
      const skipped: Skipped[] = [];
      const chains = await gList<{ id: string; name: string }>(http, '/api/v1/escalation_chains/');
      const used = new Set<string>();
      for (const integration of list) {
        const routes = await gList<{
          id: string;
          escalation_chain_id: string | null;
          routing_regex: string;
          position: number;
          is_the_last_route: boolean;
        }>(http, '/api/v1/routes/', { integration_id: integration.id });
        for (const route of routes.sort((a, b) => a.position - b.position)) {
          const chain = chains.find((c) => c.id === route.escalation_chain_id);
          const base = {
            source_id: route.id,
            channel: integration.id,
            name: chain?.name ?? 'No escalation',
            description: '',
            priority: route.position,
            aggr_window: 0,
            layers: [] as RuleLayerDraft[],
            time_filters: [],
            time_zone: 'UTC',
            notes: [] as string[],
          };
          if (!route.is_the_last_route) {
            rules.push({
              ...base,
              unmapped: `routing by the alert's payload (${route.routing_regex}) has no Vigil rule filter equivalent`,
            });
            continue;
          }
          if (!chain) {
            rules.push({ ...base, unmapped: 'the route has no escalation chain' });
            continue;
          }
          used.add(chain.id);
          const mapped = await chainLayers(chain.id);
          if (typeof mapped === 'string') rules.push({ ...base, unmapped: mapped });
          else
            rules.push({
              ...base,
              layers: mapped.layers,
              aggr_window: mapped.aggr,
              time_filters: mapped.windows,
              notes: mapped.notes,
            });
        }
      }
      for (const chain of chains) {
        if (!used.has(chain.id))
          skipped.push({
            kind: 'escalation chain',
            source_id: chain.id,
            name: chain.name,
            reason: "no integration's default route uses it",
          });
      }
      return {
        channels: list.map((i) => ({
          source_id: i.id,
          name: i.name,
          description: `Grafana OnCall ${i.type} integration`,
          team: i.team_id ?? undefined,
          notes: [],
        })),
        rules,
        skipped,
      };
    },
    async integrations() {
      const list = await integrations();
      const out: DesiredIntegration[] = [];
      const skipped: Skipped[] = [];
      for (const i of list) {
        if (/email/i.test(i.type)) {
          skipped.push({
            kind: 'integration',
            source_id: i.id,
            name: i.name,
            reason: 'e-mail integrations have no Vigil equivalent',
          });
          continue;
        }
        const prometheus = /alertmanager|prometheus/i.test(i.type);
        out.push({
          source_id: i.id,
          channel: i.id,
          name: i.name,
          description: `Grafana OnCall ${i.type} integration`,
          plugin_type: prometheus ? 'alert.prometheus' : 'alert.standard',
          notes: prometheus
            ? []
            : [
                `the sender must switch to Vigil's standard alert events (it sent Grafana OnCall ${i.type} alerts)`,
              ],
        });
      }
      return {
        channels: list.map((i) => ({
          source_id: i.id,
          name: i.name,
          description: `Grafana OnCall ${i.type} integration`,
          team: i.team_id ?? undefined,
          notes: [],
        })),
        integrations: out,
        skipped,
      };
    },
  };
}

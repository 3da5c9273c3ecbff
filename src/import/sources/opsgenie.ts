import { isValidTimeZone } from '../../schedules/zoned.ts';
import type {
  DesiredChannel,
  DesiredIntegration,
  DesiredMember,
  DesiredRule,
  DesiredSchedule,
  LayerDraft,
  RuleLayerDraft,
  SeverityChannels,
  Skipped,
  Source,
  TimeFilterDraft,
} from '../model.ts';
import { rotationLayers, Unmappable } from '../rotation.ts';
import type { SourceHttp } from '../source-http.ts';
import { memo, parseInstant } from './common.ts';

/*
 * Opsgenie REST API v2 (docs/import.md, "Opsgenie"): `Authorization: GenieKey …`, the US host
 * (api.opsgenie.com) or the EU one (api.eu.opsgenie.com) as --api-url, `limit`/`offset` paging
 * following `paging.next`. Rotations of a schedule are all on call at once (cumulative); overrides
 * win, over the whole schedule or over the rotations they name.
 */

type Participant = { type: string; id?: string; username?: string; name?: string };
type Restriction = {
  startDay?: string;
  endDay?: string;
  startHour: number;
  startMin: number;
  endHour: number;
  endMin: number;
};
type TimeRestriction = {
  type: 'time-of-day' | 'weekday-and-time-of-day';
  restriction?: Restriction;
  restrictions?: Restriction[];
};
type OgRotation = {
  id: string;
  name: string;
  startDate: string;
  endDate?: string;
  type: 'hourly' | 'daily' | 'weekly';
  length?: number;
  participants: Participant[];
  timeRestriction?: TimeRestriction;
};
type OgSchedule = {
  id: string;
  name: string;
  description?: string;
  timezone: string;
  enabled: boolean;
  ownerTeam?: { id: string; name: string };
  rotations?: OgRotation[];
};
type OgOverride = {
  alias: string;
  user: Participant;
  startDate: string;
  endDate: string;
  rotations?: { id: string; name?: string }[];
};
type OgEscalation = {
  id: string;
  name: string;
  description?: string;
  ownerTeam?: { id: string; name: string };
  rules: {
    condition: string;
    notifyType: string;
    delay: { timeAmount: number; timeUnit?: string };
    recipient: Participant;
  }[];
  repeat?: {
    waitInterval?: number;
    count?: number;
    resetRecipientStates?: boolean;
    closeAlertAfterAll?: boolean;
  };
};
type OgRoutingRule = {
  id: string;
  name?: string;
  isDefault?: boolean;
  order: number;
  timezone?: string;
  criteria?: { type: string };
  timeRestriction?: TimeRestriction;
  notify: { type: string; id?: string; name?: string };
};

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const SUNDAY_FIRST = [1, 2, 3, 4, 5, 6, 0];
const CHANNEL_OF_METHOD: Record<string, string> = {
  email: 'email',
  sms: 'sms',
  voice: 'voice',
  mobile: 'push',
};

async function ogList<T>(http: SourceHttp, path: string, query: Record<string, string> = {}): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = http.url(path, { ...query, limit: '100', offset: '0' });
  while (next) {
    const page: { data?: T[]; paging?: { next?: string } } = await http.getJson(next);
    items.push(...(page.data ?? []));
    next = page.data?.length ? page.paging?.next : undefined;
  }
  return items;
}

const minutes = (h: number, m: number) => h * 3600 + m * 60;

/** An Opsgenie time restriction as Vigil periods (daily or weekly, from Monday 00:00). */
function periodsOf(
  restriction: TimeRestriction | undefined,
): Pick<LayerDraft, 'restrict_mode' | 'restrict_periods'> {
  if (!restriction) return { restrict_mode: 0, restrict_periods: [] };
  if (restriction.type === 'time-of-day') {
    const r = restriction.restriction!;
    const [start, end] = [minutes(r.startHour, r.startMin), minutes(r.endHour, r.endMin)];
    if (start % 86_400 === end % 86_400) return { restrict_mode: 0, restrict_periods: [] };
    return { restrict_mode: 1, restrict_periods: [{ restrict_start: start, restrict_end: end }] };
  }
  const periods = (restriction.restrictions ?? []).map((r) => {
    const start = DAYS.indexOf(r.startDay!) * 86_400 + minutes(r.startHour, r.startMin);
    const end = DAYS.indexOf(r.endDay!) * 86_400 + minutes(r.endHour, r.endMin);
    if (start < 0 || end < 0) throw new Unmappable(`a restriction day Vigil does not know`);
    return { restrict_start: start, restrict_end: end === start ? end + 604_800 : end };
  });
  if (periods.length === 0 || periods.length > 20)
    throw new Unmappable(`${periods.length} restriction periods`);
  return { restrict_mode: 2, restrict_periods: periods };
}

/** A routing rule's time restriction as Vigil rule windows (weekdays 0 = Sunday). */
function windowsOf(restriction: TimeRestriction | undefined): TimeFilterDraft[] {
  if (!restriction) return [];
  const hhmm = (s: number) =>
    `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
  if (restriction.type === 'time-of-day') {
    const r = restriction.restriction!;
    return [
      { start: hhmm(minutes(r.startHour, r.startMin)), end: hhmm(minutes(r.endHour, r.endMin)), repeat: [] },
    ];
  }
  const out: TimeFilterDraft[] = [];
  for (const r of restriction.restrictions ?? []) {
    const [from, to] = [DAYS.indexOf(r.startDay!), DAYS.indexOf(r.endDay!)];
    const [start, end] = [minutes(r.startHour, r.startMin), minutes(r.endHour, r.endMin)];
    // Split at midnights: a Vigil window spans at most into the next day.
    const span = (((to - from) % 7) + 7) % 7 || (end <= start ? 7 : 0);
    for (let d = 0; d <= span; d++) {
      const day = SUNDAY_FIRST[(from + d) % 7]!;
      const s = d === 0 ? start : 0;
      const e = d === span ? end : 86_400;
      if (s < e) out.push({ start: hhmm(s), end: e === 86_400 ? '24:00' : hhmm(e), repeat: [day] });
    }
  }
  return out;
}

export function opsgenieSource(http: SourceHttp, options: { now: number }): Source {
  const users = memo(() =>
    ogList<{ id: string; username: string; fullName: string; timeZone?: string }>(http, '/v2/users'),
  );
  const teams = memo(() => ogList<{ id: string; name: string; description?: string }>(http, '/v2/teams'));
  const escalations = memo(() => ogList<OgEscalation>(http, '/v2/escalations'));
  const routing = memo(async () => {
    const out = new Map<string, OgRoutingRule[]>();
    for (const team of await teams()) {
      out.set(
        team.id,
        await ogList<OgRoutingRule>(http, `/v2/teams/${encodeURIComponent(team.id)}/routing-rules`),
      );
    }
    return out;
  });
  const integrations = memo(() =>
    ogList<{ id: string; name: string; type: string; enabled?: boolean; teamId?: string }>(
      http,
      '/v2/integrations',
    ),
  );

  async function memberOf(user: {
    id: string;
    username: string;
    fullName: string;
    timeZone?: string;
  }): Promise<DesiredMember> {
    const notes: string[] = [];
    const contacts = await ogList<{ method: string; to: string; status?: { enabled: boolean } }>(
      http,
      `/v2/users/${encodeURIComponent(user.id)}/contacts`,
    );
    const phone = contacts.find((c) => c.method === 'sms' || c.method === 'voice');
    const [country, number] = phone?.to.includes('-') ? phone.to.split('-', 2) : ['', phone?.to ?? ''];
    const extra = contacts.filter(
      (c) =>
        c !== phone && !(c.method === 'email' && c.to === user.username) && !(phone && c.to === phone.to),
    );
    if (extra.length > 0)
      notes.push(
        `not mapped: contacts ${extra.map((c) => `${c.method} ${c.to}`).join(', ')} (Vigil keeps one e-mail and one phone)`,
      );
    const rules = await ogList<{ id: string; name: string; actionType: string; enabled?: boolean }>(
      http,
      `/v2/users/${encodeURIComponent(user.id)}/notification-rules`,
    );
    let notify: SeverityChannels | undefined;
    for (const rule of rules) {
      if (rule.enabled === false) continue;
      if (rule.actionType !== 'create-alert') {
        notes.push(
          `not mapped: notification rule "${rule.name}" (${rule.actionType}): Vigil notifies people of new incidents and escalations`,
        );
        continue;
      }
      const detail = await http.getJson<{
        data: {
          criteria?: { type: string };
          steps?: { contact: { method: string }; sendAfter?: { timeAmount: number }; enabled?: boolean }[];
        };
      }>(`/v2/users/${encodeURIComponent(user.id)}/notification-rules/${encodeURIComponent(rule.id)}`);
      if (detail.data.criteria && detail.data.criteria.type !== 'match-all') {
        notes.push(
          `not mapped: notification rule "${rule.name}" applies to some alerts only (${detail.data.criteria.type})`,
        );
        continue;
      }
      notify ??= { critical: [], warning: [], info: [] };
      for (const step of detail.data.steps ?? []) {
        if (step.enabled === false) continue;
        const channel = CHANNEL_OF_METHOD[step.contact.method];
        if (!channel) continue;
        if ((step.sendAfter?.timeAmount ?? 0) > 0) {
          notes.push(
            `not mapped: ${channel} ${step.sendAfter!.timeAmount} min after an alert (Vigil notifies a person's channels at once)`,
          );
          continue;
        }
        for (const severity of ['critical', 'warning', 'info'] as const) {
          if (!notify[severity].includes(channel)) notify[severity].push(channel);
        }
      }
    }
    return {
      source_id: user.id,
      name: user.fullName || user.username,
      email: user.username,
      phone: phone ? { country_code: country ?? '', number: number ?? '' } : undefined,
      time_zone: user.timeZone && isValidTimeZone(user.timeZone) ? user.timeZone : undefined,
      notify,
      notes,
    };
  }

  function scheduleOf(schedule: OgSchedule, overrides: OgOverride[]): DesiredSchedule {
    const base = {
      source_id: schedule.id,
      name: schedule.name,
      description: schedule.description ?? '',
      team: schedule.ownerTeam?.id,
      time_zone: schedule.timezone,
      layers: [] as LayerDraft[],
      notes: schedule.enabled
        ? []
        : ['disabled in Opsgenie: imported as it is (Vigil schedules are always on)'],
    };
    if (!isValidTimeZone(schedule.timezone))
      return { ...base, unmapped: `time zone ${schedule.timezone} is not an IANA zone` };
    try {
      const rotations = (schedule.rotations ?? []).filter(
        (r) => !r.endDate || parseInstant(r.endDate) > options.now,
      );
      const global = overrides.filter(
        (o) => !o.rotations?.length || o.rotations.length >= (schedule.rotations ?? []).length,
      );
      for (const rotation of rotations) {
        const groups = rotation.participants.map((p) => {
          if (p.type === 'none') return [];
          if (p.type !== 'user' || !p.id)
            throw new Unmappable(`${rotation.name}: a ${p.type} takes turns (Vigil rotates people)`);
          return [p.id];
        });
        const unit = { hourly: 'hour', daily: 'day', weekly: 'week' }[rotation.type] as
          | 'hour'
          | 'day'
          | 'week';
        const value = rotation.length ?? 1;
        if (value > 30)
          throw new Unmappable(`${rotation.name}: turns of ${value} ${unit}s (Vigil allows 30)`);
        const restrictions = periodsOf(rotation.timeRestriction);
        const from = parseInstant(rotation.startDate);
        const until = rotation.endDate ? parseInstant(rotation.endDate) : null;
        // Overrides of this rotation only: the rotation is cut around them, the person takes its turns there.
        const own = overrides
          .filter((o) => !global.includes(o) && o.rotations?.some((r) => r.id === rotation.id))
          .map((o) => ({ start: parseInstant(o.startDate), end: parseInstant(o.endDate), user: o.user.id! }))
          .filter((o) => o.end > from && (until === null || o.start < until))
          .sort((a, b) => a.start - b.start);
        let cursor = from;
        const spec = {
          name: rotation.name.slice(0, 40),
          zone: schedule.timezone,
          anchor: from,
          unit,
          value,
          groups,
          ...restrictions,
        };
        for (const o of own) {
          if (o.start < cursor && cursor > from)
            throw new Unmappable(`${rotation.name}: overlapping overrides`);
          if (o.start > cursor) {
            base.layers.push(
              ...rotationLayers({
                ...spec,
                from: cursor,
                until: Math.min(o.start, until ?? o.start),
                cumulative: base.layers.length > 0,
              }),
            );
          }
          const [s, e] = [Math.max(o.start, from), until === null ? o.end : Math.min(o.end, until)];
          if (s < e)
            base.layers.push(
              ...rotationLayers({
                ...spec,
                groups: [[o.user]],
                anchor: s,
                from: s,
                until: e,
                cumulative: base.layers.length > 0,
              }),
            );
          cursor = Math.max(cursor, o.end);
        }
        if (until === null || cursor < until) {
          base.layers.push(
            ...rotationLayers({ ...spec, from: cursor, until, cumulative: base.layers.length > 0 }),
          );
        }
      }
      for (const o of global) {
        const [start, end] = [parseInstant(o.startDate), parseInstant(o.endDate)];
        if (start % 60 || end % 60) throw new Unmappable('an override starts or ends off a whole minute');
        base.layers.push({
          layer_name: 'Override',
          mode: 1,
          groups: [[o.user.id!]],
          rotation_unit: 'day',
          rotation_value: 1,
          handoff_time: 0,
          layer_start: start,
          layer_end: end,
          restrict_mode: 0,
          restrict_periods: [],
          cumulative: false,
        });
      }
      if (base.layers.length > 20)
        throw new Unmappable(`needs ${base.layers.length} Vigil layers (at most 20)`);
      return base;
    } catch (error) {
      if (error instanceof Unmappable) return { ...base, layers: [], unmapped: error.message };
      throw error;
    }
  }

  function layersOf(
    escalation: OgEscalation,
  ): { layers: RuleLayerDraft[]; aggr: number; notes: string[] } | string {
    const notes: string[] = [];
    const rules = [...escalation.rules].sort((a, b) => a.delay.timeAmount - b.delay.timeAmount);
    const steps: { at: number; target: RuleLayerDraft['target']; closed: boolean }[] = [];
    for (const rule of rules) {
      if (rule.delay.timeUnit && rule.delay.timeUnit !== 'minutes')
        return `a delay in ${rule.delay.timeUnit}`;
      const at = rule.delay.timeAmount;
      let step = steps.find((s) => s.at === at);
      if (!step) {
        step = {
          at,
          target: { users: [], teams: [], schedules: [] },
          closed: rule.condition === 'if-not-closed',
        };
        steps.push(step);
      }
      const r = rule.recipient;
      if (r.type === 'user' && rule.notifyType === 'default') step.target.users.push(r.id!);
      else if (r.type === 'schedule' && rule.notifyType === 'default') step.target.schedules.push(r.id!);
      else if (r.type === 'team' && rule.notifyType === 'users') step.target.teams.push(r.id!);
      else return `notifying ${rule.notifyType} of a ${r.type} has no Vigil equivalent`;
      if ((rule.condition === 'if-not-closed') !== step.closed)
        return 'rules at one time with different conditions';
    }
    // Vigil escalates an acknowledged incident only out of layers marked force_escalate.
    const firstAcked = steps.findIndex((s, i) => i > 0 && !s.closed);
    if (firstAcked >= 0 && steps.slice(firstAcked).some((s) => s.closed)) {
      return 'an "if not closed" rule after an "if not acknowledged" one';
    }
    const repeat = escalation.repeat;
    const cycles = 1 + (repeat?.count ?? 0);
    if (steps.length * cycles > 10)
      return `${steps.length * cycles} layers with the repeats (Vigil keeps 10)`;
    if (repeat?.closeAlertAfterAll) notes.push('not mapped: closing the alert after the last repeat');
    if (steps[0]!.at * 60 > 3600) return `a first delay of ${steps[0]!.at} min (Vigil waits at most 60)`;
    const layers: RuleLayerDraft[] = [];
    for (let cycle = 0; cycle < cycles; cycle++) {
      steps.forEach((step, i) => {
        const next = steps[i + 1];
        const window = next ? next.at - step.at : (repeat?.waitInterval ?? 0) + steps[0]!.at;
        layers.push({
          target: step.target,
          max_times: 0,
          notify_step: 1,
          escalate_window: Math.min(window, 720),
          force_escalate: next ? next.closed : steps[0]!.closed,
        });
      });
    }
    if (cycles > 1) notes.push(`the ${cycles - 1} repeat(s) are written out as layers`);
    return { layers, aggr: steps[0]!.at * 60, notes };
  }

  async function channels(ids: Set<string>): Promise<DesiredChannel[]> {
    return (await teams())
      .filter((team) => ids.has(team.id))
      .map((team) => ({
        source_id: team.id,
        name: team.name,
        description: team.description ?? '',
        team: team.id,
        notes: [],
      }));
  }

  return {
    name: 'opsgenie',
    async users() {
      const out: DesiredMember[] = [];
      for (const user of await users()) out.push(await memberOf(user));
      return { users: out, skipped: [] };
    },
    async teams() {
      const out = [];
      for (const team of await teams()) {
        const detail = await http.getJson<{ data: { members?: { user: { id: string } }[] } }>(
          `/v2/teams/${encodeURIComponent(team.id)}`,
        );
        out.push({
          source_id: team.id,
          name: team.name,
          description: team.description ?? '',
          members: (detail.data.members ?? []).map((m) => m.user.id),
          notes: [],
        });
      }
      return { teams: out, skipped: [] };
    },
    async schedules() {
      const list = await ogList<OgSchedule>(http, '/v2/schedules', { expand: 'rotation' });
      const out: DesiredSchedule[] = [];
      for (const schedule of list) {
        const overrides = (
          await http.getJson<{ data: OgOverride[] }>(
            `/v2/schedules/${encodeURIComponent(schedule.id)}/overrides`,
          )
        ).data;
        out.push(
          scheduleOf(
            schedule,
            overrides.filter((o) => parseInstant(o.endDate) > options.now),
          ),
        );
      }
      return { schedules: out, skipped: [] };
    },
    async oncall(scheduleId, window) {
      const weeks = Math.ceil((window.end - window.start) / (7 * 86_400));
      const answer = await http.getJson<{
        data: {
          finalTimeline?: {
            rotations?: { periods?: { startDate: string; endDate: string; recipient?: Participant }[] }[];
          };
        };
      }>(`/v2/schedules/${encodeURIComponent(scheduleId)}/timeline`, {
        date: new Date(window.start * 1000).toISOString(),
        interval: String(weeks),
        intervalUnit: 'weeks',
      });
      return (answer.data.finalTimeline?.rotations ?? []).flatMap((r) =>
        (r.periods ?? [])
          .filter((p) => p.recipient?.type === 'user' && p.recipient.id)
          .map((p) => ({
            start: parseInstant(p.startDate),
            end: parseInstant(p.endDate),
            users: [p.recipient!.id!],
          })),
      );
    },
    async escalations() {
      const [all, byTeam] = [await escalations(), await routing()];
      const byId = new Map(all.map((e) => [e.id, e]));
      const rules: DesiredRule[] = [];
      const used = new Set<string>();
      for (const [teamId, list] of byTeam) {
        const ordered = [...list].sort(
          (a, b) => Number(a.isDefault) - Number(b.isDefault) || a.order - b.order,
        );
        ordered.forEach((rr, priority) => {
          const escalation = rr.notify.type === 'escalation' ? byId.get(rr.notify.id ?? '') : undefined;
          if (escalation) used.add(escalation.id);
          const base = {
            source_id: rr.id,
            channel: teamId,
            name: rr.name || escalation?.name || rr.notify.name || 'Routing rule',
            description: escalation?.description ?? '',
            priority,
            aggr_window: 0,
            layers: [] as RuleLayerDraft[],
            time_filters: windowsOf(rr.timeRestriction),
            time_zone: rr.timeRestriction ? rr.timezone : undefined,
            notes: [] as string[],
          };
          if (rr.criteria && rr.criteria.type !== 'match-all') {
            rules.push({
              ...base,
              unmapped: `routing conditions (${rr.criteria.type}) are Opsgenie alert fields`,
            });
            return;
          }
          if (rr.notify.type === 'schedule') {
            rules.push({
              ...base,
              layers: [
                {
                  target: { users: [], teams: [], schedules: [rr.notify.id!] },
                  max_times: 0,
                  notify_step: 1,
                  escalate_window: 0,
                  force_escalate: false,
                },
              ],
            });
            return;
          }
          if (!escalation) {
            rules.push({
              ...base,
              unmapped: rr.notify.type === 'none' ? 'it notifies nobody' : 'its escalation is not found',
            });
            return;
          }
          const mapped = layersOf(escalation);
          if (typeof mapped === 'string') rules.push({ ...base, unmapped: mapped });
          else rules.push({ ...base, layers: mapped.layers, aggr_window: mapped.aggr, notes: mapped.notes });
        });
      }
      const skipped: Skipped[] = all
        .filter((e) => !used.has(e.id))
        .map((e) => ({
          kind: 'escalation',
          source_id: e.id,
          name: e.name,
          reason: 'no team routing rule sends alerts to it',
        }));
      return { channels: await channels(new Set(rules.map((r) => r.channel))), rules, skipped };
    },
    async integrations() {
      const out: DesiredIntegration[] = [];
      const skipped: Skipped[] = [];
      for (const i of await integrations()) {
        if (!i.teamId) {
          skipped.push({
            kind: 'integration',
            source_id: i.id,
            name: i.name,
            reason: 'it belongs to no team (Vigil integrations feed a channel)',
          });
        } else if (/email/i.test(i.type)) {
          skipped.push({
            kind: 'integration',
            source_id: i.id,
            name: i.name,
            reason: 'e-mail integrations have no Vigil equivalent',
          });
        } else {
          const prometheus = /prometheus|alertmanager/i.test(i.type);
          out.push({
            source_id: i.id,
            channel: i.teamId,
            name: i.name,
            description: `Opsgenie ${i.type} integration`,
            plugin_type: prometheus ? 'alert.prometheus' : 'alert.standard',
            notes: [
              ...(prometheus
                ? []
                : [
                    `the sender must switch to Vigil's standard alert events (it sent Opsgenie ${i.type} alerts)`,
                  ]),
              ...(i.enabled === false ? ['disabled in Opsgenie'] : []),
              "routing: the team's routing rules became the channel's escalation rules",
            ],
          });
        }
      }
      return { channels: await channels(new Set(out.map((i) => i.channel))), integrations: out, skipped };
    },
  };
}

import { isValidTimeZone } from '../../schedules/zoned.ts';
import type {
  DesiredChannel,
  DesiredIntegration,
  DesiredMember,
  DesiredRule,
  DesiredSchedule,
  DesiredTeam,
  LayerDraft,
  RuleLayerDraft,
  SeverityChannels,
  Skipped,
  Source,
  SourceShift,
} from '../model.ts';
import { rotationLayers, turnUnit, Unmappable } from '../rotation.ts';
import type { SourceHttp } from '../source-http.ts';
import { daysOfRestrictions, memo, parseInstant, secondsOfDay } from './common.ts';

/*
 * PagerDuty REST API v2 (docs/import.md, "PagerDuty"): `Authorization: Token token=…`,
 * offset/limit paging until `more` is false, schedules with their layers, overrides, escalation
 * policies, services with their integrations, users with contact methods and notification rules.
 */

export const PAGERDUTY_HEADERS = (token: string) => ({
  authorization: `Token token=${token}`,
  accept: 'application/vnd.pagerduty+json;version=2',
});

type Ref = { id: string; type: string; summary?: string };
type PdUser = {
  id: string;
  name: string;
  email: string;
  time_zone?: string | null;
  contact_methods?: { id: string; type: string; address: string; country_code?: number; label?: string }[];
  notification_rules?: {
    id: string;
    start_delay_in_minutes: number;
    urgency: 'high' | 'low';
    contact_method: { id: string; type: string };
  }[];
};
type PdRestriction = {
  type: 'daily_restriction' | 'weekly_restriction';
  start_time_of_day: string;
  duration_seconds: number;
  start_day_of_week?: number;
};
type PdLayer = {
  id: string;
  name: string;
  start: string;
  end: string | null;
  rotation_virtual_start: string;
  rotation_turn_length_seconds: number;
  users: { user: Ref }[];
  restrictions: PdRestriction[];
};
type PdSchedule = {
  id: string;
  name: string;
  description?: string | null;
  time_zone: string;
  schedule_layers?: PdLayer[];
  teams?: Ref[];
};
type PdPolicy = {
  id: string;
  name: string;
  description?: string | null;
  num_loops?: number;
  escalation_rules: {
    escalation_delay_in_minutes: number;
    targets: Ref[];
    escalation_rule_assignment_strategy?: string | { type: string };
  }[];
  teams?: Ref[];
};
type PdIntegration = { id: string; type: string; name?: string; summary?: string; vendor?: Ref | null };
type PdService = {
  id: string;
  name: string;
  description?: string | null;
  escalation_policy: Ref;
  teams?: Ref[];
  integrations?: PdIntegration[];
  auto_resolve_timeout?: number | null;
  acknowledgement_timeout?: number | null;
  alert_grouping_parameters?: { type?: string | null } | null;
};

const CHANNEL_OF_CONTACT: Record<string, string> = {
  email_contact_method: 'email',
  phone_contact_method: 'voice',
  sms_contact_method: 'sms',
  push_notification_contact_method: 'push',
};

/** Every item of an offset-paged list. */
async function pdList<T>(
  http: SourceHttp,
  path: string,
  key: string,
  query: Record<string, string | string[]> = {},
): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; ) {
    const page = await http.getJson<Record<string, unknown> & { more?: boolean }>(path, {
      ...query,
      limit: '100',
      offset: String(offset),
    });
    const got = (page[key] as T[] | undefined) ?? [];
    items.push(...got);
    offset += got.length;
    if (!page.more || got.length === 0) return items;
  }
}

function userOf(user: PdUser): DesiredMember {
  const notes: string[] = [];
  const methods = user.contact_methods ?? [];
  const phone = methods.find((m) => m.type === 'phone_contact_method' || m.type === 'sms_contact_method');
  const others = methods.filter(
    (m) =>
      m !== phone &&
      !(m.type === 'email_contact_method' && m.address.toLowerCase() === user.email.toLowerCase()),
  );
  const samePhone = (m: (typeof methods)[number]) =>
    phone &&
    (m.type === 'phone_contact_method' || m.type === 'sms_contact_method') &&
    m.address === phone.address;
  const dropped = others.filter((m) => !samePhone(m));
  if (dropped.length > 0) {
    notes.push(
      `not mapped: contact methods ${dropped.map((m) => `${m.type.replace('_contact_method', '')} ${m.address}`).join(', ')} (Vigil keeps one e-mail and one phone)`,
    );
  }
  let notify: SeverityChannels | undefined;
  const rules = user.notification_rules ?? [];
  if (rules.length > 0) {
    notify = { critical: [], warning: [], info: [] };
    for (const rule of rules) {
      const channel = CHANNEL_OF_CONTACT[rule.contact_method.type.replace(/_reference$/, '')];
      if (!channel) {
        notes.push(`not mapped: notification rule by ${rule.contact_method.type} (no Vigil channel)`);
        continue;
      }
      if (rule.start_delay_in_minutes > 0) {
        notes.push(
          `not mapped: ${channel} ${rule.start_delay_in_minutes} min after a ${rule.urgency}-urgency incident (Vigil notifies a person's channels at once)`,
        );
        continue;
      }
      const severities: (keyof SeverityChannels)[] =
        rule.urgency === 'high' ? ['critical', 'warning'] : ['info'];
      for (const severity of severities) {
        if (!notify[severity].includes(channel)) notify[severity].push(channel);
      }
    }
  }
  return {
    source_id: user.id,
    name: user.name,
    email: user.email,
    phone: phone ? { country_code: String(phone.country_code ?? ''), number: phone.address } : undefined,
    time_zone: user.time_zone && isValidTimeZone(user.time_zone) ? user.time_zone : undefined,
    notify,
    notes,
  };
}

/** PagerDuty restrictions as Vigil periods: daily → mode 1; any weekly → mode 2 (daily ones repeated). */
function restrictionsOf(
  restrictions: PdRestriction[],
): Pick<LayerDraft, 'restrict_mode' | 'restrict_periods'> {
  if (restrictions.some((r) => r.duration_seconds >= (r.type === 'daily_restriction' ? 86_400 : 604_800))) {
    return { restrict_mode: 0, restrict_periods: [] };
  }
  const weekly = restrictions.some((r) => r.type === 'weekly_restriction');
  const span = weekly ? 604_800 : 86_400;
  const periods = restrictions.flatMap((r) => {
    const time = secondsOfDay(r.start_time_of_day);
    const starts =
      r.type === 'weekly_restriction'
        ? [((r.start_day_of_week ?? 1) - 1) * 86_400 + time]
        : weekly
          ? daysOfRestrictions().map((day) => day * 86_400 + time)
          : [time];
    return starts.map((start) => {
      const end = start + r.duration_seconds;
      return { restrict_start: start, restrict_end: end > span ? end - span : end };
    });
  });
  if (periods.some((p) => p.restrict_start % 60 !== 0 || p.restrict_end % 60 !== 0)) {
    throw new Unmappable('a restriction starts or ends off a whole minute');
  }
  if (periods.length > 20) throw new Unmappable(`${periods.length} restriction periods (Vigil keeps 20)`);
  return { restrict_mode: periods.length === 0 ? 0 : weekly ? 2 : 1, restrict_periods: periods };
}

export function pagerdutySource(http: SourceHttp, options: { now: number }): Source {
  const users = memo(() =>
    pdList<PdUser>(http, '/users', 'users', { 'include[]': ['contact_methods', 'notification_rules'] }),
  );
  const services = memo(() =>
    pdList<PdService>(http, '/services', 'services', { 'include[]': ['integrations'] }),
  );
  const horizon = options.now + 365 * 86_400;

  async function overridesOf(scheduleId: string): Promise<{ start: string; end: string; user: Ref }[]> {
    const seen = new Map<string, { start: string; end: string; user: Ref }>();
    // The API answers at most a few months per call: read the next year in quarters.
    for (let since = options.now; since < horizon; since += 90 * 86_400) {
      const until = Math.min(horizon, since + 90 * 86_400);
      const page = await http.getJson<{ overrides: (Ref & { start: string; end: string; user: Ref })[] }>(
        `/schedules/${encodeURIComponent(scheduleId)}/overrides`,
        { since: new Date(since * 1000).toISOString(), until: new Date(until * 1000).toISOString() },
      );
      for (const o of page.overrides ?? []) seen.set(o.id ?? `${o.start}/${o.user.id}`, o);
    }
    return [...seen.values()].sort((a, b) => parseInstant(a.start) - parseInstant(b.start));
  }

  function scheduleOf(
    schedule: PdSchedule,
    overrides: { start: string; end: string; user: Ref }[],
  ): DesiredSchedule {
    const base = {
      source_id: schedule.id,
      name: schedule.name,
      description: schedule.description ?? '',
      team: schedule.teams?.[0]?.id,
      time_zone: schedule.time_zone,
      layers: [] as LayerDraft[],
      notes: [] as string[],
    };
    if (!isValidTimeZone(schedule.time_zone)) {
      return { ...base, unmapped: `time zone ${schedule.time_zone} is not an IANA zone` };
    }
    try {
      // The API lists the highest layer first (it wins); Vigil's later layers win.
      const layers = [...(schedule.schedule_layers ?? [])].reverse();
      for (const layer of layers) {
        const end = layer.end ? parseInstant(layer.end) : null;
        if (end !== null && end <= options.now) continue;
        const turn = turnUnit(layer.rotation_turn_length_seconds);
        if (!turn) {
          throw new Unmappable(
            `${layer.name}: turns of ${layer.rotation_turn_length_seconds} s are not 1–30 whole hours, days or weeks`,
          );
        }
        base.layers.push(
          ...rotationLayers({
            name: layer.name.slice(0, 40),
            zone: schedule.time_zone,
            anchor: parseInstant(layer.rotation_virtual_start),
            ...turn,
            groups: layer.users.map((u) => [u.user.id]),
            ...restrictionsOf(layer.restrictions ?? []),
            from: parseInstant(layer.start),
            until: end,
            cumulative: false,
          }),
        );
      }
      for (const o of overrides) {
        const [start, end] = [parseInstant(o.start), parseInstant(o.end)];
        if (start % 60 !== 0 || end % 60 !== 0)
          throw new Unmappable('an override starts or ends off a whole minute');
        base.layers.push({
          layer_name: 'Override',
          mode: 1,
          groups: [[o.user.id]],
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
      if (base.layers.length === 0) base.notes.push('no layer is in force now or later');
      return base;
    } catch (error) {
      if (error instanceof Unmappable) return { ...base, layers: [], unmapped: error.message };
      throw error;
    }
  }

  const schedules = memo(async () => {
    const list = await pdList<PdSchedule>(http, '/schedules', 'schedules', {
      'include[]': ['schedule_layers'],
    });
    const out: DesiredSchedule[] = [];
    for (const schedule of list) out.push(scheduleOf(schedule, await overridesOf(schedule.id)));
    return { schedules: out, skipped: [] as Skipped[] };
  });

  const channelOf = (service: PdService): DesiredChannel => {
    const notes: string[] = [];
    if (service.acknowledgement_timeout) {
      notes.push(`not mapped: re-trigger ${service.acknowledgement_timeout / 60} min after acknowledgement`);
    }
    if (service.alert_grouping_parameters?.type) {
      notes.push(
        `grouping in PagerDuty: ${service.alert_grouping_parameters.type} (set the channel's grouping in Vigil)`,
      );
    }
    const timeout = service.auto_resolve_timeout ?? 0;
    return {
      source_id: service.id,
      name: service.name,
      description: service.description ?? '',
      team: service.teams?.[0]?.id,
      ...(timeout > 0 && timeout <= 2_592_000 ? { auto_resolve_timeout: timeout } : {}),
      notes,
    };
  };

  return {
    name: 'pagerduty',
    async users() {
      const list = await users();
      const skipped: Skipped[] = [];
      const out: DesiredMember[] = [];
      for (const user of list) {
        if (!user.email)
          skipped.push({ kind: 'user', source_id: user.id, name: user.name, reason: 'no e-mail' });
        else out.push(userOf(user));
      }
      return { users: out, skipped };
    },
    async teams() {
      const teams = await pdList<{ id: string; name: string; description?: string | null }>(
        http,
        '/teams',
        'teams',
      );
      const out: DesiredTeam[] = [];
      for (const team of teams) {
        const members = await pdList<{ user: Ref }>(
          http,
          `/teams/${encodeURIComponent(team.id)}/members`,
          'members',
        );
        out.push({
          source_id: team.id,
          name: team.name,
          description: team.description ?? '',
          members: members.map((m) => m.user.id),
          notes: [],
        });
      }
      return { teams: out, skipped: [] };
    },
    schedules,
    async oncall(scheduleId, window): Promise<SourceShift[]> {
      const answer = await http.getJson<{
        schedule: {
          final_schedule?: { rendered_schedule_entries?: { start: string; end: string; user?: Ref }[] };
        };
      }>(`/schedules/${encodeURIComponent(scheduleId)}`, {
        since: new Date(window.start * 1000).toISOString(),
        until: new Date(window.end * 1000).toISOString(),
        time_zone: 'UTC',
      });
      return (answer.schedule.final_schedule?.rendered_schedule_entries ?? []).map((e) => ({
        start: parseInstant(e.start),
        end: parseInstant(e.end),
        users: e.user ? [e.user.id] : [],
      }));
    },
    async escalations() {
      const [list, policies] = await Promise.all([
        services(),
        pdList<PdPolicy>(http, '/escalation_policies', 'escalation_policies'),
      ]);
      const byId = new Map(policies.map((p) => [p.id, p]));
      const rules: DesiredRule[] = [];
      const skipped: Skipped[] = [];
      for (const service of list) {
        const policy = byId.get(service.escalation_policy.id);
        if (!policy) continue;
        rules.push(ruleOf(policy, service.id));
      }
      const used = new Set(list.map((s) => s.escalation_policy.id));
      for (const policy of policies) {
        if (!used.has(policy.id)) {
          skipped.push({
            kind: 'escalation policy',
            source_id: policy.id,
            name: policy.name,
            reason: 'no service uses it (Vigil escalation rules belong to channels, made from services)',
          });
        }
      }
      return { channels: list.map(channelOf), rules, skipped };
    },
    async integrations() {
      const list = await services();
      const integrations: DesiredIntegration[] = [];
      const skipped: Skipped[] = [];
      for (const service of list) {
        for (const integration of service.integrations ?? []) {
          const name = integration.name ?? integration.summary ?? integration.type;
          if (integration.type.includes('email')) {
            skipped.push({
              kind: 'integration',
              source_id: integration.id,
              name,
              reason: 'e-mail integrations have no Vigil equivalent (Vigil takes events over HTTP)',
            });
            continue;
          }
          const vendor = integration.vendor?.summary ?? '';
          const prometheus = /prometheus|alertmanager/i.test(vendor);
          integrations.push({
            source_id: integration.id,
            channel: service.id,
            name,
            description: vendor ? `PagerDuty integration (${vendor})` : `PagerDuty ${integration.type}`,
            plugin_type: prometheus ? 'alert.prometheus' : 'alert.standard',
            notes: prometheus
              ? []
              : [
                  `the monitoring system must send Vigil's standard alert events to the new URL (it sent PagerDuty ${vendor || 'Events API'} events)`,
                ],
          });
        }
      }
      return { channels: list.map(channelOf), integrations, skipped };
    },
  };
}

function ruleOf(policy: PdPolicy, channel: string): DesiredRule {
  const base = {
    source_id: policy.id,
    channel,
    name: policy.name,
    description: policy.description ?? '',
    priority: 0,
    aggr_window: 0,
    layers: [] as RuleLayerDraft[],
    time_filters: [],
    notes: [] as string[],
  };
  const loops = policy.num_loops ?? 0;
  const steps = policy.escalation_rules;
  if (steps.length * (1 + loops) > 10) {
    return {
      ...base,
      unmapped: `${steps.length} rules repeated ${loops} times make ${steps.length * (1 + loops)} layers (Vigil keeps 10)`,
    };
  }
  for (const step of steps) {
    const strategy =
      typeof step.escalation_rule_assignment_strategy === 'string'
        ? step.escalation_rule_assignment_strategy
        : step.escalation_rule_assignment_strategy?.type;
    if (strategy === 'round_robin') {
      return { ...base, unmapped: 'round-robin assignment has no Vigil equivalent' };
    }
    if (step.escalation_delay_in_minutes > 720) {
      return { ...base, unmapped: `a delay of ${step.escalation_delay_in_minutes} min (Vigil allows 720)` };
    }
    const unknown = step.targets.find((t) => !/^(user|schedule)(_reference)?$/.test(t.type));
    if (unknown) return { ...base, unmapped: `a target of type ${unknown.type}` };
  }
  for (let loop = 0; loop <= loops; loop++) {
    for (const step of steps) {
      base.layers.push({
        target: {
          users: step.targets.filter((t) => t.type.startsWith('user')).map((t) => t.id),
          teams: [],
          schedules: step.targets.filter((t) => t.type.startsWith('schedule')).map((t) => t.id),
        },
        max_times: 0,
        notify_step: 1,
        escalate_window: step.escalation_delay_in_minutes,
        force_escalate: false,
      });
    }
  }
  if (loops > 0) base.notes.push(`the ${loops} repeat(s) of the policy are written out as layers`);
  return base;
}

import { describeWarning, type HeadsUpWarning, type Names } from './escalation.ts';

/*
 * Pure presentation helpers: times in the member's time zone, timeline entries as sentences.
 * No React here, so these are unit-tested directly (test/web/format.test.ts).
 */

/** The zone to show times in: the member's, else the account's, else the browser's. */
export function pickTimeZone(...candidates: (string | undefined)[]): string {
  for (const zone of candidates) {
    if (!zone) continue;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return zone;
    } catch {
      // an unknown zone name: try the next
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "Jan 5, 2026, 09:00" for a time in milliseconds, in `timeZone`; "—" for 0 (not happened). */
export function formatTime(ms: number, timeZone: string, locale = 'en-US'): string {
  if (!ms) return '—';
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

/** "3 min", "2 h 5 min", "4 d 1 h": how long from `fromMs` to `toMs`. */
export function formatDuration(fromMs: number, toMs: number): string {
  const minutes = Math.max(0, Math.floor((toMs - fromMs) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

type Entry = { type: string; detail: Record<string, unknown>; creator_id: number };

/** The warnings an `i_warn` entry carries (objects with a kind; anything else is dropped). */
export function warningsOf(detail: Record<string, unknown>): HeadsUpWarning[] {
  return Array.isArray(detail.warnings)
    ? detail.warnings.filter(
        (w): w is HeadsUpWarning => typeof w === 'object' && w !== null && typeof w.kind === 'string',
      )
    : [];
}

/** Names a timeline knows without a lookup: teams and schedules by number. */
const WARNING_NAMES: Names = {
  person: (id) => `#${id}`,
  team: (id) => `#${id}`,
  schedule: (id) => `#${id}`,
  time: (seconds) => new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' '),
};

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const num = (value: unknown) => (typeof value === 'number' ? value : 0);

/**
 * One timeline entry (/incident/feed) as "who did what": `name` resolves person ids (0 is Vigil
 * itself, e.g. an automatic close). Unknown types still say something rather than nothing.
 */
export function describeFeedEntry(entry: Entry, name: (personId: number) => string): string {
  const who = entry.creator_id ? name(entry.creator_id) : 'Vigil';
  const d = entry.detail;
  switch (entry.type) {
    case 'i_new':
      return 'Incident triggered';
    case 'i_assign': {
      const ids = Array.isArray(d.person_ids) ? (d.person_ids as number[]) : [];
      const rule = str(d.escalate_rule_name);
      const to = ids.length ? ids.map(name).join(', ') : 'no one';
      return rule ? `Assigned to ${to} by escalation rule ${rule}` : `${who} assigned it to ${to}`;
    }
    case 'i_a_rspd':
      return `${who} added ${Array.isArray(d.person_ids) ? (d.person_ids as number[]).map(name).join(', ') : 'a responder'} as responder`;
    case 'i_notify':
      return 'Responders notified';
    case 'i_storm':
      return 'Alert storm: many alerts grouped into this incident';
    case 'i_snooze':
      return `${who} snoozed it for ${num(d.minutes) || '?'} min`;
    case 'i_wake':
      return d.person_id ? `${who} cancelled the snooze` : 'Snooze ended';
    case 'i_ack':
      return `${who} acknowledged`;
    case 'i_unack':
      return `${who} withdrew the acknowledgement`;
    case 'i_comm':
      return `${who} commented: ${str(d.comment)}`;
    case 'i_rslv':
      return entry.creator_id ? `${who} resolved it` : 'Resolved automatically';
    case 'i_reopen':
      return str(d.reason) ? `${who} reopened it: ${str(d.reason)}` : `${who} reopened it`;
    case 'i_merge':
      return `${who} merged incidents into this one${str(d.comment) ? `: ${str(d.comment)}` : ''}`;
    case 'i_r_title':
      return `${who} changed the title${str(d.to) ? ` to “${str(d.to)}”` : ''}`;
    case 'i_r_desc':
      return `${who} changed the description`;
    case 'i_r_impact':
      return `${who} changed the impact`;
    case 'i_r_rc':
      return `${who} changed the root cause`;
    case 'i_r_rsltn':
      return `${who} changed the resolution`;
    case 'i_r_severity':
      return `${who} changed the severity${str(d.to) ? ` to ${str(d.to)}` : ''}`;
    case 'i_r_field':
      return `${who} changed a field`;
    case 'i_m_flapping':
      return 'Notifications muted: the incident is flapping';
    case 'i_warn': {
      const warnings = warningsOf(d);
      const layer = typeof d.layer_idx === 'number' && d.escalate_rule_id ? ` layer ${d.layer_idx + 1}` : '';
      return `Not everyone could be notified${layer ? ` (${layer.trim()})` : ''}: ${
        warnings.length
          ? warnings.map((w) => describeWarning(w, { ...WARNING_NAMES, person: name })).join(' ')
          : 'part of the escalation reached nobody.'
      }`;
    }
    case 'i_publish':
      return `${who} published it to the status page ${str(d.page_name) || 'a status page'}${str(d.title) ? ` as “${str(d.title)}”` : ''}`;
    case 'i_custom': {
      const action = str(d.integration_name) || 'a custom action';
      return d.ok === false
        ? `${who} ran ${action}: it failed (${str(d.error) || `HTTP ${num(d.status_code)}`})`
        : `${who} ran ${action}`;
    }
    case 'a_merge':
      return 'An alert was grouped into this incident';
    default:
      return `${who}: ${entry.type}`;
  }
}

/** Where a console user fixes what a warning names, when they can. */
export function fixOf(
  w: HeadsUpWarning,
  entry: { detail: Record<string, unknown> },
  me: number,
): { href: string; label: string } | undefined {
  const rule = typeof entry.detail.escalate_rule_id === 'string' ? entry.detail.escalate_rule_id : '';
  switch (w.kind) {
    case 'person_unreachable':
      return Number(w.person_id) === me
        ? { href: '/profile', label: 'Add a contact method on your profile' }
        : { href: '/members', label: 'Check their contact details on Members' };
    case 'schedule_gap':
    case 'schedule_missing':
      return { href: `/schedules/${Number(w.schedule_id)}`, label: 'Open the schedule' };
    case 'team_empty':
      return { href: '/teams', label: 'Add people to the team' };
    default:
      return rule ? { href: `/escalation-rules/${rule}`, label: 'Open the escalation rule' } : undefined;
  }
}

type PlacementEntry = { type: string; detail: Record<string, unknown>; creator_id: number };

/**
 * Why an alert is in this incident, and whether it was muted, in words: from the incident's
 * feed entry for the alert (`i_new` when it opened the incident, `a_merge` when grouping or a
 * person put it there; both carry the grouping `reason`) and the alert's own feed (`a_merge` of a
 * merge, `a_m_silence` / `a_m_inhibit` / `a_m_drop` of the channel's noise rules).
 */
export function describePlacement(
  joined: PlacementEntry | undefined,
  alertFeed: readonly PlacementEntry[],
  name: (personId: number) => string,
  incident: (incidentId: string) => string = (id) => `incident ${id}`,
): string {
  const parts: string[] = [];
  const reason = (entry: PlacementEntry) => str(entry.detail.reason);
  const moved = alertFeed.find((e) => e.type === 'a_merge' && str(e.detail.from_incident_id));
  if (joined?.type === 'i_new') {
    parts.push(reason(joined) ? `Opened this incident: ${reason(joined)}` : 'Opened this incident');
  } else if (joined?.type === 'a_merge' && num(joined.detail.person_id)) {
    parts.push(`${name(num(joined.detail.person_id))} moved it here by hand`);
  } else if (joined?.type === 'a_merge') {
    parts.push(reason(joined) ? `Joined: ${reason(joined)}` : 'Grouped into this incident');
  } else if (moved) {
    const who = moved.creator_id ? name(moved.creator_id) : 'Someone';
    parts.push(`${who} merged it here from ${incident(str(moved.detail.from_incident_id))}`);
  } else {
    parts.push('Grouped into this incident (no reason recorded)');
  }
  const rule = (entry: PlacementEntry) =>
    str(entry.detail.rule_name) ? ` “${str(entry.detail.rule_name)}”` : '';
  for (const entry of alertFeed) {
    const discarded = entry.detail.discarded === true;
    if (entry.type === 'a_m_silence') {
      parts.push(
        discarded
          ? `later events were dropped by the silence rule${rule(entry)}`
          : `muted by the silence rule${rule(entry)}: no one was notified for it`,
      );
    } else if (entry.type === 'a_m_inhibit') {
      parts.push(
        `muted by the inhibit rule${rule(entry)}${str(entry.detail.source_alert_id) ? ` while alert ${str(entry.detail.source_alert_id)} was active` : ''}`,
      );
    } else if (entry.type === 'a_m_drop') {
      parts.push(`later events were dropped by the drop rule${rule(entry)}`);
    }
  }
  return `${parts.join('; ')}.`;
}

export type Delivery = {
  step: string;
  recipient: string;
  channel: string;
  person_id: number;
  status: 'pending' | 'success' | 'failed';
  attempt: number;
  next_attempt_at: number;
  attempted_at: number;
  error_kind: string;
  error_message: string;
};

const CHANNEL_WORDS: Record<string, string> = {
  email: 'E-mail',
  sms: 'SMS',
  voice: 'Voice call',
  push: 'App push',
  feishu: 'Feishu',
  dingtalk: 'DingTalk',
  wecom: 'WeCom',
  slack: 'Slack',
  teams: 'Teams',
  telegram: 'Telegram',
  custom: 'Webhook',
};

/** A delivery-log row (/incident/notification/list) in words: to whom, how, why, and how it went. */
export function describeDelivery(
  item: Delivery,
  name: (personId: number) => string,
  time: (ms: number) => string,
): { to: string; channel: string; step: string; outcome: string } {
  const [kind, ...rest] = item.recipient.split(':');
  const to = item.person_id
    ? name(item.person_id)
    : kind === 'email'
      ? rest.join(':')
      : kind === 'chat'
        ? `${CHANNEL_WORDS[rest[0] ?? ''] ?? rest[0] ?? 'A'} group chat`
        : item.recipient;
  const layer = /:layer:(\d+):fire:(\d+)$/.exec(item.step);
  const step = item.step.startsWith('assign:')
    ? 'Assigned by hand'
    : item.step.startsWith('rspd:')
      ? 'Added as responder'
      : layer
        ? `Escalation layer ${Number(layer[1]) + 1}${Number(layer[2]) > 1 ? `, repeat ${Number(layer[2]) - 1}` : ''}`
        : item.step;
  const why = item.error_message || item.error_kind;
  const outcome =
    item.status === 'success'
      ? `Delivered ${time(item.attempted_at)}`
      : item.status === 'failed'
        ? `Failed${why ? `: ${why}` : ''}`
        : item.attempt === 0
          ? 'Waiting to be sent'
          : `Retrying at ${time(item.next_attempt_at)} (attempt ${item.attempt} failed${why ? `: ${why}` : ''})`;
  return { to, channel: CHANNEL_WORDS[item.channel] ?? item.channel, step, outcome };
}

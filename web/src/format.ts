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
      return `${who} merged incidents into this one`;
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
    case 'i_warn':
      return `Warning: ${Array.isArray(d.warnings) && d.warnings.length ? d.warnings.map(String).join('; ') : 'part of the escalation could not be notified'}`;
    case 'a_merge':
      return 'An alert was grouped into this incident';
    default:
      return `${who}: ${entry.type}`;
  }
}

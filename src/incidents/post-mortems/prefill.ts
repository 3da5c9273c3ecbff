import type { PostMortemBasics, Severity } from '../../db/schema.ts';
import type { Placeholder } from './templates.ts';

/*
 * What a new post-mortem starts with, computed from its incidents: the basics (highest severity,
 * earliest start, latest close, total duration, responders) and the template's placeholders
 * turned into Markdown. Pure: the service loads the facts. Times are written in UTC.
 */

export type FactIncident = {
  incident_id: string;
  title: string;
  incident_severity: Severity;
  progress: string;
  channel_name: string;
  start_time: number;
  /** 0 while the incident is open. */
  close_time: number;
  detail_url: string;
  responders: { person_id: number; assigned_at: number; acknowledged_at: number }[];
};

export type FactEntry = {
  incident_id: string;
  type: string;
  creator_id: number;
  detail: Record<string, unknown>;
  /** Milliseconds, as feeds are. */
  created_at: number;
};

export type FactChange = { title: string; status: string; start_time: number; link: string };

export type Facts = {
  incidents: readonly FactIncident[];
  basics: PostMortemBasics;
  /** Member names by id; an unknown id is written as "member <id>". */
  names: ReadonlyMap<number, string>;
  /** Every incident's timeline, oldest first. */
  timeline: readonly FactEntry[];
  changes: readonly FactChange[];
};

const SEVERITY_RANK: Record<Severity, number> = { Critical: 3, Warning: 2, Info: 1 };

/**
 * The basics of a set of incidents at `now`: an open incident's duration runs until `now`, and the
 * latest close is 0 while any incident is open. Responders are merged by member: the earliest
 * assignment and the earliest acknowledgement across the incidents.
 */
export function basicsOf(incidents: readonly FactIncident[], now: number): PostMortemBasics {
  let highest: Severity = 'Info';
  let earliest = Number.POSITIVE_INFINITY;
  let latestClose = 0;
  let anyOpen = false;
  let total = 0;
  const responders = new Map<number, { person_id: number; assigned_at: number; acknowledged_at: number }>();
  for (const incident of incidents) {
    if (SEVERITY_RANK[incident.incident_severity] > SEVERITY_RANK[highest])
      highest = incident.incident_severity;
    earliest = Math.min(earliest, incident.start_time);
    if (incident.close_time > 0) latestClose = Math.max(latestClose, incident.close_time);
    else anyOpen = true;
    total += Math.max(0, (incident.close_time || now) - incident.start_time);
    for (const r of incident.responders) {
      const seen = responders.get(r.person_id);
      if (!seen) {
        responders.set(r.person_id, { ...r });
        continue;
      }
      if (r.assigned_at > 0 && (seen.assigned_at === 0 || r.assigned_at < seen.assigned_at))
        seen.assigned_at = r.assigned_at;
      if (r.acknowledged_at > 0 && (seen.acknowledged_at === 0 || r.acknowledged_at < seen.acknowledged_at))
        seen.acknowledged_at = r.acknowledged_at;
    }
  }
  return {
    incidents_highest_severity: highest,
    incidents_earliest_start_seconds: Number.isFinite(earliest) ? earliest : 0,
    incidents_latest_close_seconds: anyOpen ? 0 : latestClose,
    incidents_total_duration_seconds: total,
    responders: [...responders.values()],
  };
}

/** A title for a new post-mortem: the incident's, or the first one's and how many more. */
export function defaultTitle(incidents: readonly FactIncident[], maxLength: number): string {
  const [first] = incidents;
  const base = first ? first.title : 'Post-mortem';
  const title = incidents.length > 1 ? `${base} (and ${incidents.length - 1} more)` : base;
  return `Post-mortem: ${title}`.slice(0, maxLength);
}

/**
 * Text from incidents, comments and changes made safe to put inline in Markdown: one line, and
 * every character Markdown or HTML would act on backslash-escaped, so a title cannot inject a
 * link, a heading or a tag into the report.
 */
function inline(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|#!&~{}()]/g, (c) => `\\${c}`);
}

/** A link target Markdown cannot be tricked by: http(s) only, parentheses and blanks encoded. */
function safeUrl(url: string): string | undefined {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return undefined;
  return url.replace(/[()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function utc(seconds: number): string {
  if (seconds <= 0) return '—';
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : `${s % 60}s`;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const ids = (value: unknown): number[] =>
  Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];

/** One timeline entry in words (the console's wording, web/src/format.ts). */
function describeEntry(entry: FactEntry, name: (personId: number) => string): string {
  const who = entry.creator_id ? name(entry.creator_id) : 'Vigil';
  const d = entry.detail;
  switch (entry.type) {
    case 'i_new':
      return 'Incident triggered';
    case 'i_assign': {
      const to = ids(d.person_ids).map(name).join(', ') || 'no one';
      const rule = str(d.escalate_rule_name);
      return rule ? `Assigned to ${to} by escalation rule ${rule}` : `${who} assigned it to ${to}`;
    }
    case 'i_a_rspd':
      return `${who} added ${ids(d.person_ids).map(name).join(', ') || 'a responder'} as responder`;
    case 'i_notify':
      return 'Responders notified';
    case 'i_snooze':
      return `${who} snoozed it`;
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
      return `${who} changed the title${str(d.to) ? ` to "${str(d.to)}"` : ''}`;
    case 'i_r_severity':
      return `${who} changed the severity${str(d.to) ? ` to ${str(d.to)}` : ''}`;
    case 'i_r_desc':
    case 'i_r_impact':
    case 'i_r_rc':
    case 'i_r_rsltn':
    case 'i_r_field':
      return `${who} edited the incident`;
    case 'i_custom':
      return `${who} ran the custom action ${str(d.integration_name) || str(d.name)}`;
    case 'i_wr_create':
      return `${who} opened a war room`;
    case 'i_publish':
      return `${who} published it to the status page ${str(d.page_name)}`;
    case 'a_merge':
      return 'An alert was grouped into this incident';
    default:
      return `${who}: ${entry.type}`;
  }
}

function section(placeholder: Placeholder, facts: Facts): string {
  const name = (id: number) => facts.names.get(id) ?? `member ${id}`;
  const b = facts.basics;
  switch (placeholder) {
    case 'summary':
      return [
        `- Highest severity: ${b.incidents_highest_severity}`,
        `- Started: ${utc(b.incidents_earliest_start_seconds)}`,
        `- Closed: ${b.incidents_latest_close_seconds ? utc(b.incidents_latest_close_seconds) : 'not yet'}`,
        `- Total duration: ${duration(b.incidents_total_duration_seconds)}`,
      ].join('\n');
    case 'incidents':
      return [
        '| Incident | Severity | Channel | Started | Closed | Duration |',
        '| --- | --- | --- | --- | --- | --- |',
        ...facts.incidents.map(
          (i) =>
            `| [${inline(i.title)}](${i.detail_url}) | ${i.incident_severity} | ${inline(i.channel_name) || '—'} | ${utc(i.start_time)} | ${utc(i.close_time)} | ${i.close_time ? duration(i.close_time - i.start_time) : 'open'} |`,
        ),
      ].join('\n');
    case 'responders':
      if (b.responders.length === 0) return '_No responders were assigned._';
      return b.responders
        .map(
          (r) =>
            `- ${inline(name(r.person_id))}: assigned ${utc(r.assigned_at)}, acknowledged ${r.acknowledged_at ? utc(r.acknowledged_at) : 'never'}`,
        )
        .join('\n');
    case 'timeline': {
      if (facts.timeline.length === 0) return '_Nothing was recorded._';
      const titles = new Map(facts.incidents.map((i) => [i.incident_id, i.title]));
      const several = facts.incidents.length > 1;
      return facts.timeline
        .map((entry) => {
          const which = several ? ` (${inline(titles.get(entry.incident_id) ?? '')})` : '';
          return `- ${utc(Math.floor(entry.created_at / 1000))}${which}: ${inline(describeEntry(entry, name))}`;
        })
        .join('\n');
    }
    case 'changes':
      if (facts.changes.length === 0) return '_No related changes were found._';
      return facts.changes
        .map((c) => {
          const link = safeUrl(c.link);
          const title = link ? `[${inline(c.title)}](${link})` : inline(c.title);
          return `- ${utc(c.start_time)}: ${title} (${c.status})`;
        })
        .join('\n');
  }
}

/** The template with every `{{placeholder}}` replaced; unknown placeholders stay as they are. */
export function prefill(template: string, facts: Facts): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) =>
    (['incidents', 'summary', 'responders', 'timeline', 'changes'] as const).includes(key as Placeholder)
      ? section(key as Placeholder, facts)
      : whole,
  );
}

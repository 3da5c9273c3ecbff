/*
 * Pure logic of the status-page screens: the shapes the /status-page/* API answers, statuses in
 * words, ordering, the component changes an update sends, and times typed in the member's zone.
 * No React here: unit-tested in test/web/status-pages.test.ts.
 */

export type EventType = 'incident' | 'maintenance';
export type ComponentStatus =
  | 'operational'
  | 'under_maintenance'
  | 'degraded'
  | 'partial_outage'
  | 'full_outage';

export type Section = {
  section_id: string;
  name: string;
  description: string;
  order_id: number;
  hide_uptime: boolean;
  hide_all: boolean;
};

export type PageComponent = {
  component_id: string;
  section_id?: string;
  name: string;
  description: string;
  order_id: number;
  hide_uptime: boolean;
  hide_all: boolean;
  status: ComponentStatus;
};

export type StatusPage = {
  page_id: number;
  name: string;
  url_name: string;
  type: 'public' | 'internal';
  date_view: 'calendar' | 'list';
  display_uptime_mode: 'chart_and_percentage' | 'chart' | 'none';
  page_title: string;
  page_header: string;
  page_footer: string;
  contact_info: string;
  logo: string;
  logo_url: string;
  favicon: string;
  time_zone: string;
  brand_color: string;
  header_color: string;
  template_preference: string;
  subscription: { email?: boolean; im?: boolean; webhook?: boolean };
  components: PageComponent[];
  sections: Section[];
  public_url: string;
  created_at: number;
};

export type ComponentChange = { component_id: string; component_name?: string; status: ComponentStatus };

export type EventUpdate = {
  update_id: string;
  at_seconds: number;
  status?: string;
  description: string;
  component_changes: ComponentChange[];
};

export type StatusEvent = {
  change_id: number;
  type: EventType;
  title: string;
  description: string;
  status: string;
  affected_components: { component_id: string; name: string; status: ComponentStatus }[];
  start_at_seconds: number;
  close_at_seconds: number;
  updates: EventUpdate[];
  notify_subscribers: boolean;
  auto_update_by_schedule: boolean;
};

export type EventTemplate = {
  template_id: string;
  type: 'pre_defined' | 'message';
  event_type: EventType;
  status: string;
  title: string;
  description: string;
};

export const EVENT_STATUSES: Record<EventType, string[]> = {
  incident: ['investigating', 'identified', 'monitoring', 'resolved'],
  maintenance: ['scheduled', 'ongoing', 'completed'],
};

export const COMPONENT_STATUSES: Record<EventType, ComponentStatus[]> = {
  incident: ['operational', 'degraded', 'partial_outage', 'full_outage'],
  maintenance: ['operational', 'under_maintenance'],
};

const WORDS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  scheduled: 'Scheduled',
  ongoing: 'In progress',
  completed: 'Completed',
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  full_outage: 'Full outage',
};

/** A status (of an event or a component) in words: "partial_outage" → "Partial outage". */
export function statusWords(status: string): string {
  return WORDS[status] ?? status;
}

const COLORS: Record<string, string> = {
  operational: 'green',
  under_maintenance: 'blue',
  degraded: 'yellow',
  partial_outage: 'orange',
  full_outage: 'red',
  investigating: 'red',
  identified: 'orange',
  monitoring: 'yellow',
  resolved: 'green',
  scheduled: 'blue',
  ongoing: 'blue',
  completed: 'green',
};

export function statusColor(status: string): string {
  return COLORS[status] ?? 'gray';
}

/** The status that ends an event of this type. */
export function terminalStatus(type: EventType): string {
  return type === 'incident' ? 'resolved' : 'completed';
}

/** Sections or components as lists show them: by order_id, then by id (as the API sorts). */
export function byOrder<T extends { order_id: number }>(items: readonly T[], idOf: (item: T) => string): T[] {
  return [...items].sort(
    (a, b) => a.order_id - b.order_id || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0),
  );
}

/**
 * Moves the item at `index` one place up (-1) or down (+1) and numbers the list 0, 1, 2…: the
 * upserts that bring the stored order_ids there (only the items whose order_id changes). Empty when
 * the move would leave the list.
 */
export function moveBy<T extends { order_id: number }>(
  ordered: readonly T[],
  index: number,
  delta: -1 | 1,
): { item: T; order_id: number }[] {
  const target = index + delta;
  if (index < 0 || index >= ordered.length || target < 0 || target >= ordered.length) return [];
  const next = [...ordered];
  [next[index], next[target]] = [next[target]!, next[index]!];
  return next.flatMap((item, position) => (item.order_id === position ? [] : [{ item, order_id: position }]));
}

/** The next order_id for an item added at the end of a list. */
export function nextOrder(items: readonly { order_id: number }[]): number {
  return items.reduce((max, item) => Math.max(max, item.order_id + 1), 0);
}

/** Components grouped under their sections, in order; those outside any section come first. */
export function groupComponents(
  sections: readonly Section[],
  components: readonly PageComponent[],
): { section?: Section; components: PageComponent[] }[] {
  const ordered = byOrder(components, (c) => c.component_id);
  const known = new Set(sections.map((s) => s.section_id));
  const loose = ordered.filter((c) => !c.section_id || !known.has(c.section_id));
  const groups = byOrder(sections, (s) => s.section_id).map((section) => ({
    section,
    components: ordered.filter((c) => c.section_id === section.section_id),
  }));
  return loose.length > 0 || groups.length === 0 ? [{ components: loose }, ...groups] : groups;
}

/** What the form chose per component: a status, or '' for "no change". */
export type Impacts = Record<string, ComponentStatus | ''>;

/**
 * The `component_changes` of an update: the components whose chosen status differs from the one
 * the event left them in (`current`; a component the event has not touched counts as operational
 * only once the event has touched something, so the first update declares every chosen impact).
 */
export function componentChangesOf(
  chosen: Impacts,
  current: Readonly<Record<string, ComponentStatus>>,
): ComponentChange[] {
  const first = Object.keys(current).length === 0;
  return Object.entries(chosen).flatMap(([component_id, status]) => {
    if (!status) return [];
    const before = current[component_id] ?? (first ? undefined : 'operational');
    return before === status ? [] : [{ component_id, status }];
  });
}

/** The statuses an event has left its components in (its affected components). */
export function currentImpacts(
  event: Pick<StatusEvent, 'affected_components'>,
): Record<string, ComponentStatus> {
  return Object.fromEntries(event.affected_components.map((c) => [c.component_id, c.status]));
}

/**
 * The impacts an update form starts with for `status`: each affected component as it is, or, when
 * the status ends the event, operational (the API refuses an ended event that leaves one impaired).
 */
export function impactsFor(
  event: Pick<StatusEvent, 'type' | 'affected_components'>,
  status: string,
): Impacts {
  const ending = status === terminalStatus(event.type);
  return Object.fromEntries(
    event.affected_components.map((c) => [c.component_id, ending ? 'operational' : c.status]),
  );
}

/** The updates of an event newest first (the API sends them in time order). */
export function newestFirst(updates: readonly EventUpdate[]): EventUpdate[] {
  return updates
    .map((update, index) => ({ update, index }))
    .sort((a, b) => b.update.at_seconds - a.update.at_seconds || b.index - a.index)
    .map((x) => x.update);
}

/** "name, Partial outage; other, Operational": an update's component changes in words. */
export function describeChanges(changes: readonly ComponentChange[], nameOf: (id: string) => string): string {
  return changes
    .map(
      (c) =>
        `${c.component_name || nameOf(c.component_id) || 'a removed component'}: ${statusWords(c.status)}`,
    )
    .join('; ');
}

/** A url_name from a page name: "Acme Cloud!" → "acme-cloud". */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/** Recipients typed one per line (or separated by commas or spaces), trimmed, without repeats. */
export function parseRecipients(text: string): string[] {
  const seen = new Set<string>();
  return text
    .split(/[\s,;]+/)
    .map((r) => r.trim())
    .filter((r) => {
      const key = r.toLowerCase();
      if (!r || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** A GET path with its query string (the status-page reads are GET). */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value));
  return `${path}?${query}`;
}

function offsetMs(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * A wall-clock time in `timeZone` ("2026-03-01 14:30:00", as the date-time picker gives it) as Unix
 * seconds; undefined when it does not parse. A time skipped by a clock change lands an hour later.
 */
export function zonedToSeconds(value: string, timeZone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s || 0);
  const first = wall - offsetMs(wall, timeZone);
  const offset = offsetMs(first, timeZone);
  const second = wall - offset;
  // In a gap (the clock jumped forward) neither guess round-trips: take the later one.
  const ms = second === first || offsetMs(second, timeZone) === offset ? second : Math.max(first, second);
  return Math.floor(ms / 1000);
}

/** Unix seconds as the wall-clock time in `timeZone`, "YYYY-MM-DD HH:mm:ss" (the picker's value). */
export function secondsToZoned(seconds: number, timeZone: string): string {
  const ms = seconds * 1000;
  const local = new Date(ms + offsetMs(ms, timeZone));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
}

/** A subscriber read from a CSV file as the export writes it. */
export type CsvSubscriber = {
  method: 'email' | 'im' | 'webhook';
  recipient: string;
  component_ids: string[];
  all: boolean;
  locale?: string;
};

/** CSV records: fields split by commas, "quoted" fields may hold commas, newlines and "" quotes. */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += char;
  }
  if (field || record.length > 0) records.push([...record, field]);
  return records.filter((r) => r.some((f) => f.trim()));
}

const CSV_HEADER = ['method', 'recipient', 'components', 'subscribe all', 'locale'];

/**
 * Subscribers from a CSV file in the export's format (Method, Recipient, Components — component ids
 * separated by ';' —, Subscribe All, Locale), or the first line that is not, in words.
 */
export function parseSubscriberCsv(text: string): { subscribers: CsvSubscriber[] } | { error: string } {
  const [header, ...rows] = csvRecords(text.replace(/^\uFEFF/, ''));
  if (!header || header.map((h) => h.trim().toLowerCase()).join(',') !== CSV_HEADER.join(',')) {
    return {
      error:
        'The first line must be the header Method,Recipient,Components,Subscribe All,Locale, as an export writes it.',
    };
  }
  const subscribers: CsvSubscriber[] = [];
  for (const [index, row] of rows.entries()) {
    const line = index + 2;
    const [method = '', recipient = '', components = '', all = '', locale = ''] = row.map((f) => f.trim());
    if (method !== 'email' && method !== 'im' && method !== 'webhook') {
      return { error: `Line ${line}: the method must be email, im or webhook, not “${method}”.` };
    }
    if (!recipient) return { error: `Line ${line}: the recipient is empty.` };
    const componentIds = components
      .split(';')
      .map((c) => c.trim())
      .filter(Boolean);
    subscribers.push({
      method,
      recipient,
      component_ids: componentIds,
      all: all.toLowerCase() === 'true' || componentIds.length === 0,
      ...(locale ? { locale } : {}),
    });
  }
  return { subscribers };
}

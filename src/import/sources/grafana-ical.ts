import ICAL from 'ical.js';
import { isValidTimeZone, toNaive } from '../../schedules/zoned.ts';
import { Unmappable } from '../rotation.ts';

/*
 * Grafana OnCall's `ical` schedules read an external calendar: each event names the people on call
 * in its summary (usernames or e-mails, an optional "[L2]" priority level first). The events are
 * turned into the shapes of OnCall's own shifts (a single event, or a daily or weekly recurrence)
 * so the shift mapping handles them; what a shift cannot say (COUNT, EXDATE, moved occurrences,
 * monthly rules, all-day events, mixed zones) is refused with the reason. Parsing by ical.js.
 */

export type IcalShift = {
  id: string;
  name: string;
  type: 'single_event' | 'recurrent_event' | 'override';
  time_zone: string;
  level: number;
  start: string;
  duration: number;
  frequency: 'hourly' | 'daily' | 'weekly' | null;
  interval: number;
  by_day: string[] | null;
  until: string | null;
  users: string[];
  rolling_users: string[][];
};

const pad = (n: number) => String(n).padStart(2, '0');
const wall = (t: ICAL.Time) =>
  `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
const naiveOf = (text: string) => Date.parse(`${text}Z`) / 1000;

/** The events of a calendar as shifts; `users` resolves a summary's word to a user id. */
export function icalShifts(
  text: string,
  kind: 'primary' | 'overrides',
  userOf: (word: string) => string | undefined,
): { zone: string | undefined; shifts: IcalShift[] } {
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(text));
  } catch (error) {
    throw new Unmappable(`the ${kind} calendar does not parse: ${(error as Error).message}`);
  }
  const zones = new Set<string>();
  const shifts = calendar.getAllSubcomponents('vevent').map((vevent): IcalShift => {
    const uid = String(vevent.getFirstPropertyValue('uid') ?? '');
    const summary = String(vevent.getFirstPropertyValue('summary') ?? '').trim();
    for (const name of ['exdate', 'rdate', 'recurrence-id']) {
      if (vevent.hasProperty(name))
        throw new Unmappable(
          `event "${summary}": ${name.toUpperCase()} (single occurrences moved or removed)`,
        );
    }
    const dtstart = vevent.getFirstProperty('dtstart');
    const start = dtstart?.getFirstValue() as ICAL.Time | undefined;
    if (!dtstart || !start || start.isDate)
      throw new Unmappable(`event "${summary}": an all-day or undated event`);
    const tzid = dtstart.getParameter('tzid') as string | undefined;
    const zone = tzid ?? (start.zone?.tzid === 'UTC' ? 'UTC' : undefined);
    if (!zone || !isValidTimeZone(zone))
      throw new Unmappable(`event "${summary}": a time without an IANA zone`);
    zones.add(zone);
    const dtend = vevent.getFirstProperty('dtend');
    let duration: number;
    if (dtend) {
      if ((dtend.getParameter('tzid') ?? (zone === 'UTC' ? undefined : zone)) !== (tzid ?? undefined)) {
        throw new Unmappable(`event "${summary}": it starts and ends in different zones`);
      }
      duration = naiveOf(wall(dtend.getFirstValue() as ICAL.Time)) - naiveOf(wall(start));
    } else {
      const value = vevent.getFirstPropertyValue('duration') as ICAL.Duration | undefined;
      if (!value) throw new Unmappable(`event "${summary}": no end`);
      duration = value.toSeconds();
    }
    const match = /^\[L(\d+)\]\s*/.exec(summary);
    const words = summary
      .slice(match?.[0].length ?? 0)
      .split(/[\s,]+/)
      .filter(Boolean);
    const users = words.map((word) => {
      const id = userOf(word);
      if (!id) throw new Unmappable(`event "${summary}": "${word}" is nobody the import knows`);
      return id;
    });
    const recur = vevent.getFirstPropertyValue('rrule') as ICAL.Recur | undefined;
    let frequency: IcalShift['frequency'] = null;
    let byDay: string[] | null = null;
    let until: string | null = null;
    if (recur) {
      const parts = Object.keys(recur.parts ?? {}).filter((p) => p !== 'BYDAY');
      if (recur.count || parts.length > 0)
        throw new Unmappable(`event "${summary}": RRULE with ${recur.count ? 'COUNT' : parts.join(', ')}`);
      const freq = { HOURLY: 'hourly', DAILY: 'daily', WEEKLY: 'weekly' }[
        recur.freq as string
      ] as IcalShift['frequency'];
      if (!freq) throw new Unmappable(`event "${summary}": a ${recur.freq} recurrence`);
      if (kind === 'overrides') throw new Unmappable(`event "${summary}": a repeating override`);
      frequency = freq;
      byDay = (recur.parts?.BYDAY as string[] | undefined) ?? null;
      if (byDay?.some((d) => !/^(MO|TU|WE|TH|FR|SA|SU)$/.test(d)))
        throw new Unmappable(`event "${summary}": BYDAY ${byDay.join(',')}`);
      if (recur.until) {
        until =
          recur.until.zone?.tzid === 'UTC'
            ? new Date(toNaive(zone, recur.until.toUnixTime()) * 1000).toISOString().slice(0, 19)
            : wall(recur.until);
      }
    }
    return {
      id: uid || summary,
      name: summary,
      type: kind === 'overrides' ? 'override' : recur ? 'recurrent_event' : 'single_event',
      time_zone: zone,
      level: Number(match?.[1] ?? 0),
      start: wall(start),
      duration,
      frequency,
      interval: recur?.interval ?? 1,
      by_day: byDay,
      until,
      users,
      rolling_users: [users],
    };
  });
  if (zones.size > 1)
    throw new Unmappable(`the ${kind} calendar mixes time zones (${[...zones].join(', ')})`);
  return { zone: [...zones][0], shifts };
}

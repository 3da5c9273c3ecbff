import ical from 'ical-generator';
import { type FinalShift, finalShifts, type Layer } from './oncall.ts';

/*
 * On-call shifts as an RFC 5545 calendar (docs/schedules.md, "Calendar feeds"): one VEVENT per
 * final shift, times in UTC, so any calendar client shows them in its own zone. A shift running
 * across an edge of the feed's window keeps its real start and end (and so its UID), or every
 * fetch would move it and calendar apps would show it twice.
 */

const DAY = 86_400;
/** A feed shows the past week and the next eight weeks. */
const FEED_PAST_SECONDS = 7 * DAY;
const FEED_FUTURE_SECONDS = 56 * DAY;

export type FeedSchedule = { schedule_id: number; schedule_name: string; time_zone: string; layers: Layer[] };

/** How far past the window's edges a shift's real start and end are looked for. */
const EDGE_SPANS = [35 * DAY, 400 * DAY];

/**
 * Where the shift holding the moment `at` really starts (`back`) or ends: the window is widened
 * step by step until the shift no longer touches its edge. Beyond the last step, the edge it is.
 */
function realEdge(schedule: FeedSchedule, at: number, back: boolean): number {
  for (const span of EDGE_SPANS) {
    const window = back ? { start: at - span, end: at + 1 } : { start: at - 1, end: at + span };
    const moment = back ? at : at - 1;
    const shift = finalShifts(schedule.time_zone, schedule.layers, window).find(
      (s) => s.start <= moment && s.end > moment,
    );
    if (!shift) return at;
    if (back ? shift.start > window.start : shift.end < window.end) return back ? shift.start : shift.end;
  }
  return at;
}

/** A person's display name by id; unknown ids show as "#id". */
export type Names = ReadonlyMap<number, string>;

function who(shift: FinalShift, names: Names): string {
  const people = [...new Set(shift.group.members.flatMap((m) => m.person_ids))];
  return people.map((id) => names.get(id) ?? `#${id}`).join(', ') || 'nobody';
}

/**
 * The calendar of the schedules' final shifts around `now`; with `personId`, only the shifts that
 * put that person on call.
 */
export function renderFeed(options: {
  name: string;
  schedules: readonly FeedSchedule[];
  names: Names;
  now: number;
  personId?: number;
}): string {
  const calendar = ical({
    name: options.name,
    prodId: { company: 'Vigil', product: 'on-call', language: 'EN' },
  });
  const window = { start: options.now - FEED_PAST_SECONDS, end: options.now + FEED_FUTURE_SECONDS };
  for (const schedule of options.schedules) {
    for (const shift of finalShifts(schedule.time_zone, schedule.layers, window)) {
      const onCall = shift.group.members.some((m) => m.person_ids.includes(options.personId ?? -1));
      if (options.personId !== undefined && !onCall) continue;
      const start = shift.start === window.start ? realEdge(schedule, shift.start, true) : shift.start;
      const end = shift.end === window.end ? realEdge(schedule, shift.end, false) : shift.end;
      calendar.createEvent({
        // Stable across fetches, so clients update an event instead of duplicating it.
        id: `${schedule.schedule_id}-${start}-${shift.weight}@vigil`,
        start: new Date(start * 1000),
        end: new Date(end * 1000),
        stamp: new Date(options.now * 1000),
        summary: `On call: ${schedule.schedule_name} (${who(shift, options.names)})`,
        description: `Schedule ${schedule.schedule_name}, layer ${shift.layer_name || shift.weight}, group ${shift.group.group_name}`,
      });
    }
  }
  return calendar.toString();
}

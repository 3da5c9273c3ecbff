/** A calendar day on a wall clock; weekday 0 is Sunday. */
export type LocalDay = { year: number; month: number; day: number; weekday: number };

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    try {
      found = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
      });
    } catch {
      // Not an IANA zone Node knows: read the wall clock in UTC rather than never.
      found = formatter('UTC');
    }
    formatters.set(timeZone, found);
  }
  return found;
}

/**
 * The local day and minute of the day at an instant, on the wall clock of a time zone (silence
 * windows, escalation time filters).
 */
export function localTime(timeZone: string, nowSeconds: number): { day: LocalDay; minute: number } {
  const parts = formatter(timeZone).formatToParts(new Date(nowSeconds * 1000));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: {
      year: Number(part('year')),
      month: Number(part('month')),
      day: Number(part('day')),
      weekday: WEEKDAYS.indexOf(part('weekday')),
    },
    minute: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

import { ToolFailure } from './tool.ts';

/*
 * `since` / `until` as Flashduty's MCP server takes them: relative durations anchored to the
 * server's clock ("24h", "7d", "30m"; "+2h" for the future), "now", Unix seconds, or a UTC date
 * ("2026-04-01") or date-time ("2026-04-01 10:00:00"). Relative forms are preferred because an
 * assistant's idea of the current year can be wrong.
 */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** The Unix second `text` names, relative to `now` (seconds). */
export function parseTime(name: string, text: string, now: number): number {
  const value = text.trim();
  if (value === 'now') return now;
  const relative = /^([+-]?)(\d{1,6})([smhdw])$/.exec(value);
  if (relative) {
    const seconds = Number(relative[2]) * UNIT_SECONDS[relative[3]!]!;
    return relative[1] === '+' ? now + seconds : now - seconds;
  }
  if (/^\d{9,11}$/.test(value)) return Number(value);
  const date = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?Z?$/.exec(value);
  if (date) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = date;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const back = new Date(ms);
    if (!Number.isNaN(ms) && back.getUTCDate() === Number(d) && back.getUTCMonth() === Number(mo) - 1)
      return Math.floor(ms / 1000);
  }
  throw new ToolFailure(
    'InvalidParameter',
    `${name}: "${text}" is not a time; use a duration like "24h" or "7d", "now", Unix seconds, or "2026-04-01 10:00:00" (UTC)`,
  );
}

/** The longest window Vigil's list operations take (as Flashduty's). */
const MAX_WINDOW_SECONDS = 31 * 86_400;

/** A query window: `until` defaults to now, `since` to `defaultSeconds` before `until`. */
export function timeWindow(
  input: { since?: string | undefined; until?: string | undefined },
  now: number,
  defaultSeconds: number,
): { start: number; end: number } {
  const end = input.until === undefined ? now : parseTime('until', input.until, now);
  if (input.since === undefined && input.until !== undefined)
    throw new ToolFailure('InvalidParameter', 'since: required when until is given (e.g. since "7d")');
  const start = input.since === undefined ? end - defaultSeconds : parseTime('since', input.since, now);
  if (end <= start) throw new ToolFailure('InvalidParameter', 'until: must be later than since');
  if (end - start > MAX_WINDOW_SECONDS)
    throw new ToolFailure(
      'InvalidParameter',
      'since: the window from since to until must not exceed 31 days',
    );
  return { start, end };
}

export const SINCE_DESCRIPTION =
  'Start of the window. PREFER relative durations like "24h", "7d", "30m" (anchored to the server clock). ' +
  'Also "now", Unix seconds, or a UTC date "2026-04-01" / "2026-04-01 10:00:00". At most 31 days before until.';
export const UNTIL_DESCRIPTION =
  'End of the window, same forms as since (plus "+2h" for the future). Default: now.';

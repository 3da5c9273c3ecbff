import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, listRequest, timeWindow } from '../../web/src/filters.ts';
import { describeFeedEntry, formatDuration, formatTime, pickTimeZone } from '../../web/src/format.ts';

/* The console's pure logic: times in the member's zone, the list's API request, timeline sentences. */

const JAN_5_0900_UTC = Date.UTC(2026, 0, 5, 9, 0, 0);

describe('times', () => {
  it('shows a time in the zone asked for, and a dash for "not yet"', () => {
    expect(formatTime(JAN_5_0900_UTC, 'Asia/Tokyo')).toBe('Jan 5, 2026, 18:00');
    expect(formatTime(JAN_5_0900_UTC, 'America/New_York')).toBe('Jan 5, 2026, 04:00');
    expect(formatTime(0, 'UTC')).toBe('—');
  });

  it("picks the member's zone, else the account's, skipping names that are not zones", () => {
    expect(pickTimeZone('Europe/Paris', 'Asia/Tokyo')).toBe('Europe/Paris');
    expect(pickTimeZone('', 'Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(pickTimeZone('Mars/Olympus', undefined, 'UTC')).toBe('UTC');
    expect(pickTimeZone('', '')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('says how long in minutes, hours and days', () => {
    expect(formatDuration(0, 59_999)).toBe('0 min');
    expect(formatDuration(0, 45 * 60_000)).toBe('45 min');
    expect(formatDuration(0, 125 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(0, 49 * 3600_000)).toBe('2 d 1 h');
  });
});

describe('the incident list request', () => {
  it('ends a "last N hours" window a minute past now', () => {
    const now = JAN_5_0900_UTC;
    expect(timeWindow({ kind: 'last', hours: 24 }, now, 'UTC')).toEqual([
      now / 1000 + 60 - 86400,
      now / 1000 + 60,
    ]);
  });

  it("runs picked days from midnight to midnight in the member's zone, at most 31 days", () => {
    const [start, end] = timeWindow({ kind: 'days', from: '2026-01-05', to: '2026-01-05' }, 0, 'Asia/Tokyo');
    expect(new Date(start * 1000).toISOString()).toBe('2026-01-04T15:00:00.000Z');
    expect(end - start).toBe(86400);
    const [from, to] = timeWindow({ kind: 'days', from: '2026-01-01', to: '2026-03-31' }, 0, 'UTC');
    expect(to - from).toBe(31 * 86400);
  });

  it('turns the filters into the Open API fields, leaving out what is not set', () => {
    const context = { memberId: 42, nowMs: JAN_5_0900_UTC, timeZone: 'UTC', limit: 50 };
    expect(listRequest(DEFAULT_FILTERS, context)).toEqual({
      start_time: JAN_5_0900_UTC / 1000 + 60 - 7 * 86400,
      end_time: JAN_5_0900_UTC / 1000 + 60,
      limit: 50,
      progress: 'Triggered,Processing',
    });
    const all = listRequest(
      {
        ...DEFAULT_FILTERS,
        progress: [],
        severities: ['Critical', 'Info'],
        channelId: 7,
        mine: true,
        query: '  disk ',
      },
      context,
    );
    expect(all).toMatchObject({
      incident_severity: 'Critical,Info',
      channel_ids: [7],
      responder_ids: [42],
      query: 'disk',
    });
    expect(all).not.toHaveProperty('progress');
  });
});

describe('timeline sentences', () => {
  const names = new Map([
    [1, 'Ada'],
    [2, 'Grace'],
  ]);
  const name = (id: number) => names.get(id) ?? `#${id}`;
  const say = (type: string, detail: Record<string, unknown> = {}, creator_id = 1) =>
    describeFeedEntry({ type, detail, creator_id }, name);

  it('names who did what', () => {
    expect(say('i_ack')).toBe('Ada acknowledged');
    expect(say('i_merge', { comment: 'Same outage' })).toBe(
      'Ada merged incidents into this one: Same outage',
    );
    expect(say('i_comm', { comment: 'Looking' })).toBe('Ada commented: Looking');
    expect(say('i_snooze', { minutes: 30 })).toBe('Ada snoozed it for 30 min');
    expect(say('i_reopen', { reason: 'Back again' }, 2)).toBe('Grace reopened it: Back again');
    expect(say('i_assign', { person_ids: [1, 2], escalate_rule_name: 'Default' }, 0)).toBe(
      'Assigned to Ada, Grace by escalation rule Default',
    );
  });

  it('says Vigil when no one acted, and still says something for types it does not know', () => {
    expect(say('i_rslv', {}, 0)).toBe('Resolved automatically');
    expect(say('i_wake', {}, 0)).toBe('Snooze ended');
    // Every kind of warning in words, never "[object Object]".
    expect(
      say(
        'i_warn',
        {
          layer_idx: 0,
          escalate_rule_id: 'r1',
          warnings: [
            { kind: 'person_unreachable', person_id: 2, reasons: ['sms: the member has no phone number'] },
            { kind: 'schedule_gap', schedule_id: 7, role_ids: [] },
            { kind: 'team_empty', team_id: 3 },
            { kind: 'email_unconfigured', emails: ['ops@example.com'] },
            { kind: 'nobody', reason: 'no person, address or chat of the target can be notified' },
          ],
        },
        0,
      ),
    ).toBe(
      'Not everyone could be notified (layer 1): Grace cannot be reached: Grace has no phone number. ' +
        'Nobody was on call in schedule #7. Team #3 has no members. ' +
        'E-mail is not set up on this server, so ops@example.com will not be told. ' +
        'Nobody was notified: no person, address or chat of the target can be notified.',
    );
    expect(say('i_warn', { warnings: ['old text'] }, 0)).toBe(
      'Not everyone could be notified: part of the escalation reached nobody.',
    );
    expect(say('i_future_thing', {}, 3)).toBe('#3: i_future_thing');
  });
});

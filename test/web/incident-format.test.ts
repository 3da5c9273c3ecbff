import { describe, expect, it } from 'vitest';
import { byAccount, ChangeCursor } from '../../src/web/live-cursor.ts';
import { type Delivery, describeDelivery, describePlacement } from '../../web/src/format.ts';

/*
 * Pure logic of the incident page and the live stream: why an alert is in its incident, a
 * delivery-log row in words, and which incident changes the poller reports (once each).
 */

const name = (id: number) => ({ 7: 'Ann', 8: 'Bo' })[id] ?? `#${id}`;
const time = (ms: number) => `t${ms}`;

describe('why an alert is here', () => {
  const reason = 'grouped by labels.service=checkout (default dimensions)';

  it('says whether it opened the incident or joined it, and why', () => {
    expect(describePlacement({ type: 'i_new', detail: { reason }, creator_id: 0 }, [], name)).toBe(
      `Opened this incident: ${reason}.`,
    );
    expect(describePlacement({ type: 'a_merge', detail: { reason }, creator_id: 0 }, [], name)).toBe(
      `Joined: ${reason}.`,
    );
    expect(
      describePlacement({ type: 'a_merge', detail: { reason, person_id: 8 }, creator_id: 8 }, [], name),
    ).toBe('Bo moved it here by hand.');
  });

  it('names a merge from another incident, and mutes by silence or inhibit rules', () => {
    const merged = {
      type: 'a_merge',
      detail: { from_incident_id: 'abc', incident_id: 'def' },
      creator_id: 7,
    };
    expect(describePlacement(undefined, [merged], name)).toBe('Ann merged it here from incident abc.');
    expect(describePlacement(undefined, [merged], name, () => '#12AB Disk full')).toBe(
      'Ann merged it here from #12AB Disk full.',
    );
    const silence = { type: 'a_m_silence', detail: { rule_name: 'Nightly' }, creator_id: 0 };
    const inhibit = {
      type: 'a_m_inhibit',
      detail: { rule_name: 'Host down', source_alert_id: 'a1' },
      creator_id: 0,
    };
    expect(
      describePlacement({ type: 'i_new', detail: { reason }, creator_id: 0 }, [silence, inhibit], name),
    ).toBe(
      `Opened this incident: ${reason}; muted by the silence rule “Nightly”: no one was notified for it; muted by the inhibit rule “Host down” while alert a1 was active.`,
    );
    expect(describePlacement(undefined, [], name)).toBe('Grouped into this incident (no reason recorded).');
  });
});

describe('a delivery-log row', () => {
  const row = (over: Partial<Delivery>): Delivery => ({
    step: 'assign:abc',
    recipient: 'person:7',
    channel: 'email',
    person_id: 7,
    status: 'pending',
    attempt: 0,
    next_attempt_at: 0,
    attempted_at: 0,
    error_kind: '',
    error_message: '',
    ...over,
  });

  it('says to whom, how, why and how it went', () => {
    expect(describeDelivery(row({}), name, time)).toEqual({
      to: 'Ann',
      channel: 'E-mail',
      step: 'Assigned by hand',
      outcome: 'Waiting to be sent',
    });
    expect(
      describeDelivery(
        row({ step: 'esc:e1:rule:r1:layer:1:fire:3', status: 'success', attempted_at: 5 }),
        name,
        time,
      ),
    ).toMatchObject({ step: 'Escalation layer 2, repeat 2', outcome: 'Delivered t5' });
    expect(
      describeDelivery(
        row({ status: 'pending', attempt: 2, next_attempt_at: 9, error_message: 'connection refused' }),
        name,
        time,
      ).outcome,
    ).toBe('Retrying at t9 (attempt 2 failed: connection refused)');
    expect(
      describeDelivery(
        row({
          step: 'rspd:x',
          recipient: 'chat:slack:1f2e',
          person_id: 0,
          channel: 'slack',
          status: 'failed',
          error_message: 'HTTP 404',
        }),
        name,
        time,
      ),
    ).toEqual({
      to: 'Slack group chat',
      channel: 'Slack',
      step: 'Added as responder',
      outcome: 'Failed: HTTP 404',
    });
  });
});

describe('the change cursor', () => {
  it('reports each (incident, transaction) once and moves to the read xmin', () => {
    const cursor = new ChangeCursor();
    cursor.startAt(100n);
    const a = { accountId: 1, incidentId: 'a', xid: 100n };
    const b = { accountId: 2, incidentId: 'b', xid: 105n };
    // 105 was still running at the first read (xmin 105): read again, not reported twice.
    expect(cursor.accept([a, b], 105n)).toEqual([a, b]);
    expect(cursor.low).toBe(105n);
    const b2 = { accountId: 2, incidentId: 'b', xid: 107n };
    expect(cursor.accept([b, b2], 108n)).toEqual([b2]);
    // An older xmin (a read that saw less) never moves it back.
    expect(cursor.accept([], 101n)).toEqual([]);
    expect(cursor.low).toBe(108n);
  });

  it('groups ids by account, each once', () => {
    expect(
      byAccount([
        { accountId: 1, incidentId: 'a', xid: 1n },
        { accountId: 1, incidentId: 'a', xid: 2n },
        { accountId: 2, incidentId: 'b', xid: 2n },
      ]),
    ).toEqual(
      new Map([
        [1, ['a']],
        [2, ['b']],
      ]),
    );
  });
});

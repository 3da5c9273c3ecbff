import { describe, expect, it } from 'vitest';
import {
  closedByOf,
  countInterruptions,
  emptyIncidentTotals,
  incidentMetrics,
  responderMetrics,
} from './metrics.ts';

describe('metrics', () => {
  it('derives means and percentages over acknowledged / closed incidents only', () => {
    const m = incidentMetrics({
      ...emptyIncidentTotals(),
      incidents: 3,
      acknowledged: 2,
      closed: 1,
      secondsToAck: 301,
      secondsToClose: 1000,
      alertEvents: 12,
    });
    expect(m.mean_seconds_to_ack).toBe(150.5);
    expect(m.mean_seconds_to_close).toBe(1000);
    expect(m.acknowledgement_pct).toBe(66.67);
    expect(m.noise_reduction_pct).toBe(75);
  });

  it('reports 0, not NaN, for empty sets', () => {
    const m = incidentMetrics(emptyIncidentTotals());
    expect(m.mean_seconds_to_ack).toBe(0);
    expect(m.acknowledgement_pct).toBe(0);
    expect(m.noise_reduction_pct).toBe(0);
    expect(
      responderMetrics({
        incidents: 0,
        acknowledged: 0,
        reassigned: 0,
        escalated: 0,
        timeoutEscalated: 0,
        manuallyEscalated: 0,
        interruptions: 0,
        notifications: 0,
        engagedSeconds: 0,
        secondsToAck: 0,
      }).mean_seconds_to_ack,
    ).toBe(0);
  });

  it('counts an interruption only when a minute has passed since the previous one', () => {
    expect(countInterruptions([])).toBe(0);
    // SMS and voice at one moment: once. 30 s later: not new. 61 s after that: new.
    expect(countInterruptions([0, 0, 30_000, 91_000])).toBe(2);
    expect(countInterruptions([120_000, 0, 60_000])).toBe(3);
  });

  it('names the kind of close from the i_rslv source', () => {
    expect(closedByOf('event')).toBe('auto');
    expect(closedByOf('autorslv')).toBe('timeout');
    expect(closedByOf('console')).toBe('manually');
    expect(closedByOf(undefined)).toBe('manually');
  });
});

import { describe, expect, it } from 'vitest';
import type { EscalateLayer } from './escalation.types.ts';
import { snapshotRule } from './match.ts';
import { type IncidentState, nextStep } from './runtime.ts';

const MIN = 60_000;
const layer = (fields: Partial<EscalateLayer> = {}): EscalateLayer => ({
  max_times: 0,
  notify_step: 10,
  escalate_window: 30,
  force_escalate: false,
  target: { person_ids: [1], team_ids: [], schedule_to_role_ids: {}, emails: [] },
  ...fields,
});
const snap = (...layers: EscalateLayer[]) =>
  snapshotRule({
    rule_id: 'a'.repeat(24),
    rule_name: 'R',
    channel_id: 1,
    template_id: '0'.repeat(24),
    aggr_window: 0,
    layers,
    updated_at: 1,
  });
const open: IncidentState = { progress: 'Triggered', snoozedBefore: 0, deleted: false };
const T0 = 1_000_000_000;
const fresh = { layerIdx: 0, timesNotified: 0, layerStartedAt: T0 };

describe('nextStep', () => {
  it('first notification of layer 0 assigns, and the next step is the escalate window', () => {
    expect(nextStep(snap(layer(), layer()), fresh, open, T0)).toEqual({
      kind: 'notify',
      layerIdx: 0,
      fireNo: 1,
      fireType: 'fire',
      assign: 'assign',
      state: { layerIdx: 0, timesNotified: 1, layerStartedAt: T0 },
      nextAt: T0 + 30 * MIN,
    });
  });

  it('repeats every notify_step up to max_times while the window lasts, then escalates', () => {
    const s = snap(layer({ max_times: 2, notify_step: 5, escalate_window: 12 }), layer());
    const first = nextStep(s, fresh, open, T0);
    expect(first).toMatchObject({ kind: 'notify', nextAt: T0 + 5 * MIN });
    const second = nextStep(s, { ...fresh, timesNotified: 1 }, open, T0 + 5 * MIN);
    expect(second).toMatchObject({
      kind: 'notify',
      fireNo: 2,
      fireType: 'refire',
      assign: null,
      nextAt: T0 + 10 * MIN,
    });
    const third = nextStep(s, { ...fresh, timesNotified: 2 }, open, T0 + 10 * MIN);
    expect(third).toMatchObject({ kind: 'notify', fireNo: 3, nextAt: T0 + 12 * MIN });
    const escalate = nextStep(s, { ...fresh, timesNotified: 3 }, open, T0 + 12 * MIN);
    expect(escalate).toMatchObject({
      kind: 'notify',
      layerIdx: 1,
      fireNo: 1,
      assign: 'escalate',
      state: { layerIdx: 1, timesNotified: 1, layerStartedAt: T0 + 12 * MIN },
    });
  });

  it('after the last layer the escalation is done', () => {
    const s = snap(layer({ escalate_window: 10 }));
    expect(nextStep(s, { ...fresh, timesNotified: 1 }, open, T0 + 10 * MIN)).toEqual({
      kind: 'end',
      status: 'done',
      reason: 'completed',
    });
  });

  it('closed → done, snoozed → wait, acknowledged → stopped unless force_escalate', () => {
    const s = snap(layer(), layer());
    expect(nextStep(s, fresh, { ...open, progress: 'Closed' }, T0)).toMatchObject({ reason: 'closed' });
    expect(nextStep(s, fresh, { ...open, deleted: true }, T0)).toMatchObject({ reason: 'deleted' });
    expect(nextStep(s, fresh, { ...open, snoozedBefore: T0 / 1000 + 60 }, T0)).toEqual({
      kind: 'wait',
      nextAt: T0 + MIN,
    });
    expect(nextStep(s, fresh, { ...open, progress: 'Processing' }, T0)).toEqual({
      kind: 'end',
      status: 'stopped',
      reason: 'acknowledged',
    });
    const forced = snap(layer({ force_escalate: true }), layer());
    expect(
      nextStep(forced, { ...fresh, timesNotified: 1 }, { ...open, progress: 'Processing' }, T0 + 30 * MIN),
    ).toMatchObject({ kind: 'notify', layerIdx: 1 });
  });

  it('waits for the window when no repeat is left', () => {
    const s = snap(layer({ max_times: 0, escalate_window: 30 }), layer());
    expect(nextStep(s, { ...fresh, timesNotified: 1 }, open, T0 + MIN)).toEqual({
      kind: 'wait',
      nextAt: T0 + 30 * MIN,
    });
  });
});

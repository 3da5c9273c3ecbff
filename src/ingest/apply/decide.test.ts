import { describe, expect, it } from 'vitest';
import type { AlertRow } from '../../alerts/alerts.store.ts';
import type { ChannelRow } from '../../channels/channels.store.ts';
import type { IncidentRow } from '../../incidents/incidents.store.ts';
import type { AlertEventInput } from '../event.ts';
import { decide, type Loaded } from './decide.ts';
import { decideEvent } from './decide-event.ts';
import { needed } from './lock.ts';
import type { AlertUnit } from './unit.ts';

/* The decide step alone: no database, the state handed in as the lock and load phases read it. */

const NOW_MS = 1_800_000_000_000;
const NOW = NOW_MS / 1000;
const source = { accountId: 1, integrationId: 7, integrationType: 'standard' };

function channel(
  group: Record<string, unknown> = { method: 'n' },
  flapping: Record<string, unknown> = {},
): ChannelRow {
  return {
    channel_id: 3,
    account_id: 1,
    team_id: 0,
    managing_team_ids: [],
    creator_id: 0,
    channel_name: 'ops',
    description: '',
    status: 'enabled',
    auto_resolve_timeout: 0,
    auto_resolve_mode: 'trigger',
    is_private: false,
    disable_outlier_detection: false,
    disable_auto_close: false,
    is_external_report_enabled: false,
    external_report_token: '',
    plugin_ids: [],
    group,
    flapping: { is_disabled: true, ...flapping },
    created_at: 0,
    updated_at: 0,
    deleted_at: 0,
  };
}

function event(
  status: AlertEventInput['status'],
  key = 'k1',
  title = 'disk full',
  extra: Partial<AlertEventInput> = {},
) {
  return {
    alertKey: key,
    alertKeyDerived: false,
    titleRule: title,
    title,
    description: '',
    status,
    severity: status === 'Ok' ? 'Info' : status,
    eventTime: NOW - 10,
    labels: { host: 'h1' },
    images: [],
    ...extra,
  } as AlertEventInput;
}

const unit = (e: AlertEventInput, c = channel()): AlertUnit => ({
  source,
  channel: c,
  event: e,
  screened: false,
});
const nothing: Loaded = { open: new Map(), incidents: [], histories: new Map() };

/** The open alert `e` would leave, as stored, in incident `incidentId`. */
function stored(e: AlertEventInput, incidentId: string | null): AlertRow {
  const step = decideEvent(source, channel(), null, e, NOW_MS - 60_000);
  if (step.kind !== 'new') throw new Error('not new');
  return { ...step.alert, incident_id: incidentId };
}

function storedIncident(id: string, over: Partial<IncidentRow> = {}): IncidentRow {
  return {
    incident_id: id,
    account_id: 1,
    channel_id: 3,
    group_key: null,
    progress: 'Triggered',
    created_at: NOW - 60,
    last_merge_time: NOW - 60,
    start_time: NOW - 60,
    last_time: NOW - 60,
    alert_cnt: 1,
    active_alert_cnt: 1,
    alert_event_cnt: 1,
    incident_severity: 'Critical',
    incident_status: 'Critical',
    integration_ids: [7],
    manual_overrides: [],
    ...over,
  } as IncidentRow;
}

const loadedWith = (alert: AlertRow, incidents: IncidentRow[] = []): Loaded => ({
  open: new Map([[`alert:7:3:${alert.alert_key}`, alert]]),
  incidents,
  histories: new Map(),
});

describe('decide', () => {
  it('opens an alert and its own incident for a firing event of a new key', () => {
    const d = decide(nothing, [unit(event('Critical'))], NOW_MS);
    expect(d.outcomes).toEqual([
      { kind: 'new', alertId: d.alerts.opened[0]!.alert_id, incidentId: d.openedIncidents[0]!.incident_id },
    ]);
    expect(d.alerts.opened[0]).toMatchObject({ alert_key: 'k1', alert_status: 'Critical', event_cnt: 1 });
    expect(d.openedIncidents[0]).toMatchObject({ alert_cnt: 1, active_alert_cnt: 1, group_key: null });
    expect(d.events).toHaveLength(1);
    expect(d.feed.map((f) => f.type)).toEqual(['i_new', 'a_new']);
  });

  it('ignores a recovery of a key with no open alert', () => {
    const d = decide(nothing, [unit(event('Ok'))], NOW_MS);
    expect(d.outcomes).toEqual([{ kind: 'ignored' }]);
    expect(d.alerts.opened).toEqual([]);
    expect(d.events).toEqual([]);
  });

  it('deduplicates: a repeat refreshes the alert and stores nothing', () => {
    const open = stored(event('Critical'), 'inc1');
    const d = decide(
      loadedWith(open),
      [unit(event('Critical', 'k1', 'disk full', { labels: { host: 'h2' } }))],
      NOW_MS,
    );
    expect(d.outcomes).toEqual([{ kind: 'duplicate', alertId: open.alert_id }]);
    expect(d.events).toEqual([]);
    expect(d.alerts.changed).toEqual([]);
    expect(d.alerts.refreshed).toEqual([
      { alert_id: open.alert_id, last_time: NOW - 10, updated_at: NOW, labels: { host: 'h2' } },
    ]);
  });

  it('dedups repeats within one batch: one alert for many events of a key', () => {
    const d = decide(
      nothing,
      [unit(event('Critical')), unit(event('Critical')), unit(event('Critical'))],
      NOW_MS,
    );
    expect(d.alerts.opened).toHaveLength(1);
    expect(d.outcomes.map((o) => o.kind)).toEqual(['new', 'duplicate', 'duplicate']);
    expect(d.events).toHaveLength(1);
  });

  it('recovers an open alert and re-derives its stored incident', () => {
    const open = stored(event('Critical'), 'inc1');
    const d = decide(loadedWith(open, [storedIncident('inc1')]), [unit(event('Ok'))], NOW_MS);
    expect(d.outcomes).toEqual([{ kind: 'recovered', alertId: open.alert_id, incidentId: 'inc1' }]);
    expect(d.alerts.changed[0]).toMatchObject({
      alert_status: 'Ok',
      end_time: NOW - 10,
      event_cnt: 2,
      title: 'disk full',
    });
    expect(d.feed.map((f) => f.type)).toEqual(['a_close']);
    // Its earlier alert changed: the write phase reads its aggregate again.
    expect(d.refreshedIncidents).toMatchObject([{ row: { incident_id: 'inc1' }, aggregate: undefined }]);
  });

  it('reopens: a firing event after a recovery in the same batch opens a new alert', () => {
    const open = stored(event('Critical'), 'inc1');
    const d = decide(
      loadedWith(open, [storedIncident('inc1')]),
      [unit(event('Ok')), unit(event('Critical'))],
      NOW_MS,
    );
    expect(d.outcomes.map((o) => o.kind)).toEqual(['recovered', 'new']);
    expect(d.alerts.opened).toHaveLength(1);
    expect(d.alerts.opened[0]!.alert_id).not.toBe(open.alert_id);
    expect(d.openedIncidents).toHaveLength(1);
  });

  it('changes an alert on a new status: severity is the highest seen', () => {
    const open = stored(event('Critical'), null);
    const d = decide(loadedWith(open), [unit(event('Warning'))], NOW_MS);
    expect(d.outcomes).toEqual([{ kind: 'updated', alertId: open.alert_id, incidentId: null }]);
    expect(d.alerts.changed[0]).toMatchObject({ alert_status: 'Warning', alert_severity: 'Critical' });
    expect(d.feed.map((f) => f.type)).toEqual(['a_update']);
  });

  it('groups new alerts of one grouping key into one incident opened in the batch', () => {
    const c = channel({ method: 'p', equals: [['labels.host']], time_window: 0 });
    const d = decide(nothing, [unit(event('Critical', 'a'), c), unit(event('Warning', 'b'), c)], NOW_MS);
    expect(d.openedIncidents).toHaveLength(1);
    expect(d.openedIncidents[0]).toMatchObject({ alert_cnt: 2, active_alert_cnt: 2 });
    expect(d.feed.map((f) => f.type)).toEqual(['i_new', 'a_new', 'a_merge', 'a_new']);
  });

  it('joins a stored incident of the grouping key, counting the newcomer without reading its alerts', () => {
    const c = channel({ method: 'p', equals: [['labels.host']], time_window: 0 });
    const [first] = decide(nothing, [unit(event('Critical', 'a'), c)], NOW_MS).openedIncidents;
    const incident = storedIncident('inc9', { group_key: first!.group_key });
    const loaded: Loaded = { open: new Map(), incidents: [incident], histories: new Map() };
    const d = decide(loaded, [unit(event('Critical', 'b'), c)], NOW_MS);
    expect(d.outcomes[0]).toMatchObject({ kind: 'new', incidentId: 'inc9' });
    expect(d.openedIncidents).toEqual([]);
    expect(d.refreshedIncidents[0]).toMatchObject({
      mergedAt: NOW,
      aggregate: { alert_cnt: 2, active_alert_cnt: 2 },
    });
    // Pure: what was read is left as it was.
    expect(incident.last_merge_time).toBe(NOW - 60);
  });

  it('opens a new incident when the stored one closes in the batch, and frees its grouping key', () => {
    const c = channel({ method: 'p', equals: [['labels.host']], time_window: 0 });
    const groupKey = decide(nothing, [unit(event('Critical', 'a'), c)], NOW_MS).openedIncidents[0]!.group_key;
    const open = stored(event('Critical', 'a'), 'inc9');
    const loaded = loadedWith(open, [storedIncident('inc9', { group_key: groupKey })]);
    const d = decide(loaded, [unit(event('Ok', 'a'), c), unit(event('Critical', 'b'), c)], NOW_MS);
    expect(d.clearGroupKeys).toEqual(['inc9']);
    expect(d.openedIncidents).toHaveLength(1);
    expect(d.outcomes[1]).toMatchObject({ kind: 'new', incidentId: d.openedIncidents[0]!.incident_id });
  });

  it('judges flapping from the loaded history plus the batch', () => {
    const c = channel({ method: 'n' }, { is_disabled: false, max_changes: 3, in_mins: 60 });
    const open = stored(event('Critical'), 'inc1');
    const history = [
      { status: 'Critical', time: NOW - 300 },
      { status: 'Ok', time: NOW - 200 },
      { status: 'Critical', time: NOW - 100 },
    ];
    const loaded: Loaded = {
      ...loadedWith(open, [storedIncident('inc1')]),
      histories: new Map([['alert:7:3:k1', history]]),
    };
    const d = decide(loaded, [unit(event('Ok'), c)], NOW_MS);
    expect(d.flaps).toMatchObject([{ alertId: open.alert_id, incidentId: 'inc1', flapping: { changes: 3 } }]);
    expect(history).toHaveLength(3);
  });

  it('touches the incident of a repeat only when its alert is a minute stale', () => {
    const open = { ...stored(event('Critical'), 'inc1'), last_time: NOW - 100 };
    const d = decide(
      loadedWith(open),
      [unit(event('Critical', 'k1', 'disk full', { eventTime: NOW }))],
      NOW_MS,
    );
    expect(d.touches).toEqual([{ incidentId: 'inc1', eventTime: NOW }]);
    const fresh = decide(
      loadedWith({ ...open, last_time: NOW - 30 }),
      [unit(event('Critical', 'k1', 'disk full', { eventTime: NOW }))],
      NOW_MS,
    );
    expect(fresh.touches).toEqual([]);
  });
});

describe('needed (what the lock and load phases read)', () => {
  it('asks for the incidents of changed alerts and the grouping keys of new ones, not for repeats', () => {
    const c = channel({ method: 'p', equals: [['labels.host']] }, { is_disabled: false });
    const open = stored(event('Critical', 'a'), 'inc1');
    const repeat = stored(event('Critical', 'r'), 'inc2');
    const opens = new Map([
      ['alert:7:3:a', open],
      ['alert:7:3:r', repeat],
    ]);
    const n = needed(
      [unit(event('Warning', 'a'), c), unit(event('Critical', 'r'), c), unit(event('Critical', 'new'), c)],
      opens,
      NOW_MS,
    );
    expect(n.incidentIds).toEqual(['inc1']);
    expect(n.groups).toHaveLength(1);
    expect([...n.histories.keys()]).toEqual(['alert:7:3:a', 'alert:7:3:new']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  alert,
  alertsOf,
  feedOf,
  fire,
  incident,
  lastFeed,
  newSource,
  ok,
  refused,
  type Source,
} from './actions-helpers.ts';

let t: TestApp;
let owner: TestAccount;
let source: Source;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Edits');
  source = await newSource(t, owner);
});
afterAll(() => t.close());

describe('/incident/reset', () => {
  it('sets the fields sent, records each change, and marks title, description and severity as manual', async () => {
    const { incidentId } = await fire(t, source, { title_rule: 'Disk full', description: 'from the probe' });
    await ok(t, owner, '/incident/reset', {
      incident_id: incidentId,
      title: 'Disk full on db1',
      description: 'The data volume is full',
      impact: 'Writes fail',
      root_cause: 'Log rotation stopped',
      resolution: 'Rotated the logs',
      incident_severity: 'Critical',
    });
    const row = await incident(t, incidentId);
    expect(row).toMatchObject({
      title: 'Disk full on db1',
      description: 'The data volume is full',
      impact: 'Writes fail',
      root_cause: 'Log rotation stopped',
      resolution: 'Rotated the logs',
      incident_severity: 'Critical',
    });
    expect([...row.manual_overrides].sort()).toEqual(['description', 'incident_severity', 'title']);
    const entries = (await feedOf(t, incidentId)).filter((e) => e.type.startsWith('i_r_'));
    expect(entries.map((e) => [e.type, e.detail, e.creator_id])).toEqual([
      ['i_r_title', { from: 'Disk full', to: 'Disk full on db1' }, owner.memberId],
      ['i_r_desc', { from: 'from the probe', to: 'The data volume is full' }, owner.memberId],
      ['i_r_impact', { from: '', to: 'Writes fail' }, owner.memberId],
      ['i_r_rc', { from: '', to: 'Log rotation stopped' }, owner.memberId],
      ['i_r_rsltn', { from: '', to: 'Rotated the logs' }, owner.memberId],
      ['i_r_severity', { from: 'Warning', to: 'Critical' }, owner.memberId],
    ]);
  });

  it('writes no entry for a field sent unchanged, and keeps the other fields', async () => {
    const { incidentId } = await fire(t, source, { title_rule: 'Same title' });
    await ok(t, owner, '/incident/reset', { incident_id: incidentId, title: 'Same title', impact: 'none' });
    const row = await incident(t, incidentId);
    expect(row).toMatchObject({ title: 'Same title', impact: 'none', incident_severity: 'Warning' });
    expect(row.manual_overrides).toEqual(['title']);
    expect((await feedOf(t, incidentId)).filter((e) => e.type.startsWith('i_r_')).map((e) => e.type)).toEqual(
      ['i_r_impact'],
    );
  });

  it('a manually set severity and title survive later alert events', async () => {
    const { incidentId, alertKey } = await fire(t, source, {
      event_status: 'Warning',
      title_rule: 'CPU high',
    });
    await ok(t, owner, '/incident/reset', {
      incident_id: incidentId,
      incident_severity: 'Info',
      title: 'Known CPU spike',
    });
    await fire(t, source, { alert_key: alertKey, event_status: 'Critical', title_rule: 'CPU very high' });
    const row = await incident(t, incidentId);
    expect(row).toMatchObject({
      incident_severity: 'Info',
      title: 'Known CPU spike',
      incident_status: 'Critical',
    });
    expect(row.alert_event_cnt).toBe(2);
  });

  it('without a manual severity, a later event still raises it', async () => {
    const { incidentId, alertKey } = await fire(t, source, { event_status: 'Warning' });
    await ok(t, owner, '/incident/reset', { incident_id: incidentId, impact: 'some users' });
    await fire(t, source, { alert_key: alertKey, event_status: 'Critical' });
    expect((await incident(t, incidentId)).incident_severity).toBe('Critical');
  });

  it('edits closed incidents too', async () => {
    const { incidentId } = await fire(t, source);
    await ok(t, owner, '/incident/resolve', { incident_ids: [incidentId] });
    await ok(t, owner, '/incident/reset', { incident_id: incidentId, root_cause: 'a bad deploy' });
    expect(await incident(t, incidentId)).toMatchObject({ progress: 'Closed', root_cause: 'a bad deploy' });
  });

  it('refuses a reset with no field and a title under 3 characters once trimmed; trims the title', async () => {
    const { incidentId } = await fire(t, source);
    await refused(
      t,
      owner,
      '/incident/reset',
      { incident_id: incidentId },
      'InvalidParameter',
      'at least one',
    );
    await refused(
      t,
      owner,
      '/incident/reset',
      { incident_id: incidentId, title: '    ' },
      'InvalidParameter',
      'title',
    );
  });
});

describe('/incident/field/reset', () => {
  it('stores any JSON value under the field name, replaces it, and removes it with null', async () => {
    const { incidentId } = await fire(t, source);
    await ok(t, owner, '/incident/field/reset', {
      incident_id: incidentId,
      field_name: 'customer',
      field_value: 'ACME',
    });
    await ok(t, owner, '/incident/field/reset', {
      incident_id: incidentId,
      field_name: 'affected_regions',
      field_value: ['eu-1', 'us-2'],
    });
    expect((await incident(t, incidentId)).fields).toEqual({
      customer: 'ACME',
      affected_regions: ['eu-1', 'us-2'],
    });

    await ok(t, owner, '/incident/field/reset', {
      incident_id: incidentId,
      field_name: 'customer',
      field_value: 42,
    });
    expect(await lastFeed(t, incidentId, 'i_r_field')).toMatchObject({
      creator_id: owner.memberId,
      detail: { field_name: 'customer', from: 'ACME', to: 42 },
    });
    await ok(t, owner, '/incident/field/reset', {
      incident_id: incidentId,
      field_name: 'customer',
      field_value: null,
    });
    await ok(t, owner, '/incident/field/reset', { incident_id: incidentId, field_name: 'affected_regions' });
    expect((await incident(t, incidentId)).fields).toEqual({});
    expect((await feedOf(t, incidentId)).filter((e) => e.type === 'i_r_field')).toHaveLength(5);
  });

  it('refuses bad names and oversized values', async () => {
    const { incidentId } = await fire(t, source);
    for (const name of ['Customer', '1st', 'has-dash', '', 'x'.repeat(41)]) {
      await refused(
        t,
        owner,
        '/incident/field/reset',
        { incident_id: incidentId, field_name: name, field_value: 1 },
        'InvalidParameter',
        'field_name',
      );
    }
    await refused(
      t,
      owner,
      '/incident/field/reset',
      { incident_id: incidentId, field_name: 'big', field_value: 'x'.repeat(6200) },
      'InvalidParameter',
      'field_value',
    );
    expect((await incident(t, incidentId)).fields).toEqual({});
  });
});

describe('/incident/disable-merge', () => {
  it('stops an incident taking alerts by grouping', async () => {
    const grouped = await newSource(t, owner, { group: { method: 'p', equals: [['labels.service']] } });
    const first = await fire(t, grouped, { labels: { service: 'api' } });
    const second = await fire(t, grouped, { labels: { service: 'api' } });
    expect(second.incidentId).toBe(first.incidentId);

    await ok(t, owner, '/incident/disable-merge', { incident_ids: [first.incidentId] });
    expect(await incident(t, first.incidentId)).toMatchObject({ merge_disabled: true, group_key: null });
    const third = await fire(t, grouped, { labels: { service: 'api' } });
    expect(third.incidentId).not.toBe(first.incidentId);
    expect((await incident(t, first.incidentId)).alert_cnt).toBe(2);
  });
});

describe('/incident/remove', () => {
  it('soft-deletes incidents with their alerts; they are not found afterwards', async () => {
    const removed = await fire(t, source);
    const kept = await fire(t, source);
    t.clock.advance(5000);
    const now = Math.floor(t.clock.nowMs() / 1000);
    await ok(t, owner, '/incident/remove', { incident_ids: [removed.incidentId] });
    expect(await incident(t, removed.incidentId)).toMatchObject({ deleted_at: now, group_key: null });
    expect(await alert(t, removed.alertId)).toMatchObject({ deleted_at: now, end_time: now });
    expect((await incident(t, kept.incidentId)).deleted_at).toBe(0);

    for (const [path, body] of [
      ['/incident/ack', { incident_ids: [removed.incidentId] }],
      ['/incident/reset', { incident_id: removed.incidentId, title: 'again' }],
      ['/incident/remove', { incident_ids: [removed.incidentId] }],
    ] as const) {
      await refused(t, owner, path, body, 'ResourceNotFound', removed.incidentId);
    }
    // The same key fires again: a new alert and incident.
    const again = await fire(t, source, { alert_key: removed.alertKey });
    expect(again.incidentId).not.toBe(removed.incidentId);
    expect(await alertsOf(t, again.incidentId)).toHaveLength(1);
  });
});

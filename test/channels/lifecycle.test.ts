import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { createChannel, createTeam, expectInvalid, expectNotFound } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;
let teamA: number;
let teamB: number;

const START = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Acme');
  teamA = await createTeam(t, owner, 'SRE', [owner.memberId]);
  teamB = await createTeam(t, owner, 'DBA');
});
afterAll(() => t.close());

const info = (channelId: number) => t.post('/channel/info', { channel_id: channelId }, owner.appKey);

describe('channel lifecycle', () => {
  it('creates, reads, lists, updates, disables, enables and deletes a channel', async () => {
    const created = await t.post(
      '/channel/create',
      { team_id: teamA, channel_name: 'Payments' },
      owner.appKey,
    );
    expect(created.status).toBe(200);
    const channelId = created.body.data.channel_id as number;
    expect(created.body.data).toEqual({
      channel_id: channelId,
      channel_name: 'Payments',
      external_report_token: '',
    });

    const first = await info(channelId);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({
      channel_id: channelId,
      team_id: teamA,
      managing_team_ids: [],
      creator_id: owner.memberId,
      account_id: owner.accountId,
      channel_name: 'Payments',
      description: '',
      status: 'enabled',
      deleted_at: 0,
      created_at: START,
      updated_at: START,
      auto_resolve_timeout: 0,
      auto_resolve_mode: 'trigger',
      is_private: false,
      disable_outlier_detection: false,
      disable_auto_close: false,
      group: {
        method: 'n',
        equals: [],
        cases: [],
        all_equals_required: false,
        time_window: 0,
        window_type: 'tumbling',
        storm_threshold: 0,
        storm_thresholds: [],
        i_keys: ['title', 'description', 'labels.service', 'labels.resource'],
        i_score_threshold: 0.9,
      },
      flapping: { is_disabled: false, max_changes: 4, in_mins: 60, mute_mins: 120 },
      plugin_ids: [],
      progress_to_incident_cnts: { Triggered: 0, Processing: 0 },
      is_starred: false,
      active_incident_highest_severity: '',
      last_incident_at: 0,
      is_external_report_enabled: false,
      external_report_token: '',
    });

    const list = await t.post('/channel/list', {}, owner.appKey);
    expect(list.body.data).toEqual({ items: [first.body.data], total: 1, has_next_page: false });

    t.clock.advance(60_000);
    const updated = await t.post(
      '/channel/update',
      {
        channel_id: channelId,
        channel_name: 'Payments API',
        managing_team_ids: [teamB],
        auto_resolve_timeout: 3600,
        flapping: { max_changes: 10 },
      },
      owner.appKey,
    );
    expect(updated.status).toBe(200);
    expect(updated.body.data).toEqual({ external_report_token: '' });

    const second = await info(channelId);
    expect(second.body.data).toEqual({
      ...first.body.data,
      channel_name: 'Payments API',
      managing_team_ids: [teamB],
      auto_resolve_timeout: 3600,
      // A sent flapping object replaces the stored one; what it leaves out takes the defaults.
      flapping: { is_disabled: false, max_changes: 10, in_mins: 60, mute_mins: 120 },
      updated_at: START + 60,
    });

    expect((await t.post('/channel/disable', { channel_id: channelId }, owner.appKey)).body.data).toEqual({});
    expect((await info(channelId)).body.data.status).toBe('disabled');
    expect((await t.post('/channel/enable', { channel_id: channelId }, owner.appKey)).body.data).toEqual({});
    expect((await info(channelId)).body.data.status).toBe('enabled');

    const deleted = await t.post('/channel/delete', { channel_id: channelId }, owner.appKey);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({});
    expectNotFound(await info(channelId));
    expect((await t.post('/channel/list', { channel_ids: [channelId] }, owner.appKey)).body.data.total).toBe(
      0,
    );
    const stored = await t.db.q
      .selectFrom('channels')
      .select(['status', 'deleted_at'])
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'deleted', deleted_at: START + 60 });

    for (const path of ['/channel/update', '/channel/enable', '/channel/disable', '/channel/delete']) {
      expectNotFound(await t.post(path, { channel_id: channelId }, owner.appKey));
    }
  });

  it('stores a full configuration with Flashduty defaults filled in', async () => {
    const channelId = await createChannel(t, owner, {
      team_id: teamA,
      channel_name: 'Databases',
      description: 'All database alerts',
      managing_team_ids: [teamB, teamB],
      auto_resolve_timeout: 2_592_000,
      auto_resolve_mode: 'update',
      plugin_ids: [7, 7, 9],
      is_private: true,
      disable_outlier_detection: true,
      disable_auto_close: true,
      group: {
        method: 'p',
        equals: [['title', 'labels.host']],
        cases: [
          {
            if: [{ key: 'severity', oper: 'IN', vals: ['Critical'] }],
            equals: ['title', 'labels.db'],
          },
        ],
        time_window: 30,
        window_type: 'sliding',
        storm_thresholds: [100, 500],
      },
      flapping: { is_disabled: true },
    });
    const { data } = (await info(channelId)).body;
    expect(data).toMatchObject({
      description: 'All database alerts',
      managing_team_ids: [teamB],
      auto_resolve_timeout: 2_592_000,
      auto_resolve_mode: 'update',
      plugin_ids: [7, 9],
      is_private: true,
      disable_outlier_detection: true,
      disable_auto_close: true,
      group: {
        method: 'p',
        equals: [['title', 'labels.host']],
        cases: [
          { if: [{ key: 'severity', oper: 'IN', vals: ['Critical'] }], equals: ['title', 'labels.db'] },
        ],
        all_equals_required: false,
        time_window: 30,
        window_type: 'sliding',
        storm_threshold: 0,
        storm_thresholds: [100, 500],
        i_score_threshold: 0.9,
      },
      flapping: { is_disabled: true, max_changes: 4, in_mins: 60, mute_mins: 120 },
    });

    // Only the fields sent change.
    await t.post(
      '/channel/update',
      { channel_id: channelId, description: 'Primary databases' },
      owner.appKey,
    );
    const after = (await info(channelId)).body.data;
    expect(after).toEqual({ ...data, description: 'Primary databases', updated_at: after.updated_at });

    await t.post(
      '/channel/update',
      { channel_id: channelId, group: { method: 'i', i_keys: ['title'] } },
      owner.appKey,
    );
    expect((await info(channelId)).body.data.group).toMatchObject({
      method: 'i',
      equals: [],
      cases: [],
      i_keys: ['title'],
      window_type: 'tumbling',
    });
  });

  it('issues an external report token when reporting is enabled, and keeps it', async () => {
    const created = await t.post(
      '/channel/create',
      { team_id: teamA, channel_name: 'Public', is_external_report_enabled: true },
      owner.appKey,
    );
    const token = created.body.data.external_report_token as string;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const channelId = created.body.data.channel_id as number;
    expect((await info(channelId)).body.data).toMatchObject({
      is_external_report_enabled: true,
      external_report_token: token,
    });

    const off = await t.post(
      '/channel/update',
      { channel_id: channelId, is_external_report_enabled: false },
      owner.appKey,
    );
    expect(off.body.data).toEqual({ external_report_token: '' });
    expect((await info(channelId)).body.data.external_report_token).toBe('');
    const on = await t.post(
      '/channel/update',
      { channel_id: channelId, is_external_report_enabled: true },
      owner.appKey,
    );
    expect(on.body.data).toEqual({ external_report_token: token });

    const plain = await createChannel(t, owner, { team_id: teamA, channel_name: 'Later public' });
    const enabled = await t.post(
      '/channel/update',
      { channel_id: plain, is_external_report_enabled: true },
      owner.appKey,
    );
    const issued = enabled.body.data.external_report_token as string;
    expect(issued).toMatch(/^[0-9a-f]{32}$/);
    expect(issued).not.toBe(token);
    const again = await t.post('/channel/update', { channel_id: plain, description: 'x' }, owner.appKey);
    expect(again.body.data).toEqual({ external_report_token: issued });
  });

  it('keeps names unique among live channels and frees the name on delete', async () => {
    const first = await createChannel(t, owner, { team_id: teamA, channel_name: 'Checkout' });
    expectInvalid(
      await t.post('/channel/create', { team_id: teamB, channel_name: 'Checkout' }, owner.appKey),
      'channel_name',
    );
    expectInvalid(
      await t.post('/channel/create', { team_id: teamB, channel_name: '  Checkout ' }, owner.appKey),
      'channel_name',
    );
    const other = await createChannel(t, owner, { team_id: teamA, channel_name: 'Cart' });
    expectInvalid(
      await t.post('/channel/update', { channel_id: other, channel_name: 'Checkout' }, owner.appKey),
      'channel_name',
    );
    expect((await info(other)).body.data.channel_name).toBe('Cart');
    // Renaming a channel to its own name is no clash.
    expect(
      (await t.post('/channel/update', { channel_id: first, channel_name: 'Checkout' }, owner.appKey)).status,
    ).toBe(200);

    await t.post('/channel/delete', { channel_id: first }, owner.appKey);
    const reused = await createChannel(t, owner, { team_id: teamB, channel_name: 'Checkout' });
    expect(reused).not.toBe(first);
  });

  it('answers /channel/infos in the order asked, skipping unknown and deleted channels', async () => {
    const one = await createChannel(t, owner, { team_id: teamA, channel_name: 'Infos one' });
    const two = await createChannel(t, owner, { team_id: teamA, channel_name: 'Infos two' });
    const gone = await createChannel(t, owner, { team_id: teamA, channel_name: 'Infos gone' });
    await t.post('/channel/disable', { channel_id: two }, owner.appKey);
    await t.post('/channel/delete', { channel_id: gone }, owner.appKey);
    const res = await t.post('/channel/infos', { channel_ids: [two, 12345, one, gone, two] }, owner.appKey);
    expect(res.status).toBe(200);
    // team_id and creator_id: read by Flashduty's Go SDK (docs/conformance.md).
    const owned = { team_id: teamA, creator_id: owner.memberId };
    expect(res.body.data).toEqual({
      items: [
        { ...owned, channel_id: two, channel_name: 'Infos two', status: 'disabled' },
        { ...owned, channel_id: one, channel_name: 'Infos one', status: 'enabled' },
      ],
    });
    expect((await t.post('/channel/infos', { channel_ids: [] }, owner.appKey)).body.data).toEqual({
      items: [],
    });
  });

  it('refuses to delete a channel a live private integration feeds, naming the integration', async () => {
    const channelId = await createChannel(t, owner, { team_id: teamA, channel_name: 'Fed' });
    const now = START;
    const { integration_id } = await t.db.q
      .insertInto('integrations')
      .values({
        account_id: owner.accountId,
        name: 'Prometheus prod',
        plugin_type: 'prometheus',
        integration_key: 'channel-test-key',
        channel_id: channelId,
        creator_id: owner.memberId,
        created_at: now,
        updated_at: now,
      })
      .returning('integration_id')
      .executeTakeFirstOrThrow();

    const refused = await t.post('/channel/delete', { channel_id: channelId }, owner.appKey);
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('ReferenceExist');
    expect(refused.body.error?.message).toContain('Prometheus prod');
    expect((await info(channelId)).body.data.status).toBe('enabled');

    await t.db.q
      .updateTable('integrations')
      .set({ status: 'deleted', deleted_at: now })
      .where('integration_id', '=', integration_id)
      .execute();
    expect((await t.post('/channel/delete', { channel_id: channelId }, owner.appKey)).status).toBe(200);
  });

  it('requires live teams of the account as owner and managers', async () => {
    const gone = await createTeam(t, owner, 'Disbanded');
    expect((await t.post('/team/delete', { team_id: gone }, owner.appKey)).status).toBe(200);
    expectInvalid(
      await t.post('/channel/create', { team_id: gone, channel_name: 'Orphan' }, owner.appKey),
      'team_id',
    );
    expectInvalid(
      await t.post(
        '/channel/create',
        { team_id: teamA, channel_name: 'Orphan', managing_team_ids: [teamB, gone] },
        owner.appKey,
      ),
      'managing_team_ids',
    );
    const channelId = await createChannel(t, owner, { team_id: teamA, channel_name: 'Owned' });
    expectInvalid(
      await t.post('/channel/update', { channel_id: channelId, team_id: gone }, owner.appKey),
      'team_id',
    );
    expect((await info(channelId)).body.data.team_id).toBe(teamA);
    // A team that owns or manages a live channel cannot be deleted under it.
    const refused = await t.post('/team/delete', { team_id: teamA }, owner.appKey);
    expect(refused.body.error?.code).toBe('ReferenceExist');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Contact,
  DEFAULT_TRIGGER_NOTIFY,
  resolveChannels,
} from '../../src/notifications/preferences.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { expectInvalid } from '../incidents/read-helpers.ts';
import { ok } from '../webhooks/helpers.ts';

const alice: Contact = {
  personId: 1,
  email: 'alice@example.com',
  phone: '5550100',
  countryCode: '1',
  status: 'enabled',
};
const all = { email: true, phone: true };

describe('resolveChannels: a person and a severity to the channels to use', () => {
  it('follows the person’s preferences, or the defaults when there are none', () => {
    const prefs = { critical: ['voice', 'email'], warning: ['sms'], info: [] };
    expect(resolveChannels(alice, 'Critical', prefs, { follow_preference: true }, all).channels).toEqual([
      { channel: 'voice', target: { phone: '5550100', country_code: '1' } },
      { channel: 'email', target: { address: 'alice@example.com' } },
    ]);
    expect(resolveChannels(alice, 'Warning', prefs, undefined, all).channels.map((c) => c.channel)).toEqual([
      'sms',
    ]);
    expect(
      resolveChannels(alice, 'Critical', undefined, undefined, all).channels.map((c) => c.channel),
    ).toEqual(DEFAULT_TRIGGER_NOTIFY.critical);
  });

  it('uses the escalation’s own per-severity lists when it does not follow preferences', () => {
    const by = { follow_preference: false, critical: ['sms'], warning: ['email'], info: ['email'] };
    const prefs = { critical: ['voice'], warning: ['voice'], info: ['voice'] };
    expect(resolveChannels(alice, 'Critical', prefs, by, all).channels.map((c) => c.channel)).toEqual([
      'sms',
    ]);
    expect(resolveChannels(alice, 'Info', prefs, by, all).channels.map((c) => c.channel)).toEqual(['email']);
  });

  it('skips what the person or the deployment cannot do, and falls back to e-mail', () => {
    const noPhone = { ...alice, phone: '' };
    const r = resolveChannels(
      noPhone,
      'Critical',
      { critical: ['sms', 'voice'], warning: [], info: [] },
      undefined,
      all,
    );
    expect(r.channels.map((c) => c.channel)).toEqual(['email']);
    expect(r.skipped).toEqual([
      { channel: 'sms', reason: 'the member has no phone number' },
      { channel: 'voice', reason: 'the member has no phone number' },
    ]);
    expect(r.unreachable).toBe(false);
    const noGateway = resolveChannels(
      alice,
      'Critical',
      { critical: ['voice', 'feishu_app:7'], warning: [], info: [] },
      undefined,
      { email: true, phone: false },
    );
    expect(noGateway.skipped.map((s) => s.reason)).toEqual([
      'SMS and voice are not configured (PHONE_PROVIDER_URL)',
      'Vigil does not deliver to this channel yet',
    ]);
    expect(noGateway.channels.map((c) => c.channel)).toEqual(['email']);
  });

  it('flags a person with no working contact method', () => {
    const nobody = { ...alice, email: '', phone: '' };
    expect(resolveChannels(nobody, 'Critical', undefined, undefined, all)).toMatchObject({
      channels: [],
      unreachable: true,
    });
    expect(
      resolveChannels(alice, 'Critical', undefined, undefined, { email: false, phone: false }).unreachable,
    ).toBe(true);
    expect(
      resolveChannels({ ...alice, status: 'deleted' }, 'Info', undefined, undefined, all).unreachable,
    ).toBe(true);
  });
});

describe('/preference/* and /notification/reachability', () => {
  let t: TestApp;
  let owner: TestAccount;

  beforeAll(async () => {
    t = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:2525' } });
    owner = await t.newAccount('Prefs');
  });
  afterAll(() => t?.close());

  it('reads the defaults, then saves and reads back the person’s own', async () => {
    const before = ok(await t.post('/preference/info', {}, owner.appKey));
    expect(before).toEqual({
      person_id: owner.memberId,
      trigger_notify: DEFAULT_TRIGGER_NOTIFY,
      shedule_shift_notify: { personal_channels: [] },
      status_page_notify: { im_integrations: [] },
    });
    ok(
      await t.post(
        '/preference/update',
        {
          trigger_notify: { critical: ['voice', 'email', 'voice'], warning: ['email'], info: [] },
          schedule_shift_notify: { personal_channels: ['email'] },
        },
        owner.appKey,
      ),
    );
    const after = ok(await t.post('/preference/info', {}, owner.appKey));
    expect(after.trigger_notify).toEqual({ critical: ['voice', 'email'], warning: ['email'], info: [] });
    expect(after.shedule_shift_notify).toEqual({ personal_channels: ['email'] });
    // Another member's preferences are their own.
    const member = await t.newMember(owner, [3]);
    expect(ok(await t.post('/preference/info', {}, member.appKey)).trigger_notify).toEqual(
      DEFAULT_TRIGGER_NOTIFY,
    );
  });

  it('sets another member’s preferences with person_id only with Members Manage (Vigil’s own, for imports)', async () => {
    const member = await t.newMember(owner, [3]);
    const other = await t.newMember(owner, [3]);
    const body = {
      person_id: member.memberId,
      trigger_notify: { critical: ['voice'], warning: [], info: [] },
    };
    const denied = await t.post('/preference/update', body, other.appKey);
    expect(denied.status).toBe(403);
    expect(denied.body.error?.code).toBe('AccessDenied');
    ok(await t.post('/preference/update', body, owner.appKey));
    const read = ok(await t.post('/preference/info', { person_id: member.memberId }, owner.appKey));
    expect(read).toMatchObject({ person_id: member.memberId, trigger_notify: { critical: ['voice'] } });
    const own = ok(await t.post('/preference/info', {}, member.appKey));
    expect(own.trigger_notify.critical).toEqual(['voice']);
    expectInvalid(await t.post('/preference/info', { person_id: 987_654 }, owner.appKey), 'person_id');
  });

  it('refuses unknown channels, naming the field', async () => {
    expectInvalid(
      await t.post(
        '/preference/update',
        { trigger_notify: { critical: ['pigeon'], warning: [], info: [] } },
        owner.appKey,
      ),
      'trigger_notify.critical[0]',
    );
    expectInvalid(
      await t.post('/preference/update', { trigger_notify: { critical: [] } }, owner.appKey),
      'trigger_notify.warning',
    );
  });

  it('tells who would be reached how, and who cannot be reached', async () => {
    const member = await t.newMember(owner, [3]);
    // A member without an e-mail address (invited by phone) and no SMS gateway configured.
    await t.db.q
      .updateTable('members')
      .set({ email: '', phone: '5550100' })
      .where('member_id', '=', member.memberId)
      .execute();
    const res = ok(
      await t.post(
        '/notification/reachability',
        { person_ids: [owner.memberId, member.memberId, 987654], incident_severity: 'Critical' },
        owner.appKey,
      ),
    );
    const byId = new Map(res.items.map((i: any) => [i.person_id, i]));
    expect(byId.get(owner.memberId)).toMatchObject({ channels: ['email'], unreachable: false });
    expect((byId.get(owner.memberId) as any).skipped.map((s: any) => s.channel)).toEqual(['voice']); // saved above: critical = voice, email
    expect(byId.get(member.memberId)).toMatchObject({ channels: [], unreachable: true });
    expect((byId.get(member.memberId) as any).skipped.map((s: any) => s.reason)).toEqual([
      'the member has no e-mail address',
      'SMS and voice are not configured (PHONE_PROVIDER_URL)',
      'SMS and voice are not configured (PHONE_PROVIDER_URL)',
    ]);
    expect(byId.get(987654)).toMatchObject({ channels: [], unreachable: true });
  });
});

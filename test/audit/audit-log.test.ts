import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectDenied, expectInvalid, expectOk } from '../accounts/helpers.ts';
import { sampleContext } from '../conformance/samples.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { type Operation, send, servedOperations } from '../http/operations.ts';
import { SESSION_ONLY, sampleFor, startSampleApp } from '../http/vigil-samples.ts';
import { consoleCall, emailOf, PASSWORD, setPassword, signIn } from '../web/helpers.ts';

/*
 * The audit log (issue 20): every state-changing call is recorded with who, how, what and from
 * where, secrets masked; reads are not; /audit/search pages and filters it; another account sees
 * none of it; the engine removes entries older than AUDIT_RETENTION_DAYS.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startSampleApp({ AUDIT_RETENTION_DAYS: '30' });
  owner = await t.newAccount('Audited');
  other = await t.newAccount('Elsewhere');
}, 120_000);
afterAll(() => t?.close());

const DAY = 86_400;
const nowSeconds = () => Math.floor(t.clock.nowMs() / 1000);

async function search(body: Record<string, unknown> = {}, key = owner.appKey) {
  const res = await t.post(
    '/audit/search',
    { start_time: nowSeconds() - 10 * DAY, end_time: nowSeconds() + DAY, limit: 99, ...body },
    key,
  );
  expectOk(res);
  return res.body.data as { total: number; search_after_ctx: string; docs: any[] };
}

const entriesOf = async (requestId: string) =>
  t.db.q.selectFrom('audit_logs').selectAll().where('request_id', '=', requestId).execute();

describe('recording', () => {
  it('records a write with who, how, what, which object and from where; a read records nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/team/upsert?app_key=${owner.appKey}`,
      headers: { 'content-type': 'application/json', 'user-agent': 'flashduty-cli/1.2' },
      payload: { team_name: 'Audited team', description: 'first' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const requestId = res.json().request_id;
    const { docs } = await search({ request_id: requestId });
    expect(docs).toHaveLength(1);
    const entry = docs[0];
    expect(entry).toMatchObject({
      created_at: t.clock.nowMs(),
      account_id: owner.accountId,
      member_id: owner.memberId,
      request_id: requestId,
      operation: 'team:write:upsert',
      is_write: true,
      is_dangerous: true,
      credential: 'app_key',
      user_agent: 'flashduty-cli/1.2',
      params: [],
    });
    expect(entry.ip).not.toBe('');
    expect(entry.key_id).toBeGreaterThan(0);
    expect(JSON.parse(entry.body)).toEqual({ team_name: 'Audited team', description: 'first' });

    const read = await t.post('/team/list', {}, owner.appKey);
    expectOk(read);
    expect(await entriesOf(read.body.request_id)).toEqual([]);
  });

  it('masks secrets: tokens and signing secrets in a body (URLs: src/audit/mask.test.ts)', async () => {
    const ctx = sampleContext(t, owner);
    const { member_id } = await ctx.member();
    const res = await t.post(
      '/schedule/create',
      {
        schedule_name: 'Masked',
        time_zone: 'UTC',
        layers: [
          {
            layer_name: 'primary',
            mode: 0,
            groups: [{ group_name: 'A', members: [{ role_id: 0, person_ids: [member_id] }] }],
            rotation_unit: 'day',
            rotation_value: 1,
            layer_start: nowSeconds(),
          },
        ],
        notify: {
          advance_in_time: 600,
          webhooks: [
            {
              type: 'feishu',
              settings: { token: 'tok-SECRET-1', alias: 'ops', sign_secret: 'sig-SECRET-2' },
            },
          ],
        },
      },
      owner.appKey,
    );
    expectOk(res);
    const [entry] = await entriesOf(res.body.request_id);
    expect(entry?.operation).toBe('schedule:write:create');
    expect(entry?.body).not.toContain('SECRET');
    expect(entry?.body).toContain('"token":"******"');
    expect(entry?.body).toContain('"sign_secret":"******"');
    expect(entry?.body).toContain('"alias":"ops"');

    // The key an app-key creation returns is in its answer only.
    const key = await t.post('/person/app-key/create', { key_name: 'ci' }, owner.appKey);
    expectOk(key);
    const [keyEntry] = await entriesOf(key.body.request_id);
    expect(keyEntry?.operation).toBe('person:write:app_key_create');
    expect(JSON.stringify(keyEntry)).not.toContain(key.body.data.key);
  });

  it('records the console: a session’s writes say so, and a password change is recorded masked', async () => {
    const member = await t.newMember(owner, [2]);
    const email = await emailOf(t, member);
    await setPassword(t, email);
    const { session } = await signIn(t, email);
    const created = await consoleCall(t, '/team/upsert', { team_name: 'From the console' }, session!);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const [entry] = await entriesOf(created.body.request_id);
    expect(entry).toMatchObject({ credential: 'session', key_id: null, member_id: member.memberId });
    const changed = await consoleCall(
      t,
      '/console/password/change',
      { current_password: PASSWORD, new_password: 'a brand new passphrase' },
      session!,
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const [change] = await entriesOf(changed.body.request_id);
    expect(change).toMatchObject({ operation: 'console:write:password_change', is_dangerous: true });
    expect(change?.body).not.toContain('passphrase');
    expect(change?.body).not.toContain(PASSWORD);
  });

  it('records nothing for a refused or failed write, and a change that rolls back leaves no entry', async () => {
    const before = (await search()).total;
    expectInvalid(await t.post('/role/upsert', { role_name: 'admin' }, owner.appKey), 'role_name');
    const reader = await t.newMember(owner, [4]);
    expectDenied(await t.post('/team/upsert', { team_name: 'Nope' }, reader.appKey));
    // A unique violation inside the transaction: the insert and its entry roll back together.
    expectOk(await t.post('/role/upsert', { role_name: 'Once' }, owner.appKey));
    expectInvalid(await t.post('/role/upsert', { role_name: 'once' }, owner.appKey), 'role_name');
    // member invite + key creation by newMember, and the first role: three entries.
    expect((await search()).total).toBe(before + 3);
  });

  it('records every write operation once and no read, across the whole API', {
    timeout: 300_000,
  }, async () => {
    const ctx = sampleContext(t, owner);
    const catalogue = t.app.audit.operations;
    const operations: Operation[] = (await servedOperations(t.app)).filter(
      (op) => !op.push && !SESSION_ONLY.has(op.path) && catalogue.some((c) => c.url === op.path),
    );
    const failures: string[] = [];
    let writes = 0;
    for (const op of operations) {
      const sample = sampleFor(op.path);
      if (!sample) continue;
      const request = await sample(ctx, t);
      if (request.auth && !('app_key' in request.auth)) continue;
      const sent = await send(t, op, request.input, request.auth ?? { app_key: owner.appKey });
      if (sent.status !== 200 || typeof sent.body !== 'object' || !sent.body?.request_id) continue;
      const described = catalogue.find((c) => c.url === op.path && c.method.toLowerCase() === op.method)!;
      const entries = await entriesOf(sent.body.request_id);
      if (described.isWrite) {
        writes += 1;
        if (entries.length !== 1 || entries[0]!.operation !== described.name)
          failures.push(
            `${op.path}: ${entries.length} entries (${entries.map((e) => e.operation).join(', ')})`,
          );
      } else if (entries.length > 0) {
        failures.push(`${op.path} is a read and was recorded`);
      }
    }
    expect(failures).toEqual([]);
    expect(writes).toBeGreaterThan(80);
  });
});

describe('/audit/search and /audit/operation/list', () => {
  it('pages with search_after_ctx, newest first, without repeats', async () => {
    const since = nowSeconds() + 1;
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1000);
      expectOk(await t.post('/team/upsert', { team_name: `Paged ${i}` }, owner.appKey));
    }
    const filter = { operations: ['team:write:upsert'], limit: 2, start_time: since };
    const all = await search({ ...filter, limit: 99 });
    const seen: any[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const data = await search({ ...filter, ...(cursor ? { search_after_ctx: cursor } : {}) });
      expect(data.total).toBe(all.total);
      seen.push(...data.docs);
      cursor = data.search_after_ctx;
      if (!cursor) break;
    }
    expect(all.total).toBe(5);
    expect(seen.map((d) => d.request_id)).toEqual(all.docs.map((d) => d.request_id));
    const times = seen.map((d) => d.created_at);
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expectInvalid(
      await t.post(
        '/audit/search',
        { start_time: nowSeconds() - DAY, end_time: nowSeconds(), search_after_ctx: 'garbage' },
        owner.appKey,
      ),
      'search_after_ctx',
    );
  });

  it('filters by member, danger and write; refuses a bad window', async () => {
    const { team_id } = await sampleContext(t, owner).team();
    const member = await t.newMember(owner, [2]);
    expectOk(await t.post('/channel/create', { channel_name: 'By the admin', team_id }, member.appKey));
    const mine = await search({ person_id: member.memberId });
    expect(mine.docs.map((d) => d.operation)).toEqual(['channel:write:create']);
    expect((await search({ is_write: false })).total).toBe(0);
    const dangerous = await search({ is_dangerous: true });
    expect(dangerous.docs.every((d) => d.is_dangerous)).toBe(true);
    expect(dangerous.docs.map((d) => d.operation)).not.toContain('channel:write:create');
    expectInvalid(
      await t.post('/audit/search', { start_time: nowSeconds(), end_time: nowSeconds() - 1 }, owner.appKey),
      'end_time',
    );
    expectInvalid(
      await t.post(
        '/audit/search',
        { start_time: nowSeconds() - 91 * DAY, end_time: nowSeconds() },
        owner.appKey,
      ),
      'end_time',
    );
  });

  it('needs Audit Read; another account sees none of it', async () => {
    const responder = await t.newMember(owner, [3]);
    const read = (key: string) =>
      t.post('/audit/search', { start_time: nowSeconds() - DAY, end_time: nowSeconds() + DAY }, key);
    expectOk(await read(responder.appKey)); // Responders hold every read permission, Audit Read included
    const custom = await t.post('/role/upsert', { role_name: 'No audit', permission_ids: [1] }, owner.appKey);
    const limited = await t.newMember(owner, [custom.body.data.role_id]);
    expectDenied(await read(limited.appKey), 'Audit Read');
    expectDenied(await t.post('/audit/operation/list', {}, limited.appKey), 'Audit Read');
    const theirs = await search({}, other.appKey);
    expect(theirs.total).toBe(0);
    expect(theirs.docs).toEqual([]);
  });

  it('lists the write operations, each once', async () => {
    const res = await t.post('/audit/operation/list', {}, owner.appKey);
    expectOk(res);
    const names = res.body.data.items.map((i: any) => i.name);
    expect(names).toContain('incident:write:ack');
    expect(names).toContain('role:write:upsert');
    expect(names).not.toContain('incident:read:list');
    expect(new Set(names).size).toBe(names.length);
    expect(res.body.data.items.every((i: any) => i.name_cn !== '')).toBe(true);
  });
});

describe('retention', () => {
  it('the engine removes entries older than AUDIT_RETENTION_DAYS and keeps the rest', async () => {
    const old = await t.post('/team/upsert', { team_name: 'Old news' }, owner.appKey);
    t.clock.advance(20 * DAY * 1000);
    const recent = await t.post('/team/upsert', { team_name: 'Recent news' }, owner.appKey);
    t.clock.advance(11 * DAY * 1000);
    const report = await t.engine.runOnce(t.clock.nowMs());
    expect(report.failed).toEqual([]);
    expect(report.changed['audit-retention']).toBeGreaterThan(0);
    expect(await entriesOf(old.body.request_id)).toEqual([]);
    expect(await entriesOf(recent.body.request_id)).toHaveLength(1);
  });
});

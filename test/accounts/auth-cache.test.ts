import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/db/db.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';
import { expectOk } from './helpers.ts';

/*
 * What authenticates a call is kept in process (src/accounts/auth-cache.ts) and forgotten on every
 * instance when it changes anywhere (migration 0060: triggers NOTIFY vigil_auth). Instance B keeps
 * keys; changes made through instance A, or by SQL outside Vigil, reach B within a second. On
 * PostgreSQL each instance has its own pool and its own listening connection; PGlite serves one
 * process, so its "instances" share the handle.
 */

let a: TestApp;
let b: TestApp;
let second: TestDatabase;
let account: TestAccount;

beforeAll(async () => {
  a = await startTestApp();
  const url = a.database.url;
  second = url ? { db: await openDb({ databaseUrl: url }), url, drop: async () => {} } : a.database;
  b = await startTestApp({ database: second });
  account = await a.newAccount('Cached');
}, 60_000);

afterAll(async () => {
  await b?.app.close();
  if (second && second !== a.database) await second.db.close();
  await a?.close();
});

const status = async (t: TestApp, appKey: string) => (await t.post('/member/info', {}, appKey)).status;

/** Polls instance `t` until `appKey` answers `expected`; returns how long that took (ms). */
async function within(t: TestApp, appKey: string, expected: number, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const got = await status(t, appKey);
    if (got === expected) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`still ${got} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs SQL as something other than Vigil would: a psql session, a script, another process. */
async function outside(db: Db, url: string | undefined, statement: string): Promise<void> {
  if (!url) {
    await db.withSession((session) => session.exec(statement));
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('the auth cache across instances', () => {
  it('a key disabled through one instance stops working on the other within a second', async () => {
    const member = await a.newMember(account, [3]);
    expect(await status(b, member.appKey)).toBe(200);
    const keys = await a.post('/person/app-key/list', { person_id: member.memberId }, account.appKey);
    const keyId = keys.body.data.items[0].key_id;
    expectOk(
      await a.post('/person/app-key/disable', { key_id: keyId, person_id: member.memberId }, account.appKey),
    );
    expect(await status(a, member.appKey)).toBe(401);
    expect(await within(b, member.appKey, 401, 1_000)).toBeLessThan(1_000);
    expectOk(
      await a.post('/person/app-key/enable', { key_id: keyId, person_id: member.memberId }, account.appKey),
    );
    expect(await within(b, member.appKey, 200, 1_000)).toBeLessThan(1_000);
  });

  it('a member deleted, or a role revoked, elsewhere is heard at once', async () => {
    const member = await a.newMember(account, [2]);
    expect((await b.post('/team/upsert', { team_name: 'By an Admin' }, member.appKey)).status).toBe(200);
    expectOk(
      await a.post('/member/role/update', { member_id: member.memberId, role_ids: [4] }, account.appKey),
    );
    const denied = async () => (await b.post('/team/upsert', { team_name: 'Again' }, member.appKey)).status;
    const started = Date.now();
    while ((await denied()) !== 403) {
      expect(Date.now() - started).toBeLessThan(1_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expectOk(await a.post('/member/delete', { member_id: member.memberId }, account.appKey));
    expect(await within(b, member.appKey, 401, 1_000)).toBeLessThan(1_000);
  });

  it('keeps what it read (a change that announces nothing is not seen), and forgets it on a notification', async () => {
    const member = await a.newMember(account, [3]);
    expect(await status(b, member.appKey)).toBe(200);
    const url = second.url;
    // Triggers off for this session: the change is made but not announced. The cache answers.
    await outside(
      second.db,
      url,
      `begin; set local session_replication_role = replica;
       update app_keys set status = 'disabled' where member_id = ${member.memberId}; commit`,
    );
    expect(await status(b, member.appKey)).toBe(200);
    // An ordinary change (here, of nothing that matters) is announced, and the key's state is read again.
    await outside(
      second.db,
      url,
      `update accounts set updated_at = updated_at where account_id = ${account.accountId}`,
    );
    expect(await within(b, member.appKey, 401, 1_000)).toBeLessThan(1_000);
  });

  it.runIf(TEST_DATABASE_URL !== undefined)(
    'trusts nothing while it cannot hear: a lost listening connection bypasses the cache until it is back',
    async () => {
      const member = await a.newMember(account, [3]);
      expect(await status(b, member.appKey)).toBe(200);
      // End every LISTEN connection of this database (both instances'), then change the key unannounced.
      const url = second.url!;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const ended = await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`,
        );
        expect(ended.rowCount).toBeGreaterThanOrEqual(2);
        await admin.query(
          `begin; set local session_replication_role = replica;
           update app_keys set status = 'disabled' where member_id = ${member.memberId}; commit`,
        );
      } finally {
        await admin.end();
      }
      // Whether B is still reconnecting (reads every call) or back (cleared what it kept), it answers 401.
      expect(await within(b, member.appKey, 401, 1_000)).toBeLessThan(1_000);
    },
  );
});

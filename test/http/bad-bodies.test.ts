import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { OWN_REPLY_SHAPE } from './vigil-samples.ts';

/** Paths that take any content type and then refuse what they read (here: no integration key). */
const ANY_BODY_PATHS = new Set(['/event/push/alert/aws/cloudwatch', '/event/push/heartbeat']);

/*
 * Every POST operation Vigil serves, whatever its family, refuses a body that is not JSON and a
 * 10 MB body in Flashduty's envelope, and neither changes anything stored.
 */

let t: TestApp;
let owner: TestAccount;
let operations: string[];

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, object>;
  };
  operations = Object.entries(doc.paths)
    .filter(([, methods]) => 'post' in methods)
    .map(([path]) => path);
});
afterAll(() => t.close());

/** Row count and a checksum of every table: any insert, update or delete changes it. */
async function fingerprint(): Promise<string> {
  const tables = [
    'accounts',
    'members',
    'member_roles',
    'app_keys',
    'teams',
    'team_members',
    'channels',
    'integrations',
    'routes',
  ];
  const parts = [];
  for (const table of tables) {
    const { rows } = await sql<{
      n: number;
      digest: string;
    }>`select count(*)::int as n, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as digest from ${sql.table(table)} t`.execute(
      t.db.q,
    );
    parts.push(`${table}:${rows[0]!.n}:${rows[0]!.digest}`);
  }
  return parts.join(' ');
}

describe('bad bodies on every POST operation', () => {
  it('covers the operations of every family', () => {
    for (const prefix of [
      '/member/',
      '/team/',
      '/role/',
      '/person/app-key/',
      '/channel/',
      '/datasource/',
      '/route/',
    ]) {
      expect(
        operations.some((path) => path.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
  });

  it('answers a non-JSON body with InvalidContentType and a 10 MB body with EntityTooLarge, storing nothing', async () => {
    const before = await fingerprint();
    const huge = JSON.stringify({ name: 'x'.repeat(10 * 1024 * 1024) });
    for (const path of operations) {
      const url = `${path}?app_key=${owner.appKey}`;
      const text = await t.app.inject({
        method: 'POST',
        url,
        payload: 'name=x',
        headers: { 'content-type': 'text/plain' },
      });
      // PagerDuty's paths refuse in PagerDuty's own shape (docs/sources.md); SNS posts its JSON as
      // text/plain and a heartbeat ignores its body, so those two read on and refuse the request.
      const refusal = OWN_REPLY_SHAPE.has(path) ? text.json().status : text.json().error?.code;
      const expected = OWN_REPLY_SHAPE.has(path)
        ? 'invalid event'
        : ANY_BODY_PATHS.has(path)
          ? 'InvalidParameter'
          : 'InvalidContentType';
      expect([text.statusCode, refusal], path).toEqual([400, expected]);
      const big = await t.app.inject({
        method: 'POST',
        url,
        payload: huge,
        headers: { 'content-type': 'application/json' },
      });
      expect([big.statusCode, big.json().error?.code], path).toEqual([413, 'EntityTooLarge']);
      expect(big.headers['flashcat-request-id'], path).toBe(big.json().request_id);
    }
    expect(await fingerprint()).toBe(before);
  });
});

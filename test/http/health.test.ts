import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { DatabaseUnavailable, isDatabaseUnavailable } from '../../src/db/errors.ts';
import { buildApp } from '../../src/http/app.ts';
import { Lifecycle } from '../../src/http/health.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';

/*
 * /healthz (liveness), /readyz (readiness) and the startup gate, in process on the run's database.
 * The faults themselves (PostgreSQL down, lost, frozen; Redis frozen) are in test/db/faults.test.ts
 * and test/http/redis-faults.test.ts, against real servers.
 */

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});

describe('health and readiness', () => {
  it('answers /healthz at once, /readyz and every route 503 until startup finishes, then ready', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const startup = new Lifecycle('waiting for the database');
    const app = await buildApp({
      config: loadConfig({}),
      db: database.db,
      clock: new ManualClock(Date.UTC(2026, 0, 5)),
      logger: false,
      startup,
    });
    const get = (url: string) => app.inject({ method: 'GET', url });

    expect((await get('/healthz')).json()).toMatchObject({ data: { status: 'ok' } });
    const notReady = await get('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({
      request_id: expect.any(String),
      error: {
        code: 'ServiceUnavailable',
        message: 'Not ready: Vigil is starting (waiting for the database).',
      },
    });
    const route = await app.inject({ method: 'POST', url: '/member/info?app_key=x' });
    expect(route.statusCode).toBe(503);
    expect(route.json().error.code).toBe('ServiceUnavailable');

    startup.finish();
    const ready = await get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().data).toEqual({ status: 'ready', database: 'ok', redis: 'off' });
    expect((await app.inject({ method: 'POST', url: '/member/info?app_key=x' })).json().error.code).toBe(
      'Unauthorized',
    );
    const doc = (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    await app.close();
  });
});

describe('which errors mean the database is unavailable (503, not 500)', () => {
  it('recognises lost connections, refusals and timeouts, through causes, and nothing else', () => {
    const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const error of [
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('08006'),
      withCode('57014', 'canceling statement due to statement timeout'),
      withCode('ECONNREFUSED'),
      new Error('Connection terminated unexpectedly'),
      new Error('Query read timeout'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      new DatabaseUnavailable('PostgreSQL did not answer'),
      new Error('wrapped', { cause: withCode('57P01') }),
    ]) {
      expect(isDatabaseUnavailable(error), String(error)).toBe(true);
    }
    for (const error of [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('22P02', 'invalid input syntax'),
      withCode('40P01', 'deadlock detected'),
      new Error('Maximum call stack size exceeded'),
      undefined,
      'Connection',
    ]) {
      expect(isDatabaseUnavailable(error), String(error)).toBe(false);
    }
  });
});
